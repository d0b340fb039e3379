/*
 * test_subctx.c — an inner GMainContext driven from an outer one
 * (relay/subctx.c): its timers fire, timers attached while the outer one
 * runs are noticed, its descriptors dispatch, and its sources are not
 * walked at the outer context's other wakeups.
 */
#include <fcntl.h>
#include <glib-unix.h>
#include <unistd.h>

#include "relay/subctx.h"
#include "tests/unit/check.h"

static gboolean count_once(gpointer data) {
  ++*(int *)data;
  return G_SOURCE_REMOVE;
}

static GSource *timer_on(GMainContext *ctx, guint ms, int *fired) {
  GSource *t = g_timeout_source_new(ms);
  g_source_set_callback(t, count_once, fired, NULL);
  g_source_attach(t, ctx);
  return t;
}

static void drop(GSource *s) {
  g_source_destroy(s);
  g_source_unref(s);
}

/* A timer of the inner context fires; one attached later, while the driver
 * waits for a far one, is noticed and fires first. */
static void test_timers(void) {
  GMainContext *outer = g_main_context_new();
  sv_subctx *s = sv_subctx_new(outer);
  GMainContext *inner = sv_subctx_context(s);
  int first = 0, far = 0, late = 0, outer_deadline = 0;
  GSource *t1 = timer_on(inner, 10, &first);
  GSource *t2 = timer_on(inner, 60000, &far);
  GSource *deadline = timer_on(outer, 5000, &outer_deadline);
  while (!first && !outer_deadline)
    g_main_context_iteration(outer, TRUE);
  CHECK_EQ_INT(first, 1);
  /* Settled, the driver waits for the 60 s timer; then a 20 ms one comes. */
  for (int i = 0; i < 5; i++)
    g_main_context_iteration(outer, FALSE);
  GSource *t3 = timer_on(inner, 20, &late);
  while (!late && !outer_deadline)
    g_main_context_iteration(outer, TRUE);
  CHECK_EQ_INT(late, 1);
  CHECK_EQ_INT(outer_deadline, 0);
  CHECK_EQ_INT(far, 0);
  drop(t1);
  drop(t2);
  drop(t3);
  drop(deadline);
  sv_subctx_free(s);
  g_main_context_unref(outer);
}

static gboolean on_pipe(gint fd, GIOCondition cond, gpointer data) {
  char buf[16];
  (void)cond;
  while (read(fd, buf, sizeof buf) > 0)
    ++*(int *)data;
  return G_SOURCE_CONTINUE;
}

/* A descriptor source of the inner context dispatches when it is ready. */
static void test_descriptors(void) {
  GMainContext *outer = g_main_context_new();
  sv_subctx *s = sv_subctx_new(outer);
  int p[2];
  CHECK_EQ_INT(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  int got = 0, outer_deadline = 0;
  GSource *src = g_unix_fd_source_new(p[0], G_IO_IN);
  g_source_set_callback(src, G_SOURCE_FUNC(on_pipe), &got, NULL);
  g_source_attach(src, sv_subctx_context(s));
  GSource *deadline = timer_on(outer, 5000, &outer_deadline);
  /* Let the driver learn of the source before the byte comes. */
  for (int i = 0; i < 3; i++)
    g_main_context_iteration(outer, FALSE);
  CHECK_EQ_INT(write(p[1], "x", 1), 1);
  while (!got && !outer_deadline)
    g_main_context_iteration(outer, TRUE);
  CHECK_EQ_INT(got, 1);
  CHECK_EQ_INT(outer_deadline, 0);
  drop(src);
  drop(deadline);
  close(p[0]);
  close(p[1]);
  sv_subctx_free(s);
  g_main_context_unref(outer);
}

/* A source that counts how often its context prepares it (never ready). */
typedef struct {
  GSource base;
  int prepared;
} counting;

static gboolean counting_prepare(GSource *src, gint *timeout) {
  ((counting *)src)->prepared++;
  *timeout = -1;
  return FALSE;
}

static GSourceFuncs counting_funcs = {counting_prepare, NULL, NULL, NULL, NULL, NULL};

/* The outer context wakes 200 times for its own reasons: the inner
 * context's sources are not walked each time. */
static void test_not_walked_at_outer_wakeups(void) {
  GMainContext *outer = g_main_context_new();
  sv_subctx *s = sv_subctx_new(outer);
  GSource *counter = g_source_new(&counting_funcs, sizeof(counting));
  g_source_attach(counter, sv_subctx_context(s));
  int p[2];
  CHECK_EQ_INT(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  int got = 0;
  GSource *src = g_unix_fd_source_new(p[0], G_IO_IN);
  g_source_set_callback(src, G_SOURCE_FUNC(on_pipe), &got, NULL);
  g_source_attach(src, outer);
  for (int i = 0; i < 200; i++) {
    CHECK_EQ_INT(write(p[1], "x", 1), 1);
    int before = got;
    while (got == before)
      g_main_context_iteration(outer, TRUE);
  }
  CHECK_EQ_INT(got, 200);
  int prepared = ((counting *)counter)->prepared;
  CHECK(prepared >= 1);
  CHECK(prepared < 10);
  drop(src);
  drop(counter);
  close(p[0]);
  close(p[1]);
  sv_subctx_free(s);
  g_main_context_unref(outer);
}

int main(void) {
  RUN(test_timers);
  RUN(test_descriptors);
  RUN(test_not_walked_at_outer_wakeups);
  return check_summary();
}
