/*
 * test_link.c — whether a link opens its consultation now (linkcheck.c),
 * the check `join` and GET /api/link share, and the endpoint's answer
 * (signaling/api/api_link.c). The server is created for its state (secret, store,
 * ended rooms, rooms) but no socket is used: time is an input, so a
 * too-early link opens by moving `now`, with no sleeps.
 */
#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "check.h"
#include "common/common.h"
#include "schedule/token.h"
#include "signaling/api/api.h"
#include "signaling/signaling_int.h"

#define SECRET "0123456789abcdef0123456789abcdef"

typedef struct {
  GHashTable *invitations; /* link id → room id */
  GHashTable *revoked;     /* link ids */
  int64_t now;
  bool cancelled; /* room "booked" is cancelled */
  bool broken;    /* the store fails every question */
  bool teaching;  /* room "booked" is a group teaching */
} fake_store;

static int store_link(void *user, const char *id, char *room, size_t room_len) {
  fake_store *s = user;
  if (s->broken) return SV_EIO;
  const char *r = g_hash_table_lookup(s->invitations, id);
  if (!r) return SV_ENOENT;
  g_strlcpy(room, r, room_len);
  return g_hash_table_contains(s->revoked, id) || s->cancelled ? SV_EAUTH : 0;
}

/* "booked": starts in an hour, 30 minutes long. */
static int store_consultation(void *user, const char *room, sv_signaling_consultation *out) {
  fake_store *s = user;
  if (s->broken) return SV_EIO;
  if (strcmp(room, "booked") != 0) return SV_ENOENT;
  g_strlcpy(out->title, "Sårveiledning", sizeof out->title);
  out->start = s->now + 3600;
  out->end = s->now + 5400;
  out->cancelled = s->cancelled;
  out->teaching = s->teaching;
  return 0;
}

static const sv_signaling_store store_table = {.link = store_link,
                                               .consultation = store_consultation};

static fake_store store;
static sv_signaling *sig;
static GMainLoop *loop;

static char *mint(const char *room, const char *role, int64_t nbf, int64_t exp) {
  sv_token_claims claims = {.nbf = nbf, .exp = exp};
  g_strlcpy(claims.room, room, sizeof claims.room);
  g_strlcpy(claims.role, role, sizeof claims.role);
  g_strlcpy(claims.name, "Kari", sizeof claims.name);
  char *token = NULL;
  CHECK_EQ_INT(sv_token_sign((const uint8_t *)SECRET, strlen(SECRET), &claims, &token), 0);
  return token;
}

/* An invitation to the booked consultation, valid until exp, stored as
 * the API stores it. */
