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

/* SRTP_AES128_CM_SHA1_80: 16-byte key + 14-byte salt, per side. */
#define SV_DTLS_SRTP_KEY_LEN  16
#define SV_DTLS_SRTP_SALT_LEN 14
#define SV_DTLS_SRTP_KEYS_LEN (2 * (SV_DTLS_SRTP_KEY_LEN + SV_DTLS_SRTP_SALT_LEN))

typedef struct sv_dtls_identity sv_dtls_identity;
typedef struct sv_dtls sv_dtls;

/* Generates the certificate and key and sets up the context. On success *out
 * owns it (free with sv_dtls_identity_free); on error returns SV_EIO. */
int sv_dtls_identity_new(sv_dtls_identity **out);
void sv_dtls_identity_free(sv_dtls_identity *id);
/* "AB:CD:..." (SHA-256, upper-case hex); owned by the identity. */
const char *sv_dtls_identity_fingerprint(const sv_dtls_identity *id);

typedef struct sv_dtls_callbacks {
  /* One DTLS datagram to send to the peer. */
  void (*send)(void *user, const uint8_t *buf, size_t len);
  /* Handshake done and fingerprint verified. keys is client key | server key
   * | client salt | server salt (RFC 5764 4.2); is_client says which side we
   * were. */
  void (*connected)(void *user, const uint8_t keys[SV_DTLS_SRTP_KEYS_LEN], bool is_client);
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
