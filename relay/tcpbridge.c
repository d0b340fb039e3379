/*
 * tcpbridge.c — see tcpbridge.h.
 */
#include "relay/tcpbridge.h"

#include <errno.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "common/common.h"
#include "relay/fastpoll.h"
#include "relay/rtp.h"

#define MOD "ice-tcp"

#define STUN_HEADER    20
#define STUN_COOKIE    0x2112A442u
#define STUN_BINDING   0x0001
#define STUN_USERNAME  0x0006
#define MAX_LISTENERS  8
#define READS_PER_WAKE 32
#define LOG_EVERY_US   (10 * G_USEC_PER_SEC)

/* --- framing and checks --- */

int sv_tcpb_take(sv_tcpb_framer *f, const uint8_t **in, size_t *len, const uint8_t **frame,
                 size_t *flen) {
  if (f->done) {
    f->have = 0;
    f->done = false;
  }
  while (*len > 0) {
    size_t want;
    if (f->have < 2) {
      want = 2 - f->have;
    } else {
      size_t n = (size_t)f->buf[0] << 8 | f->buf[1];
      if (n == 0 || n > SV_TCPB_FRAME_MAX) return SV_TCPB_BAD_LENGTH;
      want = 2 + n - f->have;
    }
    size_t take = want < *len ? want : *len;
    memcpy(f->buf + f->have, *in, take);
    f->have += take;
    *in += take;
    *len -= take;
    if (f->have == 2) {
      size_t n = (size_t)f->buf[0] << 8 | f->buf[1];
      if (n == 0 || n > SV_TCPB_FRAME_MAX) return SV_TCPB_BAD_LENGTH;
    } else if (f->have > 2 && f->have == 2 + ((size_t)f->buf[0] << 8 | f->buf[1])) {
      f->done = true;
      *frame = f->buf + 2;
      *flen = f->have - 2;
      return SV_TCPB_FRAME;
    }
  }
  return SV_TCPB_MORE;
}

static uint16_t get16(const uint8_t *p) {
  return (uint16_t)(p[0] << 8 | p[1]);
}

bool sv_tcpb_is_binding_for(const uint8_t *p, size_t n, const char *ufrag) {
  if (!p || !ufrag || n < STUN_HEADER || get16(p) != STUN_BINDING) return false;
  uint32_t cookie = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
  size_t body = get16(p + 2);
  if (cookie != STUN_COOKIE || body % 4 != 0 || body != n - STUN_HEADER) return false;
  size_t ulen = strlen(ufrag);
  for (size_t at = STUN_HEADER; at + 4 <= n;) {
    uint16_t type = get16(p + at), alen = get16(p + at + 2);
    if (at + 4 + alen > n) return false;
    if (type == STUN_USERNAME)
      return ulen > 0 && alen > ulen && memcmp(p + at + 4, ufrag, ulen) == 0 &&
             p[at + 4 + ulen] == ':';
    at += 4 + ((alen + 3u) & ~3u);
  }
  return false;
}

bool sv_tcpb_is_media(const uint8_t *p, size_t n) {
  return sv_pkt_classify(p, n) != SV_PKT_UNKNOWN;
}

/* --- the bridge --- */

typedef enum { CLOSE_TIMEOUT, CLOSE_BAD, CLOSE_LIMIT, CLOSE_PEER } close_reason;

typedef struct listener {
  sv_tcpbridge *b;
  int fd;
  GSource *src;
  uint16_t port;
  struct sockaddr_storage target; /* libnice's UDP candidate */
  socklen_t target_len;
} listener;

typedef struct conn {
  sv_tcpbridge *b;
  listener *l;
  int tcp, udp;
  GSource *tcp_in, *tcp_out, *udp_in, *hello;
  struct sockaddr_storage from;
  bool validated;
  sv_tcpb_framer in;
  size_t out_len;
  uint8_t out[SV_TCPB_OUT_MAX];
} conn;

struct sv_tcpbridge {
  GMainContext *ctx;
  sv_stats_block *stats;
  uint16_t port_min, port_max;
  char *ufrag;
  listener *listeners[MAX_LISTENERS];
  size_t n_listeners;
  GQueue conns; /* oldest first */
  gint64 last_log;
  uint64_t closed_since_log;
};

