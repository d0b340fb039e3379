/*
 * router_int.h — the room's data structures, shared by router.c (joining,
 * negotiation) and forward.c (the per-packet path and periodic RTCP).
 * Everything here belongs to the room's worker thread.
 */
#ifndef SV_ROUTER_INT_H
#define SV_ROUTER_INT_H

#include "relay/router.h"
#include "relay/rtcp.h"
#include "relay/rtp.h"

#define SV_MAX_TRACKS  4 /* published m-lines per participant */
#define SV_MAX_OUTS    SV_SDP_MAX_MEDIA
#define SV_RTX_SLOTS   256 /* retransmission buffer per video track (power of two) */
#define SV_PLI_GAP_US  500000
#define SV_MAX_PENDING 64 /* remote candidates held before a PeerConnection exists */

typedef struct sv_part sv_part;
typedef struct sv_out sv_out;

typedef struct sv_rtx_slot {
  uint16_t seq;
  uint16_t len; /* 0 = empty */
  uint8_t data[SV_RTP_MTU];
} sv_rtx_slot;

/* One published stream (an m-line of a publish PeerConnection). */
typedef struct sv_track {
  sv_part *owner;
  bool active;
  char mid[16];
  sv_media_kind kind;
  const char *source;
  sv_sdp_codec codec;
  uint32_t ssrc; /* 0 until known (latched from the first packet of its PT) */
  sv_rtp_stats stats;
  uint64_t last_pli_us;
  bool pli_pending;
  uint64_t sr_ntp, sr_arrival_us;
  uint32_t sr_rtp;
  int32_t lost_counted; /* cumulative loss already added to the packets_lost counter */
  sv_out *outs[SV_ROOM_MAX_PARTICIPANTS];
  size_t n_outs;
  sv_rtx_slot *rtx; /* video only, SV_RTX_SLOTS entries */
} sv_track;

/* One m-line of a subscriber's subscribe PeerConnection. */
struct sv_out {
  sv_part *sub;
  char mid[16];
  sv_media_kind kind;
  sv_track *src; /* NULL = inactive */
  char src_participant[SV_RELAY_ID_MAX];
  sv_sdp_codec codec;
  uint32_t ssrc;
  uint16_t seq_delta;
  uint32_t ts_delta;
  uint32_t packets, octets;
  uint32_t sr_lsr;     /* middle 32 bits of the NTP time of the last SR sent here */
  uint64_t sr_sent_us; /* when it was sent (sv_now_us) */
};

struct sv_part {
  char id[SV_RELAY_ID_MAX];
  sv_router *room;
  sv_peer *pub, *sub;
  char pub_mid[16], sub_mid[16]; /* BUNDLE tags, for candidate events */
  uint32_t rtcp_ssrc;            /* our SSRC in RTCP towards this participant */
  sv_track tracks[SV_MAX_TRACKS];
  sv_out outs[SV_MAX_OUTS];
  size_t n_outs;
  uint32_t sub_rev;
  uint64_t sub_sess_id, sub_version;
  bool sub_dirty;
  uint64_t joined_us;  /* when the participant joined (sv_now_us) */
  uint64_t rtt_sum_us; /* round trips to it, from its receiver reports on our SRs */
  uint32_t rtt_samples;
  bool first_video;      /* a video packet has been forwarded to it (metrics) */
  GPtrArray *pending[2]; /* remote candidates per sv_pc_kind before the peer exists */
  struct sv_tap *tap;    /* recording tap (a reference), or NULL */
};

struct sv_router {
  char id[SV_RELAY_ID_MAX];
  const sv_peer_env *env;
  const sv_router_config *config;
  const sv_relay_events *ev;
  void *user;
  GPtrArray *parts; /* sv_part*, owned */
  GSource *tick;    /* periodic RTCP and pending PLIs */
  GSource *renegotiate;
  uint64_t last_report_us;
};

/* forward.c */
void sv_forward_rtp(sv_part *p, uint8_t *buf, size_t len);
void sv_forward_rtcp_from_publisher(sv_part *p, uint8_t *buf, size_t len);
void sv_forward_rtcp_from_subscriber(sv_part *p, uint8_t *buf, size_t len);
/* Asks the track's publisher for a keyframe, at most once per SV_PLI_GAP_US
 * (a request inside the gap is sent when the gap ends). */
void sv_forward_request_keyframe(sv_track *t);
/* Periodic work: pending PLIs, receiver reports and REMB to publishers. */
void sv_forward_tick(sv_router *r);
uint64_t sv_now_us(void);

#endif
