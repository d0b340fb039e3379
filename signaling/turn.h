/*
 * turn.h — time-limited TURN credentials (the "TURN REST API" scheme that
 * coturn implements with use-auth-secret): the username is
 * "<expiry unix time>:<participant id>" and the password is
 * base64(HMAC-SHA1(shared secret, username)). coturn recomputes the
 * password from the username and refuses it after the expiry, so nothing
 * has to be stored or revoked. Private to signaling/.
 */
#ifndef SV_SIGNALING_TURN_H
#define SV_SIGNALING_TURN_H

#include <jansson.h>
#include <stdint.h>

/* base64(HMAC-SHA1(secret, username)) as a g_malloc'd string (caller
 * frees). Can't fail (out of memory aborts). */
char *sv_turn_password(const char *secret, const char *username);

/* The `iceServers` value of a join reply: [{"urls":[uris...],
 * "username":"<now+ttl>:<participant>","credential":"..."}]. uris is a
 * NULL-terminated list; returns a new reference, or NULL when there are no
 * URIs or no secret (then the reply carries no iceServers). */
json_t *sv_turn_ice_servers(char *const *uris, const char *secret, unsigned ttl_s,
                            const char *participant, int64_t now_s);

#endif
