/*
 * signaling_int.h — what the files of signaling/ share and nobody else sees:
 * the server struct, the per-connection state and the functions that cross
 * file boundaries (server.c, http.c, ws.c, session.c, events.c).
 *
 * Everything here belongs to the main thread.
 */
#ifndef SV_SIGNALING_INT_H
#define SV_SIGNALING_INT_H

#include <jansson.h>
#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>

#include "schedule/store.h"
#include "schedule/token.h"
#include "signaling/api/api.h"
#include "signaling/conn_limits.h"
#include "signaling/metrics.h"
#include "signaling/room.h"
#include "signaling/signaling.h"

#define SV_WS_PROTOCOL          "samvei-v1"
#define SV_WS_PATH              "/ws"
#define SV_WS_MAX_QUEUED        (2 * 1024 * 1024) /* a client that lets more pile up is closed */
#define SV_WS_RX_PAUSE          (256 * 1024) /* stop reading a client with this much queued... */
#define SV_WS_RX_RESUME         (64 * 1024)  /* ...until its queue is down to this */
#define SV_DEFAULT_MAX_MSG      (64 * 1024)
#define SV_DEFAULT_MAX_ROOM     16
#define SV_DEFAULT_MAX_TEACHING 100

/* The server. Owned by the caller of sv_signaling_new(); main thread. */
struct sv_signaling {
  char *bind_address;
  char *web_root; /* canonical absolute path (realpath) */
  bool allow_open_rooms;
  bool chat_off;        /* `chat` is refused (unsupported) and join replies say so */
  GBytes *token_secret; /* NULL: no token is accepted */
  int grace_before_min, grace_after_min, waiting_open_min;
  char *privacy_notice;          /* NULL = the client's own text */
  char *accessibility_statement; /* NULL = the client's template */
  /* The store, two ways (README.md): a call's questions and audit events
   * through these callbacks (tests give fakes), and the REST API and
   * urgent guidance on the store itself (db). */
  const sv_signaling_store *store;
  void *store_user;
  sv_store *db;                  /* borrowed: the REST API and urgent guidance; NULL = off */
  char *public_url;              /* base of links the API makes; NULL = from the Host header */
  struct sv_urgent_desk *urgent; /* urgent guidance (urgent.h) */
  /* room id → nothing: consultations their host ended. Kept while the
   * server runs (a few bytes each); with a store, the consultation's
   * status says the same across restarts. */
  GHashTable *ended;
  bool tls;
  bool strict_transport; /* send HSTS: TLS on a non-loopback address */
  size_t max_message;
  size_t max_room_size;
  size_t max_teaching_size; /* a group-teaching room's; the others' is max_room_size */
  int port;

  GMainLoop *loop; /* borrowed */
  struct lws_context *context;
  struct lws_vhost *vhost;
  sv_relay *relay; /* borrowed, may be NULL */
  sv_rooms *rooms;
  GHashTable *pending; /* int64_t request → sv_pending *: publishes awaiting an answer */
  int64_t next_request;
  bool closing;               /* sv_signaling_free() runs: connections close silently */
  char *version;              /* for samvei_build_info */
  char *cert_path, *key_path; /* for sv_signaling_reload_tls() */
  void *tls_ctx;              /* the vhost's SSL_CTX (lws owns it), NULL for plain HTTP */
  GPtrArray *conns;           /* every open sv_conn, not owned */
  bool draining;              /* SIGTERM: joins are refused with `restarting` */
  char **turn_uris;           /* NULL-terminated, or NULL: no iceServers in join replies */
  char *turn_secret;
  unsigned turn_ttl;
  sv_metrics metrics;
  struct sv_recordings *recordings; /* recording.c: consent rounds, recorders, downloads */
  guint links_timer;                /* links.c: periodic recheck of links in rooms */
  /* Resource bounds (conn_limits.h): connections per address (wsi → its
   * address; the address an accepted socket waits with until lws makes
   * its wsi), allowed origins, timeouts, and the rate of refusal logs. */
  sv_addr_counts *addr_counts;
  GHashTable *wsi_addr;
  char *accepted_addr;
  sv_origins origins;
  unsigned unjoined_s, body_s;
  sv_log_limit refuse_log, lws_log;
};

/* One WebSocket connection. Created on ESTABLISHED, freed on CLOSED; the
 * lws per-session data holds only a pointer to it. Main thread. */
