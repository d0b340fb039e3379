/*
 * urgent.c — urgent guidance: `urgent-watch`, `urgent-request`,
 * `urgent-accept` and `urgent-cancel` (docs/protocol.md).
 *
 * A request lives here while its requester is connected and nobody has
 * accepted it; the store keeps every request (with its wait) and appends
 * "urgent-request" and "urgent-accept" to the session log. The first accept
 * wins (the store decides, so two servers sharing one database agree); both
 * people then get a join token for the new urgent consultation, stored as
 * invitations like any other link. A request's category (a word from a
 * fixed list) lives only here and in the messages to the watchers: it is
 * never stored or logged. A request withdrawn before an accept (its
 * requester left or cancelled) is counted and appended to the session log
 * as "urgent-withdrawn".
 */
#include "signaling/urgent.h"

#include <string.h>

#include "common/common.h"
#include "common/role.h"
#include "schedule/token.h"
#include "signaling/api/api.h"
#include "signaling/message.h"
#include "signaling/signaling_int.h"

#define SV_URGENT_MINUTES 60 /* the length of the consultation an urgent request opens */
/* Limits on urgent requests (docs/operations.md, "Security"): open (waiting)
 * requests made with one urgent-help link, and requests from one team in
 * the last hour, accepted or not. */
#define SV_URGENT_PER_LINK      3
#define SV_URGENT_TEAM_PER_HOUR 10

typedef struct sv_urgent_live {
  char id[SV_STORE_ID_MAX];
  char consultation[SV_STORE_ID_MAX];
  char from_team[SV_STORE_ID_MAX], from_name[SV_STORE_NAME_MAX];
  char to_team[SV_STORE_ID_MAX];
  char name[SV_STORE_NAME_MAX]; /* the requester's display name */
  char link[SV_STORE_ID_MAX];   /* the urgent-help link it was made with */
  const char *category;         /* static (sv_urgent_categories), or NULL */
  int64_t requested_at, end;
  sv_conn *conn; /* the requester, not owned */
} sv_urgent_live;

struct sv_urgent_desk {
  /* request id → sv_urgent_live *: requests whose requester is connected
   * and that nobody has accepted yet. */
  GHashTable *live;
  unsigned fallback_s; /* the requester is shown the team's phone after this */
};

/* What one connection does here (sv_conn.urgent), made on its first
 * urgent message and freed when it closes. */
struct sv_urgent_conn {
  char *watch_team, *watch_name; /* the on-call team it watches and the member's name, or NULL */
  char *request;                 /* the request it made and waits on, or NULL */
};

sv_urgent_desk *sv_urgent_desk_new(unsigned fallback_s) {
  sv_urgent_desk *desk = g_new0(sv_urgent_desk, 1);
  desk->live = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
  desk->fallback_s = fallback_s ? fallback_s : 120;
  return desk;
}

void sv_urgent_desk_free(sv_urgent_desk *desk) {
  if (!desk) return;
  g_hash_table_destroy(desk->live);
  g_free(desk);
}

bool sv_urgent_conn_busy(const sv_conn *c) {
  return c->urgent && (c->urgent->watch_team || c->urgent->request);
}

static int sign(sv_signaling *sig, const sv_token_claims *claims, char **out) {
  if (!sig->token_secret) return SV_ESTATE;
  gsize len = 0;
  const uint8_t *secret = g_bytes_get_data(sig->token_secret, &len);
  return sv_token_sign(secret, len, claims, out);
}

int sv_urgent_token_sign(sv_signaling *sig, const char *team, bool on_call, const char *name,
                         int64_t nbf, int64_t exp, char **out) {
  sv_token_claims claims;
  memset(&claims, 0, sizeof claims);
  g_snprintf(claims.room, sizeof claims.room, "%s-%s", on_call ? "oncall" : "urgent", team);
  g_strlcpy(claims.role, on_call ? "on-call" : "requester", sizeof claims.role);
  g_strlcpy(claims.name, name, sizeof claims.name);
  claims.nbf = nbf;
  claims.exp = exp;
  return sign(sig, &claims, out);
}

/* Copies src into dst (size bytes) without cutting a UTF-8 character. */
static void copy_utf8(char *dst, size_t size, const char *src) {
  g_strlcpy(dst, src, size);
  size_t n = strlen(dst);
  if (n + 1 < size || n == 0) return;
  const char *end = dst + n;
  const char *prev = g_utf8_find_prev_char(dst, end);
  /* Drop the last character if it was cut. */
  if (prev && !g_utf8_validate(prev, end - prev, NULL)) dst[prev - dst] = '\0';
}

