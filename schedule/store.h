/*
 * store.h — samvei's storage: teams, consultations, invitations, API keys,
 * urgent requests and the hash-chained audit log, behind one interface with
 * two backends: SQLite (embedded default, one file <data-dir>/samvei.db in
 * WAL mode) and PostgreSQL (libpq, for several nodes sharing one database).
 *
 * The schema is versioned (table schema_version); sv_store_open() applies the
 * missing migrations in one transaction, so opening is also upgrading.
 *
 * Conventions: ids are opaque random ids ([a-z0-9], SV_STORE_ID_LEN
 * characters, from sv_random_id()); times are Unix seconds (UTC); strings in
 * the structs are NUL-terminated copies the caller owns (no pointers into the
 * store). Functions return 0 or a negative SV_E* code: SV_EINVAL for bad
 * input (an unknown kind, an empty name, end before start), SV_ENOENT when
 * the id is unknown, SV_ESTATE when the change is not allowed in the
 * current state, SV_EEXIST for a duplicate, SV_EIO when the database failed
 * (logged with the backend's message). On error nothing is changed.
 *
 * Changes that matter to people append their audit event in the same
 * transaction, so the log and the data cannot disagree: consultation
 * create/update/cancel ("booked", "changed", "cancelled"), invitation
 * add/revoke ("invitation-issued", "invitation-revoked"), urgent
 * add/accept/withdrawn ("urgent-request", "urgent-accept",
 * "urgent-withdrawn") and retention ("retention"). Callers
 * must not append those events again.
 *
 * Threads: an sv_store belongs to the thread that opened it (the main loop
 * thread in the server) and is used only there. Several processes may use
 * the same database at once (the server and `samvei audit ...`).
 */
#ifndef SV_STORE_H
#define SV_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_STORE_ID_LEN     20  /* characters of a new random id */
#define SV_STORE_ID_MAX     64  /* room ids from tokens may be up to 63 characters */
#define SV_STORE_NAME_MAX   260 /* 64 characters of up to 4 bytes, as signalling allows */
#define SV_STORE_TITLE_MAX  200
#define SV_STORE_HASH_MAX   65   /* hex SHA-256 + NUL */
#define SV_STORE_PHONE_MAX  32   /* a team's phone number, with NUL */
#define SV_STORE_DETAIL_MAX 1024 /* an audit event's detail JSON, with NUL */

typedef struct sv_store sv_store;

/* Opens the database named by database_url: NULL or "" is SQLite in
 * <data_dir>/samvei.db (the directory is created when missing);
 * "postgres://..." or "postgresql://..." is PostgreSQL (libpq URI).
 * Applies the schema migrations. On success *out owns the store (close with
 * sv_store_close()); on failure *error is a g_malloc'd sentence saying what
 * failed and what to do (caller g_free()s) and SV_EINVAL (bad URL) or SV_EIO
 * is returned. */
int sv_store_open(const char *database_url, const char *data_dir, sv_store **out, char **error);
/* Closes the connection and frees st. NULL is fine. */
void sv_store_close(sv_store *st);
/* "sqlite" or "postgresql". Static string. */
const char *sv_store_backend_name(const sv_store *st);
/* The schema version the database is at after sv_store_open(). */
int sv_store_schema_version(const sv_store *st);

/* ---- teams ---------------------------------------------------------------- */

typedef struct sv_team {
  char id[SV_STORE_ID_MAX];
  char name[SV_STORE_NAME_MAX];
  char kind[16]; /* "specialist" | "municipal" */
  char organisation[SV_STORE_NAME_MAX];
  bool on_call;
  int distance_km; /* one way to the specialists; 0 = unknown (no travel avoided counted) */
  char phone[SV_STORE_PHONE_MAX]; /* shown when an urgent request goes unanswered; "" = none */
} sv_team;

/* Whether kind is a team kind ("specialist" or "municipal"); false for NULL. */
bool sv_team_kind_valid(const char *kind);
/* Whether t is a specialist team that takes urgent requests (onCall). */
bool sv_team_takes_urgent(const sv_team *t);

/* Stores team with a new id, written to team->id (any id given is ignored).
 * SV_EINVAL: empty name, kind not specialist/municipal, distance < 0. */
int sv_store_team_create(sv_store *st, sv_team *team);
/* Fills *out. SV_ENOENT when there is no such team. */
int sv_store_team_get(sv_store *st, const char *id, sv_team *out);
/* Replaces every field of the team team->id. SV_ENOENT, SV_EINVAL as create. */
int sv_store_team_update(sv_store *st, const sv_team *team);
/* Deletes a team. SV_ENOENT; SV_ESTATE while a consultation or urgent
 * request names it (its history would lose its team). */