static char *invite_until(const char *role, int64_t exp) {
  char *token = mint("booked", role, store.now - 60, exp);
  char hash[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash(token, hash);
  g_hash_table_insert(store.invitations, g_strdup(hash), g_strdup("booked"));
  return token;
}

static char *invite(const char *role) {
  return invite_until(role, store.now + 7200);
}

static void setup(void) {
  loop = g_main_loop_new(NULL, FALSE);
  store.invitations = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  store.revoked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  store.now = g_get_real_time() / G_USEC_PER_SEC;
  store.cancelled = store.broken = false;
  char *web =
      g_build_filename(g_getenv("SV_SOURCE_DIR") ? g_getenv("SV_SOURCE_DIR") : ".", "web", NULL);
  sv_signaling_config config = {
      .bind_address = "127.0.0.1",
      .web_root = web,
      .token_secret = (const uint8_t *)SECRET,
      .token_secret_len = strlen(SECRET),
      .join_grace_before_min = 15,
      .join_grace_after_min = 30,
      .waiting_room_open_min = 10,
      .store = &store_table,
      .store_user = &store,
  };
  sig = NULL;
  CHECK_EQ_INT(sv_signaling_new(&config, loop, &sig), 0);
  g_free(web);
}

static void teardown(void) {
  sv_signaling_free(sig);
  while (g_main_context_iteration(NULL, FALSE))
    ;
  g_hash_table_destroy(store.invitations);
  g_hash_table_destroy(store.revoked);
  g_main_loop_unref(loop);
}

static sv_link_status status_at(const char *room, const char *token, int64_t now,
                                sv_link_check *out) {
  sv_link_check_run(sig, room, token, now, out);
  return out->status;
}

/* A patient's link before the waiting room opens, at the opening, and a
 * host's (who does not wait) by the join grace instead. */
static void test_too_early_then_open(void) {
  setup();
  if (!sig) return teardown();
  char *patient = invite("patient");
  char *host = invite("specialist");
  sv_link_check c;
  int64_t opens = store.now + 3600 - 10 * 60;
  CHECK_EQ_INT(status_at("booked", patient, store.now, &c), SV_LINK_TOO_EARLY);
  CHECK_STR(c.code, "too-early");
  CHECK_EQ_INT(c.opens_at, opens);
  CHECK(c.known && strcmp(c.info.title, "Sårveiledning") == 0);
  CHECK_STR(c.role, "patient");
  CHECK_EQ_INT(status_at("booked", patient, opens - 1, &c), SV_LINK_TOO_EARLY);
  CHECK_EQ_INT(status_at("booked", patient, opens, &c), SV_LINK_OK);
  CHECK_STR(c.name, "Kari");
  CHECK(c.id[0] != '\0' && c.code == NULL);
  /* A host does not wait: in from the join grace, 15 minutes before. */
  CHECK_EQ_INT(status_at("booked", host, store.now, &c), SV_LINK_TOO_EARLY);
  CHECK_EQ_INT(c.opens_at, store.now + 3600 - 15 * 60);
  CHECK_EQ_INT(status_at("booked", host, opens - 1, &c), SV_LINK_OK);
  /* The room may be left out: the token's own is checked. */
  CHECK_EQ_INT(status_at(NULL, patient, opens, &c), SV_LINK_OK);

  /* A token not valid yet opens at its nbf, not before. */
  char *later = mint("adhoc", "municipal", store.now + 600, store.now + 7200);
  CHECK_EQ_INT(status_at("adhoc", later, store.now, &c), SV_LINK_TOO_EARLY);
  CHECK_EQ_INT(c.opens_at, store.now + 600);
  CHECK_EQ_INT(status_at("adhoc", later, store.now + 600, &c), SV_LINK_OK);
  g_free(later);
  g_free(patient);
  g_free(host);
  teardown();
}

/* Expired token, consultation over, revoked, cancelled, ended by the host,
 * removed, forged, another room, no invitation, store down. */
static void test_refusals(void) {
  setup();
  if (!sig) return teardown();
  sv_link_check c;
  char *old = mint("adhoc", "patient", store.now - 7200, store.now - 3600);
  CHECK_EQ_INT(status_at("adhoc", old, store.now, &c), SV_LINK_EXPIRED);
  CHECK_STR(c.code, "unauthorized");
  CHECK(strstr(c.message, "expired") != NULL);

  /* A link still valid for a consultation that is over. */
  char *long_lived = invite_until("municipal", store.now + 86400);
  CHECK_EQ_INT(status_at("booked", long_lived, store.now + 5400 + 31 * 60, &c), SV_LINK_EXPIRED);
  CHECK(strstr(c.message, "over") != NULL);
  char *patient = invite("patient");

  char *gone = invite("relative");
  char hash[SV_TOKEN_HASH_LEN + 1];
  sv_token_hash(gone, hash);
  g_hash_table_add(store.revoked, g_strdup(hash));
  CHECK_EQ_INT(status_at("booked", gone, store.now + 3600, &c), SV_LINK_REVOKED);
  CHECK_STR(c.reason, "revoked");

  /* A forged or re-spelled token says nothing about itself. */
  char *forged = g_strdup(patient);
  forged[strlen(forged) - 2] = forged[strlen(forged) - 2] == 'A' ? 'B' : 'A';
  CHECK_EQ_INT(status_at("booked", forged, store.now + 3600, &c), SV_LINK_INVALID);
  CHECK(c.role == NULL && c.name[0] == '\0');
  CHECK_EQ_INT(status_at("elsewhere", patient, store.now + 3600, &c), SV_LINK_INVALID);
  char *stray = mint("booked", "patient", store.now - 61, store.now + 7200);
  CHECK_EQ_INT(status_at("booked", stray, store.now + 3600, &c), SV_LINK_INVALID);
  CHECK(strstr(c.message, "not an invitation") != NULL);

  /* A host removed the link's holder from the room. */
  sv_participant *p = NULL;
  CHECK_EQ_INT(sv_rooms_add(sig->rooms, "booked", "x", 16, NULL, &p), 0);
  sv_link_check ok;
  CHECK_EQ_INT(status_at("booked", patient, store.now + 3600, &ok), SV_LINK_OK);
  g_hash_table_add(p->room->removed, g_strdup(ok.id));
  CHECK_EQ_INT(status_at("booked", patient, store.now + 3600, &c), SV_LINK_REMOVED);
  CHECK_STR(c.code, "forbidden");
  sv_rooms_remove(sig->rooms, p);

  g_hash_table_add(sig->ended, g_strdup("booked"));
  CHECK_EQ_INT(status_at("booked", patient, store.now + 3600, &c), SV_LINK_ENDED);
  CHECK_STR(c.code, "ended");
  CHECK_STR(c.reason, "ended");
  /* Cancelled wins over the revocation it brings with it. */
  store.cancelled = true;
  CHECK_EQ_INT(status_at("booked", patient, store.now + 3600, &c), SV_LINK_ENDED);
  CHECK_STR(c.code, "unauthorized");
  CHECK_STR(c.reason, "cancelled");
  store.cancelled = false;

  store.broken = true;
  CHECK_EQ_INT(status_at("booked", patient, store.now + 3600, &c), SV_LINK_UNAVAILABLE);
  store.broken = false;

  g_free(old);
  g_free(long_lived);
  g_free(patient);
  g_free(gone);
  g_free(forged);
  g_free(stray);
  teardown();
}

static json_t *get_link(const char *auth, const char *room, unsigned *status) {
  sv_api_call call = {.method = LWSHUMETH_GET, .path = "/api/link", .auth = (char *)auth};
  call.query = g_hash_table_new(g_str_hash, g_str_equal);
  if (room) g_hash_table_insert(call.query, "room", (gpointer)room);
  sv_api_resp resp;
  memset(&resp, 0, sizeof resp);
  sv_api_link(sig, &call, &resp);
  g_hash_table_destroy(call.query);
  *status = resp.status;
  json_t *doc = json_loads(resp.body ? resp.body : "", 0, NULL);
  g_free(resp.body);
  return doc;
}

/* The endpoint: the token in the Authorization header; title, times and
 * opensAt only for a link that opens (now or later); a store that is down
 * is 503, never ok. */
static void test_endpoint(void) {
  setup();
  if (!sig) return teardown();
  char *patient = invite("patient");
  char *auth = g_strdup_printf("Bearer %s", patient);
  unsigned status = 0;
  json_t *doc = get_link(auth, "booked", &status);
  CHECK_EQ_INT(status, 200);
  CHECK_STR(json_string_value(json_object_get(doc, "status")), "too-early");
  CHECK_STR(json_string_value(json_object_get(doc, "title")), "Sårveiledning");
  CHECK_STR(json_string_value(json_object_get(doc, "role")), "patient");
  CHECK_STR(json_string_value(json_object_get(doc, "name")), "Kari");
  const char *opens = json_string_value(json_object_get(doc, "opensAt"));
  GDateTime *dt = opens ? g_date_time_new_from_iso8601(opens, NULL) : NULL;
  CHECK(dt && g_date_time_to_unix(dt) == store.now + 3600 - 600);
  if (dt) g_date_time_unref(dt);
  CHECK(json_is_string(json_object_get(doc, "now")));
  CHECK_STR(json_string_value(json_object_get(doc, "kind")), "consultation");
  json_decref(doc);
  store.teaching = true; /* the join page words its notice by the kind */
  doc = get_link(auth, "booked", &status);
  CHECK_STR(json_string_value(json_object_get(doc, "kind")), "group-teaching");
  json_decref(doc);
  store.teaching = false;

  doc = get_link("Bearer not.a.token", NULL, &status);
  CHECK_EQ_INT(status, 200);
  CHECK_STR(json_string_value(json_object_get(doc, "status")), "invalid");
  CHECK(json_object_get(doc, "title") == NULL && json_object_get(doc, "role") == NULL);
  json_decref(doc);

  doc = get_link(NULL, NULL, &status);
  CHECK_EQ_INT(status, 401);
  json_decref(doc);
  doc = get_link(auth, "bad room", &status);
  CHECK_EQ_INT(status, 400);
  json_decref(doc);

  store.cancelled = true;
  doc = get_link(auth, "booked", &status);
  CHECK_STR(json_string_value(json_object_get(doc, "status")), "ended");
  CHECK_STR(json_string_value(json_object_get(doc, "reason")), "cancelled");
  CHECK(json_object_get(doc, "title") == NULL && json_object_get(doc, "kind") == NULL);
  json_decref(doc);
  store.broken = true;
  doc = get_link(auth, "booked", &status);
  CHECK_EQ_INT(status, 503);
  json_decref(doc);
  g_free(auth);
  g_free(patient);
  teardown();
}

int main(void) {
  RUN(test_too_early_then_open);
  RUN(test_refusals);
  RUN(test_endpoint);
  return check_summary();
}