/* An error with `reason` (one word a client maps to its own text). */
static void send_reason(sv_conn *c, const sv_msg *m, const char *code, const char *reason,
                        const char *message) {
  json_t *msg = json_pack("{s:s,s:s,s:s,s:s}", "type", "error", "code", code, "reason", reason,
                          "message", message);
  if (m->id) json_object_set(msg, "id", m->id);
  sv_conn_send(c, msg);
}

/* The stored link of a verified token; sends the error and returns false
 * when it is revoked, unknown or cannot be read. */
static bool check_link(sv_conn *c, const sv_msg *m, const char *what, sv_urgent_link *link) {
  char hash[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash(m->token, hash);
  int err = sv_store_urgent_link_check(c->sig->db, hash, link);
  if (err == 0) return true;
  char *text = NULL;
  if (err == SV_EAUTH)
    text = g_strdup_printf("this %s was revoked; ask the coordinator for a new one", what);
  else if (err == SV_ENOENT)
    text = g_strdup_printf("this %s is not known to the server (it may be older than the last "
                           "upgrade); ask the coordinator for a new one",
                           what);
  else
    text = g_strdup_printf("the server cannot check this %s now (%s); try again in a minute", what,
                           sv_strerror(err));
  send_reason(c, m, err == SV_EAUTH || err == SV_ENOENT ? "unauthorized" : "unavailable",
              err == SV_EAUTH    ? "revoked"
              : err == SV_ENOENT ? "unknown-link"
                                 : "database",
              text);
  g_free(text);
  return false;
}

/* Checks an urgent token: its signature and time, its stored link (not
 * revoked), the role, and that its room names a team of the right kind.
 * Fills *team, name and link_id, or sends the error and returns false. */
static bool check(sv_conn *c, const sv_msg *m, bool on_call, sv_team *team, char *name,
                  size_t name_len, char link_id[SV_STORE_ID_MAX]) {
  sv_signaling *sig = c->sig;
  const char *what = on_call ? "on-call link" : "urgent-help link";
  if (!sig->db || !sig->token_secret) {
    sv_conn_send_error(c, m->id, "unauthorized", "this server does not offer urgent guidance");
    return false;
  }
  char why[256];
  sv_token_claims claims;
  gsize len = 0;
  const uint8_t *secret = g_bytes_get_data(sig->token_secret, &len);
  if (sv_token_verify(secret, len, m->token, g_get_real_time() / G_USEC_PER_SEC, &claims, why,
                      sizeof why) < 0) {
    sv_conn_send_error(c, m->id, "unauthorized", "%s; ask the coordinator for a new %s", why, what);
    return false;
  }
  const char *prefix = on_call ? "oncall-" : "urgent-";
  if (strcmp(claims.role, on_call ? "on-call" : "requester") != 0 ||
      !g_str_has_prefix(claims.room, prefix)) {
    sv_conn_send_error(c, m->id, "unauthorized", "this token is not an %s", what);
    return false;
  }
  sv_urgent_link link;
  if (!check_link(c, m, what, &link)) return false;
  g_strlcpy(link_id, link.id, SV_STORE_ID_MAX);
  int err = sv_store_team_get(sig->db, claims.room + strlen(prefix), team);
  if (err < 0) {
    sv_conn_send_error(c, m->id, err == SV_ENOENT ? "unauthorized" : "internal",
                       err == SV_ENOENT ? "the team of this %s no longer exists"
                                        : "the database failed (%s); retry once, then report",
                       err == SV_ENOENT ? what : sv_strerror(err));
    return false;
  }
  if (on_call && !sv_team_takes_urgent(team)) {
    sv_conn_send_error(c, m->id, "forbidden", "team '%s' is not on call now", team->name);
    return false;
  }
  copy_utf8(name, name_len, claims.name[0] ? claims.name : team->name);
  return true;
}

static json_t *live_json(const sv_urgent_live *u) {
  char *at = sv_api_time_iso(u->requested_at);
  json_t *doc = json_pack("{s:s,s:{s:s,s:s},s:s,s:s}", "id", u->id, "fromTeam", "id", u->from_team,
                          "name", u->from_name, "name", u->name, "requestedAt", at);
  g_free(at);
  if (u->category) json_object_set_new(doc, "category", json_string(u->category));
  return doc;
}

/* Sends msg (stolen) to every connection watching team, except `except`;
 * returns how many got it. */
static unsigned to_watchers(sv_signaling *sig, const char *team, const sv_conn *except,
                            json_t *msg) {
  unsigned n = 0;
  for (guint i = 0; i < sig->conns->len; i++) {
    sv_conn *w = g_ptr_array_index(sig->conns, i);
    if (w == except || !w->urgent || !w->urgent->watch_team ||
        strcmp(w->urgent->watch_team, team) != 0)
      continue;
    sv_conn_send(w, json_incref(msg));
    n++;
  }
  json_decref(msg);
  return n;
}

static void on_watch(sv_conn *c, const sv_msg *m) {
  sv_team team;
  char name[SV_STORE_NAME_MAX], link[SV_STORE_ID_MAX];
  if (!check(c, m, true, &team, name, sizeof name, link)) return;
  g_free(c->urgent->watch_team);
  g_free(c->urgent->watch_name);
  c->urgent->watch_team = g_strdup(team.id);
  c->urgent->watch_name = g_strdup(name);
  json_t *requests = json_array();
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, c->sig->urgent->live);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    const sv_urgent_live *u = value;
    if (strcmp(u->to_team, team.id) == 0) json_array_append_new(requests, live_json(u));
  }
  SV_INFO("signaling", "%s watches urgent requests for team %s", c->peer, team.id);
  sv_conn_send_ok(c, m->id,
                  json_pack("{s:{s:s,s:s},s:s,s:o}", "team", "id", team.id, "name", team.name,
                            "name", name, "requests", requests));
}

