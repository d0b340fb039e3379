/*
 * test_fastpoll.c — the epoll-backed GLib poll function (relay/fastpoll.c)
 * on real pipes and sockets: readiness per entry, a descriptor listed
 * twice, arrays that change between waits, a number reused for another
 * file (told and untold), what epoll cannot watch, and a GMainContext
 * running on it.
 */
#include <fcntl.h>
#include <gio/gio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay/fastpoll.h"
#include "tests/unit/check.h"

static void make_pipe(int fds[2]) {
  int r = pipe2(fds, O_NONBLOCK | O_CLOEXEC);
  CHECK_EQ_INT(r, 0);
}

static void put(int fd) {
  CHECK_EQ_INT(write(fd, "x", 1), 1);
}

static void drain(int fd) {
  char buf[64];
  while (read(fd, buf, sizeof buf) > 0) {
  }
}

/* Waits up to timeout_ms in steps of 50 ms: the revents of entry i. */
static int wait_for(GPollFD *fds, guint n, guint i, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 50) {
    if (sv_fastpoll(fds, n, 50) > 0 && fds[i].revents) return fds[i].revents;
  }
  return 0;
}

static void test_ready_entries_only(void) {
  int a[2], b[2];
  make_pipe(a);
  make_pipe(b);
  GPollFD fds[] = {{a[0], G_IO_IN, 0}, {b[0], G_IO_IN, 0}};
  CHECK_EQ_INT(sv_fastpoll(fds, 2, 0), 0);
  put(b[1]);
  CHECK_EQ_INT(sv_fastpoll(fds, 2, 1000), 1);
  CHECK_EQ_INT(fds[0].revents, 0);
  CHECK_EQ_INT(fds[1].revents, G_IO_IN);
  /* Level-triggered, like poll(): still ready until read. */
  CHECK_EQ_INT(sv_fastpoll(fds, 2, 0), 1);
  drain(b[0]);
  CHECK_EQ_INT(sv_fastpoll(fds, 2, 0), 0);
  CHECK_EQ_INT(fds[1].revents, 0);
  /* The other end closed: HUP, as poll() says. */
  close(a[1]);
  CHECK_EQ_INT(sv_fastpoll(fds, 2, 0), 1);
  CHECK(fds[0].revents & G_IO_HUP);
  close(a[0]);
  close(b[0]);
  close(b[1]);
  sv_fastpoll_touch();
}

/* One descriptor in two entries (two sources on one socket). */
static void test_same_descriptor_twice(void) {
  int sv[2];
  CHECK_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  GPollFD fds[] = {{sv[0], G_IO_IN, 0}, {sv[0], G_IO_OUT, 0}};
  CHECK_EQ_INT(sv_fastpoll(fds, 2, 0), 1);
  CHECK_EQ_INT(fds[0].revents, 0);
  CHECK_EQ_INT(fds[1].revents, G_IO_OUT);
  put(sv[1]);
  CHECK_EQ_INT(sv_fastpoll(fds, 2, 0), 2);
  CHECK_EQ_INT(fds[0].revents, G_IO_IN);
  CHECK_EQ_INT(fds[1].revents, G_IO_OUT);
  close(sv[0]);
  close(sv[1]);
  sv_fastpoll_touch();
}

/* Entries that leave and come back, and events that change. */
static void test_array_changes(void) {
  int a[2], b[2];
  make_pipe(a);
  make_pipe(b);
  put(a[1]);
  put(b[1]);
  GPollFD both[] = {{a[0], G_IO_IN, 0}, {b[0], G_IO_IN, 0}};
  CHECK_EQ_INT(sv_fastpoll(both, 2, 0), 2);
  GPollFD only_b[] = {{b[0], G_IO_IN, 0}};
  CHECK_EQ_INT(sv_fastpoll(only_b, 1, 0), 1);
  CHECK_EQ_INT(only_b[0].revents, G_IO_IN);
  /* a no longer asked about: nothing of it comes back. */
  drain(b[0]);
  CHECK_EQ_INT(sv_fastpoll(only_b, 1, 0), 0);
  /* a back, asked for writing only: its pending byte is no concern. */
  GPollFD a_out[] = {{b[0], G_IO_IN, 0}, {a[1], G_IO_OUT, 0}, {a[0], 0, 0}};
  CHECK_EQ_INT(sv_fastpoll(a_out, 3, 0), 1);
  CHECK_EQ_INT(a_out[1].revents, G_IO_OUT);
  CHECK_EQ_INT(a_out[2].revents, 0);
  a_out[2].events = G_IO_IN;
  CHECK_EQ_INT(sv_fastpoll(a_out, 3, 0), 2);
  CHECK_EQ_INT(a_out[2].revents, G_IO_IN);
  for (int i = 0; i < 2; i++) {
    close(a[i]);
    close(b[i]);
  }
  sv_fastpoll_touch();
}

/* A descriptor closed and its number given to another file between two
 * waits looks the same in the array; epoll forgot the old file with the
 * close. Told, the next wait watches the new file; untold (a close inside
 * a library), within the resync period. */
