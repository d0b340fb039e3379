/*
 * stills.c — a still image only with the consent of the person whose camera
 * it is (docs/protocol.md, "Recording and still capture").
 *
 * A host's `capture` does not take the still: it asks. The person gets
 * `capture-request` (who asks); their client shows the request and, on
 * Allow, a countdown, then answers `capture-consent`. Only an agreeing
 * answer starts the still (recording.c); a decline, no answer within
 * SV_STILL_CONSENT_S, or the person leaving ends it, and the host gets
 * `capture-failed` with why. While asked, the person's camera counts as
 * busy: one still at a time per participant, as before. The asks
 * themselves are the pure table of still_asks.c; every answer and every
 * time-out is an audit event (who asked, whose camera, never any content).
 *
 * Main thread only.
 */
#include <string.h>

#include "common/common.h"
#include "signaling/message.h"
#include "signaling/signaling_int.h"
#include "signaling/still_asks.h"

#define MOD "stills"

struct sv_stills {
  sv_signaling *sig;
  sv_still_asks *asks;
  guint tick; /* while any ask is kept: the timer that expires them */
};

struct sv_stills *sv_stills_new(sv_signaling *sig) {
  struct sv_stills *s = g_new0(struct sv_stills, 1);
  s->sig = sig;
  s->asks = sv_still_asks_new();
  return s;
}

void sv_stills_free(struct sv_stills *s) {
  if (!s) return;
  if (s->tick) g_source_remove(s->tick);
  sv_still_asks_free(s->asks);
  g_free(s);
}

static int64_t now_s(void) {
  return g_get_monotonic_time() / G_USEC_PER_SEC;
}

/* The audit event of an ask's end: agree, and why when nobody answered. */
static void audit_consent(sv_signaling *sig, const sv_still_ask *a, bool agree,
                          const char *reason) {
  sv_participant *t = sv_rooms_find_participant(sig->rooms, a->room, a->target);
  json_t *detail = json_pack("{s:b,s:s}", "agree", agree, "request", a->id);
  if (reason) json_object_set_new(detail, "reason", json_string(reason));
  sv_audit_and_log(sig, MOD, a->room, "capture-consent", a->target, t ? t->role : NULL,
                   t ? t->name : NULL, a->host, detail);
}

static void tell_host_failed(sv_signaling *sig, const sv_still_ask *a, const char *code,
                             const char *message) {
  sv_participant *host = sv_rooms_find_participant(sig->rooms, a->room, a->host);
  if (host)
    sv_conn_send(host->conn,
                 json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "capture-failed", "participant",
                           a->target, "request", a->id, "code", code, "message", message));
}

static void tell_target_ended(sv_signaling *sig, const sv_still_ask *a, const char *reason) {
  sv_participant *t = sv_rooms_find_participant(sig->rooms, a->room, a->target);
  if (t)
    sv_conn_send(t->conn, json_pack("{s:s,s:s,s:s}", "type", "capture-request-ended", "request",
                                    a->id, "reason", reason));
}

static void on_timed_out(const sv_still_ask *a, void *user) {
  struct sv_stills *s = user;
  SV_LOG_IDS(SV_LOG_INFO, MOD, a->target, a->room, "no answer to the still asked by %s in %d s",
             a->host, SV_STILL_CONSENT_S);
  audit_consent(s->sig, a, false, "timeout");
  tell_host_failed(s->sig, a, "consent-timeout",
                   "the participant did not answer the request for a still in time; no still "
                   "was taken");
  tell_target_ended(s->sig, a, "timeout");
}

static gboolean on_tick(gpointer data) {
  struct sv_stills *s = data;
  sv_still_asks_expire(s->asks, now_s(), on_timed_out, s);
  if (sv_still_asks_count(s->asks) > 0) return G_SOURCE_CONTINUE;
  s->tick = 0;
  return G_SOURCE_REMOVE;
}

