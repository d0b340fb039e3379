/*
 * fastpoll.c — see fastpoll.h.
 */
#include "relay/fastpoll.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* The longest a descriptor replaced behind the worker's back goes unwatched. */
#define RESYNC_US G_USEC_PER_SEC
/* GLib's G_IO_* flags have poll()'s values, which epoll shares. */
#define WATCHED    (EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLERR | EPOLLHUP)
#define REGISTERED (1u << 31)

typedef struct {
  int epfd;        /* -1: none */
  bool stale;      /* register the whole set afresh before the next wait */
  gint64 built_at; /* when it last was */
  GPollFD *last;   /* the array of the last call */
  guint n_last, cap_last;
  /* By descriptor number, up to the largest seen: */
  uint32_t *reg;   /* events registered with epoll | REGISTERED, or 0 */
  uint32_t *want;  /* union of the last array's events for it */
  uint32_t *stamp; /* gen when want and first were set */
  int *first;      /* its first entry in the last array */
  int n_by_fd;
  int *next; /* by entry: the next entry with the same descriptor, or -1 */
  guint cap_next;
  uint32_t gen;
  struct epoll_event *evs;
  guint cap_evs;
} fastpoll;

static _Thread_local fastpoll fp = {.epfd = -1, .stale = true};

static void grow_by_fd(int fd) {
  if (fd < fp.n_by_fd) return;
  int n = MAX(fd + 1, MAX(64, 2 * fp.n_by_fd));
  fp.reg = g_renew(uint32_t, fp.reg, n);
  fp.want = g_renew(uint32_t, fp.want, n);
  fp.stamp = g_renew(uint32_t, fp.stamp, n);
  fp.first = g_renew(int, fp.first, n);
  size_t more = (size_t)(n - fp.n_by_fd);
  memset(fp.reg + fp.n_by_fd, 0, more * sizeof *fp.reg);
  memset(fp.stamp + fp.n_by_fd, 0, more * sizeof *fp.stamp);
  fp.n_by_fd = n;
}

static int ctl(int op, int fd, uint32_t events) {
  struct epoll_event ev = {.events = events & WATCHED, .data.fd = fd};
  return epoll_ctl(fp.epfd, op, fd, &ev);
}

/* Brings epoll's set in line with fds[] and remembers fds[]. False if epoll
 * refused a descriptor (one it cannot watch, or a closed one). */
static bool sync_set(const GPollFD *fds, guint n) {
  if (++fp.gen == 0) {
    memset(fp.stamp, 0, (size_t)fp.n_by_fd * sizeof *fp.stamp);
    fp.gen = 1;
  }
  if (n > fp.cap_next) {
    fp.cap_next = MAX(n, 2 * fp.cap_next);
    fp.next = g_renew(int, fp.next, fp.cap_next);
  }
  /* Backwards, so that first[] ends at each descriptor's lowest entry. */
  for (guint i = n; i-- > 0;) {
    int fd = fds[i].fd;
    fp.next[i] = -1;
    if (fd < 0) continue;
    grow_by_fd(fd);
    if (fp.stamp[fd] != fp.gen) {
      fp.stamp[fd] = fp.gen;
      fp.want[fd] = 0;
      fp.first[fd] = -1;
    }
    fp.want[fd] |= fds[i].events & WATCHED;
    fp.next[i] = fp.first[fd];
    fp.first[fd] = (int)i;
  }
  bool ok = true;
  for (guint i = 0; i < n; i++) {
    int fd = fds[i].fd;
    if (fd < 0 || fp.first[fd] != (int)i) continue; /* once per descriptor */
    uint32_t w = fp.want[fd] | REGISTERED;
    if (fp.reg[fd] == w) continue;
    int r = ctl(fp.reg[fd] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, w);
    /* ENOENT: closed and reopened since; EEXIST: never forgotten. */
    if (r < 0 && errno == ENOENT) r = ctl(EPOLL_CTL_ADD, fd, w);
    if (r < 0 && errno == EEXIST) r = ctl(EPOLL_CTL_MOD, fd, w);
    fp.reg[fd] = r == 0 ? w : 0;
    if (r < 0) ok = false;
  }
  for (guint i = 0; i < fp.n_last; i++) {
    int fd = fp.last[i].fd;
    if (fd < 0 || fp.stamp[fd] == fp.gen || !fp.reg[fd]) continue;
    (void)epoll_ctl(fp.epfd, EPOLL_CTL_DEL, fd, NULL); /* fails if closed: gone anyway */
    fp.reg[fd] = 0;
  }
  if (n > fp.cap_last) {
    fp.cap_last = MAX(n, 2 * fp.cap_last);
    fp.last = g_renew(GPollFD, fp.last, fp.cap_last);
  }
  if (n) memcpy(fp.last, fds, n * sizeof *fds);
  fp.n_last = n;
  return ok;
}