static GSource *watch(sv_tcpbridge *b, int fd, GIOCondition cond, GUnixFDSourceFunc fn,
                      void *data) {
  GSource *s = g_unix_fd_source_new(fd, cond);
  g_source_set_callback(s, G_SOURCE_FUNC(fn), data, NULL);
  g_source_attach(s, b->ctx);
  return s;
}

static void unwatch(GSource **s) {
  if (!*s) return;
  g_source_destroy(*s);
  g_source_unref(*s);
  *s = NULL;
}

static void conn_free(conn *c) {
  unwatch(&c->tcp_in);
  unwatch(&c->tcp_out);
  unwatch(&c->udp_in);
  unwatch(&c->hello);
  if (c->tcp >= 0) close(c->tcp);
  if (c->udp >= 0) close(c->udp);
  sv_fastpoll_touch();
  g_free(c);
}

/* One line per bridge at most every LOG_EVERY_US, whatever the rate. */
static void note_closed(sv_tcpbridge *b, close_reason why) {
  switch (why) {
  case CLOSE_TIMEOUT:
    SV_STAT_ADD(b->stats, ice_tcp_closed_timeout, 1);
    break;
  case CLOSE_BAD:
    SV_STAT_ADD(b->stats, ice_tcp_closed_bad, 1);
    break;
  case CLOSE_LIMIT:
    SV_STAT_ADD(b->stats, ice_tcp_closed_limit, 1);
    break;
  case CLOSE_PEER:
    return;
  }
  b->closed_since_log++;
  gint64 now = g_get_monotonic_time();
  if (b->last_log && now - b->last_log < LOG_EVERY_US) return;
  SV_INFO(MOD,
          "closed %" G_GUINT64_FORMAT " ICE-TCP connection(s) that stalled, sent no valid "
          "STUN Binding request first, sent non-media frames or exceeded the limits",
          b->closed_since_log);
  b->closed_since_log = 0;
  b->last_log = now;
}

static void conn_close(conn *c, close_reason why) {
  sv_tcpbridge *b = c->b;
  g_queue_remove(&b->conns, c);
  conn_free(c);
  note_closed(b, why);
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b) {
  if (a->ss_family != b->ss_family) return false;
  if (a->ss_family == AF_INET)
    return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
           ((const struct sockaddr_in *)b)->sin_addr.s_addr;
  if (a->ss_family == AF_INET6)
    return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                  &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
  return false;
}

static void set_port(struct sockaddr_storage *a, uint16_t port) {
  if (a->ss_family == AF_INET)
    ((struct sockaddr_in *)a)->sin_port = htons(port);
  else if (a->ss_family == AF_INET6)
    ((struct sockaddr_in6 *)a)->sin6_port = htons(port);
}

static uint16_t get_port(const struct sockaddr_storage *a) {
  if (a->ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)a)->sin_port);
  if (a->ss_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
  return 0;
}

/* A non-blocking socket of type on the host of addr, on a port of the
 * range (any port without one); -1 if none is free. */
