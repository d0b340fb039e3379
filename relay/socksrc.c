/*
 * socksrc.c — see socksrc.h.
 */
#include "relay/socksrc.h"

#include <gio/gio.h>

/* GSocket's source type, from a source made once for the purpose. */
static const GSourceFuncs *socket_source_funcs(void) {
  static const GSourceFuncs *funcs;
  static gsize once;
  if (g_once_init_enter(&once)) {
    GSocket *s =
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
    if (s) {
      GSource *src = g_socket_create_source(s, G_IO_IN, NULL);
      funcs = src->source_funcs;
      g_source_unref(src);
      g_object_unref(s);
    }
    g_once_init_leave(&once, 1);
  }
  return funcs;
}

void sv_socksrc_quiet(GMainContext *ctx) {
  /* Per thread: the context last scanned and the source ids done in it. */
  static _Thread_local GMainContext *last;
  static _Thread_local guint scanned;
  const GSourceFuncs *funcs = socket_source_funcs();
  if (!funcs) return;
  if (ctx != last) {
    last = ctx;
    scanned = 0;
  }
  /* A context gives out source ids in increasing order: the id of a
   * source attached now says how far to look. */
  GSource *probe = g_idle_source_new();
  guint top = g_source_attach(probe, ctx);
  g_source_destroy(probe);
  g_source_unref(probe);
  for (guint id = scanned + 1; id < top; id++) {
    GSource *s = g_main_context_find_source_by_id(ctx, id);
    if (s && s->source_funcs == funcs) g_source_set_can_recurse(s, TRUE);
  }
  scanned = top;
}
