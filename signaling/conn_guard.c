/*
 * conn_guard.c — applies conn_limits.h to libwebsockets: a connection from
 * an address that already has max_conns_per_ip open is closed as soon as
 * it is accepted, before lws spends anything on it; the count of each
 * address follows lws's wsi life (created, destroyed). Refusals are logged
 * at a bounded rate, as a flood would repeat them.
 *
 * The file-descriptor budget: lws stops accepting (and resumes by itself)
 * when its own connections reach fd_limit_per_thread, but it counts only
 * its own sockets. Left at the process limit, the relay's sockets and the
 * database make accept() fail with EMFILE while the listening socket stays
 * readable: the loop spins and logs each failure. sv_guard_fd_budget()
 * leaves room for the rest of the process.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "common/common.h"
#include "signaling/signaling_int.h"

/* Descriptors kept for everything that is not an lws connection: those
 * open now, plus a share of the limit (at least SV_FD_SPARE) for the
 * relay's sockets, recordings and the database as calls come and go. */
#define SV_FD_SPARE 32

static unsigned open_fds(void) {
  unsigned n = 0;
  DIR *d = opendir("/proc/self/fd");
  if (!d) return 64;
  while (readdir(d))
    n++;
  closedir(d);
  return n > 2 ? n - 2 : n; /* "." and ".." */
}

unsigned sv_guard_fd_budget(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 0;
  unsigned limit = rl.rlim_cur > 1u << 24 ? 1u << 24 : (unsigned)rl.rlim_cur;
  unsigned spare = limit / 8 > SV_FD_SPARE ? limit / 8 : SV_FD_SPARE;
  unsigned keep = open_fds() + spare;
  /* Always a few for lws itself (listening socket, its pipe) and clients. */
  unsigned budget = limit > keep + 8 ? limit - keep : 8;
  SV_INFO("signaling", "file descriptors: limit %u, up to %u for HTTP and WebSocket connections",
          limit, budget);
  return budget;
}

static bool peer_of_fd(int fd, char *out, size_t size) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0) return false;
  const void *a = NULL;
  if (ss.ss_family == AF_INET) a = &((struct sockaddr_in *)&ss)->sin_addr;
  if (ss.ss_family == AF_INET6) {
    const struct in6_addr *a6 = &((struct sockaddr_in6 *)&ss)->sin6_addr;
    /* ::ffff:1.2.3.4 is the same client as 1.2.3.4. */
    if (IN6_IS_ADDR_V4MAPPED(a6)) return inet_ntop(AF_INET, &a6->s6_addr[12], out, size) != NULL;
    a = a6;
  }
  return a && inet_ntop(ss.ss_family, a, out, (socklen_t)size) != NULL;
}

void sv_guard_init(sv_signaling *sig, const sv_signaling_config *config) {
  sig->addr_counts = sv_addr_counts_new(config->max_conns_per_ip ? config->max_conns_per_ip
                                                                 : SV_DEFAULT_MAX_CONNS_PER_IP);
  sig->wsi_addr = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  sig->unjoined_s = config->unjoined_timeout_s ? config->unjoined_timeout_s : SV_DEFAULT_UNJOINED_S;
  sig->body_s = config->body_timeout_s ? config->body_timeout_s : SV_DEFAULT_BODY_S;
}

void sv_guard_free(sv_signaling *sig) {
  if (sig->wsi_addr) g_hash_table_destroy(sig->wsi_addr);
  sv_addr_counts_free(sig->addr_counts);
  g_free(sig->accepted_addr);
  sv_origins_clear(&sig->origins);
}

void sv_guard_refused(sv_signaling *sig, const char *fmt, ...) {
  uint64_t held = 0;
  if (!sv_log_limit_take(&sig->refuse_log, g_get_monotonic_time(), &held)) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  char *text = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  if (held)
    SV_WARN("signaling", "%s (and %" G_GUINT64_FORMAT " more refusals not logged)", text, held);
  else
    SV_WARN("signaling", "%s", text);
  g_free(text);
}

int sv_guard_accept(sv_signaling *sig, int fd) {
  char addr[INET6_ADDRSTRLEN] = "";
  if (!peer_of_fd(fd, addr, sizeof addr)) return 0; /* not an IP socket: nothing to count */
  /* An accepted socket lws did not make a wsi for (it failed) gives its
   * place back. */
  if (sig->accepted_addr) {
    sv_addr_counts_release(sig->addr_counts, sig->accepted_addr);
    g_clear_pointer(&sig->accepted_addr, g_free);
  }
  if (!sv_addr_counts_take(sig->addr_counts, addr)) {
    sig->metrics.refused_per_ip++;
    sv_guard_refused(sig,
                     "refused a connection from %s: it has %u open already (--max-conns-per-ip)",
                     addr, sv_addr_counts_get(sig->addr_counts, addr));
    return 1;
  }
  sig->accepted_addr = g_strdup(addr);
  return 0;
}

void sv_guard_created(sv_signaling *sig, struct lws *wsi) {
  if (!sig->accepted_addr) return; /* lws's own (listening socket, pipe) */
  g_hash_table_insert(sig->wsi_addr, wsi, sig->accepted_addr);
  sig->accepted_addr = NULL;
}

void sv_guard_destroyed(sv_signaling *sig, struct lws *wsi) {
  const char *addr = g_hash_table_lookup(sig->wsi_addr, wsi);
  if (!addr) return;
  sv_addr_counts_release(sig->addr_counts, addr);
  g_hash_table_remove(sig->wsi_addr, wsi);
}
