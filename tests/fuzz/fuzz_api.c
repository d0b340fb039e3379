/*
 * fuzz_api.c — libFuzzer target for the REST API's handlers
 * (the files of signaling/api/): a request made of the input goes to sv_api_handle()
 * with a real SQLite store in a temporary directory, as the HTTP layer
 * would hand it over, authenticated with a known key.
 *
 * Input: one byte choosing the method, the path with its query up to the
 * first newline ("{C}" and "{T}" stand for an existing consultation's and
 * team's id), then the body. Checks the contract on every input: a known
 * HTTP status, and a JSON body with {"error":{"code","message"}} for every
 * error; nothing crashes or leaks.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <libwebsockets.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schedule/store.h"
#include "schedule/token.h"
#include "signaling/api/api.h"
#include "signaling/signaling_int.h"

static sv_signaling sig;
static char *dir;
static char cons_id[SV_STORE_ID_MAX], team_id[SV_STORE_ID_MAX];

static void cleanup(void) {
  sv_store_close(sig.db);
  g_bytes_unref(sig.token_secret);
  char *db = g_build_filename(dir, "samvei.db", NULL);
  char *wal = g_strconcat(db, "-wal", NULL), *shm = g_strconcat(db, "-shm", NULL);
  g_unlink(db);
  g_unlink(wal);
  g_unlink(shm);
  g_rmdir(dir);
  g_free(db);
  g_free(wal);
  g_free(shm);
  g_free(dir);
}

static void setup(void) {
  char *error = NULL;
  dir = g_dir_make_tmp("samvei-fuzz-api-XXXXXX", NULL);
  SV_ASSERT(dir);
  sv_log_set_level(SV_LOG_ERROR);
  SV_ASSERT(sv_store_open(NULL, dir, &sig.db, &error) == 0);
  sig.token_secret = g_bytes_new("0123456789abcdef0123456789abcdef", 32);
  sig.grace_before_min = 15;
  sig.grace_after_min = 30;
  sig.waiting_open_min = 15;
  char hash[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash("svk_fuzz", hash);
  SV_ASSERT(sv_store_apikey_add(sig.db, "fuzz", hash, 1800000000, NULL) == 0);
  sv_team t = {.kind = "specialist", .on_call = true};
  g_strlcpy(t.name, "Team", sizeof t.name);
  SV_ASSERT(sv_store_team_create(sig.db, &t) == 0);
  g_strlcpy(team_id, t.id, sizeof team_id);
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  sv_consultation c = {.kind = "guidance", .start = now, .end = now + 3600};
  g_strlcpy(c.title, "Fuzz", sizeof c.title);
  SV_ASSERT(sv_store_consultation_create(sig.db, &c, "fuzz", now) == 0);
  g_strlcpy(cons_id, c.id, sizeof cons_id);
  atexit(cleanup);
}

static char *replace(char *s, const char *what, const char *with) {
  char **parts = g_strsplit(s, what, -1);
  char *out = g_strjoinv(with, parts);
  g_strfreev(parts);
  g_free(s);
  return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const int methods[] = {LWSHUMETH_GET, LWSHUMETH_POST, LWSHUMETH_PUT, LWSHUMETH_PATCH,
                                LWSHUMETH_DELETE};
  if (!sig.db) setup();
  if (size < 1) return 0;
  const char *text = (const char *)data + 1;
  size_t rest = size - 1;
  const char *nl = memchr(text, '\n', rest);
  size_t path_len = nl ? (size_t)(nl - text) : rest;
  if (path_len > 512) return 0;

  sv_api_call *call = g_new0(sv_api_call, 1);
  call->method = methods[data[0] % SV_ARRAY_LEN(methods)];
  char *line = g_strndup(text, path_len);
  line = replace(line, "{C}", cons_id);
  line = replace(line, "{T}", team_id);
  char *q = strchr(line, '?');
  call->query = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  if (q) {
    *q++ = '\0';
    char **pairs = g_strsplit(q, "&", SV_API_MAX_QUERY);
    for (char **p = pairs; *p; p++) {
      char *eq = strchr(*p, '=');
      if (!eq || eq == *p || !eq[1] || !g_utf8_validate(*p, -1, NULL)) continue;
      *eq = '\0';
      if (!g_hash_table_contains(call->query, *p))
        g_hash_table_insert(call->query, g_strdup(*p), g_strdup(eq + 1));
    }
    g_strfreev(pairs);
  }
  call->path = g_strconcat("/api/", line[0] == '/' ? line + 1 : line, NULL);
  g_free(line);
  call->auth = g_strdup("Bearer svk_fuzz");
  call->base_url = g_strdup("https://samvei.test");
  call->body = g_byte_array_new();
  if (nl) g_byte_array_append(call->body, (const guint8 *)nl + 1, (guint)(rest - path_len - 1));

  sv_api_resp resp;
  sv_api_handle(&sig, call, &resp);
  static const unsigned statuses[] = {200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 500, 503};
  bool known = false;
  for (size_t i = 0; i < SV_ARRAY_LEN(statuses); i++)
    known |= resp.status == statuses[i];
  SV_ASSERT(known);
  SV_ASSERT(resp.status == 204 || (resp.body && resp.len == strlen(resp.body)));
  if (resp.status >= 400) {
    json_t *doc = json_loadb(resp.body, resp.len, 0, NULL);
    SV_ASSERT(doc);
    SV_ASSERT(json_is_string(json_object_get(json_object_get(doc, "error"), "code")));
    SV_ASSERT(json_is_string(json_object_get(json_object_get(doc, "error"), "message")));
    json_decref(doc);
  } else if (resp.type && strcmp(resp.type, "application/json") == 0 && resp.body) {
    json_t *doc = json_loadb(resp.body, resp.len, 0, NULL);
    SV_ASSERT(doc);
    json_decref(doc);
  }
  g_free(resp.body);
  g_free(resp.disposition);
  sv_api_call_free(call);
  return 0;
}
