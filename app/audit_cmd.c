/*
 * audit_cmd.c — `samvei audit verify [server options]` and
 * `samvei audit export [--room R] [--from T] [--to T] [--format json|csv]
 * [server options]`. T is Unix seconds or ISO 8601 (a date alone is
 * midnight UTC); the period is [from, to).
 */
#include "app/audit_cmd.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/store_wire.h"
#include "common/common.h"
#include "schedule/audit_export.h"

static int usage(const char *why) {
  fprintf(stderr,
          "samvei audit: %s\n"
          "usage: samvei audit verify [server options]\n"
          "       samvei audit export [--room R] [--from T] [--to T] [--format json|csv] "
          "[server options]\n"
          "  T: Unix seconds or ISO 8601 such as 2026-11-01 or 2026-11-01T08:00:00Z\n",
          why);
  return 2;
}

static int verify(sv_store *st) {
  int64_t bad = 0;
  char *why = NULL;
  size_t n = 0;
  int err = sv_store_audit_verify(st, &bad, &why, &n);
  if (err == 0) {
    printf("chain intact, %zu events\n", n);
    return 0;
  }
  fprintf(stderr, "samvei audit verify: chain broken at %s\n", why ? why : sv_strerror(err));
  g_free(why);
  return err == SV_ESTATE ? 1 : 2;
}

static int export(sv_store *st, const char *room, int64_t from, int64_t to, bool csv) {
  sv_audit_filter f = {.consultation = room, .from = from, .to = to};
  sv_audit_event *evs = NULL;
  size_t n = 0;
  if (sv_store_audit_list(st, &f, &evs, &n) < 0) {
    fprintf(stderr, "samvei audit export: cannot read the audit log (see the log above)\n");
    return 2;
  }
  char *text = csv ? sv_audit_export_csv(evs, n) : sv_audit_export_json(evs, n);
  fputs(text, stdout);
  if (!csv) fputc('\n', stdout);
  g_free(text);
  g_free(evs);
  return 0;
}

int sv_app_audit_main(int argc, char **argv) {
  if (argc < 3 || (strcmp(argv[2], "verify") != 0 && strcmp(argv[2], "export") != 0))
    return usage("say verify or export");
  bool is_export = strcmp(argv[2], "export") == 0;
  static const char *const names[] = {"room", "from", "to", "format"};
  const char *values[4] = {NULL, NULL, NULL, NULL};
  sv_config cfg;
  char *error = NULL;
  sv_store *st = NULL;
  int64_t from = 0, to = 0;
  int rc = 2;
  if (sv_app_cli_parse(argc, argv, 3, names, is_export ? 4 : 0, values, &cfg, &error) < 0) {
    rc = usage(error);
    goto out;
  }
  const char *format = values[3] ? values[3] : "json";
  if (values[1] && !sv_app_cli_parse_time(values[1], &from)) {
    rc = usage("--from must be Unix seconds or ISO 8601");
    goto out;
  }
  if (values[2] && !sv_app_cli_parse_time(values[2], &to)) {
    rc = usage("--to must be Unix seconds or ISO 8601");
    goto out;
  }
  if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
    rc = usage("--format must be json or csv");
    goto out;
  }
  sv_log_set_level(SV_LOG_WARN);
  if (sv_app_store_open(&cfg, &st, &error) < 0) {
    fprintf(stderr, "samvei audit: %s\n", error);
    goto out;
  }
  rc = is_export ? export(st, values[0], from, to, strcmp(format, "csv") == 0) : verify(st);
out:
  sv_store_close(st);
  g_free(error);
  sv_config_free(&cfg);
  return rc;
}