typedef struct sv_conn {
  sv_signaling *sig;
  struct lws *wsi;
  char peer[64];               /* remote address, for logs */
  sv_participant *participant; /* NULL until join, and after leave */

  /* The message being received, reassembled from fragments. */
  GByteArray *rx;
  size_t rx_count; /* bytes of the current message, kept or not */
  bool rx_active;  /* inside a message */
  bool rx_binary;  /* the current message is binary: counted, not kept */

  /* Messages waiting for SERVER_WRITEABLE, each an sv_out_msg. */
  GQueue out;
  size_t out_bytes;
  bool rx_paused;   /* reading stopped until `out` drains (see ws.c) */
  int close_status; /* nonzero: close with this status once `out` is written */
  bool dead;        /* being killed: accept and send nothing more */

  /* Chat and waiting-room messages fan out to everyone in the room: a
   * token bucket (sv_conn_take_fanout) keeps one sender from filling the
   * queue of a slow receiver until the receiver is dropped. */
  double fanout_tokens;
  gint64 fanout_us; /* monotonic time of the last refill; 0 = never */

  /* Urgent guidance (urgent.c): what this connection watches or waits on;
   * NULL until its first urgent message. */
  struct sv_urgent_conn *urgent;
  guint unjoined_timer; /* closes the connection if no valid join came in time */
} sv_conn;

/* lws per-session data of the WebSocket protocol. */
typedef struct sv_ws_pss {
  sv_conn *conn;
} sv_ws_pss;

/* lws per-session data of the HTTP protocol: the body of the response being
 * written. With keep-alive one connection serves requests one at a time. */
typedef struct sv_http_pss {
  char *body;
  size_t len, sent;
  sv_api_call *api; /* an /api request whose body is arriving, or NULL */
  guint body_timer; /* closes the connection if that body is not complete in time */
} sv_http_pss;

/* ws.c */
int sv_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len);
/* Queues a JSON message (the reference is stolen) for the client. */
void sv_conn_send(sv_conn *c, json_t *msg);
/* Queues already serialised JSON text (copied). */
void sv_conn_send_text(sv_conn *c, const char *text, size_t len);
/* {"type":"ok","id":id, ...fields}; id borrowed (NULL = no id), fields
 * stolen (NULL = none). */
