/*
 * gzip.c — see gzip.h. GIO's zlib converter, already linked.
 */
#include "signaling/gzip.h"

#include <gio/gio.h>
#include <string.h>

bool sv_gzip_worth(const char *type, size_t len) {
  if (len < 1024) return false;
  return g_str_has_prefix(type, "text/") || g_str_has_prefix(type, "application/javascript") ||
         g_str_has_prefix(type, "application/json") || g_str_has_prefix(type, "image/svg+xml") ||
         g_str_has_prefix(type, "application/manifest+json");
}

bool sv_gzip_accepted(const char *ae) {
  if (!ae) return false;
  gchar **items = g_strsplit(ae, ",", -1);
  bool ok = false;
  for (gchar **i = items; *i; i++) {
    gchar **parts = g_strsplit(*i, ";", -1);
    const char *coding = g_strstrip(parts[0]);
    if (g_ascii_strcasecmp(coding, "gzip") == 0 || strcmp(coding, "*") == 0) {
      ok = true;
      for (gchar **q = parts + 1; *q; q++) {
        const char *param = g_strstrip(*q);
        if (g_ascii_strncasecmp(param, "q=", 2) == 0 && g_ascii_strtod(param + 2, NULL) <= 0)
          ok = false;
      }
    }
    g_strfreev(parts);
    if (ok) break;
  }
  g_strfreev(items);
  return ok;
}

char *sv_gzip(const char *in, size_t len, size_t *out_len) {
  GZlibCompressor *z = g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  size_t cap = len + len / 8 + 64, used = 0, read_total = 0;
  char *out = g_malloc(cap);
  for (;;) {
    gsize bytes_read = 0, bytes_written = 0;
    GError *err = NULL;
    GConverterResult r = g_converter_convert(G_CONVERTER(z), in + read_total, len - read_total,
                                             out + used, cap - used, G_CONVERTER_INPUT_AT_END,
                                             &bytes_read, &bytes_written, &err);
    read_total += bytes_read;
    used += bytes_written;
    if (r == G_CONVERTER_FINISHED) break;
    if (r == G_CONVERTER_ERROR) {
      bool no_space = g_error_matches(err, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
      g_error_free(err);
      if (!no_space) {
        g_free(out);
        g_object_unref(z);
        return NULL;
      }
      cap *= 2;
      out = g_realloc(out, cap);
    }
  }
  g_object_unref(z);
  *out_len = used;
  return out;
}
