/*
 * token.c — HS256 JWTs for join links, on OpenSSL's HMAC and jansson.
 *
 * Verification is strict because the token arrives from anyone on the
 * network: a fixed header algorithm, a constant-time signature comparison
 * before any claim is trusted, typed claims with length limits, and no
 * leeway beyond a few seconds of clock skew.
 */
#include "schedule/token.h"

#include <glib.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdbool.h>
#include <string.h>

#include "common/common.h"

#define CLOCK_SKEW 5 /* seconds tolerated between the issuing and the checking node */

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void b64url_encode(GString *out, const uint8_t *in, size_t len) {
  size_t i = 0;
  for (; i + 2 < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    g_string_append_c(out, b64url[v >> 18 & 63]);
    g_string_append_c(out, b64url[v >> 12 & 63]);
    g_string_append_c(out, b64url[v >> 6 & 63]);
    g_string_append_c(out, b64url[v & 63]);
  }
  if (len - i == 1) {
    uint32_t v = (uint32_t)in[i] << 16;
    g_string_append_c(out, b64url[v >> 18 & 63]);
    g_string_append_c(out, b64url[v >> 12 & 63]);
  } else if (len - i == 2) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
    g_string_append_c(out, b64url[v >> 18 & 63]);
    g_string_append_c(out, b64url[v >> 12 & 63]);
    g_string_append_c(out, b64url[v >> 6 & 63]);
  }
}

static int b64url_value(char c) {
  const char *p = c ? strchr(b64url, c) : NULL;
  return p ? (int)(p - b64url) : -1;
}

/* Decodes len characters of unpadded base64url into out (cap bytes).
 * Returns the decoded length, or -1 for a bad character or length.
 * Only the canonical spelling is accepted: no padding, nothing outside the
 * alphabet, and the unused low bits of the last character must be zero.
 * Otherwise every signature would have four spellings that all verify, and
 * whatever is keyed on the token's text (revocation, removal, one seat per
 * link) could be walked around by changing its last character. */
static long b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap) {
  if (len % 4 == 1) return -1;
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    int v = b64url_value(in[i]);
    if (v < 0) return -1;
    acc = acc << 6 | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n >= cap) return -1;
      out[n++] = (uint8_t)(acc >> bits);
    }
  }
  if (acc & ((1u << bits) - 1)) return -1; /* non-zero unused bits: not canonical */
  return (long)n;
}

static void hmac_sha256(const uint8_t *key, size_t key_len, const char *data, size_t len,
                        uint8_t mac[32]) {
  unsigned int mac_len = 32;
  SV_ASSERT(HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)data, len, mac,
                 &mac_len) != NULL);
}

int sv_token_sign(const uint8_t *secret, size_t secret_len, const sv_token_claims *c, char **out) {
  if (!c->room[0] || !c->role[0] || c->exp <= c->nbf) return SV_EINVAL;
  static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  json_t *payload = json_pack("{s:s,s:s,s:s,s:I,s:I}", "room", c->room, "role", c->role, "name",
                              c->name, "nbf", (json_int_t)c->nbf, "exp", (json_int_t)c->exp);
  if (!payload) return SV_EINVAL; /* not UTF-8 */
  char *body = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(payload);
  SV_ASSERT(body);
  GString *t = g_string_new(NULL);
  b64url_encode(t, (const uint8_t *)header, sizeof header - 1);
  g_string_append_c(t, '.');
  b64url_encode(t, (const uint8_t *)body, strlen(body));
  free(body);
  uint8_t mac[32];
  hmac_sha256(secret, secret_len, t->str, t->len, mac);
  g_string_append_c(t, '.');
  b64url_encode(t, mac, sizeof mac);
  *out = g_string_free(t, FALSE);
  return 0;
}

static int refuse(char *err, size_t errlen, const char *why) {
  if (err && errlen) g_strlcpy(err, why, errlen);
  return SV_EAUTH;
}