/* The limits on urgent requests: SV_URGENT_PER_LINK waiting requests per
 * link, SV_URGENT_TEAM_PER_HOUR requests per team in the last hour. Sends
 * `rate-limited` (reason "link" or "team") and returns false past them. */
static bool within_limits(sv_conn *c, const sv_msg *m, const sv_team *from, const char *link) {
  sv_signaling *sig = c->sig;
  unsigned open = 0;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, sig->urgent->live);
  while (g_hash_table_iter_next(&it, NULL, &value))
    if (strcmp(((const sv_urgent_live *)value)->link, link) == 0) open++;
  if (open >= SV_URGENT_PER_LINK) {
    char *text = g_strdup_printf("this link already has %u requests waiting; wait for an answer "
                                 "or call the team",
                                 open);
    send_reason(c, m, "rate-limited", "link", text);
    g_free(text);
    return false;
  }
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  int n = 0;
  int err = sv_store_urgent_count_since(sig->db, from->id, now - 3600, &n);
  if (err < 0) {
    sv_conn_send_error(c, m->id, "internal", "the database failed (%s); retry once, then report",
                       sv_strerror(err));
    return false;
  }
  if (n >= SV_URGENT_TEAM_PER_HOUR) {
    char *text = g_strdup_printf("team '%s' has made %d urgent requests in the last hour, the "
                                 "most allowed; call the on-call team",
                                 from->name, n);
    send_reason(c, m, "rate-limited", "team", text);
    g_free(text);
    return false;
  }
  return true;
}

