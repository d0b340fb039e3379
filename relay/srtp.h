/*
 * srtp.h — SRTP/SRTCP for one PeerConnection, on libsrtp2.
 *
 * One inbound and one outbound libsrtp session per PeerConnection, keyed
 * from the DTLS-SRTP export with the profile DTLS negotiated (AES-GCM or
 * AES-CM with HMAC-SHA1). The crypto underneath is OpenSSL's, registered
 * into libsrtp by sv_srtp_global_init (relay/srtp_ossl.c). Owned by the
 * PeerConnection's worker thread. Buffers are processed in place; protect
 * needs SV_SRTP_TRAILER spare bytes after the packet.
 */
#ifndef SV_SRTP_H
#define SV_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/dtls.h"

/* Room to leave after a packet for srtp_protect/srtp_protect_rtcp: libsrtp's
 * largest tag and MKI (144) and the SRTCP index (4). GCM needs 16 + 4. */
#define SV_SRTP_TRAILER 148

typedef struct sv_srtp {
  void *in, *out;          /* srtp_t */
  sv_srtp_profile profile; /* valid while sv_srtp_ready() */
} sv_srtp;

/* Initialises libsrtp once per process (main thread, before workers) and
 * replaces its AES and HMAC-SHA1 with OpenSSL's. If OpenSSL's fail libsrtp's
 * self-tests, logs an error and carries on with libsrtp's own crypto (correct,
 * slower). Returns 0, or SV_EIO when libsrtp itself cannot start. */
int sv_srtp_global_init(void);
void sv_srtp_global_deinit(void);

/* Creates both sessions from the DTLS export. we_are_client: our DTLS role
 * (the client's key protects what the client sends). Returns 0, SV_EINVAL
 * for a profile or key length this module does not know, or SV_EIO. */
int sv_srtp_start(sv_srtp *s, const sv_dtls_srtp_keys *keys, bool we_are_client);
bool sv_srtp_ready(const sv_srtp *s);
/* In place; *len updated. Return 0, or SV_EINVAL when authentication or
 * replay checks fail (the packet must be dropped). */
int sv_srtp_unprotect_rtp(sv_srtp *s, uint8_t *buf, size_t *len);
int sv_srtp_unprotect_rtcp(sv_srtp *s, uint8_t *buf, size_t *len);
/* In place; buf must have SV_SRTP_TRAILER bytes spare after *len. */
int sv_srtp_protect_rtp(sv_srtp *s, uint8_t *buf, size_t *len);
int sv_srtp_protect_rtcp(sv_srtp *s, uint8_t *buf, size_t *len);
void sv_srtp_stop(sv_srtp *s);

#endif
