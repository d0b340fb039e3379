/*
 * token_cmd.c — `samvei token --room R --role ROLE --name N
 * [--valid-from T] [--valid-minutes M] [server options]`.
 *
 * T (Unix seconds or ISO 8601, default now) is the consultation's start and
 * M (default 60) its length; the token is valid from T minus
 * --join-grace-before-min to T + M plus --join-grace-after-min. Every other
 * option is a server option (--token-secret, --data-dir, --config, ...), read
 * as the server reads it, so the token is signed with the server's secret.
 */
#include "app/token_cmd.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "app/config.h"
#include "app/secret.h"
#include "common/common.h"
#include "common/role.h"
#include "schedule/token.h"

static bool parse_time(const char *s, int64_t *out) {
  guint64 n;
  if (g_ascii_string_to_unsigned(s, 10, 0, G_MAXINT64, &n, NULL)) {
    *out = (int64_t)n;
    return true;
  }
  GTimeZone *utc = g_time_zone_new_utc();
  GDateTime *dt = g_date_time_new_from_iso8601(s, utc);
  g_time_zone_unref(utc);
  if (!dt) return false;
  *out = g_date_time_to_unix(dt);
  g_date_time_unref(dt);
  return true;
}

static int usage(const char *why) {
  fprintf(stderr,
          "samvei token: %s\n"
          "usage: samvei token --room R --role ROLE --name N [--valid-from T] "
          "[--valid-minutes M] [server options]\n"
          "  ROLE: specialist, municipal, patient, relative, interpreter or observer\n"
          "  T: start, Unix seconds or ISO 8601 (default now); M: length in minutes (default 60)\n",
          why);
  return 2;
}

int sv_app_token_main(int argc, char **argv) {
  const char *room = NULL, *role = NULL, *name = NULL, *from = NULL, *minutes = NULL;
  GPtrArray *rest = g_ptr_array_new();
  g_ptr_array_add(rest, argv[0]);
  int rc = 2;
  for (int i = 2; i < argc; i++) {
    const char **slot = strcmp(argv[i], "--room") == 0            ? &room
                        : strcmp(argv[i], "--role") == 0          ? &role
                        : strcmp(argv[i], "--name") == 0          ? &name
                        : strcmp(argv[i], "--valid-from") == 0    ? &from
                        : strcmp(argv[i], "--valid-minutes") == 0 ? &minutes
                                                                  : NULL;
    if (!slot) {
      g_ptr_array_add(rest, argv[i]);
      continue;
    }
    if (i + 1 >= argc) {
      char *why = g_strdup_printf("%s needs a value", argv[i]);
      rc = usage(why);
      g_free(why);
      g_ptr_array_free(rest, TRUE);
      return rc;
    }
    *slot = argv[++i];
  }

  sv_config cfg;
  char *error = NULL;
  uint8_t *secret = NULL;
  size_t secret_len = 0;
  char *token = NULL;
  sv_token_claims claims;
  memset(&claims, 0, sizeof claims);
  int64_t start = (int64_t)(g_get_real_time() / G_USEC_PER_SEC);
  guint64 length = 60;
  sv_role role_value;
  bool role_ok = sv_role_parse(role, &role_value) == 0;

  if (sv_config_load(&cfg, (int)rest->len, (char **)rest->pdata, &error) < 0) {
    fprintf(stderr, "samvei token: %s\n", error);
    goto out;
  }
  if (!room || !*room || strlen(room) >= sizeof claims.room) {
    rc = usage("give --room, 1-63 characters");
    goto out;
  }
  if (!role_ok) {
    rc = usage("give --role, one of the roles below");
    goto out;
  }
  if (!name || !*name || strlen(name) >= sizeof claims.name || !sv_text_plain(name)) {
    rc = usage("give --name, the display name (1-127 bytes of text without control or "
               "formatting characters)");
    goto out;
  }
  if (from && !parse_time(from, &start)) {
    rc = usage("--valid-from must be Unix seconds or ISO 8601 such as 2026-11-23T09:00:00Z");
    goto out;
  }
  if (minutes && !g_ascii_string_to_unsigned(minutes, 10, 1, 7 * 24 * 60, &length, NULL)) {
    rc = usage("--valid-minutes must be 1-10080");
    goto out;
  }
  rc = 1;
  if (sv_app_token_secret(&cfg, &secret, &secret_len, &error) < 0) {
    fprintf(stderr, "samvei token: %s\n", error);
    goto out;
  }
  g_strlcpy(claims.room, room, sizeof claims.room);
  g_strlcpy(claims.role, role, sizeof claims.role);
  g_strlcpy(claims.name, name, sizeof claims.name);
  claims.nbf = start - (int64_t)cfg.join_grace_before_min * 60;
  claims.exp = start + (int64_t)length * 60 + (int64_t)cfg.join_grace_after_min * 60;
  if (sv_token_sign(secret, secret_len, &claims, &token) < 0) {
    fprintf(stderr, "samvei token: cannot sign the token\n");
    goto out;
  }
  printf("%s\n", token);
  rc = 0;
out:
  g_free(token);
  g_free(secret);
  g_free(error);
  sv_config_free(&cfg);
  g_ptr_array_free(rest, TRUE);
  return rc;
}
