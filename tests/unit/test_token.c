/*
 * test_token.c — join tokens: a signed token verifies with its claims; a
 * forged one (other secret, edited payload, alg "none", swapped signature)
 * is refused with a sentence; expiry and not-before are enforced; garbage
 * never crashes; only the SHA-256 is meant to be stored; only the canonical
 * spelling of a token verifies, and its id is that of the signed token.
 */
#include <glib.h>
#include <string.h>

#include "check.h"
#include "common/common.h"
#include "schedule/token.h"

static const uint8_t secret[] = "a-secret-of-at-least-32-bytes-for-hs256!";
static const int64_t now = 1790000000;

static char *make(const char *room, const char *role, int64_t nbf, int64_t exp) {
  sv_token_claims c = {0};
  g_strlcpy(c.room, room, sizeof c.room);
  g_strlcpy(c.role, role, sizeof c.role);
  g_strlcpy(c.name, "Kari Nordmann", sizeof c.name);
  c.nbf = nbf;
  c.exp = exp;
  char *t = NULL;
  CHECK_EQ_INT(sv_token_sign(secret, sizeof secret - 1, &c, &t), 0);
  return t;
}

static void test_round_trip(void) {
  char *t = make("r7k2m9", "patient", now - 60, now + 3600);
  sv_token_claims c;
  char err[200] = "";
  CHECK_EQ_INT(sv_token_verify(secret, sizeof secret - 1, t, now, &c, err, sizeof err), 0);
  CHECK_STR(c.room, "r7k2m9");
  CHECK_STR(c.role, "patient");
  CHECK_STR(c.name, "Kari Nordmann");
  CHECK_EQ_INT(c.nbf, now - 60);
  CHECK_EQ_INT(c.exp, now + 3600);
  CHECK(strchr(t, '=') == NULL && strchr(t, '+') == NULL); /* URL-safe, unpadded */
  g_free(t);
}

static void expect_refused(const char *token, int64_t at, const char *words) {
  sv_token_claims c;
  char err[200] = "";
  CHECK_EQ_INT(sv_token_verify(secret, sizeof secret - 1, token, at, &c, err, sizeof err),
               SV_EAUTH);
  CHECK(strstr(err, words) != NULL);
  if (!strstr(err, words)) fprintf(stderr, "    got: %s\n", err);
}

