/*
 * relay.h — the SFU: the one public interface of relay/.
 *
 * The relay runs N worker threads, each with its own GMainContext. A room is
 * pinned to one worker on first use; everything of that room (its peers, its
 * router) lives on that worker, so the data path takes no lock.
 *
 * Every sv_relay_* call below is made on the main thread (the thread that owns
 * the GMainContext given to sv_relay_new). It copies its arguments into an
 * owned message and posts it to the room's worker; it never blocks on the
 * worker. Results come back as sv_relay_events callbacks, invoked on the main
 * thread, with arguments owned by the relay and valid only during the call.
 *
 * Identifiers: a room is named by its id string, a participant by an id that
 * is unique within the server (the signalling layer makes it). Both are at
 * most SV_RELAY_ID_MAX - 1 characters.
 */
#ifndef SV_RELAY_H
#define SV_RELAY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/common.h"

#define SV_RELAY_ID_MAX  64
#define SV_RELAY_MAX_SDP (64 * 1024)
/* Participants one room may hold (the signalling server's room sizes are
 * at most this). Per-room state grows with the room, not with this. */
#define SV_RELAY_MAX_ROOM 1000

typedef struct sv_relay sv_relay;

typedef enum { SV_PC_PUBLISH = 0, SV_PC_SUBSCRIBE = 1 } sv_pc_kind;

/* Seconds without a packet from a connected client, while the relay kept
 * sending to it, that make a stall (browsers send RTCP at least every
 * second or so on a PeerConnection that receives anything). */
#define SV_PC_STALL_SECONDS 5

typedef enum {
  SV_PC_STATE_NEW = 0,
  SV_PC_STATE_CONNECTING, /* ICE checks running or DTLS handshake in progress */
  SV_PC_STATE_CONNECTED,  /* DTLS done, SRTP keys installed: media flows */
  SV_PC_STATE_FAILED,     /* ICE failed, DTLS failed or fingerprint mismatch */
  SV_PC_STATE_CLOSED,
  /* Not a state a PeerConnection is in but an event of a connected one:
   * nothing came from the client for SV_PC_STALL_SECONDS (again) while the
   * relay kept sending to it, so its path towards the relay is broken.
   * The client restarts ICE (and rejoins if that does not help). */
  SV_PC_STATE_STALLED,
} sv_pc_state;

typedef struct sv_relay_config {
  int workers;                 /* relay threads; <= 0 means one per core */
  const char *ice_addresses;   /* comma-separated local IPs for host candidates;
                                  NULL or "" = all non-loopback interfaces */
  const char *public_ip;       /* NAT 1:1: advertised instead of the host IP; NULL = none */
  uint16_t port_min, port_max; /* UDP/TCP port range for ICE, 0/0 = any */
  bool ice_tcp;                /* also offer ICE-TCP passive candidates */
  const char *video_codecs;    /* preference, comma-separated: "vp8,h264" */
  uint32_t max_video_kbps;     /* bitrate the relay advertises to publishers (REMB) */
} sv_relay_config;

/* One forwarded track as seen by a subscriber. */
typedef struct sv_relay_track {
  char mid[16];                      /* m-line id in the subscriber's PeerConnection */
  char participant[SV_RELAY_ID_MAX]; /* who publishes it */
  const char *kind;                  /* "audio" or "video" (static string) */
  const char *source;                /* "microphone", "camera" or "screen" (static string) */
} sv_relay_track;

/* What the relay saw of one participant's sending, summed over its
 * published tracks, from its join to its leave. */
typedef struct sv_relay_quality {
  uint64_t duration_ms;  /* in the relay */
  uint64_t packets;      /* RTP received from the participant */
  uint64_t packets_lost; /* missing by its sequence numbers */
  uint64_t bytes;        /* RTP bytes received */
  uint32_t avg_kbps;     /* bytes over the time in the relay */
  uint32_t jitter_ms;    /* interarrival jitter of its audio at the end (RFC 3550 A.8) */
  uint32_t rtt_us;       /* mean round trip relay-participant (0 when rtt_samples is 0) */
  uint32_t rtt_samples;  /* receiver reports that measured it */
} sv_relay_quality;

/* One simulcast layer of a published video, as the publisher named it
 * (a=rid), and whether any subscriber receives it now. */
typedef struct sv_relay_layer {
  char rid[16];
  bool active;
} sv_relay_layer;

#define SV_RELAY_MAX_LAYERS 3
/* sv_relay_set_max_layer(): no limit but the subscriber's link. */
#define SV_RELAY_LAYER_AUTO 0x7f

/* Callbacks into the signalling layer; all run on the main thread. Strings
 * and arrays are owned by the relay and valid only during the call. A callback
 * for a participant that already left may still arrive: ignore it. */
