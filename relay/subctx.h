/*
 * subctx.h — a GMainContext run from inside another one, for sources that
 * are rarely due.
 *
 * GLib walks every source of a context at every wakeup (prepare, check, a
 * ref and unref each). A worker wakes for nearly every packet, and each
 * libnice agent keeps a keepalive timer that is due every few seconds at
 * most: one source per PeerConnection walked hundreds of times a second
 * for nothing. The agents' timers live in an inner context instead, which
 * the worker's context drives through one source: due when the inner
 * context's earliest source is, or when one of its descriptors (its
 * wakeup, which fires when a source is attached to it) is ready. Only then
 * is the inner context iterated, and its sources walked.
 */
#ifndef SV_SUBCTX_H
#define SV_SUBCTX_H

#include <glib.h>

typedef struct sv_subctx sv_subctx;

/* An inner context driven from outer. Iterated only by the thread that
 * iterates outer. */
sv_subctx *sv_subctx_new(GMainContext *outer);
GMainContext *sv_subctx_context(const sv_subctx *s);
/* After every source attached to the inner context is gone or destroyed. */
void sv_subctx_free(sv_subctx *s);

#endif
