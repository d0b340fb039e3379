/*
 * worker.c — one relay worker: a thread running its own GMainContext, the
 * rooms pinned to it, and the translation of main-thread messages into
 * router calls and router events into main-thread events.
 */
#include "relay/worker.h"

#include <string.h>
#include "common/tap.h"
#include "relay/fastpoll.h"

#define MOD "worker"

void sv_event_free(sv_event *ev) {
  if (!ev) return;
  g_free(ev->text);
  g_free(ev->message);
  g_free(ev->tracks);
  g_free(ev);
}

static void outbox_unref(gpointer data) {
  sv_outbox *ob = data;
  if (!g_atomic_int_dec_and_test(&ob->ref)) return;
  sv_event *ev;
  while ((ev = g_async_queue_try_pop(ob->queue)))
    sv_event_free(ev);
  g_async_queue_unref(ob->queue);
  g_main_context_unref(ob->main_ctx);
  g_free(ob);
}

/* Main thread: deliver the oldest event. */
static gboolean outbox_dispatch(gpointer data) {
  sv_outbox *ob = data;
  sv_event *ev = g_async_queue_try_pop(ob->queue);
  if (!ev || g_atomic_int_get(&ob->closed)) {
    sv_event_free(ev);
    return G_SOURCE_REMOVE;
  }
  const sv_relay_events *e = &ob->ev;
  switch (ev->type) {
  case SV_EV_PUBLISH_ANSWER:
    e->publish_answer(ob->user, ev->room, ev->participant, ev->request, ev->err, ev->text,
                      ev->message);
    break;
  case SV_EV_SUBSCRIBE_OFFER:
    e->subscribe_offer(ob->user, ev->room, ev->participant, ev->rev, ev->text, ev->tracks,
                       ev->n_tracks);
    break;
  case SV_EV_CANDIDATE:
    e->candidate(ob->user, ev->room, ev->participant, ev->pc, ev->text, ev->mid);
    break;
  case SV_EV_PC_STATE:
    e->pc_state(ob->user, ev->room, ev->participant, ev->pc, ev->state, ev->message);
    break;
  case SV_EV_ERROR:
    e->error(ob->user, ev->room, ev->participant, ev->err, ev->message);
    break;
  case SV_EV_QUALITY:
    if (e->quality) e->quality(ob->user, ev->room, ev->participant, &ev->quality);
    break;
  case SV_EV_VIDEO_PAUSED:
    if (e->video_paused)
      e->video_paused(ob->user, ev->room, ev->participant, ev->text, ev->message);
    break;
  case SV_EV_LAYERS:
    if (e->layers)
      e->layers(ob->user, ev->room, ev->participant, ev->mid, ev->layers, ev->n_layers);
    break;
  case SV_EV_SCREEN:
    if (e->screen) e->screen(ob->user, ev->room, ev->participant, ev->state != 0);
    break;
  }
  sv_event_free(ev);
  return G_SOURCE_REMOVE;
}

void sv_outbox_post(sv_outbox *ob, sv_event *ev) {
  g_async_queue_push(ob->queue, ev);
  g_atomic_int_inc(&ob->ref);
  g_main_context_invoke_full(ob->main_ctx, G_PRIORITY_DEFAULT, outbox_dispatch, ob, outbox_unref);
}

/* ---- router events, on the worker thread ---- */

static sv_event *event_new(sv_event_type type, const char *room, const char *participant) {
  sv_event *ev = g_new0(sv_event, 1);
  ev->type = type;
  g_strlcpy(ev->room, room, sizeof ev->room);
  g_strlcpy(ev->participant, participant, sizeof ev->participant);
  return ev;
}

static void ev_publish_answer(void *user, const char *room, const char *participant,
                              int64_t request, int err, const char *sdp, const char *message) {
  sv_worker *w = user;
  sv_event *ev = event_new(SV_EV_PUBLISH_ANSWER, room, participant);
  ev->request = request;
  ev->err = err;
  ev->text = g_strdup(sdp);
  ev->message = g_strdup(message);
  sv_outbox_post(w->outbox, ev);
}