/* A new epoll instance with the whole set: nothing of the old one (a file
 * closed and reopened under the same number) carries over. */
static bool rebuild(const GPollFD *fds, guint n, gint64 now) {
  if (fp.epfd >= 0) close(fp.epfd);
  for (guint i = 0; i < fp.n_last; i++)
    if (fp.last[i].fd >= 0) fp.reg[fp.last[i].fd] = 0;
  fp.n_last = 0;
  fp.stale = false;
  fp.built_at = now;
  fp.epfd = epoll_create1(EPOLL_CLOEXEC);
  return fp.epfd >= 0 && sync_set(fds, n);
}

static bool same_as_last(const GPollFD *fds, guint n) {
  if (n != fp.n_last) return false;
  for (guint i = 0; i < n; i++)
    if (fds[i].fd != fp.last[i].fd || fds[i].events != fp.last[i].events) return false;
  return true;
}

gint sv_fastpoll(GPollFD *fds, guint nfds, gint timeout_ms) {
  gint64 now = g_get_monotonic_time();
  bool ok = true;
  if (fp.stale || fp.epfd < 0 || now - fp.built_at >= RESYNC_US)
    ok = rebuild(fds, nfds, now);
  else if (!same_as_last(fds, nfds))
    ok = sync_set(fds, nfds);
  if (!ok) {
    fp.stale = true;
    return g_poll(fds, nfds, timeout_ms);
  }
  if (nfds + 1 > fp.cap_evs) {
    fp.cap_evs = MAX(nfds + 1, 2 * fp.cap_evs);
    fp.evs = g_renew(struct epoll_event, fp.evs, fp.cap_evs);
  }
  for (guint i = 0; i < nfds; i++)
    fds[i].revents = 0;
  /* Wake for the next resync even when nothing else is due. */
  gint64 left_ms = (fp.built_at + RESYNC_US - now + 999) / 1000;
  if (timeout_ms < 0 || timeout_ms > left_ms) timeout_ms = (gint)MAX(left_ms, 0);
  int r = epoll_wait(fp.epfd, fp.evs, (int)nfds + 1, timeout_ms);
  if (r <= 0) return r;
  gint ready = 0;
  for (int k = 0; k < r; k++) {
    int fd = fp.evs[k].data.fd;
    if (fd < 0 || fd >= fp.n_by_fd || fp.stamp[fd] != fp.gen) continue;
    for (int i = fp.first[fd]; i >= 0; i = fp.next[i]) {
      gushort re = (gushort)(fp.evs[k].events & (fds[i].events | EPOLLERR | EPOLLHUP));
      if (re && !fds[i].revents) ready++;
      fds[i].revents |= re;
    }
  }
  return ready;
}

void sv_fastpoll_touch(void) {
  fp.stale = true;
}

void sv_fastpoll_release(void) {
  if (fp.epfd >= 0) close(fp.epfd);
  g_free(fp.last);
  g_free(fp.reg);
  g_free(fp.want);
  g_free(fp.stamp);
  g_free(fp.first);
  g_free(fp.next);
  g_free(fp.evs);
  memset(&fp, 0, sizeof fp);
  fp.epfd = -1;
  fp.stale = true;
}
