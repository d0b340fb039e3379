/*
 * turn.c — TURN REST credentials for the join reply (see turn.h).
 */
#include "signaling/turn.h"

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "common/common.h"

char *sv_turn_password(const char *secret, const char *username) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  unsigned char *ok = HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)username,
                           strlen(username), mac, &len);
  SV_ASSERT(ok && len == 20);
  return g_base64_encode(mac, len);
}

json_t *sv_turn_ice_servers(char *const *uris, const char *secret, unsigned ttl_s,
                            const char *participant, int64_t now_s) {
  if (!uris || !uris[0] || !secret || !*secret) return NULL;
  json_t *urls = json_array();
  for (char *const *u = uris; *u; u++)
    json_array_append_new(urls, json_string(*u));
  char *username = g_strdup_printf("%" G_GINT64_FORMAT ":%s", now_s + (int64_t)ttl_s, participant);
  char *password = sv_turn_password(secret, username);
  json_t *server =
      json_pack("{s:o,s:s,s:s}", "urls", urls, "username", username, "credential", password);
  g_free(username);
  g_free(password);
  SV_ASSERT(server);
  return json_pack("[o]", server);
}