typedef struct sv_relay_events {
  /* Answer to sv_relay_publish(): err == 0 and sdp set, or err < 0 and
   * message says why (a sentence for a person). */
  void (*publish_answer)(void *user, const char *room, const char *participant, int64_t request,
                         int err, const char *sdp, const char *message);
  /* A new offer for the participant's subscribe PeerConnection. rev grows by
   * one per offer; an answer for an older rev is ignored. */
  void (*subscribe_offer)(void *user, const char *room, const char *participant, uint32_t rev,
                          const char *sdp, const sv_relay_track *tracks, size_t n_tracks);
  /* A local ICE candidate ("candidate:..." without "a="), or "" once
   * gathering is done, for the given PeerConnection. */
  void (*candidate)(void *user, const char *room, const char *participant, sv_pc_kind pc,
                    const char *candidate, const char *mid);
  /* PeerConnection state changes; reason is set for FAILED. */
  void (*pc_state)(void *user, const char *room, const char *participant, sv_pc_kind pc,
                   sv_pc_state state, const char *reason);
  /* A problem with a subscribe answer or candidate that the client should
   * hear about (bad SDP and the like). */
  void (*error)(void *user, const char *room, const char *participant, int err,
                const char *message);
  /* After sv_relay_leave(): the participant's sending summed up. May be
   * NULL. Arrives after the participant is gone from signalling's view. */
  void (*quality)(void *user, const char *room, const char *participant,
                  const sv_relay_quality *quality);
  /* Which videos towards participant (a subscriber) are paused, when that
   * changed: from is the space-separated ids of their publishers, "" when
   * every video flows again. reason: "bandwidth" (its link cannot carry
   * them on top of audio and the videos it keeps) or "audio-only" (it asked
   * for that). May be NULL. */
  void (*video_paused)(void *user, const char *room, const char *participant, const char *from,
                       const char *reason);
  /* The simulcast layers of publisher participant's video m-line mid that
   * somebody receives (layers[i].active), lowest first: the client turns the
   * others off at the source. Sent when the set changes. May be NULL. */
  void (*layers)(void *user, const char *room, const char *participant, const char *mid,
                 const struct sv_relay_layer *layers, size_t n_layers);
  /* Participant began (on) or stopped (!on) sending a screen share: a
   * video m-line its publish offer marks a=content:slides, forwarded with
   * source "screen". Not sent when it leaves. May be NULL. */
  void (*screen)(void *user, const char *room, const char *participant, bool on);
} sv_relay_events;

/* Counters, read with atomics from any thread. */
typedef struct sv_relay_stats {
  uint64_t rooms, peers;
  uint64_t rtp_in, rtp_out, rtcp_in, rtcp_out;
  uint64_t bytes_in, bytes_out;
  uint64_t dropped_malformed; /* unparseable or failed SRTP authentication */
  uint64_t dropped_unknown;   /* unknown SSRC or no route */
  uint64_t dropped_kernel;    /* by the kernel: not from the selected pair, or no room */
  uint64_t pli_sent, pli_absorbed, nack_received, retransmitted;
  uint64_t packets_lost; /* inbound RTP missing by the publishers' sequence numbers */
  /* Join to first forwarded video packet per participant: per-bucket
   * counts (bounds in SV_RELAY_FTF_BOUNDS_MS, the last bucket is +Inf),
   * sum and count. */
  uint64_t ftf_bucket[9];
  uint64_t ftf_sum_ms, ftf_count;
  /* Bandwidth estimates towards subscribers, sampled once a second per
   * subscriber: per-bucket counts (bounds in sv_relay_bwe_bounds_kbps, the
   * last bucket is +Inf), sum (kbit/s) and count. */
  uint64_t bwe_bucket[9];
  uint64_t bwe_sum_kbps, bwe_count;
  uint64_t layer_switches; /* simulcast layer changes towards subscribers */
  uint64_t video_paused;   /* subscribers whose video is paused now (gauge) */
  uint64_t padding_bytes;  /* sent to probe subscribers' links */
  uint64_t red_forwarded;  /* RED audio packets forwarded as RED */
  uint64_t red_stripped;   /* ... and stripped to Opus for subscribers without RED */
  uint64_t nack_sent;      /* NACKs the relay sent publishers for lost packets */
  uint64_t rtx_received;   /* retransmissions from publishers that repaired a gap */
  /* ICE-TCP connections accepted, closed by the relay (no valid Binding
   * request within 5 s, bad frames, limits), and packets dropped. */
  uint64_t ice_tcp_accepted, ice_tcp_closed_timeout, ice_tcp_closed_bad, ice_tcp_closed_limit;
  uint64_t ice_tcp_dropped;
} sv_relay_stats;

/* Upper bounds (kbit/s) of the bandwidth-estimate buckets; the 9th is +Inf. */
extern const uint32_t sv_relay_bwe_bounds_kbps[8];

/* Upper bounds (ms) of the join-to-first-frame buckets; the 9th is +Inf. */
extern const uint32_t sv_relay_ftf_bounds_ms[8];

/* Starts the DTLS identity (ECDSA P-256, fresh per start) and the workers.
 * events/user are kept; main_ctx receives the events (NULL = default).
 * On success *out owns the relay; free with sv_relay_free(). On error
 * nothing is started and *out is untouched. */
