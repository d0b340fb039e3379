/*
 * tcpbridge.h — ICE-TCP for one PeerConnection, owned by samvei instead of
 * libnice.
 *
 * libnice (0.1.21) reassembles RFC 4571 frames in one buffer per component,
 * shared by every TCP connection to its passive candidate: one stranger's
 * stalled length header freezes the real connection. So libnice runs with
 * ICE-TCP off, and the bridge listens itself: one TCP port (from
 * --rtp-ports) per libnice UDP host candidate, announced as a passive TCP
 * host candidate. Each accepted connection has a framing buffer of its own
 * and, once its first frame is a STUN Binding request for this
 * PeerConnection's ufrag, a UDP socket of its own on the same address:
 * complete frames go to libnice's UDP candidate as datagrams, and what
 * libnice sends back is framed onto the TCP connection (non-blocking, with
 * a bounded output buffer). libnice sees an ordinary peer-reflexive UDP
 * candidate; STUN, DTLS and SRTP pass end to end unchanged.
 *
 * A connection is closed (and counted) when its first frame does not come
 * within SV_TCPB_HELLO_SECONDS, is not such a Binding request, or when any
 * frame has a length of 0 or above SV_TCPB_FRAME_MAX or is not
 * STUN/DTLS/RTP/RTCP (RFC 7983). At most SV_TCPB_MAX_CONNS connections per
 * PeerConnection and SV_TCPB_MAX_PENDING_PER_SOURCE not yet validated ones
 * per source address; when full, the oldest unvalidated one gives way.
 *
 * Everything runs in the worker's GMainContext; nothing allocates or logs
 * per packet.
 */
#ifndef SV_TCPBRIDGE_H
#define SV_TCPBRIDGE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "relay/stats.h"

#define SV_TCPB_FRAME_MAX              4096
#define SV_TCPB_OUT_MAX                (64 * 1024)
#define SV_TCPB_HELLO_SECONDS          5
#define SV_TCPB_MAX_CONNS              8
#define SV_TCPB_MAX_PENDING_PER_SOURCE 4

/* --- RFC 4571 framing and first-frame checks (pure) --- */

typedef struct sv_tcpb_framer {
  size_t have; /* bytes of the current frame, 2-byte header included */
  bool done;   /* the last call returned a frame: start a new one */
  uint8_t buf[2 + SV_TCPB_FRAME_MAX];
} sv_tcpb_framer;

enum { SV_TCPB_BAD_LENGTH = -1, SV_TCPB_MORE = 0, SV_TCPB_FRAME = 1 };

/* Takes bytes from *in (advancing *in, decreasing *len) up to the end of
 * one frame. Returns SV_TCPB_FRAME with *frame and *flen set (valid until the
 * next call), SV_TCPB_MORE when the input ran out first, or
 * SV_TCPB_BAD_LENGTH for a length of 0 or above SV_TCPB_FRAME_MAX (the
 * connection cannot be resynchronised: close it). */
int sv_tcpb_take(sv_tcpb_framer *f, const uint8_t **in, size_t *len, const uint8_t **frame,
                 size_t *flen);
/* True for a STUN Binding request (RFC 5389: message type 0x0001, magic
 * cookie, consistent length) whose USERNAME is "<ufrag>:...". */
bool sv_tcpb_is_binding_for(const uint8_t *p, size_t n, const char *ufrag);
/* True for STUN, DTLS, RTP or RTCP by the RFC 7983 first byte. */
bool sv_tcpb_is_media(const uint8_t *p, size_t n);

/* --- the bridge --- */

typedef struct sv_tcpbridge sv_tcpbridge;

/* port_min/port_max: the range for the TCP listening and bridging UDP
 * sockets (0, 0: any port). stats: the worker's counters. */
sv_tcpbridge *sv_tcpbridge_new(GMainContext *ctx, sv_stats_block *stats, uint16_t port_min,
                               uint16_t port_max);
/* The local ufrag a connection's first Binding request must carry (again
 * after an ICE restart). */
void sv_tcpbridge_set_ufrag(sv_tcpbridge *b, const char *ufrag);
/* Listens on the address of target (a libnice UDP host candidate) and
 * bridges to target. Returns the TCP port (the same one again for the same
 * target), or 0 if no port could be bound. */
uint16_t sv_tcpbridge_listen(sv_tcpbridge *b, const struct sockaddr *target, socklen_t len);
/* Closes every socket and frees. NULL is fine. */
void sv_tcpbridge_free(sv_tcpbridge *b);

#endif
