/*
 * fuzz_http.c — libFuzzer target for what the HTTP side does with a
 * request's path, query and Host header before anything else sees them
 * (signaling/http.c, signaling/api/api_http.c).
 *
 * Input: the path up to the first newline (as lws hands it over: decoded,
 * up to a NUL), the Host header up to the second, then the query string,
 * split at '&' into the fragments lws would give (at most
 * SV_API_MAX_QUERY, as api_http.c reads them).
 *
 *   - sv_http_resolve() against a web root the harness makes (files, a
 *     hidden file, a directory with and one without index.html, symlinks
 *     pointing in and out) may only ever name a regular file inside the
 *     root, never the file outside it, and never for a path with a segment
 *     that starts with '.';
 *   - sv_http_api_query_add() keeps only non-empty UTF-8 names and values
 *     under the caps, the first value of each name, and marks the call bad
 *     exactly when a fragment or its value is over its cap or the fragment
 *     is not UTF-8;
 *   - sv_http_host_is_safe() accepts only host[:port] characters.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signaling/api/api.h"
#include "signaling/signaling_int.h"

static char *tmp, *root, *outside;

static void put(const char *dir, const char *name, const char *text) {
  char *path = g_build_filename(dir, name, NULL);
  SV_ASSERT(g_file_set_contents(path, text, -1, NULL));
  g_free(path);
}

static void cleanup(void) {
  char *argv[] = {"rm", "-rf", tmp, NULL};
  g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  g_free(tmp);
  g_free(root);
  g_free(outside);
}

static void setup(void) {
  tmp = g_dir_make_tmp("samvei-fuzz-http-XXXXXX", NULL);
  SV_ASSERT(tmp);
  char *web = g_build_filename(tmp, "web", NULL);
  char real[PATH_MAX];
  SV_ASSERT(g_mkdir(web, 0700) == 0 && realpath(web, real));
  root = g_strdup(real);
  g_free(web);
  put(tmp, "outside.txt", "secret\n");
  outside = g_build_filename(tmp, "outside.txt", NULL);
  put(root, "index.html", "<!doctype html>\n");
  put(root, ".hidden", "hidden\n");
  char *js = g_build_filename(root, "js", NULL), *sub = g_build_filename(root, "sub", NULL),
       *empty = g_build_filename(root, "empty", NULL);
  SV_ASSERT(g_mkdir(js, 0700) == 0 && g_mkdir(sub, 0700) == 0 && g_mkdir(empty, 0700) == 0);
  put(js, "app.js", "export {};\n");
  put(sub, "index.html", "<!doctype html>\n");
  char *out_link = g_build_filename(root, "out", NULL),
       *in_link = g_build_filename(js, "in.js", NULL);
  SV_ASSERT(symlink(outside, out_link) == 0 && symlink("app.js", in_link) == 0);
  g_free(js);
  g_free(sub);
  g_free(empty);
  g_free(out_link);
  g_free(in_link);
  atexit(cleanup);
}

static void check_path(const char *path) {
  char *file = sv_http_resolve(root, path);
  if (!file) return;
  size_t n = strlen(root);
  SV_ASSERT(strncmp(file, root, n) == 0 && file[n] == '/');
  SV_ASSERT(strcmp(file, outside) != 0);
  SV_ASSERT(path[0] == '/' && !strchr(path, '\\') && !strstr(path, "/."));
  struct stat st;
  SV_ASSERT(lstat(file, &st) == 0 && S_ISREG(st.st_mode)); /* a real path: no symlink */
  g_free(file);
}

static void check_query(const char *q, size_t len) {
  sv_api_call call = {.query = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free)};
  bool bad = false;
  size_t fragments = 0;
  const char *p = q, *end = q + len;
  while (p <= end && fragments < SV_API_MAX_QUERY) {
    const char *amp = memchr(p, '&', (size_t)(end - p));
    size_t n = amp ? (size_t)(amp - p) : (size_t)(end - p);
    const char *eq = memchr(p, '=', n);
    bad |= n >= SV_API_MAX_VALUE + 64 || !g_utf8_validate(p, (gssize)n, NULL) ||
           (eq && (size_t)(p + n - eq - 1) > SV_API_MAX_VALUE);
    sv_http_api_query_add(&call, p, n);
    fragments++;
    if (!amp) break;
    p = amp + 1;
  }
  SV_ASSERT(call.bad_query == bad);
  SV_ASSERT(g_hash_table_size(call.query) <= fragments);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, call.query);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    const char *name = k, *value = v;
    SV_ASSERT(*name && *value && !strchr(name, '='));
    SV_ASSERT(g_utf8_validate(name, -1, NULL) && g_utf8_validate(value, -1, NULL));
    SV_ASSERT(strlen(name) + strlen(value) < SV_API_MAX_VALUE + 64);
    SV_ASSERT(strlen(value) <= SV_API_MAX_VALUE);
  }
  g_hash_table_destroy(call.query);
}

static void check_host(const char *host) {
  if (!sv_http_host_is_safe(host)) return;
  SV_ASSERT(*host);
  for (const char *p = host; *p; p++)
    SV_ASSERT(g_ascii_isalnum(*p) || strchr(".-:[]", *p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!root) setup();
  if (size > 8192) return 0;
  const char *text = (const char *)data, *end = text + size;
  const char *nl1 = memchr(text, '\n', size);
  const char *line2 = nl1 ? nl1 + 1 : end;
  const char *nl2 = memchr(line2, '\n', (size_t)(end - line2));
  const char *query = nl2 ? nl2 + 1 : end;

  char *path = g_strndup(text, (size_t)((nl1 ? nl1 : end) - text)); /* up to a NUL, as lws */
  check_path(path);
  g_free(path);
  char *host = g_strndup(line2, (size_t)((nl2 ? nl2 : end) - line2));
  check_host(host);
  g_free(host);
  check_query(query, (size_t)(end - query));
  return 0;
}