static void test_number_reused(void) {
  for (int told = 1; told >= 0; told--) {
    int a[2], b[2];
    make_pipe(a);
    GPollFD fds[] = {{a[0], G_IO_IN, 0}};
    CHECK_EQ_INT(sv_fastpoll(fds, 1, 0), 0);
    int number = a[0];
    close(a[0]);
    close(a[1]);
    make_pipe(b);
    /* The same number, whatever the kernel would have handed out. */
    if (b[0] != number) {
      CHECK_EQ_INT(dup3(b[0], number, O_CLOEXEC), number);
      close(b[0]);
      b[0] = number;
    }
    if (told) sv_fastpoll_touch();
    put(b[1]);
    if (told) {
      CHECK_EQ_INT(sv_fastpoll(fds, 1, 0), 1);
      CHECK_EQ_INT(fds[0].revents, G_IO_IN);
    } else {
      CHECK_EQ_INT(wait_for(fds, 1, 0, 3000), G_IO_IN);
    }
    close(b[0]);
    close(b[1]);
    sv_fastpoll_touch();
  }
}

/* epoll refuses regular files; poll() calls them always ready. That wait
 * is a poll(), with the same answer. */
static void test_what_epoll_cannot_watch(void) {
  char path[] = "/tmp/fastpoll-XXXXXX";
  int f = mkstemp(path);
  CHECK(f >= 0);
  unlink(path);
  int a[2];
  make_pipe(a);
  GPollFD fds[] = {{a[0], G_IO_IN, 0}, {f, G_IO_IN, 0}};
  CHECK_EQ_INT(sv_fastpoll(fds, 2, 0), 1);
  CHECK_EQ_INT(fds[1].revents, G_IO_IN);
  put(a[1]);
  CHECK_EQ_INT(sv_fastpoll(fds, 2, 0), 2);
  CHECK_EQ_INT(fds[0].revents, G_IO_IN);
  /* Without it, epoll again. */
  GPollFD pipe_only[] = {{a[0], G_IO_IN, 0}};
  CHECK_EQ_INT(sv_fastpoll(pipe_only, 1, 0), 1);
  close(f);
  close(a[0]);
  close(a[1]);
  sv_fastpoll_touch();
}

static gboolean on_readable(GSocket *s, GIOCondition cond, gpointer data) {
  char buf[64];
  (void)cond;
  while (g_socket_receive(s, buf, sizeof buf, NULL, NULL) > 0)
    ++*(int *)data;
  return G_SOURCE_CONTINUE;
}

static gboolean on_timer(gpointer data) {
  ++*(int *)data;
  return G_SOURCE_REMOVE;
}

static GSocket *udp_socket(void) {
  GSocket *s =
      g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *any = g_inet_socket_address_new(lo, 0);
  g_socket_bind(s, any, FALSE, NULL);
  g_socket_set_blocking(s, FALSE);
  g_object_unref(any);
  g_object_unref(lo);
  return s;
}

/* A main context on it: socket sources, a timer, and a socket replaced
 * between iterations as a PeerConnection's would be. */
static void test_main_context(void) {
  GMainContext *ctx = g_main_context_new();
  g_main_context_set_poll_func(ctx, sv_fastpoll);
  GSocket *tx = udp_socket();
  int got = 0, fired = 0;
  for (int round = 0; round < 3; round++) {
    GSocket *rx = udp_socket();
    GSource *src = g_socket_create_source(rx, G_IO_IN, NULL);
    g_source_set_callback(src, G_SOURCE_FUNC(on_readable), &got, NULL);
    g_source_attach(src, ctx);
    GSocketAddress *to = g_socket_get_local_address(rx, NULL);
    int want = got + 5;
    for (int i = 0; i < 5; i++)
      g_socket_send_to(tx, to, "hello", 5, NULL, NULL);
    for (int i = 0; i < 1000 && got < want; i++)
      g_main_context_iteration(ctx, TRUE);
    CHECK_EQ_INT(got, want);
    g_object_unref(to);
    g_source_destroy(src);
    g_source_unref(src);
    g_socket_close(rx, NULL);
    g_object_unref(rx);
    sv_fastpoll_touch();
  }
  GSource *t = g_timeout_source_new(20);
  g_source_set_callback(t, on_timer, &fired, NULL);
  g_source_attach(t, ctx);
  for (int i = 0; i < 1000 && !fired; i++)
    g_main_context_iteration(ctx, TRUE);
  CHECK_EQ_INT(fired, 1);
  g_source_unref(t);
  g_object_unref(tx);
  g_main_context_unref(ctx);
}

int main(void) {
  RUN(test_ready_entries_only);
  RUN(test_same_descriptor_twice);
  RUN(test_array_changes);
  RUN(test_number_reused);
  RUN(test_what_epoll_cannot_watch);
  RUN(test_main_context);
  sv_fastpoll_release();
  return check_summary();
}
