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
#include "relay/nackgen.h"
#include "relay/pliguard.h"
#include "relay/simulcast.h"
#include "relay/speaker.h"

struct sv_bwe;

#define SV_MAX_TRACKS  4 /* published m-lines per participant */
#define SV_MAX_LAYERS  SV_RELAY_MAX_LAYERS
#define SV_TWCC_EXT_ID 3 /* the id of the transport-wide cc extension in subscribe offers */
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

/* One RTP stream of a published track: the whole track, or one simulcast
 * layer of it. */
typedef struct sv_layer {
  uint32_t ssrc; /* 0 until known (from the SDP, the rid extension or the first packet) */
  char rid[16];  /* simulcast RID, "" for a single stream */
  sv_rtp_stats stats;
  uint64_t last_pli_us;
  bool pli_pending;
  uint64_t sr_ntp, sr_arrival_us;
  uint32_t sr_rtp;
  int32_t lost_counted; /* cumulative loss already added to the packets_lost counter */
  sv_rtx_slot *rtx;     /* video only, SV_RTX_SLOTS entries */
  uint64_t rate_bytes, rate_start_us;
  uint32_t bps;      /* received over the last second; 0 = not flowing */
  uint32_t rtx_ssrc; /* its retransmissions' SSRC, 0 until known */
  sv_nackgen nack;   /* what the relay asks the publisher to resend (video) */
  bool wanted;       /* somebody receives it (as last told to the publisher) */
} sv_layer;

/* One published stream (an m-line of a publish PeerConnection). */
typedef struct sv_track {
  sv_part *owner;
  bool active;
  char mid[16];
  sv_media_kind kind;
  const char *source;
  sv_sdp_codec codec;
  uint8_t rid_ext;   /* a=extmap id of the rid extension, 0 = none */
  uint8_t red_pt;    /* audio: the publisher's RED payload type, 0 = none */
  uint8_t rtx_pt;    /* video: the publisher's RTX payload type, 0 = none */
  uint8_t rrid_ext;  /* a=extmap id of repaired-rid (RTX of a simulcast layer) */
  uint8_t level_ext; /* audio: a=extmap id of ssrc-audio-level, 0 = none */
  sv_layer layers[SV_MAX_LAYERS];
  size_t n_layers; /* 1, or the simulcast layers lowest first */
  bool layers_told;
  /* Its subscribers' m-lines, grown as they come (g_malloc'd, cap_outs
   * entries): a room of a hundred costs a hundred pointers, not the room
   * maximum. Freed when the track ends. */
  sv_out **outs;
  size_t n_outs, cap_outs;
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
  sv_outmap map;            /* continuity across layer switches */
  int layer;                /* layer forwarded now, -1 = none */
  int target;               /* layer wanted, switched to at its next keyframe; -1 = paused */
  int max_layer;            /* the subscriber's preference (SV_RELAY_LAYER_AUTO = none) */
  bool told_paused;         /* the subscriber was told this video is paused */
  uint64_t resumed_us;      /* when it last came back after a pause */
  uint64_t resume_after_us; /* paused for bandwidth: not back before then */
  uint64_t resume_wait_us;  /* the last such wait */
  uint64_t short_since_us;  /* flowing, but too little budget since; 0 = it fits */
  sv_pli_guard pli_guard;   /* its keyframe requests while NACKs repair */
  uint32_t rtx_ssrc;
  uint8_t rtx_pt; /* 0 = the subscriber did not take RTX */
  uint8_t red_pt; /* audio: RED as the subscriber took it, 0 = strip to Opus */
  uint16_t rtx_seq;
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
  /* What the relay sends it: the bandwidth estimate from its transport-cc
   * feedback (NULL until its subscribe answer takes the extension). */
  struct sv_bwe *bwe;
  uint8_t twcc_id; /* extension id on its subscribe connection, 0 = none */
  uint16_t twcc_seq;
  uint32_t want_bps;    /* what it would take if the estimate allowed (probing), 0 = no wish */
  bool audio_only;      /* it asked for no video */
  bool strip_red;       /* its link is too narrow for redundant audio (adapt.c) */
  bool video_paused;    /* it was told some video towards it is paused (gauge) */
  bool told_audio_only; /* ... for audio only (or for bandwidth) */
  size_t n_paused_told; /* ... of how many publishers */
  sv_speech speech;     /* how much it speaks (speaker.h) */
  uint64_t last_bwe_sample_us;
  unsigned allow; /* SV_ROUTER_ALLOW_*: the kinds it may publish */
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
  sv_speaker speaker;       /* who speaks: their video goes first on a narrow link */
  uint64_t last_speech_us;  /* when the speech scores were last updated */
  const sv_speech **speech; /* scratch for the speaker choice, speech_cap entries */
  size_t speech_cap;
};