static void test_forged(void) {
  /* Signed with another secret. */
  sv_token_claims c = {.nbf = now - 1, .exp = now + 100};
  g_strlcpy(c.room, "r1", sizeof c.room);
  g_strlcpy(c.role, "specialist", sizeof c.role);
  char *other = NULL;
  CHECK_EQ_INT(sv_token_sign((const uint8_t *)"another secret", 14, &c, &other), 0);
  expect_refused(other, now, "signature");

  /* A patient's token edited to say specialist, signature kept. */
  char *t = make("r1", "patient", now - 1, now + 100);
  char *dot1 = strchr(t, '.'), *dot2 = strrchr(t, '.');
  GString *forged = g_string_new_len(t, dot1 - t + 1);
  const char *payload = "{\"exp\":1790000100,\"name\":\"x\",\"nbf\":1789999999,\"role\":"
                        "\"specialist\",\"room\":\"r1\"}";
  gchar *b64 = g_base64_encode((const guchar *)payload, strlen(payload));
  for (char *p = b64; *p; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  g_strdelimit(b64, "=", '\0');
  g_string_append(forged, b64);
  g_string_append(forged, dot2);
  expect_refused(forged->str, now, "signature");

  /* alg none with an empty signature. */
  expect_refused("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJyb29tIjoicjEifQ.", now, "signature");
  /* Someone else's valid signature on this payload. */
  GString *swapped = g_string_new_len(t, dot2 - t + 1);
  g_string_append(swapped, strrchr(other, '.') + 1);
  expect_refused(swapped->str, now, "signature");

  g_string_free(forged, TRUE);
  g_string_free(swapped, TRUE);
  g_free(b64);
  g_free(t);
  g_free(other);
}

static void test_times(void) {
  char *t = make("r1", "municipal", now + 600, now + 3600);
  expect_refused(t, now, "not valid yet");
  g_free(t);
  t = make("r1", "municipal", now - 7200, now - 60);
  expect_refused(t, now, "expired");
  /* Refused for its times only: the claims stay, so a caller can say when
   * (linkcheck.c); any other refusal zeroes them. */
  sv_token_claims kept;
  CHECK_EQ_INT(sv_token_verify(secret, sizeof secret - 1, t, now, &kept, NULL, 0), SV_EAUTH);
  CHECK(kept.exp == now - 60 && kept.id[0] != '\0' && strcmp(kept.room, "r1") == 0);
  t[strlen(t) - 3] = t[strlen(t) - 3] == 'A' ? 'B' : 'A';
  CHECK_EQ_INT(sv_token_verify(secret, sizeof secret - 1, t, now, &kept, NULL, 0), SV_EAUTH);
  CHECK(kept.id[0] == '\0' && kept.exp == 0);
  g_free(t);
  sv_token_claims c = {.nbf = now, .exp = now};
  g_strlcpy(c.room, "r1", sizeof c.room);
  g_strlcpy(c.role, "x", sizeof c.role);
  char *bad = NULL;
  CHECK_EQ_INT(sv_token_sign(secret, sizeof secret - 1, &c, &bad), SV_EINVAL);
  CHECK(bad == NULL);
}

static void test_garbage(void) {
  expect_refused(NULL, now, "no invitation");
  expect_refused("", now, "malformed");
  expect_refused("abc", now, "malformed");
  expect_refused("a.b.c.d", now, "malformed");
  expect_refused("!!.??.**", now, "signature");
  char *huge = g_malloc(SV_TOKEN_MAX + 100);
  memset(huge, 'a', SV_TOKEN_MAX + 99);
  huge[SV_TOKEN_MAX + 99] = '\0';
  expect_refused(huge, now, "too long");
  g_free(huge);
}

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Every other spelling of the character at t[i] that decodes to the same
 * bytes (same high bits, different unused low bits) is refused. Returns how
 * many spellings were tried. unused: low bits the character does not use. */
static int respell_refused(const char *t, size_t i, int unused) {
  int v = (int)(strchr(alphabet, t[i]) - alphabet), tried = 0;
  for (int low = 1; low < (1 << unused); low++) {
    char *copy = g_strdup(t);
    copy[i] = alphabet[(v & ~((1 << unused) - 1)) | low];
    sv_token_claims c;
    char err[200] = "";
    int rc = sv_token_verify(secret, sizeof secret - 1, copy, now, &c, err, sizeof err);
    CHECK_EQ_INT(rc, SV_EAUTH);
    CHECK(c.id[0] == '\0');
    if (rc == 0) fprintf(stderr, "    accepted the re-spelling %s\n", copy);
    tried++;
    g_free(copy);
  }
  return tried;
}

/* Re-spelled tokens: a 32-byte signature is 43 base64url characters
 * whose last one has 2 unused bits, so it had 3 more spellings that
 * verified. Only the canonical one is accepted now, in every part, and
 * the link's id is the same as the stored hash of the token as signed. */
static void test_canonical_only(void) {
  char *t = make("r7k2m9", "patient", now - 60, now + 3600);
  sv_token_claims c;
  char err[200] = "";
  CHECK_EQ_INT(sv_token_verify(secret, sizeof secret - 1, t, now, &c, err, sizeof err), 0);
  char h[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash(t, h);
  CHECK_STR(c.id, h);

  const char *dot1 = strchr(t, '.'), *dot2 = strrchr(t, '.');
  size_t sig_len = strlen(dot2 + 1);
  CHECK_EQ_INT((int)sig_len, 43);
  CHECK_EQ_INT(respell_refused(t, strlen(t) - 1, 2), 3);
  /* The header and payload too, where their length leaves bits unused. */
  size_t hlen = (size_t)(dot1 - t), plen = (size_t)(dot2 - dot1 - 1);
  if (hlen % 4) respell_refused(t, hlen - 1, hlen % 4 == 2 ? 4 : 2);
  if (plen % 4) respell_refused(t, (size_t)(dot2 - t) - 1, plen % 4 == 2 ? 4 : 2);

  /* Padding, and characters of other base64 alphabets or none. */
  const char *suffixes[] = {"=", "==", " ", "\n"};
  for (size_t i = 0; i < SV_ARRAY_LEN(suffixes); i++) {
    char *padded = g_strconcat(t, suffixes[i], NULL);
    expect_refused(padded, now, "signature");
    g_free(padded);
  }
  char *plus = g_strdup(t);
  for (char *p = plus; *p; p++)
    *p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
  if (strcmp(plus, t) != 0) expect_refused(plus, now, "");
  g_free(plus);
  char *payload_pad = g_strdup_printf("%.*s=%s", (int)(dot2 - t), t, dot2);
  expect_refused(payload_pad, now, "signature");
  g_free(payload_pad);
  g_free(t);
}

static void test_hash(void) {
  char h[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash("abc", h);
  CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void) {
  RUN(test_round_trip);
  RUN(test_forged);
  RUN(test_times);
  RUN(test_garbage);
  RUN(test_canonical_only);
  RUN(test_hash);
  return check_summary();
}
