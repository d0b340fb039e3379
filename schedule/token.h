/*
 * token.h — join tokens: JWTs signed with HS256 (RFC 7519, RFC 7515).
 *
 * An invitation link carries a token naming the room, the role and the
 * display name, valid from nbf to exp. The server keeps only the token's
 * SHA-256 (sv_token_hash), so a leaked database yields no usable links.
 * Pure functions: no globals, any thread.
 */
#ifndef SV_TOKEN_H
#define SV_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define SV_TOKEN_MAX      4096 /* longest token accepted from the network */
#define SV_TOKEN_HASH_LEN 64   /* hex SHA-256 */

typedef struct sv_token_claims {
  char room[64];
  char role[16];
  char name[128];
  int64_t nbf; /* Unix seconds: not valid before */
  int64_t exp; /* Unix seconds: not valid from then on */
  /* Filled by sv_token_verify(): the link's identity, the hex SHA-256 of
   * the token in its canonical spelling. The same for every spelling that
   * verifies, and equal to sv_token_hash() of the token sv_token_sign()
   * made (what an invitation stores). Key revocation, removal and the one
   * seat per link on this, never on the text a client sent. */
  char id[SV_TOKEN_HASH_LEN + 1];
} sv_token_claims;

/* Signs claims with secret. On success *out is a NUL-terminated token the
 * caller g_free()s. SV_EINVAL for empty room/role or exp <= nbf. */
int sv_token_sign(const uint8_t *secret, size_t secret_len, const sv_token_claims *claims,
                  char **out);

/* Verifies token at time now (Unix seconds) and fills *out (out->id
 * included). Returns 0, or SV_EAUTH with a sentence for a person in err:
 * malformed (any part not in canonical unpadded base64url: padding, a
 * character outside the alphabet, non-zero unused bits in the last
 * character), not HS256 (alg "none" and every other algorithm are
 * refused), bad signature, not yet valid, expired. A genuine token
 * refused only for its times (not yet valid, expired) keeps *out filled,
 * id included, so a caller can say which and when (now < out->nbf: not
 * yet); after any other refusal *out is zeroed. Never reads past
 * SV_TOKEN_MAX bytes. */
int sv_token_verify(const uint8_t *secret, size_t secret_len, const char *token, int64_t now,
                    sv_token_claims *out, char *err, size_t errlen);

/* Writes the hex SHA-256 of token (what storage keeps) into out. */
void sv_token_hash(const char *token, char out[SV_TOKEN_HASH_LEN + 1]);

#endif