/* forward.c */
void sv_forward_rtp(sv_part *p, uint8_t *buf, size_t len);
void sv_forward_rtcp_from_publisher(sv_part *p, uint8_t *buf, size_t len);
void sv_forward_rtcp_from_subscriber(sv_part *p, uint8_t *buf, size_t len);
/* Asks the track's publisher for a keyframe of layer (all layers: -1), at
 * most once per SV_PLI_GAP_US per layer (a request inside the gap is sent
 * when the gap ends). */
void sv_forward_request_keyframe(sv_track *t, int layer);
/* A keyframe for what subscriber m-line o receives or is about to. */
void sv_forward_out_keyframe(sv_out *o);
/* Periodic work: pending PLIs, layer choice per subscriber, receiver
 * reports and REMB to publishers. */
void sv_forward_tick(sv_router *r);
/* Frees what the forwarder keeps per participant (the estimator). */
void sv_forward_part_free(sv_part *p);
/* Sends up to about `bytes` of probe padding to o's subscriber: recent
 * packets of the layer it receives again, as RTX. Returns the bytes sent
 * (0 when o has no RTX or nothing buffered). */
size_t sv_forward_probe(sv_out *o, size_t bytes, uint64_t now);
/* Builds into out (SV_PEER_SCRATCH bytes) the packet (h over buf[0..len))
 * as o's subscriber gets it: o's SSRC, payload type pt, its sequence
 * numbers, timestamps and VP8 picture IDs, and the subscriber's
 * transport-wide sequence number (taken). Returns its length, 0 if none. */
size_t sv_forward_build(sv_out *o, const uint8_t *buf, size_t len, const sv_rtp_header *h,
                        uint8_t pt, uint64_t now, uint8_t *out);
/* Builds into out the answer to o's subscriber's NACK of its sequence
 * number out_seq, from the layer's retransmission buffer: an RTX packet
 * (RFC 4588: o's RTX SSRC and payload type, its own sequence number, the
 * OSN first in the payload) when the subscriber took RTX, else the
 * original packet as first sent (never for a probe). Returns its length,
 * 0 when the packet is no longer buffered or out_seq does not map. */
size_t sv_forward_build_resend(sv_out *o, uint16_t out_seq, bool probe, uint64_t now, uint8_t *out);
/* Sends the probe padding the estimator towards sub wants now, if any. */
void sv_forward_probe_due(sv_part *sub, uint64_t now);

/* adapt.c: per subscriber, the layer of each video it receives from its
 * bandwidth estimate, paused video, probing; per publisher, the layers
 * anybody receives. Runs from sv_forward_tick. */
void sv_adapt_tick(sv_router *r, uint64_t now);
/* The REMB for video track t: what its wanted layers need (max_kbps for a
 * single stream). */
uint64_t sv_adapt_remb_bps(const sv_track *t, uint32_t max_kbps);
/* Measures layer l's receive rate over the last second (bps); called for
 * every layer from the tick's one pass over them. */
void sv_adapt_layer_rate(sv_layer *l, uint64_t now);
/* Whose video a subscriber's narrow link keeps first, x or y: a screen
 * share before a camera (its own presenter's too), then the speaker's,
 * then the publisher who joined first. */
bool sv_adapt_goes_first(const sv_out *x, const sv_out *y);
/* A fresh binding of o to its track: the starting layer. */
void sv_adapt_out_bound(sv_out *o);
/* The layer video o is to have when the budget gave it `chosen` at now:
 * chosen, except that a video that is flowing keeps its lowest layer for
 * SV_PAUSE_GRACE_US of budget too short for it before it pauses. */
int sv_adapt_pause_grace(sv_out *o, int chosen, uint64_t now);
#define SV_PAUSE_GRACE_US 1000000
uint64_t sv_now_us(void);

#endif
