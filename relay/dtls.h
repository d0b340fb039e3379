/*
 * dtls.h — DTLS-SRTP key agreement for one PeerConnection (RFC 5763/5764),
 * on OpenSSL.
 *
 * The identity (an ECDSA P-256 certificate made at start, its SHA-256
 * fingerprint and the SSL_CTX) is created once on the main thread and then
 * only read by the workers. A session belongs to the worker thread that owns
 * the PeerConnection: datagrams go in with sv_dtls_input(), records come out
 * through the send callback, and retransmission timers run on the worker's
 * GMainContext. When the handshake is done and the peer's certificate matches
 * the fingerprint from its SDP, `connected` delivers the exported SRTP keys.
 */
#ifndef SV_DTLS_H
#define SV_DTLS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The SRTP protection profiles the relay negotiates, by their IANA ids
 * (RFC 5764 4.1.2, RFC 7714 14.2). */
typedef enum sv_srtp_profile {
  SV_SRTP_AES128_CM_SHA1_80 = 0x0001, /* 16-byte key, 14-byte salt */
  SV_SRTP_AES128_CM_SHA1_32 = 0x0002, /* 16-byte key, 14-byte salt */
  SV_SRTP_AEAD_AES_128_GCM = 0x0007,  /* 16-byte key, 12-byte salt */
  SV_SRTP_AEAD_AES_256_GCM = 0x0008,  /* 32-byte key, 12-byte salt */
} sv_srtp_profile;

/* What the relay offers and accepts, best first. The DTLS server's order
 * decides (OpenSSL takes the first of its own profiles the client lists),
 * so the relay gets GCM wherever it is the server and the peer offers it. */
#define SV_DTLS_SRTP_PROFILES                                                                      \
  "SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32"

#define SV_DTLS_SRTP_MAX_KEY_LEN  32
#define SV_DTLS_SRTP_MAX_SALT_LEN 14
#define SV_DTLS_SRTP_KEYS_LEN     (2 * (SV_DTLS_SRTP_MAX_KEY_LEN + SV_DTLS_SRTP_MAX_SALT_LEN))

/* The keying material of one DTLS-SRTP association. */
typedef struct sv_dtls_srtp_keys {
  sv_srtp_profile profile;
  size_t key_len, salt_len; /* per side, for this profile */
  /* client key | server key | client salt | server salt (RFC 5764 4.2);
   * the first 2 * (key_len + salt_len) bytes are used. */
  uint8_t material[SV_DTLS_SRTP_KEYS_LEN];
} sv_dtls_srtp_keys;

typedef struct sv_dtls_identity sv_dtls_identity;
typedef struct sv_dtls sv_dtls;

/* Generates the certificate and key and sets up the context. On success *out
 * owns it (free with sv_dtls_identity_free); on error returns SV_EIO. */
int sv_dtls_identity_new(sv_dtls_identity **out);
void sv_dtls_identity_free(sv_dtls_identity *id);
/* "AB:CD:..." (SHA-256, upper-case hex); owned by the identity. */
const char *sv_dtls_identity_fingerprint(const sv_dtls_identity *id);
/* Replaces the SRTP profiles the identity offers as a client and accepts as a
 * server, best first, as an OpenSSL list ("SRTP_AES128_CM_SHA1_80:..."); the
 * default is SV_DTLS_SRTP_PROFILES. For tests and the load generator, which
 * offer what a browser offers. Call before any session uses the identity.
 * Returns 0, or SV_EINVAL for a list OpenSSL does not know. */
int sv_dtls_identity_set_srtp_profiles(sv_dtls_identity *id, const char *profiles);
/* "SRTP_AEAD_AES_128_GCM" and so on; "unknown" for anything else. */
const char *sv_dtls_srtp_profile_name(sv_srtp_profile profile);

typedef struct sv_dtls_callbacks {
  /* One DTLS datagram to send to the peer. */
  void (*send)(void *user, const uint8_t *buf, size_t len);
  /* Handshake done and fingerprint verified. keys (valid during the call)
   * carries the negotiated profile and the exported material; is_client says
   * which side we were. */
  void (*connected)(void *user, const sv_dtls_srtp_keys *keys, bool is_client);
  /* Handshake failed, fingerprint mismatch, or the peer closed; reason is a
   * sentence. No callback fires after this one. */
  void (*failed)(void *user, const char *reason);
} sv_dtls_callbacks;

/* Creates a session for the worker whose context is ctx. remote_fp is the
 * "AB:CD:..." from the peer's SDP (copied). Callbacks may fire from
 * sv_dtls_start/sv_dtls_input and from timers on ctx, never after
 * sv_dtls_free. Can't fail (out of memory aborts). */
sv_dtls *sv_dtls_new(const sv_dtls_identity *id, GMainContext *ctx, const char *remote_fp,
                     const sv_dtls_callbacks *cb, void *user);
/* Starts the handshake: as client (sends ClientHello) or as server (waits). */
void sv_dtls_start(sv_dtls *d, bool as_client);
/* Feeds one received DTLS datagram. */
void sv_dtls_input(sv_dtls *d, const uint8_t *buf, size_t len);
bool sv_dtls_is_connected(const sv_dtls *d);
/* Sends close_notify if connected, stops timers and frees. NULL is fine. */
void sv_dtls_free(sv_dtls *d);

#endif
