/*
 * router.h — one room on one relay worker: its participants, their two
 * PeerConnections, the tracks they publish and the forwarding of every
 * track to every other participant's subscribe PeerConnection.
 *
 * A router belongs to one worker thread; every function is called there.
 * Events leave through an sv_relay_events table with the same shape the
 * relay offers the signalling layer; the worker's table queues them to the
 * main thread.
 */
#ifndef SV_ROUTER_H
#define SV_ROUTER_H

#include "relay/peer.h"
#include "relay/relay.h"
#include "relay/sdp.h"

#define SV_ROOM_MAX_PARTICIPANTS SV_RELAY_MAX_ROOM

/* What a participant may publish (sv_router_allow_publish). */
#define SV_ROUTER_ALLOW_AUDIO 0x1u
#define SV_ROUTER_ALLOW_VIDEO 0x2u
#define SV_ROUTER_ALLOW_ALL   (SV_ROUTER_ALLOW_AUDIO | SV_ROUTER_ALLOW_VIDEO)

typedef struct sv_router sv_router;

typedef struct sv_router_config {
  sv_sdp_prefs prefs;
  uint32_t max_video_kbps;
} sv_router_config;

/* Creates an empty room. env, config, events must outlive the router. */
sv_router *sv_router_new(const char *room, const sv_peer_env *env, const sv_router_config *config,
                         const sv_relay_events *events, void *user);
/* Closes every PeerConnection and frees. No event fires after it. */
void sv_router_free(sv_router *r);
size_t sv_router_count(const sv_router *r);

int sv_router_join(sv_router *r, const char *participant);
void sv_router_leave(sv_router *r, const char *participant);
void sv_router_publish(sv_router *r, const char *participant, int64_t request, const char *sdp);
void sv_router_subscribe_answer(sv_router *r, const char *participant, uint32_t rev,
                                const char *sdp);
void sv_router_candidate(sv_router *r, const char *participant, sv_pc_kind pc,
                         const char *candidate);

struct sv_tap;
/* Attaches tap (a new reference is taken; NULL detaches) to the
 * participant's published RTP and asks for a keyframe. */
void sv_router_tap(sv_router *r, const char *participant, struct sv_tap *tap);
/* ICE restart of participant's subscribe connection: new credentials and a
 * new subscribe offer carrying them (the client answers as usual). Ignored
 * when there is no established subscribe connection. */
void sv_router_restart_ice(sv_router *r, const char *participant);
void sv_router_request_keyframe(sv_router *r, const char *participant);
/* See sv_relay_set_max_layer() and sv_relay_set_audio_only(). */
void sv_router_set_max_layer(sv_router *r, const char *participant, const char *publisher,
                             int max_layer);
void sv_router_set_audio_only(sv_router *r, const char *participant, bool on);
/* See sv_relay_allow_publish(); allow is SV_ROUTER_ALLOW_* bits. */
void sv_router_allow_publish(sv_router *r, const char *participant, unsigned allow);
/* See sv_relay_stop_screen(). */
void sv_router_stop_screen(sv_router *r, const char *participant);

#endif
