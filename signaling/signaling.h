/*
 * signaling.h — the signalling server: the one public interface of signaling/.
 *
 * libwebsockets on the main thread's GLib main loop serves the web client
 * (static files), GET /healthz, GET /metrics (Prometheus) and the WebSocket protocol of
 * docs/protocol.md at /ws (subprotocol samvei-v1). It keeps the rooms and participants, and wires
 * them to the relay: client requests become sv_relay_* calls, relay events
 * (sv_signaling_relay_events()) become messages to the clients.
 *
 * Threads: everything here runs on the thread that runs the GMainLoop given
 * to sv_signaling_new(), and every function must be called there.
 */
#ifndef SV_SIGNALING_H
#define SV_SIGNALING_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/relay.h"

typedef struct sv_signaling sv_signaling;
struct sv_store;

/* What a consultation's waiting screen shows; filled by the store. */
typedef struct sv_signaling_consultation {
  char title[200];
  int64_t start, end; /* Unix seconds */
  bool cancelled;     /* no link opens it */
  bool teaching;      /* of kind group-teaching: presenters and attendees (docs/protocol.md) */
  bool ended;         /* its host ended it: no link opens it again */
} sv_signaling_consultation;

/* The signalling server's view of storage (schedule/), as callbacks so that
 * signaling/ does not depend on a backend. Every member may be NULL; all
 * run on the main thread with `user` from the config. */
typedef struct sv_signaling_store {
  /* The invitation behind a join link, by the link's id (sv_token_claims.id,
   * the hex SHA-256 of the canonical token): 0 when it is valid, with its
   * consultation's id copied into room (room_len bytes); SV_EAUTH when it
   * was revoked or its consultation cancelled; SV_ENOENT when no invitation
   * has this id (a token made by `samvei token`); any other negative code
   * when the store could not answer. A join is refused on SV_EAUTH, on a
   * store error, on a room that differs, and on SV_ENOENT for a booked
   * consultation. */
  int (*link)(void *user, const char *link_id, char *room, size_t room_len);
  /* Fills *out and returns 0 when room_id is a booked consultation;
   * SV_ENOENT when it is not one (an ad-hoc room); another negative code
   * when the store could not answer (the join is refused then). */
  int (*consultation)(void *user, const char *room_id, sv_signaling_consultation *out);
  /* Appends an audit event: event is "joined", "waiting", "admitted",
   * "rejected", "left", "removed", "ended", or one of recording and
   * capture (docs/protocol.md, "Recording"): "record-requested",
   * "record-consent", "record-refused", "recording-started",
   * "recording-stopped", "recording-file", "capture"; "chat-used" (the
   * participant sent chat, once per join; never the text); group teaching:
   * "presenter-made", "presenter-revoked", "hand-raised", "hand-lowered",
   * "floor-given", "floor-taken"; participant, role and actor
   * (who admitted/removed, or NULL) are ids and role names; detail is a
   * compact JSON object (e.g. {"duration_s":61,"notice_ack":true}). */
  void (*audit)(void *user, const char *room_id, const char *event, const char *participant,
                const char *role, const char *name, const char *actor, const char *detail);
  /* Someone joined (or started waiting) with the link of this id: the
   * invitation's first use is recorded. */
  void (*token_used)(void *user, const char *link_id);
  /* A host ended the booked consultation room_id: remembered across
   * restarts (consultation() then reports it ended). */
  void (*ended)(void *user, const char *room_id);
} sv_signaling_store;