static void on_request(sv_conn *c, const sv_msg *m) {
  sv_signaling *sig = c->sig;
  sv_team from, to;
  char name[SV_STORE_NAME_MAX], link[SV_STORE_ID_MAX];
  if (!check(c, m, false, &from, name, sizeof name, link)) return;
  if (c->urgent->request) {
    sv_conn_send_error(c, m->id, "conflict",
                       "you already asked for urgent help; wait for the answer");
    return;
  }
  if (!within_limits(c, m, &from, link)) return;
  int err = sv_store_team_get(sig->db, m->team, &to);
  if (err == SV_ENOENT || (err == 0 && !sv_team_takes_urgent(&to))) {
    sv_conn_send_error(c, m->id, "not-found", "team '%s' is not an on-call specialist team",
                       m->team);
    return;
  }
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  sv_consultation cons;
  memset(&cons, 0, sizeof cons);
  g_strlcpy(cons.kind, "urgent", sizeof cons.kind);
  char *title = g_strdup_printf("Urgent guidance: %s", from.name);
  copy_utf8(cons.title, sizeof cons.title, title);
  g_free(title);
  cons.start = now;
  cons.end = now + SV_URGENT_MINUTES * 60;
  g_strlcpy(cons.host_team, to.id, sizeof cons.host_team);
  g_strlcpy(cons.guest_team, from.id, sizeof cons.guest_team);
  sv_urgent u;
  memset(&u, 0, sizeof u);
  if (err == 0) err = sv_store_consultation_create(sig->db, &cons, name, now);
  if (err == 0) {
    g_strlcpy(u.consultation, cons.id, sizeof u.consultation);
    g_strlcpy(u.from_team, from.id, sizeof u.from_team);
    g_strlcpy(u.to_team, to.id, sizeof u.to_team);
    err = sv_store_urgent_add(sig->db, &u, name, now);
  }
  if (err < 0) {
    sv_conn_send_error(c, m->id, "internal",
                       "the request could not be stored (%s); retry once, then call the team",
                       sv_strerror(err));
    return;
  }
  sv_urgent_live *live = g_new0(sv_urgent_live, 1);
  g_strlcpy(live->id, u.id, sizeof live->id);
  g_strlcpy(live->consultation, cons.id, sizeof live->consultation);
  g_strlcpy(live->from_team, from.id, sizeof live->from_team);
  g_strlcpy(live->from_name, from.name, sizeof live->from_name);
  g_strlcpy(live->to_team, to.id, sizeof live->to_team);
  g_strlcpy(live->name, name, sizeof live->name);
  g_strlcpy(live->link, link, sizeof live->link);
  live->category = m->category;
  live->requested_at = now;
  live->end = cons.end;
  live->conn = c;
  g_hash_table_insert(sig->urgent->live, live->id, live);
  c->urgent->request = g_strdup(live->id);
  unsigned watchers =
      to_watchers(sig, to.id, NULL,
                  json_pack("{s:s,s:o}", "type", "urgent-requested", "request", live_json(live)));
  SV_INFO("signaling", "urgent request %s from team %s to team %s (%u watching)", live->id, from.id,
          to.id, watchers);
  json_t *reply =
      json_pack("{s:s,s:{s:s,s:s},s:i,s:i}", "request", live->id, "team", "id", to.id, "name",
                to.name, "watchers", watchers, "fallbackAfterS", (int)sig->urgent->fallback_s);
  if (to.phone[0])
    json_object_set_new(json_object_get(reply, "team"), "phone", json_string(to.phone));
  sv_conn_send_ok(c, m->id, reply);
}

/* Mints a join token for the urgent consultation and stores its hash as
 * an invitation. */
static char *mint(sv_signaling *sig, const sv_urgent_live *u, sv_role role, const char *name,
                  const char *actor, int64_t now) {
  sv_token_claims claims;
  memset(&claims, 0, sizeof claims);
  g_strlcpy(claims.room, u->consultation, sizeof claims.room);
  g_strlcpy(claims.role, sv_role_name(role), sizeof claims.role);
  copy_utf8(claims.name, sizeof claims.name, name);
  claims.nbf = now - 60; /* a little slack for clocks */
  claims.exp = u->end + (int64_t)sig->grace_after_min * 60;
  char *token = NULL;
  if (sign(sig, &claims, &token) < 0) return NULL;
  sv_invitation inv;
  memset(&inv, 0, sizeof inv);
  g_strlcpy(inv.consultation, u->consultation, sizeof inv.consultation);
  g_strlcpy(inv.role, claims.role, sizeof inv.role);
  g_strlcpy(inv.name, claims.name, sizeof inv.name);
  sv_token_hash(token, inv.token_hash);
  inv.expires = claims.exp;
  if (sv_store_invitation_add(sig->db, &inv, actor, now) < 0) {
    g_free(token);
    return NULL;
  }
  return token;
}