static bool claim_string(json_t *obj, const char *key, char *dst, size_t cap, bool required) {
  json_t *v = json_object_get(obj, key);
  if (!v) return !required;
  if (!json_is_string(v) || json_string_length(v) >= cap) return false;
  g_strlcpy(dst, json_string_value(v), cap);
  return !required || dst[0] != '\0';
}

int sv_token_verify(const uint8_t *secret, size_t secret_len, const char *token, int64_t now,
                    sv_token_claims *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  if (!token) return refuse(err, errlen, "no invitation token was given");
  size_t len = strnlen(token, SV_TOKEN_MAX + 1);
  if (len > SV_TOKEN_MAX) return refuse(err, errlen, "the invitation token is too long");
  const char *dot1 = memchr(token, '.', len);
  const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
  if (!dot1 || !dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
    return refuse(err, errlen, "the invitation token is malformed");

  /* Signature first: nothing in the token is looked at before it checks. */
  uint8_t mac[32], given[64];
  hmac_sha256(secret, secret_len, token, (size_t)(dot2 - token), mac);
  long glen = b64url_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token), given, sizeof given);
  if (glen != 32 || CRYPTO_memcmp(mac, given, 32) != 0)
    return refuse(err, errlen, "the invitation token is not valid (its signature does not match)");
  /* The link's identity is made from what was signed and the decoded MAC,
   * re-encoded: the same for every spelling of the token (should one ever
   * be accepted again), and equal to sv_token_hash() of the token as
   * sv_token_sign() made it, which is what storage keeps. */
  GString *canon = g_string_new_len(token, dot2 - token + 1);
  b64url_encode(canon, mac, sizeof mac);
  char id[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash(canon->str, id);
  g_string_free(canon, TRUE);

  uint8_t buf[SV_TOKEN_MAX];
  long hlen = b64url_decode(token, (size_t)(dot1 - token), buf, sizeof buf - 1);
  if (hlen < 0) return refuse(err, errlen, "the invitation token is malformed");
  json_t *header = json_loadb((const char *)buf, (size_t)hlen, JSON_REJECT_DUPLICATES, NULL);
  json_t *alg = header ? json_object_get(header, "alg") : NULL;
  bool hs256 = alg && json_is_string(alg) && strcmp(json_string_value(alg), "HS256") == 0;
  json_decref(header);
  if (!hs256) return refuse(err, errlen, "the invitation token uses an algorithm other than HS256");

  long plen = b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), buf, sizeof buf - 1);
  json_t *claims =
      plen < 0 ? NULL : json_loadb((const char *)buf, (size_t)plen, JSON_REJECT_DUPLICATES, NULL);
  json_t *nbf = claims ? json_object_get(claims, "nbf") : NULL;
  json_t *exp = claims ? json_object_get(claims, "exp") : NULL;
  bool ok = claims && json_is_object(claims) && json_is_integer(nbf) && json_is_integer(exp) &&
            claim_string(claims, "room", out->room, sizeof out->room, true) &&
            claim_string(claims, "role", out->role, sizeof out->role, true) &&
            claim_string(claims, "name", out->name, sizeof out->name, false);
  if (ok) {
    out->nbf = json_integer_value(nbf);
    out->exp = json_integer_value(exp);
    memcpy(out->id, id, sizeof out->id);
  }
  json_decref(claims);
  if (!ok) {
    memset(out, 0, sizeof *out);
    return refuse(err, errlen, "the invitation token is missing room, role or validity times");
  }
  if (now + CLOCK_SKEW < out->nbf)
    return refuse(err, errlen,
                  "the invitation is not valid yet: the waiting room opens shortly "
                  "before the consultation starts");
  if (now - CLOCK_SKEW >= out->exp)
    return refuse(err, errlen, "the invitation has expired: ask for a new link");
  return 0;
}

void sv_token_hash(const char *token, char out[SV_TOKEN_HASH_LEN + 1]) {
  static const char hex[] = "0123456789abcdef";
  uint8_t md[SHA256_DIGEST_LENGTH];
  SHA256((const unsigned char *)token, strlen(token), md);
  for (size_t i = 0; i < sizeof md; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  out[SV_TOKEN_HASH_LEN] = '\0';
}
