/*
 * adapt.c — what a participant asks of the relay's adaptation to weak links
 * (docs/protocol.md, "Weak links"):
 *
 *  - `layer`: the highest simulcast layer it wants of one publisher's video
 *    (a small tile needs no more than the lowest); the relay never forwards
 *    more than the subscriber's link carries, whatever is asked;
 *  - `audio-only`: receive no video at all. The others in the room are told
 *    (`participant-audio-only`), and the flag is part of the participant
 *    list, so someone joining later knows it too.
 *
 * The relay's side of it (its estimate, layer switches, paused video) comes
 * back as events (events.c). Identity comes from the connection; the
 * messages arrive validated against their tables (message.c).
 */
#include <string.h>

#include "common/common.h"
#include "signaling/message.h"
#include "signaling/signaling_int.h"

/* The protocol's names of the layers, lowest first, as relay.h numbers
 * them. */
static int max_layer_of(const char *name) {
  if (strcmp(name, "low") == 0) return 0;
  if (strcmp(name, "medium") == 0) return 1;
  if (strcmp(name, "high") == 0) return 2;
  return SV_RELAY_LAYER_AUTO; /* "auto": the table allows nothing else */
}

static void on_layer(sv_conn *c, const sv_msg *m) {
  if (!sv_session_require_joined(c, m) || !sv_session_require_relay(c, m)) return;
  sv_participant *self = c->participant;
  sv_participant *t = sv_rooms_find_participant(c->sig->rooms, self->room->id, m->participant);
  /* The waiting have no media, and only hosts may know of them. */
  if (!t || t->waiting) {
    sv_conn_send_error(c, m->id, "not-found",
                       "participant '%s' is not in this room (they may have left)", m->participant);
    return;
  }
  if (t == self) {
    sv_conn_send_error(c, m->id, "bad-request",
                       "field 'participant' names yourself; you do not receive your own video");
    return;
  }
  int rc = sv_relay_set_max_layer(c->sig->relay, self->room->id, self->id, t->id,
                                  max_layer_of(m->max_layer));
  if (rc < 0) {
    sv_conn_send_error(c, m->id, sv_session_error_code(rc),
                       "the relay cannot take this layer preference (%s)", sv_strerror(rc));
    return;
  }
  SV_DEBUG("signaling", "%s in room %s wants at most layer %s of %s", self->id, self->room->id,
           m->max_layer, t->id);
  if (m->id) sv_conn_send_ok(c, m->id, NULL);
}

static void on_audio_only(sv_conn *c, const sv_msg *m) {
  if (!sv_session_require_joined(c, m) || !sv_session_require_relay(c, m)) return;
  sv_participant *p = c->participant;
  bool on = m->on != 0;
  int rc = sv_relay_set_audio_only(c->sig->relay, p->room->id, p->id, on);
  if (rc < 0) {
    sv_conn_send_error(c, m->id, sv_session_error_code(rc),
                       "the relay cannot switch audio only (%s)", sv_strerror(rc));
    return;
  }
  if (m->id) sv_conn_send_ok(c, m->id, NULL);
  if (p->audio_only == on) return;
  p->audio_only = on;
  SV_LOG_IDS(SV_LOG_INFO, "signaling", p->id, p->room->id, "%s in room %s: audio only %s", p->id,
             p->room->id, on ? "on" : "off");
  sv_session_tell_about(
      p->room, p,
      json_pack("{s:s,s:s,s:b}", "type", "participant-audio-only", "participant", p->id, "on", on));
}

void sv_adapt_handle(sv_conn *c, const sv_msg *m) {
  switch (m->type) {
  case SV_MSG_LAYER:
    on_layer(c, m);
    break;
  case SV_MSG_AUDIO_ONLY:
    on_audio_only(c, m);
    break;
  default:
    break;
  }
}
