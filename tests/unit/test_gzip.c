/*
 * test_gzip.c — static files compressed for the browser (signaling/gzip.c):
 * what is worth compressing, which Accept-Encoding values take gzip, and
 * that what is sent decompresses to the file, byte for byte.
 */
#include <gio/gio.h>
#include <string.h>

#include "signaling/gzip.h"
#include "tests/unit/check.h"

static char *gunzip(const char *in, size_t len, size_t *out_len) {
  GZlibDecompressor *z = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  size_t cap = 1 << 20;
  char *out = g_malloc(cap);
  gsize r = 0, w = 0;
  GConverterResult res = g_converter_convert(G_CONVERTER(z), in, len, out, cap,
                                             G_CONVERTER_INPUT_AT_END, &r, &w, NULL);
  g_object_unref(z);
  *out_len = w;
  if (res != G_CONVERTER_FINISHED) {
    g_free(out);
    return NULL;
  }
  return out;
}

static void test_round_trip(void) {
  /* A script-like text, and one larger than the first output guess would
   * hold if it did not compress (random bytes). */
  GString *js = g_string_new(NULL);
  for (int i = 0; i < 2000; i++)
    g_string_append_printf(js, "export function f%d(x) { return x * %d; }\n", i, i);
  size_t zlen, back;
  char *z = sv_gzip(js->str, js->len, &zlen);
  CHECK(z != NULL);
  CHECK(zlen < js->len / 4);
  CHECK_EQ_INT((unsigned char)z[0], 0x1f); /* the gzip magic */
  CHECK_EQ_INT((unsigned char)z[1], 0x8b);
  char *plain = gunzip(z, zlen, &back);
  CHECK(plain && back == js->len && memcmp(plain, js->str, back) == 0);
  g_free(plain);
  g_free(z);
  g_string_free(js, TRUE);

  GRand *rng = g_rand_new_with_seed(7);
  size_t n = 300000;
  char *noise = g_malloc(n);
  for (size_t i = 0; i < n; i++)
    noise[i] = (char)g_rand_int(rng);
  z = sv_gzip(noise, n, &zlen);
  CHECK(z != NULL && zlen > n); /* it grows, and still arrives whole */
  plain = gunzip(z, zlen, &back);
  CHECK(plain && back == n && memcmp(plain, noise, n) == 0);
  g_free(plain);
  g_free(z);
  g_free(noise);
  g_rand_free(rng);
}

static void test_accepted(void) {
  CHECK(sv_gzip_accepted("gzip, deflate, br, zstd")); /* Chromium */
  CHECK(sv_gzip_accepted("br;q=1.0, GZIP;q=0.8"));
  CHECK(sv_gzip_accepted("*"));
  CHECK(!sv_gzip_accepted("gzip;q=0"));
  CHECK(!sv_gzip_accepted("identity"));
  CHECK(!sv_gzip_accepted("deflate, br"));
  CHECK(!sv_gzip_accepted("xgzip"));
  CHECK(!sv_gzip_accepted(""));
  CHECK(!sv_gzip_accepted(NULL));
}

static void test_worth(void) {
  CHECK(sv_gzip_worth("text/javascript; charset=utf-8", 40000));
  CHECK(sv_gzip_worth("text/css; charset=utf-8", 5000));
  CHECK(sv_gzip_worth("text/html; charset=utf-8", 2000));
  CHECK(sv_gzip_worth("image/svg+xml", 3000));
  CHECK(!sv_gzip_worth("text/css", 300)); /* tiny: not worth a header */
  CHECK(!sv_gzip_worth("image/png", 40000));
  CHECK(!sv_gzip_worth("video/webm", 4000000));
}

int main(void) {
  RUN(test_round_trip);
  RUN(test_accepted);
  RUN(test_worth);
  return check_summary();
}
