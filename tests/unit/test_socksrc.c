/*
 * test_socksrc.c — the GSocket sources in a context are found and let
 * dispatch without blocking (relay/socksrc.c); other sources are left as
 * they are, and a socket source still delivers its datagrams.
 */
#include <gio/gio.h>

#include "relay/socksrc.h"
#include "tests/unit/check.h"

static GSocket *udp_socket(void) {
  GSocket *s =
      g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  GSocketAddress *a = g_inet_socket_address_new(lo, 0);
  CHECK(g_socket_bind(s, a, TRUE, NULL));
  g_object_unref(a);
  g_object_unref(lo);
  return s;
}

static gboolean on_readable(GSocket *s, GIOCondition cond, gpointer data) {
  char buf[64];
  (void)cond;
  if (g_socket_receive(s, buf, sizeof buf, NULL, NULL) > 0) ++*(int *)data;
  return G_SOURCE_CONTINUE;
}

static gboolean never(gpointer data) {
  (void)data;
  return G_SOURCE_CONTINUE;
}

static GSource *watch(GMainContext *ctx, GSocket *s, int *got) {
  GSource *src = g_socket_create_source(s, G_IO_IN, NULL);
  g_source_set_callback(src, G_SOURCE_FUNC(on_readable), got, NULL);
  g_source_attach(src, ctx);
  return src;
}

static void test_socket_sources_only(void) {
  GMainContext *ctx = g_main_context_new();
  g_main_context_push_thread_default(ctx);
  int got = 0;
  GSocket *a = udp_socket(), *b = udp_socket();
  GSource *timer = g_timeout_source_new_seconds(3600);
  g_source_set_callback(timer, never, NULL, NULL);
  g_source_attach(timer, ctx);
  GSource *sa = watch(ctx, a, &got);
  sv_socksrc_quiet(ctx);
  CHECK(g_source_get_can_recurse(sa));
  CHECK(!g_source_get_can_recurse(timer));
  /* A socket made later is found by the next call, the first one kept. */
  GSource *sb = watch(ctx, b, &got);
  CHECK(!g_source_get_can_recurse(sb));
  sv_socksrc_quiet(ctx);
  CHECK(g_source_get_can_recurse(sb));
  CHECK(g_source_get_can_recurse(sa));
  /* It still delivers. */
  GSocketAddress *to = g_socket_get_local_address(b, NULL);
  CHECK_EQ_INT(g_socket_send_to(a, to, "hello", 5, NULL, NULL), 5);
  for (int i = 0; i < 1000 && got == 0; i++)
    g_main_context_iteration(ctx, TRUE);
  CHECK_EQ_INT(got, 1);
  g_object_unref(to);
  GSource *all[] = {sa, sb, timer};
  for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
    g_source_destroy(all[i]);
    g_source_unref(all[i]);
  }
  g_object_unref(a);
  g_object_unref(b);
  g_main_context_pop_thread_default(ctx);
  g_main_context_unref(ctx);
}

/* A second context on the same thread is scanned from its start. */
static void test_other_context(void) {
  GMainContext *one = g_main_context_new(), *two = g_main_context_new();
  int got = 0;
  GSocket *a = udp_socket(), *b = udp_socket();
  GSource *sa = watch(one, a, &got);
  sv_socksrc_quiet(one);
  GSource *sb = watch(two, b, &got);
  sv_socksrc_quiet(two);
  CHECK(g_source_get_can_recurse(sa));
  CHECK(g_source_get_can_recurse(sb));
  g_source_destroy(sa);
  g_source_unref(sa);
  g_source_destroy(sb);
  g_source_unref(sb);
  g_object_unref(a);
  g_object_unref(b);
  g_main_context_unref(one);
  g_main_context_unref(two);
}

int main(void) {
  RUN(test_socket_sources_only);
  RUN(test_other_context);
  return check_summary();
}
