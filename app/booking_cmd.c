/*
 * booking_cmd.c — `samvei team create --name N --kind specialist|municipal
 * [--organisation O] [--on-call yes|no] [--distance-km D]`,
 * `samvei consultation create --title T [--kind K] [--start T] [--minutes M]
 * [--host-team ID] [--guest-team ID]` and
 * `samvei invite --consultation ID --role ROLE --name N`, each followed by
 * any server options (to find the same database and secret).
 *
 * They print the new team's or consultation's id, or the invitation's join
 * token (valid over the consultation's window with the configured grace;
 * only its hash is stored). The actor in the session log is "cli".
 */
#include "app/booking_cmd.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/secret.h"
#include "app/store_wire.h"
#include "common/common.h"
#include "schedule/token.h"

#define ACTOR "cli"

static int usage(const char *why) {
  fprintf(stderr,
          "samvei: %s\n"
          "usage: samvei team create --name N --kind specialist|municipal [--organisation O]\n"
          "                          [--on-call yes|no] [--distance-km D] [server options]\n"
          "       samvei consultation create --title T [--kind guidance|urgent|follow-up|"
          "group-teaching]\n"
          "                          [--start T] [--minutes M] [--host-team ID] "
          "[--guest-team ID] [server options]\n"
          "       samvei invite --consultation ID --role ROLE --name N [server options]\n"
          "  T: Unix seconds or ISO 8601 (default now); M: minutes (default 60)\n",
          why);
  return 2;
}

/* Names and the like reach other people's screens: plain text only, as the
 * API takes it. */
static bool copy_arg(char *dst, size_t size, const char *src) {
  return src && *src && g_strlcpy(dst, src, size) < size && sv_text_plain(src);
}

static int team_create(sv_store *st, const char **v) {
  sv_team t;
  memset(&t, 0, sizeof t);
  guint64 km = 0;
  if (!copy_arg(t.name, sizeof t.name, v[0]))
    return usage("give --name (text without control or formatting characters)");
  if (!copy_arg(t.kind, sizeof t.kind, v[1])) return usage("give --kind specialist|municipal");
  if (v[2] && !copy_arg(t.organisation, sizeof t.organisation, v[2]))
    return usage("--organisation is too long");
  t.on_call = v[3] && (strcmp(v[3], "yes") == 0 || strcmp(v[3], "1") == 0);
  if (v[4] && !g_ascii_string_to_unsigned(v[4], 10, 0, 100000, &km, NULL))
    return usage("--distance-km must be 0-100000");
  t.distance_km = (int)km;
  int err = sv_store_team_create(st, &t);
  if (err == SV_EINVAL) return usage("--kind must be specialist or municipal");
  if (err < 0) return 1;
  printf("%s\n", t.id);
  return 0;
}

static int consultation_create(sv_store *st, const char **v) {
  sv_consultation c;
  memset(&c, 0, sizeof c);
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  guint64 minutes = 60;
  c.start = now;
  if (!copy_arg(c.title, sizeof c.title, v[0])) return usage("give --title (1-199 bytes)");
  g_strlcpy(c.kind, v[1] ? v[1] : "guidance", sizeof c.kind);
  if (v[2] && !sv_app_cli_parse_time(v[2], &c.start))
    return usage("--start must be Unix seconds or ISO 8601");
  if (v[3] && !g_ascii_string_to_unsigned(v[3], 10, 1, 7 * 24 * 60, &minutes, NULL))
    return usage("--minutes must be 1-10080");
  c.end = c.start + (int64_t)minutes * 60;
  if (v[4] && !copy_arg(c.host_team, sizeof c.host_team, v[4])) return usage("bad --host-team");
  if (v[5] && !copy_arg(c.guest_team, sizeof c.guest_team, v[5])) return usage("bad --guest-team");
  int err = sv_store_consultation_create(st, &c, ACTOR, now);
  if (err == SV_EINVAL)
    return usage("--kind must be guidance, urgent, follow-up or group-teaching, and the teams "
                 "must exist");
  if (err < 0) return 1;
  printf("%s\n", c.id);
  return 0;
}