static void ev_subscribe_offer(void *user, const char *room, const char *participant, uint32_t rev,
                               const char *sdp, const sv_relay_track *tracks, size_t n_tracks) {
  sv_worker *w = user;
  sv_event *ev = event_new(SV_EV_SUBSCRIBE_OFFER, room, participant);
  ev->rev = rev;
  ev->text = g_strdup(sdp);
  ev->tracks = n_tracks ? g_memdup2(tracks, n_tracks * sizeof *tracks) : NULL;
  ev->n_tracks = n_tracks;
  sv_outbox_post(w->outbox, ev);
}

static void ev_candidate(void *user, const char *room, const char *participant, sv_pc_kind pc,
                         const char *candidate, const char *mid) {
  sv_worker *w = user;
  sv_event *ev = event_new(SV_EV_CANDIDATE, room, participant);
  ev->pc = pc;
  ev->text = g_strdup(candidate);
  g_strlcpy(ev->mid, mid ? mid : "", sizeof ev->mid);
  sv_outbox_post(w->outbox, ev);
}

static void ev_pc_state(void *user, const char *room, const char *participant, sv_pc_kind pc,
                        sv_pc_state state, const char *reason) {
  sv_worker *w = user;
  sv_event *ev = event_new(SV_EV_PC_STATE, room, participant);
  ev->pc = pc;
  ev->state = state;
  ev->message = g_strdup(reason);
  sv_outbox_post(w->outbox, ev);
}

static void ev_error(void *user, const char *room, const char *participant, int err,
                     const char *message) {
  sv_worker *w = user;
  sv_event *ev = event_new(SV_EV_ERROR, room, participant);
  ev->err = err;
  ev->message = g_strdup(message);
  sv_outbox_post(w->outbox, ev);
}

static void ev_quality(void *user, const char *room, const char *participant,
                       const sv_relay_quality *quality) {
  sv_worker *w = user;
  sv_event *ev = event_new(SV_EV_QUALITY, room, participant);
  ev->quality = *quality;
  sv_outbox_post(w->outbox, ev);
}

static void ev_video_paused(void *user, const char *room, const char *participant, const char *from,
                            const char *reason) {
  sv_worker *w = user;
  sv_event *ev = event_new(SV_EV_VIDEO_PAUSED, room, participant);
  ev->text = g_strdup(from);
  ev->message = g_strdup(reason);
  sv_outbox_post(w->outbox, ev);
}

static void ev_layers(void *user, const char *room, const char *participant, const char *mid,
                      const sv_relay_layer *layers, size_t n_layers) {
  sv_worker *w = user;
  sv_event *ev = event_new(SV_EV_LAYERS, room, participant);
  g_strlcpy(ev->mid, mid, sizeof ev->mid);
  ev->n_layers = n_layers < SV_RELAY_MAX_LAYERS ? n_layers : SV_RELAY_MAX_LAYERS;
  memcpy(ev->layers, layers, ev->n_layers * sizeof *layers);
  sv_outbox_post(w->outbox, ev);
}

static void ev_screen(void *user, const char *room, const char *participant, bool on) {
  sv_worker *w = user;
  sv_event *ev = event_new(SV_EV_SCREEN, room, participant);
  ev->state = on ? 1 : 0;
  sv_outbox_post(w->outbox, ev);
}

static const sv_relay_events router_events = {
    .publish_answer = ev_publish_answer,
    .subscribe_offer = ev_subscribe_offer,
    .candidate = ev_candidate,
    .pc_state = ev_pc_state,
    .error = ev_error,
    .quality = ev_quality,
    .video_paused = ev_video_paused,
    .layers = ev_layers,
    .screen = ev_screen,
};

/* ---- messages, on the worker thread ---- */

static void msg_free(sv_work *m) {
  sv_tap_unref(m->tap);
  g_free(m->text);
  g_free(m);
}