typedef struct sv_signaling_config {
  const char *bind_address;    /* IP literal or "localhost"; NULL = "0.0.0.0" */
  uint16_t port;               /* 0 = any free port (see sv_signaling_port()) */
  const char *cert_path;       /* PEM certificate (chain) for HTTPS, or NULL */
  const char *key_path;        /* its PEM private key, or NULL */
  const char *web_root;        /* directory with the web client; NULL = "web" */
  bool allow_open_rooms;       /* development: join any room without a token */
  bool chat_off;               /* in-call chat switched off (--chat off) */
  size_t max_message;          /* bytes per WebSocket message; 0 = 64 KiB */
  size_t max_room_size;        /* participants per room; 0 = 16 */
  size_t max_teaching_size;    /* ... per group-teaching room; 0 = 100 */
  const uint8_t *token_secret; /* HS256 secret for join tokens (copied); NULL = no tokens */
  size_t token_secret_len;
  int join_grace_before_min;  /* a consultation admits from start minus this... */
  int join_grace_after_min;   /* ...to its end plus this */
  int waiting_room_open_min;  /* the waiting room opens this long before the start */
  const char *privacy_notice; /* served at GET /api/notice; NULL = client's own text */
  /* served at GET /api/accessibility (plain text); NULL = the client's template */
  const char *accessibility_statement;
  const char *version;        /* shown in /metrics (samvei_build_info); NULL = "unknown" */
  const char *turn_uris;      /* comma-separated turn:/turns:/stun: URIs for clients; NULL = none */
  const char *turn_secret;    /* coturn static-auth-secret for their credentials */
  unsigned turn_ttl;          /* seconds the credentials stay valid; 0 = 86400 */
  const char *recordings_dir; /* <data-dir>/recordings; NULL = recording is off */
  const char *record_program; /* path of samvei-record */
  int recording_retention_days;    /* recordings and stills older than this are deleted; 0 = kept */
  const sv_signaling_store *store; /* borrowed, may be NULL */
  void *store_user;
  /* The REST API (/api, docs/api.md) and urgent guidance use the store
   * directly; borrowed, must outlive the server. NULL: /api answers 503. */
  struct sv_store *db;
  /* Base of the links the API returns, e.g. "https://samvei.example.org";
   * NULL = the scheme and Host header of each request. */
  const char *public_url;
  /* Seconds after which a requester whose urgent request nobody accepted
   * is shown the on-call team's phone number; 0 = 120. */
  unsigned urgent_fallback_s;
  /* Resource bounds (docs/operations.md, "Security"). */
  const char *allowed_origins; /* comma-separated origins a browser's /ws may come from, or NULL */
  unsigned max_conns_per_ip;   /* open connections per remote address; 0 = 64 */
  unsigned unjoined_timeout_s; /* a WebSocket without a valid join is closed after; 0 = 30 */
  unsigned body_timeout_s;     /* a request's headers and body must arrive within; 0 = 10 */
} sv_signaling_config;

/* Starts listening. Without cert_path and key_path the server speaks plain
 * HTTP, which is allowed only on a loopback bind address (127.0.0.0/8, ::1,
 * localhost); otherwise, and when the certificate, key or web root cannot
 * be used or the port cannot be bound, it logs a sentence saying what to do
 * and returns SV_EINVAL or SV_EIO without starting anything.
 * The strings in config are copied; loop is borrowed and must outlive the
 * server. On success *out owns the server; free with sv_signaling_free(). */
int sv_signaling_new(const sv_signaling_config *config, GMainLoop *loop, sv_signaling **out);

/* Closes every connection (without telling the relay or other clients) and
 * frees the server. Detach and free the relay first (set_relay(NULL),
 * sv_relay_free()), so no relay event arrives afterwards. NULL is fine. */
void sv_signaling_free(sv_signaling *sig);

/* The event table to give sv_relay_new() together with the sv_signaling *
 * as its `user`. Static; never freed. */
const sv_relay_events *sv_signaling_relay_events(void);

/* Attaches the relay (borrowed; NULL detaches). Until a relay is attached,
 * rooms and chat work and publish is answered with an `internal` error. */
void sv_signaling_set_relay(sv_signaling *sig, sv_relay *relay);

/* The port actually listened on (useful with port 0). */
int sv_signaling_port(const sv_signaling *sig);
/* true when serving HTTPS/WSS, false for plain loopback HTTP. */
bool sv_signaling_is_tls(const sv_signaling *sig);

/* Starts a graceful restart: from now on a join is refused with error code
 * `restarting`, and every connected client is sent
 * {"type":"server-restarting","retryAfterMs":N} with N from retry_after_ms
 * plus up to 50 % random spread, so clients do not all come back at once.
 * People in a call stay until they leave or the server is freed. A second
 * call does nothing. */
void sv_signaling_drain(sv_signaling *sig, unsigned retry_after_ms);
/* Participants in rooms now. */
size_t sv_signaling_participant_count(const sv_signaling *sig);

/* Asks the store again about everyone in a room who came with a link:
 * those whose invitation was revoked are removed (`removed`, by
 * "organiser"), and the rooms of cancelled consultations end (`ended`).
 * The server does this itself every few seconds and right after the API
 * revokes or cancels; a store that cannot answer removes nobody. */
void sv_signaling_recheck_links(sv_signaling *sig);

/* Reloads the certificate chain and key from the files given at start into
 * the listening TLS context: new connections get the new certificate, open
 * ones (and their calls) are untouched. Returns 0; SV_EINVAL (logged, the
 * old certificate stays) when the files cannot be used; SV_ESTATE for a
 * plain HTTP server. */
int sv_signaling_reload_tls(sv_signaling *sig);

/* True for 127.0.0.0/8, ::1 (and ::ffff:127.x.y.z) and "localhost". */
bool sv_signaling_is_loopback(const char *address);

#endif
