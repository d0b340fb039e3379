/*
 * lg.h — the load generator's shared types.
 *
 * One process, one GLib main loop, many participants. A participant has a
 * signalling client (samvei's protocol or Janus VideoRoom's JSON API over
 * WebSocket) and up to two PeerConnections made of the relay's own code
 * (relay/peer: libnice, OpenSSL DTLS, libsrtp2). Publishers replay
 * pre-packetized VP8 (one stream, or three simulcast layers) and Opus;
 * subscribers count packets from the clear RTP header and decrypt only a
 * sample to read the send time stamped in the payload, and in the simulcast
 * scenario answer like a browser (transport-cc + RTX) and send transport-cc
 * feedback. Everything runs on the main thread.
 */
#ifndef LG_H
#define LG_H

#include <glib.h>
#include <jansson.h>
#include <libsoup/soup.h>
#include <stdbool.h>
#include <stdint.h>

#include "relay/peer.h"
#include "relay/sdp.h"

/* ---- latency histogram (HDR-style: 32 sub-buckets per power of two) ---- */

#define LG_HIST_BUCKETS (64 + 32 * 40)

typedef struct lg_hist {
  uint64_t count;
  uint64_t max_us;
  uint64_t bucket[LG_HIST_BUCKETS];
} lg_hist;

void lg_hist_add(lg_hist *h, uint64_t us);
void lg_hist_merge(lg_hist *into, const lg_hist *from);
/* Value in microseconds below which a fraction q (0..1) of samples lie. */
double lg_hist_quantile(const lg_hist *h, double q);
/* {samples, p50_ms, p99_ms, p999_ms, max_ms} */
json_t *lg_hist_json(const lg_hist *h);

/* ---- /proc (proc.c) ---- */

/* The CPU seconds of process pid, user + system, -1 if it is gone;
 * *sys_s (when not NULL) gets the system part. */
double lg_proc_cpu(int pid, double *sys_s);
double lg_proc_cpu_s(int pid);
/* Its proportional set size, kB; -1 if unknown. */
long lg_proc_pss_kb(int pid);
/* The load generator's own CPU seconds. */
double lg_self_cpu_s(void);

/* ---- media ---- */

#define LG_MAX_STREAMS 64 /* streams one subscriber receives */
#define LG_RING        512
#define LG_LAYERS      3 /* simulcast layers: q, h, f */
#define LG_MAX_OUT     (1 + LG_LAYERS)
/* Chrome's DTLS use_srtp list, in its order (webrtc CryptoOptions with GCM
 * on: AES-CM-80 first, then the GCM profiles). */
#define LG_BROWSER_SRTP_PROFILES                                                                   \
  "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM"

/* The simulcast layers a publisher sends, lowest first (media.c). */
typedef struct lg_layer_spec {
  const char *rid;
  uint32_t kbps;
  uint32_t key_bytes; /* keyframe size: smaller at the lower resolutions */
} lg_layer_spec;
extern const lg_layer_spec lg_layers[LG_LAYERS];

/* One outgoing stream of a publisher: audio, the video, or one simulcast
 * layer of it. */
typedef struct lg_out_stream {
  bool video;
  int layer; /* simulcast layer index, -1 for audio or a single video stream */
  uint8_t pt;
  uint32_t ssrc;
  uint16_t seq;
  uint32_t ts;
  uint16_t picture_id;
  int64_t next_us; /* when the next frame is due */
  uint32_t frame;  /* frames sent; a keyframe every LG_KEY_INTERVAL */
  bool key_wanted; /* a PLI/FIR asked for one */
  uint32_t key_bytes, delta_bytes;
  /* Last LG_RING protected packets, for NACKs (video only). */
  uint8_t (*ring)[1300];
  uint16_t *ring_len;
  uint16_t *ring_seq;
} lg_out_stream;

/* Receive state of one incoming stream, from its clear RTP header. */
typedef struct lg_in_stream {
  uint32_t ssrc;
  bool started;
  uint32_t cycles;
  uint16_t max_seq;
  uint32_t base;
  uint64_t received;
  uint64_t bytes;                     /* on the wire, SRTP included */
  uint64_t bytes_mark;                /* bytes at the start of the window */
  uint32_t layer_hits[LG_LAYERS + 1]; /* sampled stamps by layer (0 = not simulcast) */
} lg_in_stream;

/* A subscriber's transport-cc receive side (feedback.c): the arrival time
 * of each transport-wide sequence number since the last feedback, behind an
 * optional virtual bottleneck. */