void sv_stills_ask(struct sv_stills *s, sv_conn *c, const struct sv_msg *m) {
  sv_signaling *sig = c->sig;
  sv_participant *self = c->participant;
  sv_participant *t = sv_rooms_find_participant(sig->rooms, self->room->id, m->participant);
  if (!t || t->waiting) {
    sv_conn_send_error(c, m->id, "not-found",
                       "participant '%s' is not in the call (they may have left)", m->participant);
    return;
  }
  char why[200];
  const char *code = sv_recording_still_blocked(sig, t, why, sizeof why);
  if (code) {
    sv_conn_send_error(c, m->id, code, "%s", why);
    return;
  }
  if (sv_still_asks_open_for(s->asks, self->room->id, t->id)) {
    sv_conn_send_error(c, m->id, "busy",
                       "%s is being asked for a still; wait for the answer (at most %d s)", t->name,
                       SV_STILL_CONSENT_S);
    return;
  }
  char id[SV_STILL_ASK_ID_LEN + 1];
  sv_random_id(id, SV_STILL_ASK_ID_LEN);
  if (!sv_still_asks_add(s->asks, id, self->room->id, t->id, self->id,
                         now_s() + SV_STILL_CONSENT_S)) {
    sv_conn_send_error(c, m->id, "internal",
                       "the request could not be made; retry once, then "
                       "report");
    return;
  }
  if (!s->tick) s->tick = g_timeout_add_seconds(1, on_tick, s);
  sv_audit_and_log(sig, MOD, self->room->id, "capture-requested", t->id, t->role, t->name, self->id,
                   json_pack("{s:s}", "request", id));
  sv_conn_send_ok(c, m->id,
                  json_pack("{s:s,s:s,s:i}", "state", "asking", "request", id, "deadlineS",
                            SV_STILL_CONSENT_S));
  sv_conn_send(t->conn,
               json_pack("{s:s,s:s,s:s,s:s,s:i}", "type", "capture-request", "request", id, "by",
                         self->id, "name", self->name, "deadlineS", SV_STILL_CONSENT_S));
}

void sv_stills_answer(struct sv_stills *s, sv_conn *c, const struct sv_msg *m) {
  sv_signaling *sig = c->sig;
  sv_participant *self = c->participant;
  sv_still_ask a;
  switch (sv_still_asks_answer(s->asks, m->request, self->room->id, self->id, &a)) {
  case SV_STILL_ASK_OK:
    break;
  case SV_STILL_ASK_GONE:
    sv_conn_send_error(c, m->id, "not-found",
                       "no still request '%s' waits for an answer (it timed out, was cancelled "
                       "or never existed); no still is taken",
                       m->request);
    return;
  case SV_STILL_ASK_NOT_YOURS:
    sv_conn_send_error(c, m->id, "forbidden",
                       "still request '%s' is for another participant's camera; only they may "
                       "answer it",
                       m->request);
    return;
  case SV_STILL_ASK_ANSWERED:
    sv_conn_send_error(c, m->id, "conflict", "still request '%s' is already answered", m->request);
    return;
  }
  audit_consent(sig, &a, m->agree, NULL);
  if (!m->agree) {
    sv_conn_send_ok(c, m->id, NULL);
    tell_host_failed(sig, &a, "declined", "the participant declined the still; no still was taken");
    return;
  }
  /* Things may have changed while the person thought about it. */
  char why[200];
  const char *code = sv_recording_still_blocked(sig, self, why, sizeof why);
  sv_participant *host = sv_rooms_find_participant(sig->rooms, a.room, a.host);
  if (!code && !host) {
    code = "not-found";
    g_strlcpy(why, "the host who asked has left the call; no still is taken", sizeof why);
  }
  if (!code && !sv_recording_still_start(sig, self, a.host)) {
    code = "internal";
    g_strlcpy(why, "the still could not be started; retry once, then report", sizeof why);
  }
  if (code) {
    sv_conn_send_error(c, m->id, code, "%s", why);
    tell_host_failed(sig, &a, code, why);
    return;
  }
  sv_conn_send_ok(c, m->id, NULL);
  sv_conn_send(host->conn, json_pack("{s:s,s:s,s:s}", "type", "capture-allowed", "participant",
                                     a.target, "request", a.id));
}

typedef struct {
  struct sv_stills *s;
  const char *leaving;
} drop_ctx;

/* An open ask whose person or host left: the other side is told. */
static void on_dropped(const sv_still_ask *a, void *user) {
  const drop_ctx *d = user;
  bool target_left = strcmp(a->target, d->leaving) == 0;
  audit_consent(d->s->sig, a, false, target_left ? "left" : "cancelled");
  if (target_left)
    tell_host_failed(d->s->sig, a, "left", "the participant left the call; no still was taken");
  else
    tell_target_ended(d->s->sig, a, "cancelled");
}

void sv_stills_before_leave(struct sv_stills *s, sv_participant *p) {
  drop_ctx d = {s, p->id};
  sv_still_asks_drop(s->asks, p->room->id, p->id, on_dropped, &d);
}
