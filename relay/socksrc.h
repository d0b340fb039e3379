/*
 * socksrc.h — libnice's socket sources, dispatched without waking their own
 * main loop.
 *
 * GLib (2.74) blocks a source while it is dispatched unless it may
 * recurse, and unblocking it adds its file descriptors back to the context,
 * which signals the context's wakeup eventfd: every wakeup for received
 * packets then costs a write(), a second poll() that returns at once, a
 * read() and a rebuilt poll array. libnice attaches its sockets' sources
 * itself, so the relay finds them in its worker's context (by source id,
 * GSocket's source type) and lets them recurse. Their callback never runs
 * the main loop itself, so nothing actually recurses.
 */
#ifndef SV_SOCKSRC_H
#define SV_SOCKSRC_H

#include <glib.h>

/* Lets the GSocket sources attached to ctx since the last call dispatch
 * without blocking. Call from the thread that runs ctx, after libnice made
 * its sockets (a context other than the last one is scanned from its
 * start). */
void sv_socksrc_quiet(GMainContext *ctx);

#endif
