/*
 * apikey_cmd.c — `samvei apikey create --name N`, `samvei apikey list` and
 * `samvei apikey revoke ID` (each with [server options]).
 *
 * A key is "svk_" and 32 random bytes in hex. The store keeps the hex
 * SHA-256 of the whole key (sv_token_hash), which is what the REST API
 * compares a Bearer key against; the key itself exists only in the output.
 */
#include "app/apikey_cmd.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/store_wire.h"
#include "common/common.h"
#include "schedule/token.h"

#define SV_APIKEY_BYTES 32

static int usage(const char *why) {
  fprintf(stderr,
          "samvei apikey: %s\n"
          "usage: samvei apikey create --name N [server options]\n"
          "       samvei apikey list [server options]\n"
          "       samvei apikey revoke ID [server options]\n"
          "  N: who or what uses the key (shown as the actor in the session log)\n"
          "  ID: the key's id, as create and list show it; the API answers a revoked\n"
          "      key with 401 at once\n",
          why);
  return 2;
}

/* `list`: one key a line, "ID<TAB>created<TAB>revoked or -<TAB>name". */
static int list_keys(sv_store *st) {
  sv_apikey *keys = NULL;
  size_t n = 0;
  if (sv_store_apikey_list(st, &keys, &n) < 0) {
    fprintf(stderr, "samvei apikey: cannot read the keys (see the log above)\n");
    return 2;
  }
  for (size_t i = 0; i < n; i++) {
    char created[32], revoked[32] = "-";
    sv_app_cli_format_time(keys[i].created, created, sizeof created);
    if (keys[i].revoked) sv_app_cli_format_time(keys[i].revoked, revoked, sizeof revoked);
    printf("%s\t%s\t%s\t%s\n", keys[i].id, created, revoked, keys[i].name);
  }
  g_free(keys);
  return 0;
}

static int revoke_key(sv_store *st, const char *id) {
  int err = sv_store_apikey_revoke(st, id, g_get_real_time() / G_USEC_PER_SEC);
  if (err == SV_ENOENT || err == SV_ESTATE) {
    fprintf(stderr, "samvei apikey: %s\n",
            err == SV_ENOENT ? "no key has this id (see samvei apikey list)"
                             : "this key is already revoked");
    return 2;
  }
  if (err < 0) {
    fprintf(stderr, "samvei apikey: cannot revoke the key (see the log above)\n");
    return 2;
  }
  fprintf(stderr, "API key %s revoked\n", id);
  return 0;
}

int sv_app_apikey_main(int argc, char **argv) {
  if (argc < 3) return usage("say create, list or revoke");
  const char *verb = argv[2];
  bool create = strcmp(verb, "create") == 0, list = strcmp(verb, "list") == 0,
       revoke = strcmp(verb, "revoke") == 0;
  if (!create && !list && !revoke) return usage("say create, list or revoke");
  const char *revoke_id = NULL;
  int first = 3;
  if (revoke) {
    if (argc < 4 || g_str_has_prefix(argv[3], "--") || strlen(argv[3]) >= SV_STORE_ID_MAX)
      return usage("give the id of the key to revoke");
    revoke_id = argv[3];
    first = 4;
  }
  static const char *const names[] = {"name"};
  const char *values[1] = {NULL};
  sv_config cfg;
  char *error = NULL;
  sv_store *st = NULL;
  int rc = 2;
  if (sv_app_cli_parse(argc, argv, first, names, create ? 1 : 0, values, &cfg, &error) < 0) {
    rc = usage(error);
    goto out;
  }
  if (create && (!values[0] || !*values[0] || strlen(values[0]) >= SV_STORE_NAME_MAX ||
                 !sv_text_plain(values[0]))) {
    rc = usage("give --name, 1-255 bytes of text without control or formatting characters");
    goto out;
  }
  sv_log_set_level(SV_LOG_WARN);
  if (sv_app_store_open(&cfg, &st, &error) < 0) {
    fprintf(stderr, "samvei apikey: %s\n", error);
    goto out;
  }
  if (list) {
    rc = list_keys(st);
    goto out;
  }
  if (revoke) {
    rc = revoke_key(st, revoke_id);
    goto out;
  }
  uint8_t raw[SV_APIKEY_BYTES];
  sv_random_bytes(raw, sizeof raw);
  char key[4 + 2 * SV_APIKEY_BYTES + 1] = "svk_";
  for (size_t i = 0; i < sizeof raw; i++)
    g_snprintf(key + 4 + 2 * i, 3, "%02x", raw[i]);
  char hash[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash(key, hash);
  char id[SV_STORE_ID_MAX];
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  if (sv_store_apikey_add(st, values[0], hash, now, id) < 0) {
    fprintf(stderr, "samvei apikey: cannot store the key (see the log above)\n");
    goto out;
  }
  printf("%s\n", key);
  fprintf(stderr, "API key %s created for '%s'; it is shown only now: keep it safe\n", id,
          values[0]);
  rc = 0;
out:
  sv_store_close(st);
  g_free(error);
  sv_config_free(&cfg);
  return rc;
}