typedef struct lg_fb lg_fb;

/* ---- participants ---- */

typedef enum { LG_SAMVEI = 0, LG_JANUS } lg_server;

typedef struct lg_part lg_part;

typedef struct lg_room {
  int index;
  char name[64];
  int64_t janus_id;
  int size; /* participants it was made with */
  int n_parts;
} lg_room;

struct lg_part {
  int index;
  lg_room *room;
  bool publish, video, subscribe;
  bool gone;         /* left; waiting to be freed */
  const char *token; /* samvei join token (teaching scenario; book.c owns it), or NULL */
  /* PeerConnections (NULL until made). */
  sv_peer *pub, *sub;
  bool pub_up, sub_up;
  GPtrArray *pending_sub_cands; /* server candidates for sub before it exists */
  /* Media. */
  lg_out_stream out[LG_MAX_OUT]; /* audio, then the video or its layers */
  int n_out;
  uint8_t ext_mid, ext_rid; /* publish: extension ids on simulcast packets */
  lg_in_stream in[LG_MAX_STREAMS];
  int n_in;
  uint32_t sample_ctr;
  /* Subscribe side, browser-like answers (simulcast scenario). */
  uint8_t sub_twcc_id;        /* transport-wide seq extension id, 0 = not taken */
  uint32_t rtx_pt_mask[4];    /* RTX payload types taken: not media */
  lg_fb *fb;                  /* transport-cc feedback, NULL when not taken */
  uint32_t cap_kbps;          /* virtual link cap of this subscriber, 0 = none */
  int want_layer;             /* the layer it should get (Janus: substream asked for) */
  GHashTable *janus_sub_mids; /* video mids already configured with a substream */
  /* Timing of the join (monotonic µs). */
  int64_t t_start, t_pub_up, t_sub_up;
  bool join_counted;
  /* Signalling. */
  SoupWebsocketConnection *ws;
  GCancellable *cancel;
  int64_t janus_session, janus_pub_handle, janus_sub_handle;
  int64_t janus_feed; /* my publisher id */
  bool janus_sub_joining;
  GHashTable *janus_feeds; /* feed ids subscribed or asked for */
  uint32_t sub_rev;
  int tx;
};

/* Global state of the run (main thread only). */
typedef struct lg_state {
  lg_server server;
  char *url;
  SoupSession *session;
  sv_peer_env env;
  int samples_every;      /* decrypt 1 in N received packets */
  bool simulcast;         /* publishers send three layers */
  bool twcc;              /* subscribers take transport-cc + RTX and send feedback */
  uint32_t caps_kbps[16]; /* virtual link caps, assigned to receivers in turn */
  int n_caps;
  uint32_t pub_profiles, sub_profiles; /* SRTP profiles negotiated: bit (1 << IANA id) */
  /* Totals since start. */
  uint64_t rtp_sent, rtp_recv, rtp_expected_base, sampled, pli_in, nack_in, retrans;
  uint64_t rtx_recv;              /* RTX and probe padding received (not media) */
  uint64_t fb_sent, fb_virt_lost; /* feedback packets; packets the virtual links dropped */
  uint64_t frames_skipped;        /* frames not sent because the generator was stalled */
  uint64_t errors;
  lg_hist lat, lat_key; /* current step's window */
  bool measuring;
  GPtrArray *parts;
  int64_t run_id;
} lg_state;

extern lg_state lg;

int64_t lg_now_us(void);

/* media.c */
void lg_media_init(void);
void lg_media_setup_publisher(lg_part *p);
void lg_media_free(lg_part *p);
/* Sends every frame that is due for every connected publisher. */
void lg_media_tick(void);
bool lg_media_srtp_in(void *user, sv_peer *peer, const uint8_t *buf, size_t len);
void lg_media_rtcp_in(void *user, sv_peer *peer, uint8_t *buf, size_t len);
/* Sums over all subscribers: packets received and expected. */
void lg_media_loss_totals(uint64_t *received, uint64_t *expected);
/* The layer (0..LG_LAYERS-1) a receiver with a link of cap_kbps (0 = no
 * cap) should get, by the rule samvei's relay applies to its estimate. */
int lg_media_layer_for_cap(uint32_t cap_kbps);
/* The simulcast layer most of s's sampled packets came from, -1 if none. */
int lg_media_in_layer(const lg_in_stream *s);

