/*
 * secret.h — the secret that signs join tokens: --token-secret when given,
 * else a random one made once and kept in <data-dir>/token-secret (mode
 * 0600), so invitation links survive a restart.
 */
#ifndef SV_APP_SECRET_H
#define SV_APP_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "app/config.h"

/* Sets *out (g_malloc'd, caller g_free()s) and *len to the secret's bytes.
 * Creates the data dir (0700) and the secret file when neither the option
 * nor the file exists. Returns 0, or SV_EIO with *error a g_malloc'd
 * sentence naming the file and what to do. */
int sv_app_token_secret(const sv_config *cfg, uint8_t **out, size_t *len, char **error);

/* Logs a warning, with the chmod that fixes it, for the data dir when other
 * users may enter or read it, and for the token-secret file and samvei.db
 * when anyone but their owner may read them (files made before samvei
 * created everything private, or loosened by hand). Changes nothing. */
void sv_app_warn_modes(const sv_config *cfg);

#endif
