/*
 * urgent.h — urgent guidance over the WebSocket (docs/protocol.md, "Urgent
 * guidance"): on-call specialists watch their team, municipal staff ask it
 * for help now, one specialist accepts, and both get a join link to the
 * same new consultation. Private to signaling/; main thread.
 *
 * Who may watch or ask is carried by tokens the REST API makes
 * (POST /api/teams/{id}/urgent-links): HS256 JWTs like join tokens, with
 * room "oncall-<team>" and role "on-call", or room "urgent-<team>" and role
 * "requester". Neither is a room role, so such a token cannot join a call.
 * Each link is stored by its token's hash (api/api_urgent_links.c): a revoked
 * or unknown one is refused, and a link or team past its limit on
 * requests gets `rate-limited`.
 */
#ifndef SV_SIGNALING_URGENT_H
#define SV_SIGNALING_URGENT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct sv_signaling;
struct sv_conn;
struct sv_msg;

/* Signs an on-call (on_call) or requester token for team. *out is
 * g_free()d by the caller. SV_ESTATE when the server has no secret. */
int sv_urgent_token_sign(struct sv_signaling *sig, const char *team, bool on_call, const char *name,
                         int64_t nbf, int64_t exp, char **out);

/* Urgent guidance's state on the server: the requests whose requester is
 * connected and that nobody has accepted yet, and how long a requester
 * waits before being shown the team's phone. One per server
 * (sv_signaling.urgent); what a connection watches or waits on hangs off
 * that connection (sv_conn.urgent). Both are urgent.c's alone. */
typedef struct sv_urgent_desk sv_urgent_desk;

/* fallback_s: seconds after which an unanswered requester is shown the
 * on-call team's phone number; 0 = 120. */
sv_urgent_desk *sv_urgent_desk_new(unsigned fallback_s);
/* Frees the requests still waiting; call after every connection closed.
 * NULL is fine. */
void sv_urgent_desk_free(sv_urgent_desk *desk);

/* urgent-watch, urgent-request, urgent-accept, urgent-cancel. */
void sv_urgent_handle(struct sv_conn *c, const struct sv_msg *m);

/* true when c watches a team or waits on a request it made: the
 * connection is in use without having joined a room. */
bool sv_urgent_conn_busy(const struct sv_conn *c);

/* The connection closes: a request it was waiting on is withdrawn (the
 * watchers are told, it is counted and logged), and it watches no more. */
void sv_urgent_conn_closed(struct sv_conn *c);

#endif
