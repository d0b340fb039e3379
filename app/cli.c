/*
 * cli.c — option splitting and time parsing for the subcommands.
 */
#include "app/cli.h"

#include <glib.h>
#include <string.h>
#include <time.h>

int sv_app_cli_parse(int argc, char **argv, int first, const char *const *names, size_t n,
                     const char **values, sv_config *cfg, char **error) {
  GPtrArray *rest = g_ptr_array_new();
  g_ptr_array_add(rest, argv[0]);
  int rc = 0;
  *error = NULL;
  memset(cfg, 0, sizeof *cfg);
  for (int i = first; i < argc; i++) {
    const char *a = argv[i];
    size_t k = n;
    for (size_t j = 0; j < n && g_str_has_prefix(a, "--"); j++)
      if (strcmp(a + 2, names[j]) == 0) k = j;
    if (k == n) {
      g_ptr_array_add(rest, argv[i]);
      continue;
    }
    if (i + 1 >= argc) {
      *error = g_strdup_printf("%s needs a value", a);
      rc = SV_EINVAL;
      goto out;
    }
    values[k] = argv[++i];
  }
  rc = sv_config_load(cfg, (int)rest->len, (char **)rest->pdata, error);
  /* --help or --version stop before the settings are read (no data dir):
   * the subcommand must show its usage, not open a store. */
  if (rc == 0 && (cfg->help || cfg->version)) {
    *error = g_strdup("its options are:");
    rc = SV_EINVAL;
  }
out:
  g_ptr_array_free(rest, TRUE);
  return rc;
}

bool sv_app_cli_parse_time(const char *s, int64_t *out) {
  guint64 n;
  if (g_ascii_string_to_unsigned(s, 10, 0, G_MAXINT64, &n, NULL)) {
    *out = (int64_t)n;
    return true;
  }
  GTimeZone *utc = g_time_zone_new_utc();
  char *full = strlen(s) == 10 ? g_strconcat(s, "T00:00:00Z", NULL) : g_strdup(s);
  GDateTime *dt = g_date_time_new_from_iso8601(full, utc);
  g_free(full);
  g_time_zone_unref(utc);
  if (!dt) return false;
  *out = g_date_time_to_unix(dt);
  g_date_time_unref(dt);
  return true;
}

void sv_app_cli_format_time(int64_t t, char *buf, size_t size) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
