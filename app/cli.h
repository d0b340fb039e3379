/*
 * cli.h — what the subcommands (`samvei audit`, `samvei apikey`) share:
 * taking their own options out of argv and reading the rest as server
 * options, so they find the same database and secret as the server.
 */
#ifndef SV_APP_CLI_H
#define SV_APP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/config.h"

/* Scans argv from index `first`: "--name value" for each name in names[n]
 * (without "--") goes to values[i] (borrowed from argv); everything else
 * is read as server options into *cfg. Returns 0, or SV_EINVAL with *error
 * a g_malloc'd sentence (caller frees). *cfg must be freed with
 * sv_config_free() in both cases. */
int sv_app_cli_parse(int argc, char **argv, int first, const char *const *names, size_t n,
                     const char **values, sv_config *cfg, char **error);

/* Unix seconds or ISO 8601 (a bare date is midnight UTC) → *out. */
bool sv_app_cli_parse_time(const char *s, int64_t *out);

/* Unix seconds → "2026-11-23T10:15:02Z" in buf (size >= 21). */
void sv_app_cli_format_time(int64_t t, char *buf, size_t size);

#endif