static int invite(sv_store *st, const sv_config *cfg, const char **v) {
  sv_consultation c;
  if (!v[0] || sv_store_consultation_get(st, v[0], &c) < 0)
    return usage("--consultation must name a booked consultation");
  sv_token_claims claims;
  memset(&claims, 0, sizeof claims);
  if (!copy_arg(claims.role, sizeof claims.role, v[1])) return usage("give --role");
  if (!copy_arg(claims.name, sizeof claims.name, v[2]))
    return usage("give --name (1-127 bytes of text without control or formatting characters)");
  g_strlcpy(claims.room, c.id, sizeof claims.room);
  claims.nbf = c.start - (int64_t)cfg->join_grace_before_min * 60;
  claims.exp = c.end + (int64_t)cfg->join_grace_after_min * 60;
  uint8_t *secret = NULL;
  size_t secret_len = 0;
  char *error = NULL, *token = NULL;
  int rc = 1;
  if (sv_app_token_secret(cfg, &secret, &secret_len, &error) < 0) {
    fprintf(stderr, "samvei invite: %s\n", error);
    goto out;
  }
  if (sv_token_sign(secret, secret_len, &claims, &token) < 0) {
    fprintf(stderr, "samvei invite: cannot sign the token\n");
    goto out;
  }
  sv_invitation inv;
  memset(&inv, 0, sizeof inv);
  g_strlcpy(inv.consultation, c.id, sizeof inv.consultation);
  g_strlcpy(inv.role, claims.role, sizeof inv.role);
  g_strlcpy(inv.name, claims.name, sizeof inv.name);
  sv_token_hash(token, inv.token_hash);
  inv.expires = claims.exp;
  int err = sv_store_invitation_add(st, &inv, ACTOR, g_get_real_time() / G_USEC_PER_SEC);
  if (err == SV_EINVAL) {
    rc = usage("--role must be specialist, municipal, patient, relative, interpreter or "
               "observer");
    goto out;
  }
  if (err < 0) goto out;
  printf("%s\n", token);
  rc = 0;
out:
  g_free(token);
  g_free(secret);
  g_free(error);
  return rc;
}

int sv_app_booking_main(int argc, char **argv) {
  static const char *const team_opts[] = {"name", "kind", "organisation", "on-call", "distance-km"};
  static const char *const cons_opts[] = {"title",   "kind",      "start",
                                          "minutes", "host-team", "guest-team"};
  static const char *const inv_opts[] = {"consultation", "role", "name"};
  const char *const *names;
  size_t n;
  int first = 3;
  if (argc > 2 && strcmp(argv[1], "team") == 0 && strcmp(argv[2], "create") == 0) {
    names = team_opts;
    n = SV_ARRAY_LEN(team_opts);
  } else if (argc > 2 && strcmp(argv[1], "consultation") == 0 && strcmp(argv[2], "create") == 0) {
    names = cons_opts;
    n = SV_ARRAY_LEN(cons_opts);
  } else if (strcmp(argv[1], "invite") == 0) {
    names = inv_opts;
    n = SV_ARRAY_LEN(inv_opts);
    first = 2;
  } else {
    return usage("say team create, consultation create or invite");
  }
  const char *values[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
  sv_config cfg;
  char *error = NULL;
  sv_store *st = NULL;
  int rc = 2;
  if (sv_app_cli_parse(argc, argv, first, names, n, values, &cfg, &error) < 0) {
    rc = usage(error);
    goto out;
  }
  sv_log_set_level(SV_LOG_WARN);
  if (sv_app_store_open(&cfg, &st, &error) < 0) {
    fprintf(stderr, "samvei: %s\n", error);
    rc = 1;
    goto out;
  }
  rc = names == team_opts   ? team_create(st, values)
       : names == cons_opts ? consultation_create(st, values)
                            : invite(st, &cfg, values);
out:
  sv_store_close(st);
  g_free(error);
  sv_config_free(&cfg);
  return rc;
}