int sv_store_team_delete(sv_store *st, const char *id);
/* All teams ordered by name. *out is a g_malloc'd array of *n teams (NULL
 * when 0) the caller g_free()s. */
int sv_store_team_list(sv_store *st, sv_team **out, size_t *n);

/* ---- consultations -------------------------------------------------------- */

typedef struct sv_consultation {
  char id[SV_STORE_ID_MAX]; /* also the opaque room id in URLs and tokens */
  char kind[16];            /* "guidance" | "urgent" | "follow-up" | "group-teaching" */
  char title[SV_STORE_TITLE_MAX];
  int64_t start, end;
  char host_team[SV_STORE_ID_MAX];  /* team id, "" = none */
  char guest_team[SV_STORE_ID_MAX]; /* team id, "" = none (e.g. a patient only) */
  char status[16];                  /* "booked" | "cancelled" | "held" */
  int64_t created, updated;
  int64_t ended; /* when its host ended it (no link opens it since); 0 = not ended */
} sv_consultation;

/* Books c: gives it a new id (written to c->id), status "booked", created =
 * updated = now, and appends "booked" (actor: who booked, e.g. the API key's
 * name; may be NULL). SV_EINVAL: unknown kind, empty title, end <= start, or
 * a host/guest team id that does not exist. */
int sv_store_consultation_create(sv_store *st, sv_consultation *c, const char *actor, int64_t now);
/* Fills *out. SV_ENOENT. */
int sv_store_consultation_get(sv_store *st, const char *id, sv_consultation *out);
/* Reschedules: sets title, start and end of the consultation c->id (other
 * fields of c are ignored) and appends "changed" with the old and new
 * times. SV_ENOENT; SV_ESTATE when it is cancelled; SV_EINVAL as create. */
int sv_store_consultation_update(sv_store *st, const sv_consultation *c, const char *actor,
                                 int64_t now);
/* Cancels and appends "cancelled"; its invitations stop working
 * (sv_store_token_check() gives SV_EAUTH for them). SV_ENOENT; SV_ESTATE when
 * already cancelled. */
int sv_store_consultation_cancel(sv_store *st, const char *id, const char *actor, int64_t now);
/* Marks a booked consultation "held" (done automatically when the audit log
 * records its first "joined"). SV_ENOENT; cancelled ones stay cancelled. */
int sv_store_consultation_mark_held(sv_store *st, const char *id, int64_t now);

/* Records that its host ended the consultation at now (the first time
 * counts; later calls change nothing). SV_ENOENT. */
int sv_store_consultation_mark_ended(sv_store *st, const char *id, int64_t now);

typedef struct sv_consultation_filter {
  int64_t from, to;   /* overlapping [from, to): start < to and end > from; 0 = open */
  const char *team;   /* host or guest team id; NULL or "" = any */
  const char *status; /* NULL or "" = any */
} sv_consultation_filter;

/* Consultations matching filter (NULL = all), ordered by start. *out is a
 * g_malloc'd array of *n the caller g_free()s. */
int sv_store_consultation_list(sv_store *st, const sv_consultation_filter *filter,
                               sv_consultation **out, size_t *n);

/* ---- invitations and join tokens ------------------------------------------ */

typedef struct sv_invitation {
  char id[SV_STORE_ID_MAX];
  char consultation[SV_STORE_ID_MAX];
  char role[16]; /* a role of sv_room_role(): specialist, municipal, patient, ... */
  char name[SV_STORE_NAME_MAX];
  char token_hash[SV_STORE_HASH_MAX]; /* sv_token_hash() of the token */
  int64_t issued, expires;
  int64_t used;    /* first join, 0 = never */
  int64_t revoked; /* 0 = valid */
} sv_invitation;

/* Stores inv with a new id (written to inv->id), issued = now, used =
 * revoked = 0, and appends "invitation-issued" (role and name; never the
 * token). SV_ENOENT: no such consultation; SV_EINVAL: unknown role, empty
 * name, hash not 64 hex digits; SV_EEXIST: the hash is already stored. */
int sv_store_invitation_add(sv_store *st, sv_invitation *inv, const char *actor, int64_t now);
/* The invitations of a consultation, oldest first (*out g_free()d). */
int sv_store_invitation_list(sv_store *st, const char *consultation, sv_invitation **out,
                             size_t *n);
/* Revokes and appends "invitation-revoked". SV_ENOENT; SV_ESTATE when
 * already revoked. */
int sv_store_invitation_revoke(sv_store *st, const char *id, const char *actor, int64_t now);
/* Fills *out for the invitation with this id. SV_ENOENT. */
int sv_store_invitation_get(sv_store *st, const char *id, sv_invitation *out);
/* Fills *out for the invitation with this token hash. SV_ENOENT. */
int sv_store_invitation_by_hash(sv_store *st, const char *token_hash, sv_invitation *out);
/* Records the first join with this token (later calls keep the first time).
 * SV_ENOENT when no invitation has this hash. */
