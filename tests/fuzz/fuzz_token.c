/*
 * fuzz_token.c — libFuzzer target for the join-token check
 * (schedule/token.c, sv_token_verify) on input as it arrives from the
 * WebSocket.
 *
 * Input: byte 0 picks the mode, the rest is
 *   0: a `join` message's text frame: it goes through the signalling
 *      validator (signaling/message.c) as on the server, and the token it
 *      carries, if any, to sv_token_verify;
 *   1: the token text itself (what the validator hands over);
 *   2: a header and a payload separated by a newline, which the harness
 *      encodes and signs with the secret, so that the fuzzer reaches the
 *      checks behind the signature (algorithm, claims, validity window).
 * Checks the contract on every input: a refusal is SV_EAUTH with a
 * printable sentence; an acceptance has a room and a
 * role, NUL-terminated claims and a validity window around `now`, and the
 * same token verifies the same way twice.
 */
#include <glib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "schedule/token.h"
#include "signaling/message.h"

static const uint8_t secret[] = "0123456789abcdef0123456789abcdef";
#define NOW 1800000000

static void b64url(GString *out, const uint8_t *in, size_t len) {
  char *s = g_base64_encode(in, len);
  for (char *p = s; *p && *p != '='; p++)
    g_string_append_c(out, *p == '+' ? '-' : *p == '/' ? '_' : *p);
  g_free(s);
}

static bool terminated(const char *s, size_t cap) {
  return memchr(s, '\0', cap) != NULL;
}

static void check(const char *token) {
  sv_token_claims c, again;
  char err[256], err2[256];
  memset(err, 'x', sizeof err);
  int rc = sv_token_verify(secret, sizeof secret - 1, token, NOW, &c, err, sizeof err);
  int rc2 = sv_token_verify(secret, sizeof secret - 1, token, NOW, &again, err2, sizeof err2);
  SV_ASSERT(rc == rc2);
  if (rc != 0) {
    SV_ASSERT(rc == SV_EAUTH);
    SV_ASSERT(terminated(err, sizeof err) && err[0]);
    for (const char *p = err; *p; p++)
      SV_ASSERT((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e);
    SV_ASSERT(strcmp(err, err2) == 0);
    return;
  }
  SV_ASSERT(terminated(c.room, sizeof c.room) && terminated(c.role, sizeof c.role) &&
            terminated(c.name, sizeof c.name));
  SV_ASSERT(c.room[0] && c.role[0]);
  SV_ASSERT(c.nbf <= NOW + 5 && NOW - 5 < c.exp);
  SV_ASSERT(memcmp(&c, &again, sizeof c) == 0);
}

/* header '\n' payload → header.payload.signature with the fuzz secret. */
static char *sign(const uint8_t *data, size_t size) {
  const uint8_t *nl = memchr(data, '\n', size);
  size_t hlen = nl ? (size_t)(nl - data) : size;
  GString *t = g_string_new(NULL);
  b64url(t, data, hlen);
  g_string_append_c(t, '.');
  if (nl) b64url(t, nl + 1, size - hlen - 1);
  uint8_t mac[32];
  unsigned int mac_len = sizeof mac;
  SV_ASSERT(HMAC(EVP_sha256(), secret, sizeof secret - 1, (const uint8_t *)t->str, t->len, mac,
                 &mac_len));
  g_string_append_c(t, '.');
  b64url(t, mac, sizeof mac);
  return g_string_free(t, FALSE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > 3 * SV_TOKEN_MAX) return 0;
  const uint8_t *rest = data + 1;
  size_t len = size - 1;
  switch (data[0] % 3) {
  case 0: {
    sv_msg m;
    sv_msg_error e;
    if (sv_message_parse((const char *)rest, len, &m, &e) != 0) {
      sv_message_error_clear(&e);
      return 0;
    }
    if (m.token) check(m.token);
    sv_message_clear(&m);
    return 0;
  }
  case 1: {
    char *token = g_strndup((const char *)rest, len); /* stops at a NUL, as C strings do */
    check(token);
    g_free(token);
    return 0;
  }
  default: {
    char *token = sign(rest, len);
    check(token);
    g_free(token);
    return 0;
  }
  }
}
