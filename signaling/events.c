/*
 * events.c — relay → client: the sv_relay_events table. Each callback runs on
 * the main thread, finds the participant by (room, participant id) and sends
 * the matching server message of docs/protocol.md. Events for participants
 * that are gone are dropped, as relay.h allows them to arrive late.
 */
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "signaling/signaling_int.h"

static sv_participant *find(sv_signaling *sig, const char *room, const char *participant) {
  if (sig->closing) return NULL;
  return sv_rooms_find_participant(sig->rooms, room, participant);
}

static void on_publish_answer(void *user, const char *room, const char *participant,
                              int64_t request, int err, const char *sdp, const char *message) {
  sv_signaling *sig = user;
  sv_pending *pending = NULL;
  gpointer key = NULL;
  if (!g_hash_table_steal_extended(sig->pending, &request, &key, (gpointer *)&pending))
    return; /* its participant left meanwhile */
  g_free(key);

  sv_participant *p = find(sig, room, participant);
  if (!p || strcmp(p->id, pending->participant) != 0) goto out;
  if (err < 0 || !sdp) {
    SV_INFO("signaling", "publish offer of %s in room %s refused: %s", p->id, room,
            message ? message : sv_strerror(err));
    sv_conn_send_error(p->conn, pending->id, sv_session_error_code(err < 0 ? err : SV_EIO), "%s",
                       message ? message : sv_strerror(err));
    goto out;
  }
  sv_conn_send_ok(p->conn, pending->id, json_pack("{s:s}", "sdp", sdp));
out:
  sv_pending_free(pending);
}

static void on_subscribe_offer(void *user, const char *room, const char *participant, uint32_t rev,
                               const char *sdp, const sv_relay_track *tracks, size_t n_tracks) {
  sv_participant *p = find(user, room, participant);
  if (!p || !sdp) return;
  json_t *list = json_array();
  for (size_t i = 0; i < n_tracks; i++) {
    json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s}", "mid", tracks[i].mid, "participant",
                                          tracks[i].participant, "kind", tracks[i].kind, "source",
                                          tracks[i].source));
  }
  sv_conn_send(p->conn, json_pack("{s:s,s:I,s:s,s:o}", "type", "subscribe", "rev", (json_int_t)rev,
                                  "sdp", sdp, "tracks", list));
}

static void on_candidate(void *user, const char *room, const char *participant, sv_pc_kind pc,
                         const char *candidate, const char *mid) {
  sv_participant *p = find(user, room, participant);
  if (!p) return;
  json_t *msg = json_pack("{s:s,s:s,s:s}", "type", "candidate", "pc", sv_pc_kind_name(pc),
                          "candidate", candidate ? candidate : "");
  if (mid) json_object_set_new(msg, "sdpMid", json_string(mid));
  sv_conn_send(p->conn, msg);
}

static void on_pc_state(void *user, const char *room, const char *participant, sv_pc_kind pc,
                        sv_pc_state state, const char *reason) {
  sv_participant *p = find(user, room, participant);
  const char *name = NULL;
  switch (state) {
  case SV_PC_STATE_NEW:
    return; /* not part of the protocol */
  case SV_PC_STATE_CONNECTING:
    name = "connecting";
    break;
  case SV_PC_STATE_CONNECTED:
    name = "connected";
    break;
  case SV_PC_STATE_FAILED:
    name = "failed";
    break;
  case SV_PC_STATE_CLOSED:
    name = "closed";
    break;
  case SV_PC_STATE_STALLED:
    name = "stalled";
    break;
  }
  if (!p || !name) return;
  /* Media is up from the publish connection's first "connected" to its
   * failure or close; a reconnect in between (ICE restart) or a stall the
   * client is told to repair is not a stop. */
  if (pc == SV_PC_PUBLISH && state != SV_PC_STATE_CONNECTING && state != SV_PC_STATE_STALLED)
    sv_session_media_state(user, p, state == SV_PC_STATE_CONNECTED, reason);
  json_t *msg =
      json_pack("{s:s,s:s,s:s}", "type", "pc-state", "pc", sv_pc_kind_name(pc), "state", name);
  if (state == SV_PC_STATE_FAILED) {
    sv_signaling *sig = user;
    sv_metrics_join_failed(&sig->metrics, sv_metrics_pc_failure(reason));
    /* The participant stays in the room: the client may retry (publish
     * again), and its people can still chat. */
    SV_WARN("signaling", "%s connection of %s in room %s failed: %s", sv_pc_kind_name(pc), p->id,
            room, reason ? reason : "no reason given");
    json_object_set_new(msg, "reason", json_string(reason ? reason : "the connection failed"));
  } else {
    SV_DEBUG("signaling", "%s connection of %s in room %s: %s", sv_pc_kind_name(pc), p->id, room,
             name);
  }
  sv_conn_send(p->conn, msg);
}