static void on_accept(sv_conn *c, const sv_msg *m) {
  sv_signaling *sig = c->sig;
  if (!c->urgent->watch_team) {
    sv_conn_send_error(c, m->id, "forbidden",
                       "only an on-call specialist may accept: open your on-call link first");
    return;
  }
  const char *member = c->urgent->watch_name;
  sv_urgent_live *u = g_hash_table_lookup(sig->urgent->live, m->request);
  if (!u || strcmp(u->to_team, c->urgent->watch_team) != 0) {
    sv_urgent stored;
    if (sig->db && sv_store_urgent_get(sig->db, m->request, &stored) == 0 && stored.accepted_at &&
        strcmp(stored.to_team, c->urgent->watch_team) == 0)
      sv_conn_send_error(c, m->id, "conflict", "%s has already accepted this request",
                         stored.accepted_by);
    else
      sv_conn_send_error(c, m->id, "not-found",
                         "no such request is waiting (the nurse may have gone)");
    return;
  }
  int64_t now = g_get_real_time() / G_USEC_PER_SEC;
  int err = sv_store_urgent_accept(sig->db, u->id, member, now);
  if (err == SV_ESTATE) {
    sv_conn_send_error(c, m->id, "conflict", "someone else has already accepted this request");
    return;
  }
  char *mine = err == 0 ? mint(sig, u, SV_ROLE_SPECIALIST, member, member, now) : NULL;
  char *theirs = mine ? mint(sig, u, SV_ROLE_MUNICIPAL, u->name, member, now) : NULL;
  if (!theirs) {
    g_free(mine);
    sv_conn_send_error(c, m->id, "internal",
                       "the join links could not be made; retry once, then call the nurse");
    return;
  }
  SV_INFO("signaling", "urgent request %s accepted after %lld s", u->id,
          (long long)(now - u->requested_at));
  json_int_t wait = (json_int_t)(now - u->requested_at);
  sv_conn_send_ok(c, m->id,
                  json_pack("{s:s,s:s,s:s,s:I}", "request", u->id, "room", u->consultation, "token",
                            mine, "waitS", wait));
  if (u->conn) {
    sv_conn_send(u->conn,
                 json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "type", "urgent-accepted", "request", u->id,
                           "room", u->consultation, "token", theirs, "by", member, "waitS", wait));
    g_free(u->conn->urgent->request);
    u->conn->urgent->request = NULL;
  }
  to_watchers(sig, u->to_team, c,
              json_pack("{s:s,s:s,s:s}", "type", "urgent-taken", "request", u->id, "by", member));
  g_free(mine);
  g_free(theirs);
  g_hash_table_remove(sig->urgent->live, m->request);
}

/* The requester of c's waiting request left or cancelled (`reason`): the
 * watchers are told, it is counted and logged, and it waits no more. */
static void withdraw(sv_conn *c, const char *reason) {
  sv_signaling *sig = c->sig;
  char *request = c->urgent->request;
  sv_urgent_live *u = request ? g_hash_table_lookup(sig->urgent->live, request) : NULL;
  if (u && u->conn == c) {
    if (!sig->closing) {
      to_watchers(sig, u->to_team, c,
                  json_pack("{s:s,s:s,s:s}", "type", "urgent-withdrawn", "request", u->id, "reason",
                            reason));
      if (strcmp(reason, "cancelled") == 0)
        sig->metrics.urgent_cancelled++;
      else
        sig->metrics.urgent_left++;
      int err = sv_store_urgent_withdrawn(sig->db, u->id, reason, u->name,
                                          g_get_real_time() / G_USEC_PER_SEC);
      if (err < 0)
        SV_WARN("signaling", "urgent request %s: the withdrawal was not logged: %s", u->id,
                sv_strerror(err));
      SV_INFO("signaling", "urgent request %s withdrawn (%s)", u->id, reason);
    }
    g_hash_table_remove(sig->urgent->live, request);
  }
  g_free(request);
  c->urgent->request = NULL;
}

static void on_cancel(sv_conn *c, const sv_msg *m) {
  if (!c->urgent->request) {
    sv_conn_send_error(c, m->id, "conflict",
                       "no request of yours is waiting (it may have been accepted already)");
    return;
  }
  withdraw(c, "cancelled");
  sv_conn_send_ok(c, m->id, NULL);
}

void sv_urgent_handle(sv_conn *c, const sv_msg *m) {
  if (!c->urgent) c->urgent = g_new0(struct sv_urgent_conn, 1);
  switch (m->type) {
  case SV_MSG_URGENT_WATCH:
    on_watch(c, m);
    break;
  case SV_MSG_URGENT_REQUEST:
    on_request(c, m);
    break;
  case SV_MSG_URGENT_ACCEPT:
    on_accept(c, m);
    break;
  case SV_MSG_URGENT_CANCEL:
    on_cancel(c, m);
    break;
  default:
    break;
  }
}

void sv_urgent_conn_closed(sv_conn *c) {
  if (!c->urgent) return;
  withdraw(c, "left");
  g_free(c->urgent->watch_team);
  g_free(c->urgent->watch_name);
  g_free(c->urgent);
  c->urgent = NULL;
}
