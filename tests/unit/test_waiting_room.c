/*
 * test_waiting_room.c — the signalling server's join rules against its
 * storage interface (sv_signaling_store): the real server on a loopback
 * port, real WebSocket clients (libsoup), and a store table that answers
 * from memory as the schedule/ backends will.
 *
 * A revoked token is refused; a patient before the waiting room opens gets
 * too-early; a patient waits and sees the consultation's title and start,
 * hears host-away, then host-changed when the specialist joins, and is
 * admitted; joining again with the same link comes straight back in and
 * replaces the old connection; missing noticeAck is refused. The audit
 * events arrive in order: waiting, joined, admitted, left (replaced),
 * joined, left (with duration), ended, left.
 */
#include <glib.h>
#include <jansson.h>
#include <libsoup/soup.h>
#include <string.h>

#include "check.h"
#include "common/common.h"
#include "schedule/token.h"
#include "signaling/signaling.h"

#define SECRET "0123456789abcdef0123456789abcdef"

typedef struct {
  GHashTable *invitations; /* link id (token hash) → room id: issued invitations */
  GHashTable *revoked;     /* link ids */
  GPtrArray *audit;        /* "event role [actor?]" strings */
  int64_t now;
  bool cancelled; /* room "now" is cancelled */
  bool broken;    /* the store fails every question */
} fake_store;

static int store_link(void *user, const char *id, char *room, size_t room_len) {
  fake_store *s = user;
  if (s->broken) return SV_EIO;
  const char *r = g_hash_table_lookup(s->invitations, id);
  if (!r) return SV_ENOENT;
  g_strlcpy(room, r, room_len);
  return g_hash_table_contains(s->revoked, id) || (s->cancelled && strcmp(r, "now") == 0) ? SV_EAUTH
                                                                                          : 0;
}

static int store_consultation(void *user, const char *room, sv_signaling_consultation *out) {
  fake_store *s = user;
  if (s->broken) return SV_EIO;
  if (strcmp(room, "later") == 0) {
    g_strlcpy(out->title, "Oppfolging", sizeof out->title);
    out->start = s->now + 3600; /* the waiting room opens at start - 15 min */
    out->end = s->now + 7200;
    return 0;
  }
  if (strcmp(room, "now") == 0) {
    g_strlcpy(out->title, "Veiledning sar", sizeof out->title);
    out->start = s->now + 300;
    out->end = s->now + 3600;
    out->cancelled = s->cancelled;
    return 0;
  }
  return SV_ENOENT;
}

static void store_audit(void *user, const char *room, const char *event, const char *participant,
                        const char *role, const char *name, const char *actor, const char *detail) {
  fake_store *s = user;
  json_t *d = json_loads(detail, 0, NULL);
  CHECK(d && json_is_object(d));
  if (strcmp(event, "left") == 0) CHECK(json_is_integer(json_object_get(d, "duration_s")));
  json_decref(d);
  g_ptr_array_add(s->audit, g_strdup_printf("%s %s%s", event, role, actor ? " by-host" : ""));
}

static const sv_signaling_store store_table = {
    .link = store_link,
    .consultation = store_consultation,
    .audit = store_audit,
};

typedef struct {
  SoupWebsocketConnection *ws;
  GQueue inbox; /* json_t * */
} client;

static void on_message(SoupWebsocketConnection *ws, gint type, GBytes *bytes, gpointer data) {
  client *c = data;
  gsize len;
  const char *text = g_bytes_get_data(bytes, &len);
  json_t *msg = json_loadb(text, len, 0, NULL);
  CHECK(msg != NULL);
  if (msg) g_queue_push_tail(&c->inbox, msg);
}

static void on_connected(GObject *src, GAsyncResult *res, gpointer data) {
  client *c = data;
  GError *err = NULL;
  c->ws = soup_session_websocket_connect_finish(SOUP_SESSION(src), res, &err);
  if (err) {
    fprintf(stderr, "  websocket: %s\n", err->message);
    g_error_free(err);
  }
}

/* Runs the main loop until done(arg) (called once per iteration; it may
 * consume what it finds) or 10 s pass. */
static bool spin_until(bool (*done)(void *), void *arg) {
  gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
  for (;;) {
    if (done(arg)) return true;
    if (g_get_monotonic_time() >= end) return false;
    if (!g_main_context_iteration(NULL, FALSE)) g_usleep(1000);
  }
}