int sv_relay_new(const sv_relay_config *config, GMainContext *main_ctx,
                 const sv_relay_events *events, void *user, sv_relay **out);
/* Stops all workers (closing every PeerConnection) and frees the relay.
 * No callback fires after it returns. NULL is fine. */
void sv_relay_free(sv_relay *relay);

/* "sha-256 AB:CD:..." of the DTLS certificate; owned by the relay. */
const char *sv_relay_fingerprint(const sv_relay *relay);
void sv_relay_get_stats(const sv_relay *relay, sv_relay_stats *out);
/* The number of worker threads, and the counters of worker `index` alone
 * (0 <= index < count), for per-worker load. */
int sv_relay_worker_count(const sv_relay *relay);
void sv_relay_get_worker_stats(const sv_relay *relay, int index, sv_relay_stats *out);

/* Adds a participant to a room (creating and pinning the room if new). The
 * participant gets subscribe offers for the others' tracks from now on. */
int sv_relay_join(sv_relay *relay, const char *room, const char *participant);
/* Removes a participant: closes both PeerConnections, withdraws its tracks
 * from the others (who get new subscribe offers). Unknown ids are ignored. */
int sv_relay_leave(sv_relay *relay, const char *room, const char *participant);
/* Sets up or renegotiates the publish PeerConnection with the client's
 * offer. The answer arrives through events->publish_answer with `request`.
 * Returns SV_EINVAL at once for an empty or oversized SDP. */
int sv_relay_publish(sv_relay *relay, const char *room, const char *participant, int64_t request,
                     const char *sdp_offer);
/* The client's answer to subscribe offer `rev`. */
int sv_relay_subscribe_answer(sv_relay *relay, const char *room, const char *participant,
                              uint32_t rev, const char *sdp_answer);
/* A remote trickle candidate ("candidate:..." with or without "a="), or ""
 * for end-of-candidates. */
int sv_relay_candidate(sv_relay *relay, const char *room, const char *participant, sv_pc_kind pc,
                       const char *candidate, const char *mid);

struct sv_tap;
/* Hands every RTP packet the participant publishes, decrypted, to `tap`
 * (common/tap.h; the relay takes its own reference) and asks the
 * participant for a keyframe, so a recording starts on one. A second call
 * replaces the tap. The worker never waits on the tap: when it is full the
 * packet is dropped for the tap alone. The relay drops its reference on
 * sv_relay_tap_stop(), when the participant leaves, or when the relay stops. */
int sv_relay_tap_start(sv_relay *relay, const char *room, const char *participant,
                       struct sv_tap *tap);
int sv_relay_tap_stop(sv_relay *relay, const char *room, const char *participant);
/* Asks the participant's video publishers for a keyframe (rate-limited). */
int sv_relay_request_keyframe(sv_relay *relay, const char *room, const char *participant);
/* ICE restart of the participant's subscribe connection (the client's
 * network changed): the relay sends a new subscribe offer with new ICE
 * credentials; DTLS and SRTP carry on. (The publish connection restarts
 * when the client offers new credentials in `publish`.) */
int sv_relay_restart_ice(sv_relay *relay, const char *room, const char *participant);

/* The highest simulcast layer participant wants of publisher's video:
 * 0 = the lowest, 1, 2, or SV_RELAY_LAYER_AUTO (as high as its link
 * allows; the default). A small tile asks for less. The relay never
 * forwards more than the link takes, whatever the preference. */
int sv_relay_set_max_layer(sv_relay *relay, const char *room, const char *participant,
                           const char *publisher, int max_layer);
/* Audio only for participant: while on, no video is forwarded to it (it is
 * told through events->video_paused with reason "audio-only"). */
int sv_relay_set_audio_only(sv_relay *relay, const char *room, const char *participant, bool on);
/* Which kinds of media participant may publish (group teaching: an
 * attendee none, an attendee given the floor audio and perhaps video).
 * Everyone may publish both until told otherwise. Tracks of a kind no
 * longer allowed are withdrawn from every subscriber at once (they get new
 * subscribe offers); m-lines of such a kind in later publish offers are
 * rejected in the answer (port 0). */
int sv_relay_allow_publish(sv_relay *relay, const char *room, const char *participant, bool audio,
                           bool video);

/* Withdraws participant's screen share from every subscriber at once (a
 * host stopped it); events->screen then says it ended. A later publish
 * offer that marks a screen again starts a new share. */
int sv_relay_stop_screen(sv_relay *relay, const char *room, const char *participant);

/* The kinds' names ("publish", "subscribe") in enum order, NULL-terminated:
 * the one table that turns a PeerConnection kind into its name and back. */
extern const char *const sv_pc_kind_names[3];
const char *sv_pc_kind_name(sv_pc_kind pc);
/* Parses a kind's name; returns 0 and sets *out, or SV_EINVAL. */
int sv_pc_kind_parse(const char *name, sv_pc_kind *out);
const char *sv_pc_state_name(sv_pc_state state);

#endif
