/*
 * subctx.c — see subctx.h.
 */
#include "relay/subctx.h"

#include <stdbool.h>
#include <string.h>

typedef struct {
  GSource base;
  sv_subctx *s;
} driver;

struct sv_subctx {
  GMainContext *inner;
  GSource *driver;
  /* What the inner context last asked to wait for, from its poll function:
   * the time its earliest source is due (-1: none) and its descriptors. */
  gint64 due;
  GPollFD *fds;
  guint n_fds, cap_fds;
  bool fds_changed;
  /* The driver's tags for those descriptors. */
  gpointer *tags;
  guint n_tags;
};

/* The inner context's poll function, called from its iteration inside the
 * driver's dispatch: it notes what the context would wait for and never
 * waits (the outer context does that), only looks. */
static _Thread_local sv_subctx *polling;

static gint note_and_look(GPollFD *fds, guint nfds, gint timeout_ms) {
  sv_subctx *s = polling;
  if (s) {
    s->due = timeout_ms < 0 ? -1 : g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    bool same = nfds == s->n_fds;
    for (guint i = 0; same && i < nfds; i++)
      same = fds[i].fd == s->fds[i].fd && fds[i].events == s->fds[i].events;
    if (!same) {
      if (nfds > s->cap_fds) {
        s->cap_fds = MAX(nfds, 2 * s->cap_fds);
        s->fds = g_renew(GPollFD, s->fds, s->cap_fds);
      }
      if (nfds) memcpy(s->fds, fds, nfds * sizeof *fds);
      s->n_fds = nfds;
      s->fds_changed = true;
    }
  }
  return g_poll(fds, nfds, 0);
}

/* One iteration of the inner context, then the driver set up for what it
 * waits for next. */
static gboolean drive(GSource *src, GSourceFunc cb, gpointer data) {
  (void)cb;
  (void)data;
  sv_subctx *s = ((driver *)src)->s;
  sv_subctx *outer_polling = polling;
  polling = s;
  g_main_context_iteration(s->inner, TRUE);
  polling = outer_polling;
  if (s->fds_changed) {
    for (guint i = 0; i < s->n_tags; i++)
      g_source_remove_unix_fd(src, s->tags[i]);
    s->tags = g_renew(gpointer, s->tags, MAX(s->n_fds, 1));
    s->n_tags = 0;
    for (guint i = 0; i < s->n_fds; i++)
      if (s->fds[i].fd >= 0)
        s->tags[s->n_tags++] = g_source_add_unix_fd(src, s->fds[i].fd, s->fds[i].events);
    s->fds_changed = false;
  }
  g_source_set_ready_time(src, s->due);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs driver_funcs = {NULL, NULL, drive, NULL, NULL, NULL};

sv_subctx *sv_subctx_new(GMainContext *outer) {
  sv_subctx *s = g_new0(sv_subctx, 1);
  /* Ownerless polling: a source attached to the inner context (a timer
   * libnice starts while the worker handles a packet) signals its wakeup,
   * which the driver watches, although no thread owns it then. */
  s->inner = g_main_context_new_with_flags(G_MAIN_CONTEXT_FLAGS_OWNERLESS_POLLING);
  g_main_context_set_poll_func(s->inner, note_and_look);
  s->driver = g_source_new(&driver_funcs, sizeof(driver));
  ((driver *)s->driver)->s = s;
  g_source_set_name(s->driver, "inner context");
  /* Due at once: the first iteration finds out what the inner context
   * waits for. */
  g_source_set_ready_time(s->driver, 0);
  g_source_attach(s->driver, outer);
  return s;
}

GMainContext *sv_subctx_context(const sv_subctx *s) {
  return s->inner;
}

void sv_subctx_free(sv_subctx *s) {
  if (!s) return;
  g_source_destroy(s->driver);
  g_source_unref(s->driver);
  g_main_context_unref(s->inner);
  g_free(s->fds);
  g_free(s->tags);
  g_free(s);
}