static bool connected(void *arg) {
  return ((client *)arg)->ws != NULL;
}

static client *client_new(SoupSession *session, int port) {
  client *c = g_new0(client, 1);
  g_queue_init(&c->inbox);
  char *url = g_strdup_printf("ws://127.0.0.1:%d/ws", port);
  SoupMessage *msg = soup_message_new(SOUP_METHOD_GET, url);
  const char *protocols[] = {"samvei-v1", NULL};
  soup_session_websocket_connect_async(session, msg, NULL, (char **)protocols, G_PRIORITY_DEFAULT,
                                       NULL, on_connected, c);
  CHECK(spin_until(connected, c));
  g_object_unref(msg);
  g_free(url);
  if (c->ws) g_signal_connect(c->ws, "message", G_CALLBACK(on_message), c);
  return c;
}

static void client_free(client *c) {
  if (c->ws) {
    /* A message still arriving must not reach the freed client. */
    g_signal_handlers_disconnect_by_data(c->ws, c);
    soup_websocket_connection_close(c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    g_object_unref(c->ws);
  }
  g_queue_clear_full(&c->inbox, (GDestroyNotify)json_decref);
  g_free(c);
}

static void send_json(client *c, json_t *msg) {
  char *text = json_dumps(msg, JSON_COMPACT);
  if (c->ws) soup_websocket_connection_send_text(c->ws, text);
  free(text);
  json_decref(msg);
}

typedef struct {
  client *c;
  const char *type;
  json_t *found;
} wait_for;

static bool has_type(void *arg) {
  wait_for *w = arg;
  for (GList *l = w->c->inbox.head; l; l = l->next) {
    if (strcmp(json_string_value(json_object_get(l->data, "type")), w->type) == 0) {
      w->found = l->data;
      g_queue_delete_link(&w->c->inbox, l);
      return true;
    }
  }
  return false;
}

/* The first message of `type` (new reference, caller decrefs), or NULL
 * after 10 s. */
static json_t *next(client *c, const char *type) {
  wait_for w = {c, type, NULL};
  if (!spin_until(has_type, &w)) fprintf(stderr, "  no '%s' message arrived\n", type);
  return w.found;
}

static char *mint(const char *room, const char *role, const char *name, int64_t now) {
  sv_token_claims claims = {.nbf = now - 60, .exp = now + 3600};
  g_strlcpy(claims.room, room, sizeof claims.room);
  g_strlcpy(claims.role, role, sizeof claims.role);
  g_strlcpy(claims.name, name, sizeof claims.name);
  char *token = NULL;
  CHECK_EQ_INT(sv_token_sign((const uint8_t *)SECRET, strlen(SECRET), &claims, &token), 0);
  return token;
}

/* Stores an invitation for token (as the API does: by its hash). */
static void issue(fake_store *s, const char *token, const char *room) {
  char hash[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash(token, hash);
  g_hash_table_insert(s->invitations, g_strdup(hash), g_strdup(room));
}

static void revoke_link(fake_store *s, const char *token) {
  char hash[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash(token, hash);
  g_hash_table_add(s->revoked, g_strdup(hash));
}

/* The token and its three re-spellings: the signature's last character
 * carries 2 unused bits, so three other characters decode to the same
 * bytes (they used to verify too). */
static GPtrArray *spellings(const char *token) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  GPtrArray *all = g_ptr_array_new_with_free_func(g_free);
  size_t last = strlen(token) - 1;
  int v = (int)(strchr(alphabet, token[last]) - alphabet);
  for (int low = 0; low < 4; low++) {
    char *t = g_strdup(token);
    t[last] = alphabet[(v & ~3) | low];
    g_ptr_array_add(all, t);
  }
  return all;
}

static json_t *join_msg(const char *room, const char *token, bool ack) {
  return json_pack("{s:s,s:i,s:s,s:s,s:s,s:b}", "type", "join", "id", 1, "room", room, "name", "x",
                   "token", token, "noticeAck", ack);
}

static void expect_error(client *c, const char *code, const char *fragment) {
  json_t *m = next(c, "error");
  CHECK(m != NULL);
  if (!m) return;
  CHECK_STR(json_string_value(json_object_get(m, "code")), code);
  /* A refused link says why in one word too (linkcheck.c), and when. */
  if (strcmp(code, "bad-request") != 0) CHECK(json_is_string(json_object_get(m, "reason")));
  if (strcmp(code, "too-early") == 0) CHECK(json_is_string(json_object_get(m, "opensAt")));
  const char *text = json_string_value(json_object_get(m, "message"));
  if (!text || !strstr(text, fragment)) {
    fprintf(stderr, "  error \"%s\" lacks \"%s\"\n", text ? text : "(none)", fragment);
    check_failures_in_test++;
  }
  json_decref(m);
}

static void test_waiting_room(void) {
  GMainLoop *loop = g_main_loop_new(NULL, FALSE);
  fake_store store = {
      .invitations = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
      .revoked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
      .audit = g_ptr_array_new_with_free_func(g_free),
      .now = g_get_real_time() / G_USEC_PER_SEC,
  };
  char *web =
      g_build_filename(g_getenv("SV_SOURCE_DIR") ? g_getenv("SV_SOURCE_DIR") : ".", "web", NULL);
  sv_signaling_config config = {
      .bind_address = "127.0.0.1",
      .web_root = web,
      .token_secret = (const uint8_t *)SECRET,
      .token_secret_len = strlen(SECRET),
      .join_grace_before_min = 15,
      .join_grace_after_min = 30,
      .waiting_room_open_min = 15,
      .store = &store_table,
      .store_user = &store,
  };
  sv_signaling *sig = NULL;
  CHECK_EQ_INT(sv_signaling_new(&config, loop, &sig), 0);
  if (!sig) goto out_nosig;
  int port = sv_signaling_port(sig);
  SoupSession *session = soup_session_new();

  char *revoked = mint("now", "patient", "Revoked", store.now);
  issue(&store, revoked, "now");
  revoke_link(&store, revoked);
  char *early = mint("later", "patient", "Early", store.now);
  issue(&store, early, "later");
  char *patient_token = mint("now", "patient", "Kari", store.now);
  issue(&store, patient_token, "now");
  char *host_token = mint("now", "specialist", "Dr. Berg", store.now);
  issue(&store, host_token, "now");

  client *p = client_new(session, port);
  client *h = client_new(session, port);
  if (!p->ws || !h->ws) goto out;

  send_json(p, join_msg("now", revoked, true));
  expect_error(p, "unauthorized", "revoked");
  send_json(p, join_msg("later", early, true));
  expect_error(p, "too-early", "opens at");
  send_json(p, join_msg("now", patient_token, false));
  expect_error(p, "bad-request", "noticeAck");

  /* The patient waits, sees the consultation and hears no host is there. */
  send_json(p, join_msg("now", patient_token, true));
  json_t *ok = next(p, "ok");
  CHECK(ok != NULL);
  if (ok) {
    CHECK_STR(json_string_value(json_object_get(ok, "state")), "waiting");
    CHECK_STR(json_string_value(json_object_get(ok, "role")), "patient");
    json_t *cons = json_object_get(ok, "consultation");
    CHECK_STR(json_string_value(json_object_get(cons, "title")), "Veiledning sar");
    CHECK(json_integer_value(json_object_get(cons, "start")) == store.now + 300);
    CHECK(json_is_null(json_object_get(ok, "host")));
  }
  const char *pid = ok ? json_string_value(json_object_get(ok, "self")) : "";
  json_t *away = next(p, "host-away");
  CHECK(away != NULL);
  json_decref(away);

  /* The specialist sees them waiting; the patient hears a host came. */
  send_json(h, join_msg("now", host_token, true));
  json_t *hok = next(h, "ok");
  CHECK(hok && strcmp(json_string_value(json_object_get(hok, "state")), "joined") == 0);
  json_t *list = hok ? json_object_get(hok, "participants") : NULL;
  CHECK(json_array_size(list) == 1 &&
        strcmp(json_string_value(json_object_get(json_array_get(list, 0), "state")), "waiting") ==
            0);
  json_decref(hok);
  json_t *changed = next(p, "host-changed");
  CHECK(changed && strcmp(json_string_value(json_object_get(changed, "name")), "Dr. Berg") == 0);
  json_decref(changed);

  send_json(h, json_pack("{s:s,s:i,s:s}", "type", "admit", "id", 2, "participant", pid));
  json_t *admitted = next(p, "admitted");
  CHECK(admitted != NULL);
  json_decref(admitted);
  json_decref(ok);
  json_t *aok = next(h, "ok");
  json_decref(aok);

  /* The same link on a new connection (a tablet reconnecting): straight
   * back in, no waiting again; the old connection is told `replaced`. */
  client *p2 = client_new(session, port);
  send_json(p2, join_msg("now", patient_token, true));
  json_t *again = next(p2, "ok");
  CHECK(again && strcmp(json_string_value(json_object_get(again, "state")), "joined") == 0);
  json_decref(again);
  json_t *replaced = next(p, "replaced");
  CHECK(replaced != NULL);
  json_decref(replaced);
  json_t *gone = next(h, "participant-left");
  CHECK(gone && strcmp(json_string_value(json_object_get(gone, "reason")), "replaced") == 0);
  json_decref(gone);

  send_json(p2, json_pack("{s:s,s:i}", "type", "leave", "id", 3));
  json_t *left = next(h, "participant-left");
  CHECK(left != NULL);
  json_decref(left);
  client_free(p2);
  send_json(h, json_pack("{s:s,s:i}", "type", "end", "id", 4));
  json_t *ended = next(h, "ended");
  CHECK(ended != NULL);
  json_decref(ended);

  /* Audit: in order, nothing else. */
  static const char *expected[] = {
      "waiting patient", "joined specialist", "admitted patient by-host", "left patient",
      "joined patient",  "left patient",      "ended specialist by-host", "left specialist"};
  CHECK_EQ_INT((int)store.audit->len, (int)SV_ARRAY_LEN(expected));
  for (guint i = 0; i < store.audit->len && i < SV_ARRAY_LEN(expected); i++)
    CHECK_STR((const char *)g_ptr_array_index(store.audit, i), expected[i]);

out:
  client_free(p);
  client_free(h);
  g_free(revoked);
  g_free(early);
  g_free(patient_token);
  g_free(host_token);
  g_object_unref(session);
  sv_signaling_free(sig);
out_nosig:
  while (g_main_context_iteration(NULL, FALSE))
    ;
  g_hash_table_destroy(store.revoked);
  g_hash_table_destroy(store.invitations);
  g_ptr_array_free(store.audit, TRUE);
  g_free(web);
  g_main_loop_unref(loop);
}

/* Sends join with every spelling of token: the token itself is refused
 * with code and a message containing fragment, the re-spellings are not
 * valid tokens at all (unauthorized, "signature"). */
static void expect_every_spelling_refused(client *c, const char *room, const char *token,
                                          const char *code, const char *fragment) {
  GPtrArray *all = spellings(token);
  for (guint i = 0; i < all->len; i++) {
    const char *t = g_ptr_array_index(all, i);
    send_json(c, join_msg(room, t, true));
    if (strcmp(t, token) == 0)
      expect_error(c, code, fragment);
    else
      expect_error(c, "unauthorized", "signature");
  }
  g_ptr_array_free(all, TRUE);
}

/* Issue 15, finding 1: links are identified by what cannot be re-spelled,
 * a booked room needs an invitation, a store error refuses, and revoking
 * or cancelling also removes those already in the room. */
static void test_links(void) {
  GMainLoop *loop = g_main_loop_new(NULL, FALSE);
  fake_store store = {
      .invitations = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
      .revoked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
      .audit = g_ptr_array_new_with_free_func(g_free),
      .now = g_get_real_time() / G_USEC_PER_SEC,
  };
  char *web =
      g_build_filename(g_getenv("SV_SOURCE_DIR") ? g_getenv("SV_SOURCE_DIR") : ".", "web", NULL);
  sv_signaling_config config = {
      .bind_address = "127.0.0.1",
      .web_root = web,
      .token_secret = (const uint8_t *)SECRET,
      .token_secret_len = strlen(SECRET),
      .join_grace_before_min = 15,
      .join_grace_after_min = 30,
      .waiting_room_open_min = 15,
      .store = &store_table,
      .store_user = &store,
  };
  sv_signaling *sig = NULL;
  CHECK_EQ_INT(sv_signaling_new(&config, loop, &sig), 0);
  if (!sig) goto out_nosig;
  int port = sv_signaling_port(sig);
  SoupSession *session = soup_session_new();
  char *revoked = mint("now", "patient", "Revoked", store.now);
  issue(&store, revoked, "now");
  revoke_link(&store, revoked);
  char *stray = mint("now", "specialist", "No invitation", store.now);
  char *adhoc = mint("adhoc", "municipal", "Ad hoc", store.now);
  char *elsewhere = mint("now", "municipal", "Wrong room", store.now);
  issue(&store, elsewhere, "later");
  char *host = mint("now", "specialist", "Dr. Berg", store.now);
  issue(&store, host, "now");
  char *patient = mint("now", "patient", "Kari", store.now);
  issue(&store, patient, "now");
  char *nurse = mint("now", "municipal", "Sykepleier", store.now);
  issue(&store, nurse, "now");

  client *x = client_new(session, port);
  client *h = client_new(session, port);
  client *p = client_new(session, port);
  client *n = client_new(session, port);
  if (!x->ws || !h->ws || !p->ws || !n->ws) goto out;

  /* A revoked invitation: no spelling of its link opens the room. */
  expect_every_spelling_refused(x, "now", revoked, "unauthorized", "revoked");
  /* A booked room needs an invitation; an invitation of another room is
   * no invitation to this one; an ad-hoc room (not booked) takes a token
   * from `samvei token`. */
  expect_every_spelling_refused(x, "now", stray, "unauthorized", "not an invitation");
  send_json(x, join_msg("now", elsewhere, true));
  expect_error(x, "unauthorized", "not an invitation");
  send_json(x, join_msg("adhoc", adhoc, true));
  json_t *ok = next(x, "ok");
  CHECK(ok != NULL);
  json_decref(ok);
  send_json(x, json_pack("{s:s,s:i}", "type", "leave", "id", 9));
  json_decref(next(x, "ok"));

  /* Host in, patient waits and is admitted, nurse joins. */
  send_json(h, join_msg("now", host, true));
  json_decref(next(h, "ok"));
  send_json(p, join_msg("now", patient, true));
  ok = next(p, "ok");
  const char *pid = ok ? json_string_value(json_object_get(ok, "self")) : "";
  send_json(h, json_pack("{s:s,s:i,s:s}", "type", "admit", "id", 2, "participant", pid));
  json_decref(next(p, "admitted"));
  json_decref(next(h, "ok"));
  send_json(n, join_msg("now", nurse, true));
  json_decref(next(n, "ok"));

  /* The host removes the patient: every spelling of their link is
   * refused, so nobody takes a second seat with it. */
  send_json(h, json_pack("{s:s,s:i,s:s}", "type", "remove", "id", 3, "participant", pid));
  json_decref(next(p, "removed"));
  json_decref(ok);
  expect_every_spelling_refused(p, "now", patient, "forbidden", "removed you");

  /* The organiser revokes the nurse's invitation: the nurse is out at the
   * next check (the API runs it at once), told `removed` by "organiser",
   * and no spelling of the link comes back. */
  revoke_link(&store, nurse);
  sv_signaling_recheck_links(sig);
  json_t *gone = next(n, "removed");
  CHECK(gone && strcmp(json_string_value(json_object_get(gone, "by")), "organiser") == 0);
  json_decref(gone);
  expect_every_spelling_refused(n, "now", nurse, "unauthorized", "revoked");
  CHECK_EQ_INT((int)sv_signaling_participant_count(sig), 1);

  /* A store that cannot answer refuses joins and removes nobody. */
  store.broken = true;
  sv_signaling_recheck_links(sig);
  CHECK_EQ_INT((int)sv_signaling_participant_count(sig), 1);
  send_json(x, join_msg("now", host, true));
  expect_error(x, "unavailable", "try again");
  store.broken = false;

  /* Cancelling ends the room for the host still in it; every link is
   * refused after. */
  store.cancelled = true;
  sv_signaling_recheck_links(sig);
  json_t *ended = next(h, "ended");
  CHECK(ended && strcmp(json_string_value(json_object_get(ended, "reason")), "cancelled") == 0);
  json_decref(ended);
  CHECK_EQ_INT((int)sv_signaling_participant_count(sig), 0);
  expect_every_spelling_refused(h, "now", host, "unauthorized", "cancelled");

out:
  client_free(x);
  client_free(h);
  client_free(p);
  client_free(n);
  g_free(revoked);
  g_free(stray);
  g_free(adhoc);
  g_free(elsewhere);
  g_free(host);
  g_free(patient);
  g_free(nurse);
  g_object_unref(session);
  sv_signaling_free(sig);
out_nosig:
  while (g_main_context_iteration(NULL, FALSE))
    ;
  g_hash_table_destroy(store.revoked);
  g_hash_table_destroy(store.invitations);
  g_ptr_array_free(store.audit, TRUE);
  g_free(web);
  g_main_loop_unref(loop);
}

int main(void) {
  RUN(test_waiting_room);
  RUN(test_links);
  return check_summary();
}
