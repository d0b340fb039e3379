/*
 * conn_limits.h — the bounds that keep one client (or many) from using up
 * the server: connections per remote address, the Origin a browser's
 * WebSocket may come from, and a rate limit for log lines that a flood
 * could repeat. Pure logic, no sockets (tests/unit/test_conn_limits.c);
 * server.c, http.c and ws.c apply it. Main thread.
 */
#ifndef SV_CONN_LIMITS_H
#define SV_CONN_LIMITS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define SV_DEFAULT_MAX_CONNS_PER_IP 64
#define SV_DEFAULT_UNJOINED_S       30 /* a WebSocket that sent no valid join is closed */
#define SV_DEFAULT_BODY_S           10 /* a request's headers and body must arrive within */

/* Open connections per remote address (the text lws_get_peer_simple gives). */
typedef struct sv_addr_counts sv_addr_counts;
sv_addr_counts *sv_addr_counts_new(unsigned max_per_addr);
void sv_addr_counts_free(sv_addr_counts *t);
/* Counts one more connection from addr: true, or false (nothing counted)
 * when addr already has max_per_addr open. */
bool sv_addr_counts_take(sv_addr_counts *t, const char *addr);
/* One connection from addr closed; an address at 0 is forgotten. */
void sv_addr_counts_release(sv_addr_counts *t, const char *addr);
unsigned sv_addr_counts_get(const sv_addr_counts *t, const char *addr);
/* Addresses with at least one open connection. */
unsigned sv_addr_counts_addresses(const sv_addr_counts *t);

/* The origins (scheme://host[:port], lower case, no default port, no
 * trailing '/') a browser's WebSocket may come from: the public URL's when
 * it is set; without one, the request's own (scheme and Host header) and
 * http(s)://localhost:PORT and 127.0.0.1:PORT for a loopback bind; plus
 * the allow-list always. */
typedef struct sv_origins {
  char **allowed; /* NULL-terminated, normalised */
  bool tls;
  bool own_host; /* no public URL: the request's Host counts as ours */
} sv_origins;
/* public_url may be NULL; allow_list is a comma-separated list of origins
 * (NULL = none). Returns false (and fills nothing) when an entry of the
 * list is not an http(s) origin without a path. */
bool sv_origins_init(sv_origins *o, const char *public_url, const char *bind, int port, bool tls,
                     const char *allow_list);
void sv_origins_clear(sv_origins *o);
/* true when a WebSocket upgrade with this Origin header may proceed: no
 * header (NULL or "": not a browser), or one of the allowed origins; host
 * is the request's Host header (NULL = none). */
bool sv_origins_allow(const sv_origins *o, const char *origin, const char *host);
/* Normalises one origin into out (size bytes): lower case, default port
 * dropped, trailing '/' dropped. false when it is not http(s)://host[:port]. */
bool sv_origin_normalise(const char *origin, char *out, size_t size);

/* A log line that a flood could repeat: at most burst lines, then one a
 * second; what was held back is counted and reported with the next line. */
typedef struct sv_log_limit {
  double tokens;
  int64_t last_us; /* monotonic; 0 = never */
  uint64_t suppressed;
} sv_log_limit;
/* true: log now (*held gets how many lines were held back since the last
 * one logged, then resets); false: count this one and stay quiet. */
bool sv_log_limit_take(sv_log_limit *l, int64_t now_us, uint64_t *held);

#endif