/* feedback.c */
lg_fb *lg_fb_new(uint32_t cap_kbps);
void lg_fb_free(lg_fb *f);
/* Notes the arrival of the packet with transport-wide sequence number seq,
 * SSRC ssrc and len bytes on the wire. No allocation. */
void lg_fb_packet(lg_fb *f, uint16_t seq, uint32_t ssrc, size_t len, int64_t now_us);
/* Sends transport-cc feedback for everything noted since the last call on
 * peer (none when nothing arrived). */
void lg_fb_send(lg_fb *f, sv_peer *peer, int64_t now_us);

/* part.c */
void lg_part_pc_state(lg_part *p, bool is_pub, sv_pc_state st, const char *reason);
/* Makes the publish PeerConnection and returns its offer (g_free). */
char *lg_part_make_offer(lg_part *p);
/* Applies the server's answer to the publish offer. Returns 0 or -1. */
int lg_part_take_answer(lg_part *p, const char *sdp);
/* Makes (or reuses) the subscribe PeerConnection for an offer and returns
 * the answer (g_free), or NULL. */
char *lg_part_answer_offer(lg_part *p, const char *sdp);
void lg_part_add_candidates_from_sdp(sv_peer *peer, const char *sdp);
void lg_part_remote_candidate(lg_part *p, bool is_pub, const char *cand);
void lg_part_free_peers(lg_part *p);

/* book.c: the teaching scenario's group teachings, booked through samvei's
 * REST API with the key in $SAMVEI_API_KEY: per room a consultation of kind
 * group-teaching, `presenters` specialist and `attendees` municipal
 * invitations. Returns 0, or -1 (and says why on stderr). */
int lg_book_teaching(int rooms, int presenters, int attendees);
/* The booked room's consultation id, and its i-th token (presenters
 * first); NULL when not booked. */
const char *lg_book_room_id(int room);
const char *lg_book_token(int room, int i);

/* ramp.c: the scenario ramped step by step (see main.c). */
typedef struct lg_scenario {
  const char *name;
  int room_size;
  int publishers; /* per room; the others only receive */
  bool video;
  int steps_rooms; /* default rooms per step */
  bool simulcast;  /* publishers send three layers; subscribers give feedback */
} lg_scenario;

typedef struct lg_ramp_opts {
  const lg_scenario *sc;
  int server_pid;
  int step, max_rooms, max_parts, churn, min_steps;
  double settle, window, time_limit, join_timeout;
  double max_loss, max_p99_ms;
  const char *on_window; /* run as "CMD start" / "CMD end" around each window */
} lg_ramp_opts;

/* Takes the options (copied) and the result object, which the ramp adds
 * first_over_limit and churn to while it runs. */
void lg_ramp_init(const lg_ramp_opts *o, json_t *result);
/* The controller, for a 50 ms timer: joins, settles, measures, stops. */
gboolean lg_ramp_tick(gpointer data);
/* Starts the first step and runs the main loop until the ramp stops. */
void lg_ramp_run(void);
/* Forwarded streams per room: every published stream to every other
 * participant of the room. */
int lg_ramp_streams_per_room(void);
/* Adds receivers (simulcast only, else frees them), stop_reason, steps,
 * memory_points, join, join_cpu_ms and joins_timed to the result. */
void lg_ramp_report(bool simulcast);
/* Why the ramp stopped. */
const char *lg_ramp_stop_reason(void);

/* Signalling: called by part.c when our PeerConnection has a local candidate
 * ("" = done). */
void lg_sig_candidate(lg_part *p, bool is_pub, const char *cand);

/* sig_samvei.c / sig_janus.c */
void lg_samvei_start(lg_part *p);
void lg_samvei_candidate(lg_part *p, bool is_pub, const char *cand);
void lg_janus_start(lg_part *p);
void lg_janus_candidate(lg_part *p, bool is_pub, const char *cand);
void lg_janus_keepalive(lg_part *p);

/* Common WebSocket helpers (sig_samvei.c). */
void lg_ws_connect(lg_part *p, const char *protocol, void (*on_open)(lg_part *p),
                   void (*on_msg)(lg_part *p, json_t *msg));
void lg_ws_send(lg_part *p, json_t *msg); /* steals msg */
void lg_ws_close(lg_part *p);

#define LG_ERR(...)                                                                                \
  do {                                                                                             \
    lg.errors++;                                                                                   \
    if (lg.errors < 50) fprintf(stderr, "loadgen: " __VA_ARGS__);                                  \
  } while (0)

#endif
