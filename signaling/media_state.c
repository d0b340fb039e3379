/*
 * media_state.c — `media-state` (docs/protocol.md, "Seeing each other's
 * state"): a participant says whether its microphone is muted and whether
 * its camera is on, so that everyone's tile can show it. The server keeps
 * it on the participant, so the participant list (`join` replies,
 * `admitted`, `participant-joined`) carries it to those who come later,
 * and tells the others in the room at once (`participant-media-state`).
 *
 * Nothing here reaches the relay: a muted microphone still sends silence
 * and a camera that is off sends nothing, so media needs no change. The
 * state is what the participant says of itself; whose state it is comes
 * from the connection.
 */
#include <string.h>

#include "common/common.h"
#include "common/role.h"
#include "signaling/message.h"
#include "signaling/signaling_int.h"

/* Stores the state and tells the others. The waiting may say it too (it
 * is then in the `participant-joined` their admission brings); it is told
 * only to those in the call, as the waiting are nobody's tile yet. */
static void on_media_state(sv_conn *c, const sv_msg *m) {
  sv_participant *p = c->participant;
  if (!p) {
    sv_conn_send_error(c, m->id, "conflict", "send join before media-state");
    return;
  }
  if (sv_role_is(p->role, SV_ROLE_OBSERVER)) {
    sv_conn_send_error(c, m->id, "forbidden",
                       "observers send no audio or video, so they have no media state");
    return;
  }
  bool muted = m->audio == 0, off = m->video == 0;
  if (m->id) sv_conn_send_ok(c, m->id, NULL);
  if (p->mic_muted == muted && p->camera_off == off) return;
  p->mic_muted = muted;
  p->camera_off = off;
  SV_DEBUG("signaling", "%s in room %s: microphone %s, camera %s", p->id, p->room->id,
           muted ? "muted" : "on", off ? "off" : "on");
  if (p->waiting) return;
  sv_session_tell_about(p->room, p,
                        json_pack("{s:s,s:s,s:b,s:b}", "type", "participant-media-state",
                                  "participant", p->id, "audio", !muted, "video", !off));
}

void sv_media_state_handle(sv_conn *c, const sv_msg *m) {
  if (m->type == SV_MSG_MEDIA_STATE) on_media_state(c, m);
}