static void on_error(void *user, const char *room, const char *participant, int err,
                     const char *message) {
  sv_participant *p = find(user, room, participant);
  if (!p) return;
  SV_INFO("signaling", "relay error for %s in room %s: %s", p->id, room,
          message ? message : sv_strerror(err));
  sv_conn_send_error(p->conn, NULL, sv_session_error_code(err), "%s",
                     message ? message : sv_strerror(err));
}

/* The relay's summary of a participant who left becomes the "quality"
 * event of the session log (the participant is gone, so only its id). */
static void on_quality(void *user, const char *room, const char *participant,
                       const sv_relay_quality *q) {
  sv_signaling *sig = user;
  if (sig->closing) return;
  json_t *detail =
      json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "duration_s", (json_int_t)(q->duration_ms / 1000),
                "packets", (json_int_t)q->packets, "packets_lost", (json_int_t)q->packets_lost,
                "bytes", (json_int_t)q->bytes, "avg_kbps", (json_int_t)q->avg_kbps, "jitter_ms",
                (json_int_t)q->jitter_ms, "rtt_samples", (json_int_t)q->rtt_samples);
  /* The round trip in ms with a tenth: on a LAN it is well under 1 ms. */
  if (q->rtt_samples)
    json_object_set_new(detail, "rtt_ms", json_real((double)(q->rtt_us / 100) / 10.0));
  sv_audit(sig, room, "quality", participant, "", "", NULL, detail);
}

/* Video towards a subscriber stopped or came back, from some publishers or
 * all (weak link, or it asked for audio only): the client shows a notice
 * on those tiles instead of a frozen picture. */
static void on_video_paused(void *user, const char *room, const char *participant, const char *from,
                            const char *reason) {
  sv_participant *p = find(user, room, participant);
  if (!p) return;
  const char *why = reason && *reason ? reason : "bandwidth";
  bool paused = from && *from;
  SV_LOG_IDS(SV_LOG_INFO, "signaling", p->id, room, "video to %s in room %s %s (%s%s%s)", p->id,
             room, paused ? "paused" : "resumed", why, paused ? ": from " : "", paused ? from : "");
  if (!paused) {
    sv_conn_send(p->conn, json_pack("{s:s}", "type", "video-resumed"));
    return;
  }
  json_t *list = json_array();
  char **ids = g_strsplit(from, " ", -1);
  for (char **id = ids; *id; id++)
    if (**id) json_array_append_new(list, json_string(*id));
  g_strfreev(ids);
  sv_conn_send(p->conn, json_pack("{s:s,s:s,s:o}", "type", "video-paused", "reason", why,
                                  "participants", list));
}

/* Which simulcast layers of a publisher's video anybody receives: its
 * client pauses the others at the source (encodings[i].active). */
static void on_layers(void *user, const char *room, const char *participant, const char *mid,
                      const sv_relay_layer *layers, size_t n_layers) {
  sv_participant *p = find(user, room, participant);
  if (!p || !mid || !layers) return;
  json_t *active = json_object();
  for (size_t i = 0; i < n_layers && i < SV_RELAY_MAX_LAYERS; i++) {
    /* The rid comes from the publisher's own offer into a fixed-size
     * field: bound the read. jansson refuses a key that is not UTF-8. */
    char rid[sizeof layers[i].rid + 1];
    memcpy(rid, layers[i].rid, sizeof layers[i].rid);
    rid[sizeof layers[i].rid] = '\0';
    if (rid[0]) json_object_set_new(active, rid, json_boolean(layers[i].active));
  }
  SV_DEBUG("signaling", "layers of %s in room %s (mid %s) changed", p->id, room, mid);
  sv_conn_send(p->conn, json_pack("{s:s,s:s,s:o}", "type", "layers", "mid", mid, "active", active));
}

/* A participant's screen share began or ended. */
static void on_screen(void *user, const char *room, const char *participant, bool on) {
  sv_participant *p = find(user, room, participant);
  if (p) sv_screenshare_changed(user, p, on);
}

static const sv_relay_events events = {
    .publish_answer = on_publish_answer,
    .subscribe_offer = on_subscribe_offer,
    .candidate = on_candidate,
    .pc_state = on_pc_state,
    .error = on_error,
    .quality = on_quality,
    .video_paused = on_video_paused,
    .layers = on_layers,
    .screen = on_screen,
};

const sv_relay_events *sv_signaling_relay_events(void) {
  return &events;
}
