/*
 * store_wire.c — connects the signalling server to schedule/store: the
 * invitation behind a link, the consultation's title, window and state,
 * and audit events, all on the main thread; plus the daily retention timer.
 */
#include "app/store_wire.h"

#include <string.h>

#include "common/common.h"

#define SV_RETENTION_PERIOD_S (24 * 60 * 60)

typedef struct sv_retention {
  sv_store *st;
  int days;
} sv_retention;

int sv_app_store_open(const sv_config *cfg, sv_store **out, char **error) {
  int err = sv_store_open(cfg->database_url, cfg->data_dir, out, error);
  if (err == 0)
    SV_INFO("app", "storage: %s%s%s", sv_store_backend_name(*out), cfg->database_url ? "" : " in ",
            cfg->database_url ? "" : cfg->data_dir);
  return err;
}

static int on_link(void *user, const char *link_id, char *room, size_t room_len) {
  sv_invitation inv;
  int err = sv_store_token_check(user, link_id, &inv);
  if (err == 0 || err == SV_EAUTH) g_strlcpy(room, inv.consultation, room_len);
  return err;
}

static int on_consultation(void *user, const char *room_id, sv_signaling_consultation *out) {
  sv_consultation c;
  int err = sv_store_consultation_get(user, room_id, &c);
  if (err < 0) return err;
  g_strlcpy(out->title, c.title, sizeof out->title);
  out->start = c.start;
  out->end = c.end;
  out->cancelled = strcmp(c.status, "cancelled") == 0;
  out->teaching = strcmp(c.kind, "group-teaching") == 0;
  out->ended = c.ended != 0;
  return 0;
}

/* Copies at most size - 1 bytes of UTF-8 text, never cutting a character. */
static void copy_utf8(char *dst, size_t size, const char *src) {
  if (!src) src = "";
  size_t n = strlen(src);
  if (n >= size) {
    const char *end = NULL;
    g_utf8_validate(src, (gssize)(size - 1), &end);
    n = (size_t)(end - src);
  }
  memcpy(dst, src, n);
  dst[n] = '\0';
}

static void on_audit(void *user, const char *room_id, const char *event, const char *participant,
                     const char *role, const char *name, const char *actor, const char *detail) {
  sv_audit_event ev;
  memset(&ev, 0, sizeof ev);
  copy_utf8(ev.consultation, sizeof ev.consultation, room_id);
  copy_utf8(ev.event, sizeof ev.event, event);
  copy_utf8(ev.participant, sizeof ev.participant, participant);
  copy_utf8(ev.role, sizeof ev.role, role);
  copy_utf8(ev.name, sizeof ev.name, name);
  copy_utf8(ev.actor, sizeof ev.actor, actor);
  if (!detail || strlen(detail) >= sizeof ev.detail) detail = "{}";
  copy_utf8(ev.detail, sizeof ev.detail, detail);
  int err = sv_store_audit_append(user, &ev);
  if (err < 0)
    SV_LOG_IDS(SV_LOG_ERROR, "app", participant, room_id, "cannot append audit event %s: %s", event,
               sv_strerror(err));
}

/* Tokens made by `samvei token` have no invitation: nothing to mark. */
static void on_token_used(void *user, const char *token_hash) {
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  int err = sv_store_invitation_mark_used(user, token_hash, now);
  if (err < 0 && err != SV_ENOENT)
    SV_ERROR("app", "cannot record an invitation's use: %s", sv_strerror(err));
}

/* An ad-hoc room is no consultation: nothing to mark. */
static void on_ended(void *user, const char *room_id) {
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  int err = sv_store_consultation_mark_ended(user, room_id, now);
  if (err < 0 && err != SV_ENOENT)
    SV_ERROR("app", "cannot record that consultation %s was ended: %s", room_id, sv_strerror(err));
}

static const sv_signaling_store callbacks = {
    .link = on_link,
    .consultation = on_consultation,
    .audit = on_audit,
    .token_used = on_token_used,
    .ended = on_ended,
};

const sv_signaling_store *sv_app_store_callbacks(void) {
  return &callbacks;
}

static gboolean on_retention(gpointer data) {
  sv_retention *r = data;
  size_t deleted = 0;
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  int err = sv_store_audit_retain(r->st, r->days, now, &deleted);
  if (err < 0)
    SV_ERROR("app", "audit retention failed: %s; it is tried again in a day", sv_strerror(err));
  return G_SOURCE_CONTINUE;
}

guint sv_app_retention_start(sv_store *st, int days) {
  if (days <= 0) return 0;
  sv_retention *r = g_new0(sv_retention, 1);
  r->st = st;
  r->days = days;
  on_retention(r);
  return g_timeout_add_seconds_full(G_PRIORITY_LOW, SV_RETENTION_PERIOD_S, on_retention, r, g_free);
}
