/*
 * fastpoll.h — a worker's GLib poll function on epoll.
 *
 * GLib waits with poll(), which makes the kernel look at every socket of
 * the context at every wakeup: with a few hundred PeerConnections on a
 * worker that was the largest kernel cost after sending itself. This poll
 * function keeps the context's descriptors registered with an epoll
 * instance of the thread and only diffs the array GLib hands it against
 * the last one: an unchanged array (the usual case, since libnice's socket
 * sources stay attached while they dispatch) costs one epoll_wait().
 *
 * What an array cannot show is a descriptor closed and its number reused
 * for another file between two waits, with the same events: epoll has
 * forgotten the old file and never learned the new one. So the whole set
 * is registered afresh after sv_fastpoll_touch() (the worker calls it
 * where it closes descriptors: a PeerConnection freed, an ICE-TCP
 * connection closed) and, for closes the relay does not see (inside
 * libnice), at least once a second. Anything epoll cannot watch makes
 * that one wait a plain poll().
 */
#ifndef SV_FASTPOLL_H
#define SV_FASTPOLL_H

#include <glib.h>

/* A GPollFunc: install with g_main_context_set_poll_func() on a context
 * that one thread iterates; its state is that thread's. */
gint sv_fastpoll(GPollFD *fds, guint nfds, gint timeout_ms);
/* A descriptor this thread's context polled may have been closed: the next
 * wait registers the whole set afresh. */
void sv_fastpoll_touch(void);
/* Frees this thread's state (its epoll instance); call before the thread
 * ends. */
void sv_fastpoll_release(void);

#endif