static int bound_socket(const sv_tcpbridge *b, const struct sockaddr_storage *addr, socklen_t len,
                        int type, uint16_t *port_out) {
  int fd = socket(addr->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (type == SOCK_STREAM) {
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  }
  struct sockaddr_storage a = *addr;
  unsigned span = b->port_min && b->port_max >= b->port_min ? b->port_max - b->port_min + 1u : 0;
  unsigned start = span ? (unsigned)g_random_int_range(0, (gint32)span) : 0;
  for (unsigned i = 0; i < (span ? span : 1); i++) {
    set_port(&a, span ? (uint16_t)(b->port_min + (start + i) % span) : 0);
    if (bind(fd, (struct sockaddr *)&a, len) == 0) {
      socklen_t alen = sizeof a;
      getsockname(fd, (struct sockaddr *)&a, &alen);
      if (port_out) *port_out = get_port(&a);
      return fd;
    }
  }
  close(fd);
  return -1;
}

/* Writes what fits of c->out to the TCP connection; false if it failed. */
static gboolean on_tcp_writable(int fd, GIOCondition cond, gpointer data);

static bool flush(conn *c) {
  size_t done = 0;
  while (done < c->out_len) {
    ssize_t n = send(c->tcp, c->out + done, c->out_len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return false;
  }
  memmove(c->out, c->out + done, c->out_len - done);
  c->out_len -= done;
  if (c->out_len && !c->tcp_out)
    c->tcp_out = watch(c->b, c->tcp, G_IO_OUT, on_tcp_writable, c);
  else if (!c->out_len)
    unwatch(&c->tcp_out);
  return true;
}

static gboolean on_tcp_writable(int fd, GIOCondition cond, gpointer data) {
  conn *c = data;
  if (!flush(c)) {
    conn_close(c, CLOSE_PEER);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE; /* flush() removed this source once empty */
}

/* Datagrams from libnice: framed onto the TCP connection. */
static gboolean on_udp_readable(int fd, GIOCondition cond, gpointer data) {
  conn *c = data;
  for (int i = 0; i < READS_PER_WAKE; i++) {
    uint8_t buf[SV_TCPB_FRAME_MAX];
    ssize_t n = recv(c->udp, buf, sizeof buf, MSG_DONTWAIT); /* connected: only from libnice */
    if (n < 0) break;
    if (n == 0) continue;
    if (c->out_len + 2 + (size_t)n > sizeof c->out) {
      SV_STAT_ADD(c->b->stats, ice_tcp_dropped, 1);
      continue;
    }
    c->out[c->out_len] = (uint8_t)(n >> 8);
    c->out[c->out_len + 1] = (uint8_t)n;
    memcpy(c->out + c->out_len + 2, buf, (size_t)n);
    c->out_len += 2 + (size_t)n;
  }
  if (c->out_len && !c->tcp_out && !flush(c)) {
    conn_close(c, CLOSE_PEER);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

/* The first frame: a Binding request for us opens the UDP leg. */
static bool validate(conn *c, const uint8_t *frame, size_t len) {
  if (!sv_tcpb_is_binding_for(frame, len, c->b->ufrag)) return false;
  c->udp = bound_socket(c->b, &c->l->target, c->l->target_len, SOCK_DGRAM, NULL);
  if (c->udp < 0 || connect(c->udp, (struct sockaddr *)&c->l->target, c->l->target_len) != 0) {
    SV_WARN(MOD, "no free UDP port in the range to bridge an ICE-TCP connection");
    return false;
  }
  c->udp_in = watch(c->b, c->udp, G_IO_IN, on_udp_readable, c);
  unwatch(&c->hello);
  c->validated = true;
  return true;
}

static gboolean on_tcp_readable(int fd, GIOCondition cond, gpointer data) {
  conn *c = data;
  for (int i = 0; i < READS_PER_WAKE; i++) {
    uint8_t buf[SV_TCPB_FRAME_MAX];
    ssize_t n = recv(c->tcp, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
    if (n <= 0) {
      conn_close(c, CLOSE_PEER);
      return G_SOURCE_REMOVE;
    }
    const uint8_t *in = buf;
    size_t left = (size_t)n;
    while (left > 0) {
      const uint8_t *frame;
      size_t flen;
      int r = sv_tcpb_take(&c->in, &in, &left, &frame, &flen);
      if (r == SV_TCPB_MORE) break;
      if (r == SV_TCPB_BAD_LENGTH || !sv_tcpb_is_media(frame, flen) ||
          (!c->validated && !validate(c, frame, flen))) {
        conn_close(c, CLOSE_BAD);
        return G_SOURCE_REMOVE;
      }
      if (send(c->udp, frame, flen, MSG_DONTWAIT) < 0) SV_STAT_ADD(c->b->stats, ice_tcp_dropped, 1);
    }
  }
  return G_SOURCE_CONTINUE;
}

static gboolean on_hello_timeout(gpointer data) {
  conn *c = data;
  conn_close(c, CLOSE_TIMEOUT);
  return G_SOURCE_REMOVE;
}

/* The oldest connection not yet validated (from the host of `from`, or
 * from anywhere when it is NULL), and how many there are. */
static conn *oldest_pending(sv_tcpbridge *b, const struct sockaddr_storage *from, unsigned *n) {
  conn *oldest = NULL;
  *n = 0;
  for (GList *i = b->conns.head; i; i = i->next) {
    conn *c = i->data;
    if (c->validated || (from && !same_host(&c->from, from))) continue;
    if (!oldest) oldest = c;
    ++*n;
  }
  return oldest;
}

/* Makes room for one more connection from `from`, closing the oldest
 * unvalidated ones in the way; false if every slot holds a validated one. */
static bool admit(sv_tcpbridge *b, const struct sockaddr_storage *from) {
  unsigned n;
  conn *c = oldest_pending(b, from, &n);
  if (n >= SV_TCPB_MAX_PENDING_PER_SOURCE) conn_close(c, CLOSE_LIMIT);
  if (b->conns.length < SV_TCPB_MAX_CONNS) return true;
  c = oldest_pending(b, NULL, &n);
  if (!c) return false;
  conn_close(c, CLOSE_LIMIT);
  return true;
}

static gboolean on_accept(int lfd, GIOCondition cond, gpointer data) {
  listener *l = data;
  sv_tcpbridge *b = l->b;
  for (int i = 0; i < READS_PER_WAKE; i++) {
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    int fd = accept4(lfd, (struct sockaddr *)&from, &flen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) break;
    SV_STAT_ADD(b->stats, ice_tcp_accepted, 1);
    if (!admit(b, &from)) {
      close(fd);
      note_closed(b, CLOSE_LIMIT);
      continue;
    }
    conn *c = g_new0(conn, 1);
    c->b = b;
    c->l = l;
    c->tcp = fd;
    c->udp = -1;
    c->from = from;
    c->tcp_in = watch(b, fd, G_IO_IN, on_tcp_readable, c);
    c->hello = g_timeout_source_new_seconds(SV_TCPB_HELLO_SECONDS);
    g_source_set_callback(c->hello, on_hello_timeout, c, NULL);
    g_source_attach(c->hello, b->ctx);
    g_queue_push_tail(&b->conns, c);
  }
  return G_SOURCE_CONTINUE;
}

sv_tcpbridge *sv_tcpbridge_new(GMainContext *ctx, sv_stats_block *stats, uint16_t port_min,
                               uint16_t port_max) {
  sv_tcpbridge *b = g_new0(sv_tcpbridge, 1);
  b->ctx = ctx;
  b->stats = stats;
  b->port_min = port_min;
  b->port_max = port_max;
  g_queue_init(&b->conns);
  return b;
}

void sv_tcpbridge_set_ufrag(sv_tcpbridge *b, const char *ufrag) {
  g_free(b->ufrag);
  b->ufrag = g_strdup(ufrag);
}

uint16_t sv_tcpbridge_listen(sv_tcpbridge *b, const struct sockaddr *target, socklen_t len) {
  if (len > sizeof(struct sockaddr_storage) ||
      (target->sa_family != AF_INET && target->sa_family != AF_INET6))
    return 0;
  for (size_t i = 0; i < b->n_listeners; i++) {
    listener *l = b->listeners[i];
    if (l->target_len == len && memcmp(&l->target, target, len) == 0) return l->port;
  }
  if (b->n_listeners == MAX_LISTENERS) return 0;
  listener *l = g_new0(listener, 1);
  l->b = b;
  memcpy(&l->target, target, len);
  l->target_len = len;
  l->fd = bound_socket(b, &l->target, len, SOCK_STREAM, &l->port);
  if (l->fd < 0 || listen(l->fd, SV_TCPB_MAX_CONNS) != 0) {
    SV_WARN(MOD, "no free TCP port in the range for an ICE-TCP candidate: %s",
            l->fd < 0 ? "all in use" : g_strerror(errno));
    if (l->fd >= 0) close(l->fd);
    g_free(l);
    return 0;
  }
  l->src = watch(b, l->fd, G_IO_IN, on_accept, l);
  b->listeners[b->n_listeners++] = l;
  return l->port;
}

void sv_tcpbridge_free(sv_tcpbridge *b) {
  if (!b) return;
  conn *c;
  while ((c = g_queue_pop_head(&b->conns)))
    conn_free(c);
  for (size_t i = 0; i < b->n_listeners; i++) {
    unwatch(&b->listeners[i]->src);
    close(b->listeners[i]->fd);
    g_free(b->listeners[i]);
  }
  sv_fastpoll_touch();
  g_free(b->ufrag);
  g_free(b);
}