int sv_store_invitation_mark_used(sv_store *st, const char *token_hash, int64_t now);
/* May the join link with this token hash (sv_token_claims.id) be used?
 * 0: its invitation is valid. SV_EAUTH: the invitation was revoked, or its
 * consultation is cancelled (or gone). SV_ENOENT: no invitation has this
 * hash (a token made by `samvei token`: the caller decides; for a booked
 * consultation it must refuse). SV_EIO: the database failed; the caller
 * must refuse (fail closed). *out (may be NULL) gets the invitation for 0
 * and SV_EAUTH, so the caller can check that it names the room joined. */
int sv_store_token_check(sv_store *st, const char *token_hash, sv_invitation *out);

/* ---- API keys -------------------------------------------------------------- */

typedef struct sv_apikey {
  char id[SV_STORE_ID_MAX];
  char name[SV_STORE_NAME_MAX];
  int64_t created, revoked; /* revoked 0 = valid */
} sv_apikey;

/* Stores a key by its hex SHA-256 (the key itself is never stored); its new
 * id goes to id_out (may be NULL). SV_EINVAL: empty name or bad hash;
 * SV_EEXIST: hash already stored. */
int sv_store_apikey_add(sv_store *st, const char *name, const char *key_hash, int64_t now,
                        char id_out[SV_STORE_ID_MAX]);
/* true when key_hash names a key that is not revoked; fills *out (may be
 * NULL) with its id and name (the actor of what it does). */
bool sv_store_apikey_check(sv_store *st, const char *key_hash, sv_apikey *out);
/* SV_ENOENT; SV_ESTATE when already revoked. */
int sv_store_apikey_revoke(sv_store *st, const char *id, int64_t now);
/* Every key, oldest first (*out g_free()d). */
int sv_store_apikey_list(sv_store *st, sv_apikey **out, size_t *n);

/* ---- urgent guidance requests ---------------------------------------------- */

typedef struct sv_urgent {
  char id[SV_STORE_ID_MAX];
  char consultation[SV_STORE_ID_MAX]; /* the room both land in */
  char from_team[SV_STORE_ID_MAX];    /* asking team id, "" = unknown */
  char to_team[SV_STORE_ID_MAX];      /* the on-call team asked */
  int64_t requested_at;
  int64_t accepted_at; /* 0 = still waiting */
  char accepted_by[SV_STORE_NAME_MAX];
} sv_urgent;

/* Stores u with a new id (u->id), requested_at = now, not accepted, and
 * appends "urgent-request". SV_EINVAL: empty consultation or to_team. */
int sv_store_urgent_add(sv_store *st, sv_urgent *u, const char *actor, int64_t now);
/* Accepts, once: the first caller wins, a later one gets SV_ESTATE.
 * Appends "urgent-accept" with the wait in seconds. SV_ENOENT. */
int sv_store_urgent_accept(sv_store *st, const char *id, const char *accepted_by, int64_t now);
/* Appends "urgent-withdrawn" (detail: the request and `reason`, "left" or
 * "cancelled") for a request nobody accepted; the request row stays, not
 * accepted. SV_ENOENT. */
int sv_store_urgent_withdrawn(sv_store *st, const char *id, const char *reason, const char *actor,
                              int64_t now);
int sv_store_urgent_get(sv_store *st, const char *id, sv_urgent *out);
/* Requests to team (NULL or "" = all), newest first; waiting_only keeps the
 * ones not yet accepted (*out g_free()d). */
int sv_store_urgent_list(sv_store *st, const char *team, bool waiting_only, sv_urgent **out,
                         size_t *n);

/* Requests from from_team requested at or after since → *n (the hourly
 * limit on urgent requests). */
int sv_store_urgent_count_since(sv_store *st, const char *from_team, int64_t since, int *n);

/* ---- urgent links ---------------------------------------------------------- */

typedef struct sv_urgent_link {
  char id[SV_STORE_ID_MAX];
  char team[SV_STORE_ID_MAX];        /* the team the link is for */
  char role[16];                     /* "on-call" | "requester" */
  char name[SV_STORE_NAME_MAX];      /* whose link */
  char to_team[SV_STORE_ID_MAX];     /* requester: the on-call team asked */
  int64_t created, expires, revoked; /* revoked 0 = valid */
} sv_urgent_link;

/* Stores l (a new id goes to l->id; created = now) by the hex SHA-256 of
 * its token. SV_EINVAL: empty team or role, or a bad hash. */
