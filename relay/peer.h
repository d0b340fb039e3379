/*
 * peer.h — the transport of one PeerConnection: a libnice agent (full ICE,
 * one BUNDLE'd component; controlled when the client offers), DTLS-SRTP and
 * the RFC 7983 demux.
 *
 * A peer belongs to one worker thread (its GMainContext). It knows nothing of
 * SDP or rooms: the router gives it the remote ICE credentials, fingerprint
 * and DTLS role, and gets decrypted RTP/RTCP back through callbacks. Local
 * candidates are held back until sv_peer_release_candidates(), so that a
 * client always receives the SDP before the candidates that belong to it.
 */
#ifndef SV_PEER_H
#define SV_PEER_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/dtls.h"
#include "relay/relay.h"
#include "relay/stats.h"

typedef struct sv_peer sv_peer;
typedef struct sv_peer_watch sv_peer_watch;

/* ICE settings shared by all peers of a worker (read-only after start). */
typedef struct sv_peer_env {
  GMainContext *ctx;
  const sv_dtls_identity *identity;
  char **ice_addresses;  /* NULL-terminated; NULL or empty = all interfaces */
  const char *public_ip; /* NULL = none */
  uint16_t port_min, port_max;
  bool ice_tcp;
  uint8_t *scratch;      /* worker's receive buffer, SV_PEER_SCRATCH bytes */
  uint8_t *scratch_out;  /* worker's send buffer, SV_PEER_SCRATCH + SV_SRTP_TRAILER bytes */
  sv_stats_block *stats; /* worker's counters */
  sv_peer_watch *watch;  /* worker's stall watch; NULL = none (the load generator) */
} sv_peer_env;

/* A worker's once-a-second round over its connected peers: it notices a
 * client gone silent (SV_PC_STATE_STALLED) and adds up what the kernel
 * dropped on their sockets. One timer per worker rather than one per peer
 * keeps the worker's main loop from walking a source more per
 * PeerConnection at every wakeup. Freed after the last of its peers. */
sv_peer_watch *sv_peer_watch_new(GMainContext *ctx);
void sv_peer_watch_free(sv_peer_watch *w);

#define SV_PEER_SCRATCH 2048

typedef struct sv_peer_callbacks {
  /* A local candidate ("candidate:..."), or "" when gathering is done. */
  void (*candidate)(void *user, sv_peer *peer, const char *candidate);
  void (*state)(void *user, sv_peer *peer, sv_pc_state state, const char *reason);
  /* Decrypted RTP / RTCP; buf is writable scratch, valid during the call. */
  void (*rtp)(void *user, sv_peer *peer, uint8_t *buf, size_t len);
  void (*rtcp)(void *user, sv_peer *peer, uint8_t *buf, size_t len);
  /* Optional (NULL in the relay): sees each SRTP packet, still encrypted,
   * before decryption; returns true when it has handled it, so it is not
   * decrypted. bench/loadgen uses it to count packets from their clear RTP
   * headers and decrypt only a sample (sv_peer_unprotect_rtp). */
  bool (*srtp_in)(void *user, sv_peer *peer, const uint8_t *buf, size_t len);
} sv_peer_callbacks;

/* Creates the agent and starts gathering. controlling: the ICE role, which
 * RFC 8445 gives the offerer (the relay offers only the subscribe
 * PeerConnection). Returns NULL with *err set to an SV_E* code if libnice
 * cannot open any socket. */
sv_peer *sv_peer_new(const sv_peer_env *env, bool controlling, const sv_peer_callbacks *cb,
                     void *user, int *err);
/* Local ICE credentials, owned by the peer. */
const char *sv_peer_ufrag(const sv_peer *p);
const char *sv_peer_pwd(const sv_peer *p);
/* Sets the remote ICE credentials and DTLS parameters once (later calls with
 * the same ufrag are ignored; a different ufrag is SV_EUNSUPP unless
 * sv_peer_restart_ice() came first). dtls_client: our DTLS role. After an
 * ICE restart only the ICE credentials are taken: the DTLS association and
 * SRTP keys carry on, and fingerprint must be the one of the first call
 * (else SV_EUNSUPP: a different endpoint needs a new peer). */
int sv_peer_set_remote(sv_peer *p, const char *ufrag, const char *pwd, const char *fingerprint,
                       bool dtls_client);
/* ICE restart (RFC 8445 section 9) on an established transport, as after a
 * network change under the client: new local credentials (sv_peer_ufrag()
 * and sv_peer_pwd() change), remote candidates forgotten, local candidates
 * announced again under the new credentials (held until
 * sv_peer_release_candidates()). The next sv_peer_set_remote() takes the
 * remote side's new credentials. Returns 0, or SV_ESTATE before a first
 * sv_peer_set_remote() (nothing to restart). */
int sv_peer_restart_ice(sv_peer *p);
/* "candidate:..." or "a=candidate:..."; "" = end of candidates. Returns 0,
 * or SV_EINVAL for a candidate libnice cannot parse (e.g. an mDNS name). */
int sv_peer_add_remote_candidate(sv_peer *p, const char *candidate);
/* Delivers held-back local candidates and all later ones as they come. */
void sv_peer_release_candidates(sv_peer *p);
sv_pc_state sv_peer_state(const sv_peer *p);
/* The SRTP profile DTLS negotiated; 0 before the peer is connected. */
sv_srtp_profile sv_peer_srtp_profile(const sv_peer *p);
/* Protects in place and sends. buf must have SV_SRTP_TRAILER spare bytes.
 * Returns 0, or SV_ESTATE before SRTP is up, SV_EIO on send failure. */
int sv_peer_send_rtp(sv_peer *p, uint8_t *buf, size_t len);
int sv_peer_send_rtcp(sv_peer *p, uint8_t *buf, size_t len);
/* Decrypts one SRTP packet in place (*len updated), for an srtp_in callback
 * that wants a packet's payload. Returns 0, SV_ESTATE before SRTP is up, or
 * SV_EINVAL when authentication or replay checks fail. */
int sv_peer_unprotect_rtp(sv_peer *p, uint8_t *buf, size_t *len);
/* Sends an already protected packet as is (a retransmission of an earlier
 * sv_peer_send_rtp output). Returns 0, SV_ESTATE or SV_EIO. */
int sv_peer_send_raw(sv_peer *p, const uint8_t *buf, size_t len);
/* Closes DTLS and ICE and frees. Must not be called from inside one of the
 * peer's own callbacks. NULL is fine. */
void sv_peer_free(sv_peer *p);

#endif
