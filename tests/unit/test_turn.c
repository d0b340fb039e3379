/*
 * test_turn.c — TURN REST credentials: the password coturn will recompute
 * (a known HMAC-SHA1 vector), the iceServers object of the join reply, and
 * the --turn-* options (a list of URIs, a secret required with them).
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "app/config.h"
#include "check.h"
#include "signaling/turn.h"

static void test_password(void) {
  /* python3: base64(hmac.new(b'north-secret', b'1700086400:pabc123def45', sha1)) */
  char *pw = sv_turn_password("north-secret", "1700086400:pabc123def45");
  CHECK_STR(pw, "5gpn4gyBzCU9D2jgyvFTejoJPHo=");
  g_free(pw);
}

static void test_ice_servers(void) {
  char *uris[] = {"turn:127.0.0.1:3478?transport=udp", "turns:turn.example.org:443?transport=tcp",
                  NULL};
  json_t *list = sv_turn_ice_servers(uris, "north-secret", 86400, "pabc123def45", 1700000000);
  CHECK(json_is_array(list) && json_array_size(list) == 1);
  json_t *s = json_array_get(list, 0);
  CHECK_STR(json_string_value(json_object_get(s, "username")), "1700086400:pabc123def45");
  CHECK_STR(json_string_value(json_object_get(s, "credential")), "5gpn4gyBzCU9D2jgyvFTejoJPHo=");
  json_t *urls = json_object_get(s, "urls");
  CHECK(json_array_size(urls) == 2);
  CHECK_STR(json_string_value(json_array_get(urls, 1)), "turns:turn.example.org:443?transport=tcp");
  json_decref(list);

  char *none[] = {NULL};
  CHECK(sv_turn_ice_servers(none, "s", 60, "p", 0) == NULL);
  CHECK(sv_turn_ice_servers(uris, NULL, 60, "p", 0) == NULL);
  CHECK(sv_turn_ice_servers(NULL, "s", 60, "p", 0) == NULL);
}

static int load(sv_config *cfg, char **error, const char **args, int n) {
  char *argv[16] = {"samvei"};
  for (int i = 0; i < n; i++)
    argv[i + 1] = (char *)args[i];
  return sv_config_load(cfg, n + 1, argv, error);
}

static void test_options(void) {
  g_unsetenv("SAMVEI_TURN_URIS");
  g_unsetenv("SAMVEI_TURN_SECRET");
  g_unsetenv("SAMVEI_TURN_TTL");
  g_unsetenv("SAMVEI_CONFIG");
  sv_config cfg;
  char *error = NULL;

  const char *good[] = {"--turn-uris", "turn:127.0.0.1:3478?transport=udp, turns:h:443",
                        "--turn-secret", "s3cret"};
  CHECK_EQ_INT(load(&cfg, &error, good, 4), 0);
  CHECK_STR(cfg.turn_uris, "turn:127.0.0.1:3478?transport=udp,turns:h:443");
  CHECK_STR(cfg.turn_secret, "s3cret");
  CHECK_EQ_INT(cfg.turn_ttl, 86400);
  sv_config_free(&cfg);

  const char *no_secret[] = {"--turn-uris", "turn:127.0.0.1:3478"};
  CHECK_EQ_INT(load(&cfg, &error, no_secret, 2), SV_EINVAL);
  CHECK(error && strstr(error, "--turn-secret"));
  g_free(error);
  error = NULL;
  sv_config_free(&cfg);

  const char *bad_uri[] = {"--turn-uris", "http://x", "--turn-secret", "s"};
  CHECK_EQ_INT(load(&cfg, &error, bad_uri, 4), SV_EINVAL);
  CHECK(error && strstr(error, "--turn-uris"));
  g_free(error);
  error = NULL;
  sv_config_free(&cfg);

  const char *bad_ttl[] = {"--turn-ttl", "5"};
  CHECK_EQ_INT(load(&cfg, &error, bad_ttl, 2), SV_EINVAL);
  g_free(error);
  sv_config_free(&cfg);
}

int main(void) {
  RUN(test_password);
  RUN(test_ice_servers);
  RUN(test_options);
  return check_summary();
}