void sv_conn_send_ok(sv_conn *c, json_t *id, json_t *fields);
/* {"type":"error","id":id,"code":code,"message":...}; id borrowed. */
void sv_conn_send_error(sv_conn *c, json_t *id, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sends nothing more after what is queued, then closes with `status`. */
void sv_conn_close_after_send(sv_conn *c, int status);
/* Takes one message from c's fan-out allowance at monotonic time now_us
 * (SV_FANOUT_RATE a second, bursts of SV_FANOUT_BURST). false: over the
 * limit, the caller answers `rate-limited` and sends nothing on. */
#define SV_FANOUT_RATE  5.0
#define SV_FANOUT_BURST 20.0
bool sv_conn_take_fanout(sv_conn *c, gint64 now_us);

/* conn_guard.c: the resource bounds on lws connections (see there). */
void sv_guard_init(sv_signaling *sig, const sv_signaling_config *config);
void sv_guard_free(sv_signaling *sig);
/* File descriptors lws may use for connections (fd_limit_per_thread). */
unsigned sv_guard_fd_budget(void);
/* A socket was accepted: nonzero refuses it (its address is at the cap). */
int sv_guard_accept(sv_signaling *sig, int fd);
/* lws made / freed a connection's wsi (WSI_CREATE, WSI_DESTROY). */
void sv_guard_created(sv_signaling *sig, struct lws *wsi);
void sv_guard_destroyed(sv_signaling *sig, struct lws *wsi);
/* Logs a refusal as a warning, at most a few a second (the rest counted). */
void sv_guard_refused(sv_signaling *sig, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* http.c */
int sv_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len);
/* true when a Host header looks like host[:port] (safe to reflect). */
bool sv_http_host_is_safe(const char *host);
/* Maps a URL path (as lws hands it over: decoded, from the first '/') to
 * a regular file inside web_root, which must be a real path (no symlinks,
 * no trailing '/'); a directory means its index.html. Returns a g_malloc'd
 * real path, or NULL when the path must not or cannot be served: a segment
 * that starts with '.', a backslash, a path over SV_HTTP_MAX_PATH (http.c),
 * or a file whose real path lies outside web_root. */
char *sv_http_resolve(const char *web_root, const char *path);
/* Sends resp (its body and disposition are taken over); returns what the
 * lws callback should return. */
int sv_http_respond_api(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, sv_api_resp *resp);
/* Writes a whole response (status, JSON body, "connection: close") at
 * once, before any request body is read; returns -1: close. */
int sv_http_refuse(sv_signaling *sig, struct lws *wsi, unsigned status, const char *json_body);

/* api/api_http.c: an /api request from lws to sv_api_handle() and back.
 * begin runs on LWS_CALLBACK_HTTP: it copies what the API needs from the
 * headers, then answers at once or waits for the body (body, finish). */
int sv_http_api_begin(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss, const char *path,
                      int method);
void sv_http_api_body(sv_api_call *call, const void *in, size_t len);
/* Adds one query fragment ("name=value", decoded by lws; len bytes, NUL
 * not included) to call->query. The first value of a name counts; an
 * empty name or value, or no '=', is ignored; a fragment that is not UTF-8
 * (a NUL included), over its cap, or whose value is over SV_API_MAX_VALUE
 * bytes marks the call bad_query. */
void sv_http_api_query_add(sv_api_call *call, const char *frag, size_t len);
int sv_http_api_finish(sv_signaling *sig, struct lws *wsi, sv_http_pss *pss);

struct sv_msg;

/* audit.c: the one writer of the session log. An event of room through the
 * store's audit callback (none: dropped); participant, role, name and actor
 * are ids and role names as given (NULL or ""); detail is a JSON object,
 * stolen, NULL = {}. */
void sv_audit(sv_signaling *sig, const char *room, const char *event, const char *participant,
              const char *role, const char *name, const char *actor, json_t *detail);
/* An event about p: its room, id, role and name. */
void sv_audit_participant(sv_signaling *sig, const sv_participant *p, const char *event,
                          const char *actor, json_t *detail);
/* sv_audit, and one server log line under module ("audit <event>: room
 * ..., participant ...": recording and stills, where it is the operator's
 * trace of each step). */
void sv_audit_and_log(sv_signaling *sig, const char *module, const char *room, const char *event,
                      const char *participant, const char *role, const char *name,
                      const char *actor, json_t *detail);

/* host.c: the host's messages (admit, reject, remove, end, waiting-message)
 * and what happens when a host comes or goes. */
void sv_host_handle(sv_conn *c, const struct sv_msg *m);
/* Called after p left room (p already removed): picks a new host if p was
 * it, or tells the waiting that no host is present. */
void sv_host_after_leave(sv_signaling *sig, sv_room *room, bool was_host);
/* The one check that c may act as host (sv_participant_is_host: a
 * specialist in the call), for every host-only message (host.c,
 * classroom.c, recording.c, screenshare.c); c has joined. Otherwise sends
 * `forbidden` and returns false. */
bool sv_host_require(sv_conn *c, const struct sv_msg *m);
/* The participant a host message names (m->participant) in the sender's
 * room, for every host message that names one (host.c, classroom.c,
 * screenshare.c). Sends the error and returns NULL when there is none
 * (not-found), when it is the sender (conflict), or when it is waiting and
 * allow_waiting is false (conflict). */
sv_participant *sv_host_target(sv_conn *c, const struct sv_msg *m, bool allow_waiting);

/* recording.c: consented recording and still capture (docs/protocol.md,
 * "Recording"). */
/* NULL when config has no recordings_dir or record_program (recording off). */
struct sv_recordings *sv_recordings_new(const sv_signaling_config *config, sv_signaling *sig);
/* Stops every recorder (the files are finalised by samvei-record). */
void sv_recordings_free(struct sv_recordings *recs);
void sv_recording_handle(sv_conn *c, const struct sv_msg *m);
/* p is now in the room with media (joined or admitted). */
void sv_recording_after_join(sv_signaling *sig, sv_participant *p);
/* p is leaving room (still in it). */
void sv_recording_before_leave(sv_signaling *sig, sv_participant *p);
/* Serves GET /api/recordings/<key> (a download link given to a host):
 * fills *path (g_free) and *type and returns true when key names a file. */
/* The recordings and stills of room as a JSON array of {file, kind
 * (recording|still), url (download link, prefixed with base_url when given),
 * bytes, modified}; empty when there are none or recording is off. */
json_t *sv_recording_files(sv_signaling *sig, const char *room, const char *base_url);
bool sv_recording_download(sv_signaling *sig, const char *key, char **path, const char **type);
/* Why no still of t can be taken now: "conflict" (t is being recorded) or
 * "busy" (a still of t is being taken), with a sentence in why; NULL when
 * one can. */
const char *sv_recording_still_blocked(sv_signaling *sig, const sv_participant *t, char *why,
                                       size_t len);
/* Starts a still of t for the host with participant id host; its
 * capture-ready or capture-failed goes to host. false (logged) on failure. */
bool sv_recording_still_start(sv_signaling *sig, sv_participant *t, const char *host);

/* stills.c: a still only with the consent of the one whose camera it is
 * (docs/protocol.md, "Recording and still capture"). Owned by recording.c. */
#define SV_STILL_CONSENT_S 30 /* an ask not answered by then counts as declined */
struct sv_stills *sv_stills_new(sv_signaling *sig);
void sv_stills_free(struct sv_stills *s);
/* `capture` from a host: asks the person (capture-request). */
void sv_stills_ask(struct sv_stills *s, sv_conn *c, const struct sv_msg *m);
/* `capture-consent` from the person asked. */
void sv_stills_answer(struct sv_stills *s, sv_conn *c, const struct sv_msg *m);
/* p is leaving its room: its open asks, as person or host, end. */
void sv_stills_before_leave(struct sv_stills *s, sv_participant *p);

/* links.c: removes whoever is in a room with an invitation that is no
 * longer valid (revoked, or not of this room) and ends the rooms of
 * cancelled consultations; store errors remove nobody. Safe to call at
 * any time on the main thread outside a participant's own callback. */
#define SV_LINKS_RECHECK_S 15
void sv_links_recheck(sv_signaling *sig);
/* GSourceFunc for the periodic recheck; data is the sv_signaling *. */
gboolean sv_links_on_timer(gpointer data);

/* linkcheck.c: whether a join link opens its consultation now; the one
 * check `join` and GET /api/link share (docs/api.md, "GET /api/link"). */
typedef enum sv_link_status {
  SV_LINK_OK,
  SV_LINK_TOO_EARLY,   /* not open yet: opens_at says when */
  SV_LINK_EXPIRED,     /* the token expired, or the consultation is over */
  SV_LINK_REVOKED,     /* the organiser revoked the invitation */
  SV_LINK_ENDED,       /* its host ended it, or it was cancelled (reason "cancelled") */
  SV_LINK_REMOVED,     /* a host removed this link's holder from the room */
  SV_LINK_INVALID,     /* malformed, forged, another room or role, not an invitation */
  SV_LINK_UNAVAILABLE, /* the store could not answer: nobody is let in unchecked */
} sv_link_status;

typedef struct sv_link_check {
  sv_link_status status;
  const char *code;   /* the join's protocol error code; NULL when ok */
  const char *reason; /* one word for clients: the status, or "cancelled"; NULL when ok */
  char message[512];  /* an English sentence saying why (logs, old clients) */
  bool known;         /* the room is a booked consultation: info is filled */
  sv_signaling_consultation info;
  const char *role;               /* the token's role (static), NULL without a token */
  char name[128];                 /* the token's display name, "" when none */
  char id[SV_TOKEN_HASH_LEN + 1]; /* the link's id (token.h), "" without a token */
  int64_t opens_at;               /* SV_LINK_TOO_EARLY: Unix seconds */
} sv_link_check;

/* Checks token (NULL: a join without one; only the room's state counts)
 * for room (NULL: the token's own room) at now (Unix seconds), exactly as
 * a join does, and fills *out. Reads only: takes no seat, marks nothing
 * used. Returns true when the link opens the room now. */
bool sv_link_check_run(sv_signaling *sig, const char *room, const char *token, int64_t now,
                       sv_link_check *out);
/* "ok", "too-early", "expired", "revoked", "ended", "removed", "invalid",
 * "unavailable". */
const char *sv_link_status_name(sv_link_status status);

/* api/api_link.c: GET /api/link (no API key: the link's own token). */
void sv_api_link(sv_signaling *sig, sv_api_call *call, sv_api_resp *resp);

/* adapt.c: weak links (docs/protocol.md, "Weak links"): `layer` and
 * `audio-only`. */
void sv_adapt_handle(sv_conn *c, const struct sv_msg *m);

/* media_state.c: `media-state`, a participant's microphone muted or not and
 * camera on or off, kept for the participant list and told to the others. */
void sv_media_state_handle(sv_conn *c, const struct sv_msg *m);

/* classroom.c: group teaching (docs/protocol.md, "Group teaching"):
 * make-presenter, revoke-presenter, give-floor, take-floor, raise-hand,
 * lower-hand. Each hook below does nothing outside group-teaching rooms. */
void sv_classroom_handle(sv_conn *c, const struct sv_msg *m);
/* Adds `presenter` and `attendees` to a join or admitted reply for p. */
void sv_classroom_reply_fields(const sv_participant *p, json_t *reply);
/* p is in with media (joined or admitted), its reply sent: an attendee
 * receives only, a presenter gets the hand queue; the count is told. */
void sv_classroom_after_join(sv_signaling *sig, sv_participant *p);
/* p has just joined (not yet told anyone): someone a host made presenter
 * who comes back with the same link (a dropped connection) presents again. */
void sv_classroom_restore_presenter(sv_signaling *sig, sv_participant *p);
/* p is leaving for reason (session.c's reasons; the others already told):
 * off the queue and the floor, the count is told. A dropped connection
 * ("disconnected", "failed", "replaced") keeps a made presenter's role and
 * the floor (SV_TEACHING_FLOOR_KEEP_US) for p's link; any other reason
 * forgets the role. */
void sv_classroom_before_leave(sv_signaling *sig, sv_participant *p, const char *reason);
/* Sends msg (stolen) to everyone in the call of a group-teaching room; to
 * attendees without `by`/`name` when they cannot see `by`, and with only
 * the ids they see in `agreed` (recording states). */
void sv_classroom_broadcast(sv_room *room, json_t *msg, const sv_participant *by);
/* Sends msg (stolen) to the presenters in the call of room, and to also
 * (may be NULL). */
void sv_classroom_to_presenters(sv_room *room, const sv_participant *also, json_t *msg);

/* screenshare.c: screen sharing. `stop-share` from a host; the relay's
 * word that p's share began or ended (audited); p is leaving while it
 * shares (audited as stopped with reason). */
void sv_screenshare_handle(sv_conn *c, const struct sv_msg *m);
void sv_screenshare_changed(sv_signaling *sig, sv_participant *p, bool on);
void sv_screenshare_before_leave(sv_signaling *sig, sv_participant *p, const char *reason);

/* session.c: the client messages of docs/protocol.md. */
void sv_session_handle(sv_conn *c, const char *data, size_t len);
/* The checks most messages after join share. Each sends the error (conflict:
 * not joined or still waiting; internal: no relay) and returns false. */
bool sv_session_require_joined(sv_conn *c, const struct sv_msg *m);
bool sv_session_require_relay(sv_conn *c, const struct sv_msg *m);
/* Ends c's participation (if any): tells the relay and the room, unless the
 * server is closing. reason: "left", "disconnected" or "failed". */
void sv_session_leave(sv_conn *c, const char *reason);
/* Ends p's participation with reason ("left", "disconnected", "failed",
 * "rejected", "removed", "ended"), telling the relay and whoever should
 * know; c->participant is cleared. */
void sv_session_leave_participant(sv_conn *c, const char *reason);
/* Sends msg (stolen) to everyone in room except `except` (may be NULL);
 * joined participants only, plus the waiting when to_waiting. */
void sv_session_broadcast(sv_room *room, const sv_participant *except, json_t *msg,
                          bool to_waiting);
/* Sends msg (stolen), a message about subject, to everyone in room who is
 * shown subject (teaching.h, sv_teaching_sees), subject excluded. */
void sv_session_tell_about(sv_room *room, const sv_participant *subject, json_t *msg);
/* Sends msg (stolen) to the hosts (specialists joined) of room. */
void sv_session_to_hosts(sv_room *room, json_t *msg);
json_t *sv_session_participant_json(const sv_participant *p);
/* The list of room's people as `viewer` may see them (not viewer). */
json_t *sv_session_list(const sv_room *room, const sv_participant *viewer);
/* Records "media-started" when up is true and p had no media, and
 * "media-stopped" (with how long, and why) when up is false and it had. */
void sv_session_media_state(sv_signaling *sig, sv_participant *p, bool up, const char *why);
/* Maps an SV_E* code to a protocol error code ("bad-request", ...). */
const char *sv_session_error_code(int err);

/* A publish waiting for the relay's answer. */
typedef struct sv_pending {
  char participant[SV_PARTICIPANT_ID_LEN + 1];
  json_t *id; /* the client's request id (owned reference) or NULL */
} sv_pending;

void sv_pending_free(gpointer data);

#endif