int sv_store_urgent_link_add(sv_store *st, sv_urgent_link *l, const char *token_hash, int64_t now);
/* 0: the link is stored and valid; SV_EAUTH: revoked; SV_ENOENT: no link
 * has this hash (made before links were stored, or forged); SV_EIO. *out
 * (may be NULL) gets the link for 0 and SV_EAUTH. */
int sv_store_urgent_link_check(sv_store *st, const char *token_hash, sv_urgent_link *out);
/* SV_ENOENT; SV_ESTATE when already revoked. */
int sv_store_urgent_link_revoke(sv_store *st, const char *id, int64_t now);
int sv_store_urgent_link_get(sv_store *st, const char *id, sv_urgent_link *out);
/* The links of team (NULL or "" = all), oldest first (*out g_free()d). */
int sv_store_urgent_link_list(sv_store *st, const char *team, sv_urgent_link **out, size_t *n);

/* ---- audit log ------------------------------------------------------------- */

typedef struct sv_audit_event {
  int64_t seq; /* 1, 2, 3... in append order over the whole log */
  int64_t ts;
  char consultation[SV_STORE_ID_MAX]; /* room id, "" = none */
  char event[32];                     /* "joined", "left", "booked", ... */
  char participant[SV_STORE_ID_MAX];  /* participant id, "" = none */
  char role[16];
  char name[SV_STORE_NAME_MAX];     /* display name */
  char actor[SV_STORE_NAME_MAX];    /* who did it (host's participant id, API key name) */
  char detail[SV_STORE_DETAIL_MAX]; /* compact JSON object, "{}" when nothing */
  char prev_hash[SV_STORE_HASH_MAX];
  char hash[SV_STORE_HASH_MAX];
} sv_audit_event;

/* Appends ev to the chain: ev->ts 0 means now; seq, prev_hash and hash are
 * computed and written back into *ev. Safe when several processes append
 * (one transaction reads the last hash and inserts). A "joined" event marks
 * its booked consultation held. SV_EINVAL: empty event, detail not a JSON
 * object; SV_ETOOBIG: a field does not fit its array. */
int sv_store_audit_append(sv_store *st, sv_audit_event *ev);

typedef struct sv_audit_filter {
  const char *consultation; /* NULL or "" = every consultation */
  int64_t from, to;         /* ts in [from, to); 0 = open */
} sv_audit_filter;

/* Events matching filter (NULL = all) ordered by seq; *out g_free()d. */
int sv_store_audit_list(sv_store *st, const sv_audit_filter *filter, sv_audit_event **out,
                        size_t *n);
/* Recomputes the whole chain from the retention anchor (or the start).
 * Returns 0 when intact, with *first_bad_seq = 0 and *why NULL; SV_ESTATE
 * when broken, with *first_bad_seq the first event that does not match and
 * *why a g_malloc'd sentence naming it (its seq, UTC time and event) and
 * what is wrong; SV_EIO when the database cannot be read (*why says so).
 * The count of events checked goes to *n_events (may be NULL). */
int sv_store_audit_verify(sv_store *st, int64_t *first_bad_seq, char **why, size_t *n_events);
/* Retention: deletes whole UTC days older than `days` before now (every
 * event from the start of the chain up to the first one at or after
 * midnight UTC of the cutoff day), keeps the hash of the last deleted
 * event as the anchor that verify starts from, and appends a "retention"
 * event saying what it deleted. days 0 keeps everything (returns 0). The
 * number of deleted events goes to *deleted (may be NULL). */
int sv_store_audit_retain(sv_store *st, int days, int64_t now, size_t *deleted);

/* ---- monthly figures ------------------------------------------------------- */

typedef struct sv_team_stats {
  char team[SV_STORE_ID_MAX];
  char name[SV_STORE_NAME_MAX];
  char kind[16];
  char organisation[SV_STORE_NAME_MAX];
  int held;            /* consultations held (status "held") starting in the month */
  int64_t minutes;     /* their length: first "joined" to last "left"/"ended" in the
                          audit log, or end - start when the log holds none */
  int urgent_requests; /* asked by or of the team, requested in the month */
  int urgent_accepted;
  int64_t urgent_median_wait_s; /* median request → accept of the accepted ones; 0 = none */
  int64_t travel_avoided_km;    /* per held consultation, 2 × distance_km of each
                                   municipal team in it that has a distance */
} sv_team_stats;

/* Figures of every team for one UTC calendar month (month 1-12), ordered by
 * team name (sum by organisation for a municipality's figures); *out
 * g_free()d. SV_EINVAL for a bad month. */
int sv_store_stats_month(sv_store *st, int year, int month, sv_team_stats **out, size_t *n);

#endif
