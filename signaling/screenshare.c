/*
 * screenshare.c — screen sharing (docs/protocol.md, "Screen sharing"): the
 * relay says when a participant's screen share begins and ends (a video
 * m-line its publish offer marks a=content:slides), which is kept on the
 * participant and written to the audit log, never its content; and
 * `stop-share`, with which a host stops a participant's share: the relay
 * withdraws it from everyone at once and the client is told to stop.
 *
 * A share is a publish, so who may share is who may publish (observers
 * and attendees without the floor may not: session.c, teaching.c).
 */
#include <string.h>

#include "common/common.h"
#include "signaling/message.h"
#include "signaling/signaling_int.h"

/* Records "screen-share-started", or "screen-share-stopped" with how long
 * and why (and the host who asked, if one did). */
static void note(sv_signaling *sig, sv_participant *p, bool on, const char *why) {
  if (on == (p->screen_us != 0)) return;
  if (on) {
    p->screen_us = g_get_monotonic_time();
    p->screen_stop_by[0] = '\0';
    sv_audit_participant(sig, p, "screen-share-started", NULL, NULL);
    SV_INFO("signaling", "%s shares a screen in room %s", p->id, p->room->id);
    return;
  }
  gint64 seconds = (g_get_monotonic_time() - p->screen_us) / G_USEC_PER_SEC;
  const char *by = p->screen_stop_by[0] ? p->screen_stop_by : NULL;
  sv_audit_participant(
      sig, p, "screen-share-stopped", by,
      json_pack("{s:s,s:I}", "reason", by ? "host" : why, "duration_s", (json_int_t)seconds));
  SV_INFO("signaling", "%s stopped sharing a screen in room %s (%s)", p->id, p->room->id,
          by ? "host" : why);
  p->screen_us = 0;
  p->screen_stop_by[0] = '\0';
}

void sv_screenshare_changed(sv_signaling *sig, sv_participant *p, bool on) {
  note(sig, p, on, "stopped");
}

void sv_screenshare_before_leave(sv_signaling *sig, sv_participant *p, const char *reason) {
  note(sig, p, false, reason);
}

/* `stop-share`: a host stops that participant's share.
 * The relay withdraws it from everyone; the client stops sending it and
 * tells its person who stopped it. */
static void on_stop_share(sv_conn *c, const sv_msg *m) {
  sv_participant *self = c->participant;
  if (!sv_session_require_joined(c, m)) return;
  if (!sv_host_require(c, m)) return;
  sv_participant *t = sv_host_target(c, m, false);
  if (!t) return;
  if (!t->screen_us) {
    sv_conn_send_error(c, m->id, "conflict", "participant '%s' is not sharing a screen", t->id);
    return;
  }
  g_strlcpy(t->screen_stop_by, self->id, sizeof t->screen_stop_by);
  sv_conn_send(t->conn, json_pack("{s:s,s:s,s:s}", "type", "share-stopped", "by", self->id, "name",
                                  self->name));
  /* Not left to the client: the relay withdraws the share from everyone
   * now, whether or not that client does as it is asked. */
  if (c->sig->relay) sv_relay_stop_screen(c->sig->relay, self->room->id, t->id);
  SV_INFO("signaling", "%s asked %s to stop sharing a screen in room %s", self->id, t->id,
          self->room->id);
  if (m->id) sv_conn_send_ok(c, m->id, NULL);
}

void sv_screenshare_handle(sv_conn *c, const sv_msg *m) {
  if (m->type == SV_MSG_STOP_SHARE) on_stop_share(c, m);
}
