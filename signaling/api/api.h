/*
 * api.h — the REST API under /api (docs/api.md), private to signaling/.
 *
 * http.c collects a request (method, path, query, Authorization, body up to
 * SV_API_MAX_BODY) into an sv_api_call and hands it to sv_api_handle(),
 * which checks the API key, routes by path and method to one handler per
 * resource (api_teams.c, api_consultations.c, api_invitations.c,
 * api_log.c) and fills an sv_api_resp. Handlers never touch lws: they take
 * JSON in and give JSON (or iCalendar, CSV) out, so a bad request can only
 * ever produce an error response.
 *
 * Errors are {"error":{"code":"...","message":"..."}} with the protocol's
 * codes and the matching HTTP status (sv_api_error()).
 *
 * Main thread only (the store belongs to it).
 */
#ifndef SV_SIGNALING_API_H
#define SV_SIGNALING_API_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "schedule/store.h"

#define SV_API_MAX_BODY       (64 * 1024) /* a larger request body gets 413 too-big */
#define SV_API_MAX_QUERY      16          /* query parameters read; more get 400 */
#define SV_API_MAX_VALUE      256         /* bytes of one query value */
#define SV_API_MAX_TOKEN_NAME 127 /* bytes of a name that goes into a token (sv_token_claims) */

struct sv_signaling;

/* One request as received. Owned by the HTTP session (sv_http_pss);
 * sv_api_call_free() frees it. */
typedef struct sv_api_call {
  int method;                    /* LWSHUMETH_* */
  char *path;                    /* "/api/teams/abc" */
  GHashTable *query;             /* name → value (decoded), owned strings */
  char *auth;                    /* the Authorization header, or NULL */
  char *base_url;                /* "https://host:port": where join links point */
  GByteArray *body;              /* what arrived so far (at most SV_API_MAX_BODY bytes) */
  bool too_big;                  /* the body went over SV_API_MAX_BODY: answered with 413 */
  bool bad_query;                /* a query parameter was not UTF-8 or over its cap: 400 */
  bool too_many_query;           /* more than SV_API_MAX_QUERY parameters: 400 */
  bool no_length;                /* a body came without Content-Length (chunked): not read */
  char actor[SV_STORE_NAME_MAX]; /* the API key's name, once authenticated */
} sv_api_call;

/* A response. body is g_malloc'd (taken over by http.c). */
typedef struct sv_api_resp {
  unsigned status;
  const char *type; /* static content type */
  char *body;
  size_t len;
  char *disposition; /* g_malloc'd Content-Disposition value, or NULL */
} sv_api_resp;

void sv_api_call_free(sv_api_call *call);

/* Handles call and fills *resp (always: errors are responses too). */
void sv_api_handle(struct sv_signaling *sig, sv_api_call *call, sv_api_resp *resp);
/* Checks call->auth (Authorization: Bearer <key>) against the stored keys:
 * true (call->actor set), or false with the 401 in *resp. */
bool sv_api_authenticate(struct sv_signaling *sig, sv_api_call *call, sv_api_resp *resp);

/* ---- helpers shared by the resource files (api.c) --------------------- */

/* Fills resp with the error `code` (bad-request, unauthorized, forbidden,
 * not-found, method-not-allowed, conflict, too-big, unavailable, internal)
 * and its HTTP status, with a printf-style message. */
void sv_api_error(sv_api_resp *resp, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The error for an SV_E* code from the store: SV_ENOENT → not-found "what
 * does not exist", SV_ESTATE/SV_EEXIST → conflict, SV_EINVAL → bad-request,
 * anything else → internal. */
void sv_api_store_error(sv_api_resp *resp, int err, const char *what);
/* Fills resp with doc (stolen) as JSON and the given status. */
void sv_api_json(sv_api_resp *resp, unsigned status, json_t *doc);
/* Parses the body as a JSON object. Returns it (caller decrefs), or NULL
 * with the error filled in. */
json_t *sv_api_body_object(const sv_api_call *call, sv_api_resp *resp);

/* Unix seconds as "2026-11-23T09:00:00Z" (g_free). */
char *sv_api_time_iso(int64_t t);
/* Reads an ISO 8601 time with a zone ("2026-11-23T10:00:00+01:00", "...Z")
 * or Unix seconds (a JSON integer). Returns false for anything else. */
bool sv_api_time_parse(json_t *value, int64_t *out);

/* Checks that the optional string member `name` of obj is 1..max characters
 * and at most max_bytes bytes (what its destination holds, so a copy never
 * cuts a character) of plain text, not only spaces. Returns true and sets
 * *out (borrowed, may be NULL when absent and !required); else fills resp. */
bool sv_api_text_field(json_t *obj, const char *name, size_t max, size_t max_bytes, bool required,
                       const char **out, sv_api_resp *resp);

/* Resource handlers: rest is the path after the prefix ("" or "/id..."). */
void sv_api_teams(struct sv_signaling *sig, sv_api_call *call, const char *rest, sv_api_resp *resp);
/* /api/teams/{id}/urgent-links[/{link}] (api_urgent_links.c); rest is
 * what follows "urgent-links". */
void sv_api_urgent_links(struct sv_signaling *sig, sv_api_call *call, const sv_team *team,
                         const char *rest, sv_api_resp *resp);
void sv_api_consultations(struct sv_signaling *sig, sv_api_call *call, const char *rest,
                          sv_api_resp *resp);
void sv_api_invitations(struct sv_signaling *sig, sv_api_call *call, const char *rest,
                        sv_api_resp *resp);
/* POST/GET /api/consultations/{id}/invitations (from api_consultations.c). */
void sv_api_consultation_invitations(struct sv_signaling *sig, sv_api_call *call,
                                     const sv_consultation *c, sv_api_resp *resp);
void sv_api_audit(struct sv_signaling *sig, sv_api_call *call, sv_api_resp *resp);
void sv_api_stats(struct sv_signaling *sig, sv_api_call *call, sv_api_resp *resp);
/* GET /api/consultations/{id}.ics and /api/invitations/{id}.ics
 * (api_ics.c): the calendar file in lang ("nb" or "en"); link (may be
 * NULL) is one person's join link, put in the DESCRIPTION. */
void sv_api_ics(const sv_consultation *c, int64_t now, const char *lang, const char *link,
                sv_api_resp *resp);
/* Reads the query's lang: absent → "nb"; nb or en; else false with the
 * 400 bad-request in *resp. */
bool sv_api_ics_lang(const sv_api_call *call, const char **lang, sv_api_resp *resp);

json_t *sv_api_team_json(const sv_team *t);
json_t *sv_api_consultation_json(const sv_consultation *c);

#endif