static void handle(sv_worker *w, sv_work *m) {
  sv_router *r = g_hash_table_lookup(w->rooms, m->room);
  switch (m->type) {
  case SV_WORK_JOIN:
    if (!r) {
      r = sv_router_new(m->room, &w->env, w->rcfg, &router_events, w);
      g_hash_table_insert(w->rooms, g_strdup(m->room), r);
    }
    if (sv_router_join(r, m->participant) != 0)
      SV_WARN(MOD, "room %s: %s could not be added", m->room, m->participant);
    return;
  case SV_WORK_LEAVE:
    if (!r) return;
    sv_router_leave(r, m->participant);
    if (sv_router_count(r) == 0) g_hash_table_remove(w->rooms, m->room);
    return;
  case SV_WORK_PUBLISH:
    if (r)
      sv_router_publish(r, m->participant, m->request, m->text);
    else
      ev_publish_answer(w, m->room, m->participant, m->request, SV_ENOENT, NULL,
                        "join the room before publishing");
    return;
  case SV_WORK_SUBSCRIBE_ANSWER:
    if (r) sv_router_subscribe_answer(r, m->participant, m->rev, m->text);
    return;
  case SV_WORK_CANDIDATE:
    if (r) sv_router_candidate(r, m->participant, m->pc, m->text);
    return;
  case SV_WORK_TAP_START:
    if (r) sv_router_tap(r, m->participant, m->tap);
    return;
  case SV_WORK_TAP_STOP:
    if (r) sv_router_tap(r, m->participant, NULL);
    return;
  case SV_WORK_KEYFRAME:
    if (r) sv_router_request_keyframe(r, m->participant);
    return;
  case SV_WORK_ICE_RESTART:
    if (r) sv_router_restart_ice(r, m->participant);
    return;
  case SV_WORK_MAX_LAYER:
    if (r) sv_router_set_max_layer(r, m->participant, m->text, m->value);
    return;
  case SV_WORK_AUDIO_ONLY:
    if (r) sv_router_set_audio_only(r, m->participant, m->value != 0);
    return;
  case SV_WORK_ALLOW_PUBLISH:
    if (r) sv_router_allow_publish(r, m->participant, (unsigned)m->value);
    break;
  case SV_WORK_STOP_SCREEN:
    if (r) sv_router_stop_screen(r, m->participant);
    return;
  case SV_WORK_STOP:
    g_hash_table_remove_all(w->rooms);
    g_main_loop_quit(w->loop);
    return;
  }
}

static gboolean inbox_dispatch(gpointer data) {
  sv_worker *w = data;
  sv_work *m = g_async_queue_try_pop(w->inbox);
  if (m) {
    handle(w, m);
    msg_free(m);
  }
  return G_SOURCE_REMOVE;
}

void sv_worker_post(sv_worker *w, sv_work *msg) {
  g_async_queue_push(w->inbox, msg);
  g_main_context_invoke_full(w->ctx, G_PRIORITY_DEFAULT, inbox_dispatch, w, NULL);
}

static gpointer worker_main(gpointer data) {
  sv_worker *w = data;
  g_main_context_push_thread_default(w->ctx);
  g_main_context_set_poll_func(w->ctx, sv_fastpoll);
  g_main_loop_run(w->loop);
  sv_fastpoll_release();
  g_main_context_pop_thread_default(w->ctx);
  return NULL;
}

static void router_free_cb(gpointer r) {
  sv_router_free(r);
}

int sv_worker_start(sv_worker *w) {
  w->ctx = g_main_context_new();
  w->loop = g_main_loop_new(w->ctx, FALSE);
  w->inbox = g_async_queue_new();
  w->rooms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, router_free_cb);
  w->env.ctx = w->ctx;
  w->env.scratch = w->scratch;
  w->env.scratch_out = w->scratch_out;
  w->env.stats = &w->stats;
  w->env.watch = sv_peer_watch_new(w->ctx);
  char name[16];
  snprintf(name, sizeof name, "relay-%d", w->index);
  GError *error = NULL;
  w->thread = g_thread_try_new(name, worker_main, w, &error);
  if (!w->thread) {
    SV_ERROR(MOD, "cannot start %s: %s", name, error->message);
    g_error_free(error);
    return SV_EIO;
  }
  return 0;
}

void sv_worker_stop(sv_worker *w) {
  if (w->thread) {
    sv_work *m = g_new0(sv_work, 1);
    m->type = SV_WORK_STOP;
    sv_worker_post(w, m);
    g_thread_join(w->thread);
    w->thread = NULL;
  }
  /* Anything still queued was never handled. */
  sv_work *m;
  while (w->inbox && (m = g_async_queue_try_pop(w->inbox)))
    msg_free(m);
  if (w->rooms) g_hash_table_destroy(w->rooms);
  sv_peer_watch_free(w->env.watch);
  w->env.watch = NULL;
  if (w->inbox) g_async_queue_unref(w->inbox);
  if (w->loop) g_main_loop_unref(w->loop);
  if (w->ctx) g_main_context_unref(w->ctx);
  w->rooms = NULL;
  w->inbox = NULL;
  w->loop = NULL;
  w->ctx = NULL;
}
