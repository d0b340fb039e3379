/*
 * adapt.c — what each subscriber gets, decided from what its link takes.
 *
 * Every tick, for each subscriber with a bandwidth estimate (relay/bwe.c,
 * fed by its transport-cc feedback): audio is taken off the top (audio is
 * never dropped for bandwidth), the rest is shared by the videos it
 * receives, and for each one sv_layer_choose() picks the simulcast layer
 * that fits, or none: then video to that subscriber pauses and it is told
 * (the first video in order only once the link has stayed too narrow for
 * its lowest layer for a second: a dip of the estimate does not pause the
 * video the person is watching).
 * The forwarder (forward.c) moves it to the chosen layer at that layer's
 * next keyframe, which is asked for here. When a better layer would fit if
 * the estimate were a little higher, the estimator is asked whether to
 * probe, and the padding it wants is sent as RTX of recent packets.
 *
 * Per publisher: the layers nobody receives are paused at the source (the
 * client is told which RIDs to keep), and the REMB it gets says what its
 * subscribers can use.
 */
#include "relay/router_int.h"

#include <string.h>

#include "relay/bwe.h"

#define AUDIO_BPS_GUESS 40000   /* an Opus stream before its rate is measured */
#define SINGLE_MIN_BPS  100000  /* below this a single-stream video pauses */
#define BWE_SAMPLE_US   1000000 /* estimate histogram: one sample per second */
#define RATE_WINDOW_US  1000000
/* A video paused for bandwidth may come back as soon as it fits; one that
 * had to pause again within RESUME_HELD_US of coming back waits
 * RESUME_WAIT_MIN_US, and twice as long each time it happens again, up to
 * RESUME_WAIT_MAX_US. Without it, a link that carries one video and not
 * quite two swaps between them every second. */
#define RESUME_WAIT_MIN_US 2000000
#define RESUME_WAIT_MAX_US 60000000
#define RESUME_HELD_US     10000000

/* What a layer is expected to need when it is not flowing yet (or is
 * still ramping up), lowest first, by the number of layers. */
static const uint32_t nominal_bps[SV_MAX_LAYERS][SV_MAX_LAYERS] = {
    {SINGLE_MIN_BPS, 0, 0}, {250000, 1200000, 0}, {150000, 500000, 1500000}};

static uint32_t layer_rate(const sv_track *t, size_t k) {
  uint32_t nominal = nominal_bps[t->n_layers - 1][k];
  if (t->n_layers == 1) return nominal;
  uint32_t measured = t->layers[k].bps;
  return measured > nominal * 6 / 10 ? measured : nominal * 6 / 10;
}

void sv_adapt_layer_rate(sv_layer *l, uint64_t now) {
  if (!l->rate_start_us) l->rate_start_us = now;
  if (now - l->rate_start_us < RATE_WINDOW_US) return;
  l->bps = (uint32_t)(l->rate_bytes * 8 * 1000000 / (now - l->rate_start_us));
  l->rate_bytes = 0;
  l->rate_start_us = now;
}

/* Tells subscriber s whose videos towards it are paused, when that (or
 * why) changed: a narrow link may carry some videos and not others. */
static void tell_paused(sv_part *s) {
  bool changed = s->told_audio_only != s->audio_only;
  size_t n_paused = 0;
  for (size_t i = 0; i < s->n_outs; i++) {
    sv_out *o = &s->outs[i];
    if (!o->src || o->kind != SV_KIND_VIDEO) continue;
    bool paused = o->target < 0;
    changed |= paused != o->told_paused;
    n_paused += paused;
  }
  changed |= n_paused != s->n_paused_told;
  if (!changed) return;
  char from[SV_MAX_OUTS * SV_RELAY_ID_MAX] = "";
  size_t len = 0;
  for (size_t i = 0; i < s->n_outs; i++) {
    sv_out *o = &s->outs[i];
    if (!o->src || o->kind != SV_KIND_VIDEO) continue;
    o->told_paused = o->target < 0;
    if (o->told_paused)
      len += (size_t)g_snprintf(from + len, sizeof from - len, "%s%s", len ? " " : "",
                                o->src->owner->id);
  }
  s->n_paused_told = n_paused;
  s->told_audio_only = s->audio_only;
  bool paused = n_paused > 0;
  if (paused != s->video_paused) {
    s->video_paused = paused;
    if (paused)
      SV_STAT_ADD(s->room->env->stats, video_paused, 1);
    else
      SV_STAT_SUB(s->room->env->stats, video_paused, 1);
  }
  if (s->room->ev->video_paused)
    s->room->ev->video_paused(s->room->user, s->room->id, s->id, from,
                              s->audio_only ? "audio-only" : "bandwidth");
}

static void sample_estimate(sv_part *s, uint32_t est, uint64_t now) {
  static const uint32_t bounds[SV_BWE_BUCKETS] = SV_BWE_BOUNDS_KBPS;
  if (now - s->last_bwe_sample_us < BWE_SAMPLE_US) return;
  s->last_bwe_sample_us = now;
  SV_STAT_HISTOGRAM(s->room->env->stats, bwe, bwe_sum_kbps, bounds, SV_BWE_BUCKETS, est / 1000);
  if (SV_LOG_DEBUG <= sv_log_get_level()) {
    sv_bwe_stats b;
    sv_bwe_get_stats(s->bwe, &b);
    char layers[64] = "";
    size_t n = 0;
    for (size_t i = 0; i < s->n_outs && n + 8 < sizeof layers; i++)
      if (s->outs[i].src && s->outs[i].kind == SV_KIND_VIDEO)
        n += (size_t)g_snprintf(layers + n, sizeof layers - n, " %d/%d", s->outs[i].layer,
                                s->outs[i].target);
    SV_DEBUG("adapt",
             "room %s: to %s estimate %u kbit/s (delay %u, loss %u, acked %u, usage %d, loss "
             "%.1f %%, rtt %u ms, probing %d, probes +%u/-%u, padding %" G_GUINT64_FORMAT
             " B), layer/target%s",
             s->room->id, s->id, b.estimate_bps / 1000, b.delay_bps / 1000, b.loss_bps / 1000,
             b.acked_bps / 1000, (int)b.usage, b.loss_fraction * 100, b.rtt_ms, (int)b.probing,
             b.probes_raised, b.probes_failed, b.padding_bytes, layers);
  }
}

/* Sets o's target layer; asks for a keyframe of a layer it is to move to.
 * Moving down normally waits for the lower layer's keyframe with the
 * current layer still flowing; when the subscriber's link is far from
 * carrying what it gets (flooding it would only add loss and queueing, and
 * drive the estimate down further), the layer being left stops at once. */
static void set_target(sv_out *o, int target, bool flooding) {
  if (target != o->target) {
    o->target = target;
    if (target < 0) o->layer = -1; /* paused: nothing more from now on */
  }
  if (target >= 0 && target < o->layer && flooding) o->layer = -1;
  if (target >= 0 && target != o->layer) sv_forward_request_keyframe(o->src, target);
}

static bool is_screen(const sv_out *o) {
  return !strcmp(o->src->source, "screen");
}

bool sv_adapt_goes_first(const sv_out *x, const sv_out *y) {
  /* A screen share is what everyone is looking at (a care plan, an X-ray):
   * its one stream is kept before any camera, its presenter's included. */
  if (is_screen(x) != is_screen(y)) return is_screen(x);
  const sv_part *a = x->src->owner, *b = y->src->owner;
  if (a == b) return false;
  const sv_speech *speaker = a->room->speaker.current;
  if (&a->speech == speaker || &b->speech == speaker) return &a->speech == speaker;
  return a->joined_us < b->joined_us;
}

/* Notes when video o comes back or pauses for bandwidth, and how long it
 * must stay paused. */
static void note_pause(sv_out *o, int before, int target, uint64_t now) {
  if (before < 0 && target >= 0) o->resumed_us = now;
  if (before < 0 || target >= 0) return;
  bool failed = o->resumed_us && now - o->resumed_us < RESUME_HELD_US;
  uint64_t wait = failed ? o->resume_wait_us * 2 : 0;
  if (failed && wait < RESUME_WAIT_MIN_US) wait = RESUME_WAIT_MIN_US;
  o->resume_wait_us = wait < RESUME_WAIT_MAX_US ? wait : RESUME_WAIT_MAX_US;
  o->resume_after_us = now + o->resume_wait_us;
}

/* An estimate that dips for a moment (a receiver short of CPU, the queue
 * a probe left) must not pause a video the link carries: a pause costs the
 * person seconds of frozen picture, the wait for a keyframe when it comes
 * back, and RESUME_WAIT_MIN_US if it was not long since the last. A link
 * that really narrowed keeps the budget short for longer than the grace;
 * until then the lowest layer, the least there is, goes on. */
int sv_adapt_pause_grace(sv_out *o, int chosen, uint64_t now) {
  if (chosen >= 0 || o->target < 0) {
    o->short_since_us = 0;
    return chosen;
  }
  if (!o->short_since_us) o->short_since_us = now;
  return now - o->short_since_us < SV_PAUSE_GRACE_US ? 0 : -1;
}

static void adapt_subscriber(sv_part *s, uint64_t now) {
  if (!s->sub || sv_peer_state(s->sub) != SV_PC_STATE_CONNECTED) return;
  uint32_t est = s->bwe ? sv_bwe_estimate_bps(s->bwe) : UINT32_MAX;
  if (s->bwe) sample_estimate(s, est, now);
  /* Audio with redundancy takes about twice what plain Opus does. */
  uint64_t audio = 0, audio_plain = 0, lowest_video = 0;
  for (size_t i = 0; i < s->n_outs; i++) {
    sv_out *o = &s->outs[i];
    if (!o->src) continue;
    if (o->kind == SV_KIND_VIDEO) {
      lowest_video += layer_rate(o->src, 0);
      continue;
    }
    uint32_t b = o->src->layers[0].bps; /* as the publisher sends it, RED or not */
    b = b ? b : AUDIO_BPS_GUESS;
    uint32_t plain = o->src->red_pt ? b / 2 : b;
    audio += o->red_pt ? b : plain;
    audio_plain += plain;
  }
  /* RED is for a lossy link, not a narrow one: where it would leave no
   * room for the lowest video layers, audio goes without it (stripped to
   * Opus), and comes back with a fifth to spare. */
  uint64_t with_red = audio + lowest_video;
  if (!s->strip_red && est < with_red && audio_plain < audio)
    s->strip_red = true;
  else if (s->strip_red && est > with_red * 6 / 5)
    s->strip_red = false;
  if (s->strip_red) audio = audio_plain;
  uint64_t budget = est > audio ? est - audio : 0;
  /* The videos in order: screen shares first, then the speaker's, then in
   * the order their publishers joined. When the link cannot carry all of
   * them, a shared screen stays, the person talking keeps their picture,
   * and then those who have been in the call longest (the host who opened
   * it, as a rule). */
  sv_out *vids[SV_MAX_OUTS];
  sv_layer_req reqs[SV_MAX_OUTS];
  uint32_t rates[SV_MAX_OUTS][SV_MAX_LAYERS];
  int targets[SV_MAX_OUTS];
  size_t nv = 0;
  uint64_t sending = 0; /* what the current layers take */
  for (size_t i = 0; i < s->n_outs; i++) {
    sv_out *o = &s->outs[i];
    sv_track *t = o->src;
    if (!t || o->kind != SV_KIND_VIDEO) continue;
    for (size_t k = 0; k < t->n_layers; k++)
      rates[nv][k] = layer_rate(t, k);
    if (o->layer >= 0) sending += rates[nv][o->layer];
    /* A video that paused again soon after coming back waits its turn. */
    bool held = o->target < 0 && now < o->resume_after_us;
    reqs[nv] = (sv_layer_req){rates[nv], held ? 0 : t->n_layers, o->target, o->max_layer};
    vids[nv++] = o;
  }
  for (size_t i = 1; i < nv; i++) { /* insertion sort: a handful of videos */
    for (size_t j = i; j > 0 && sv_adapt_goes_first(vids[j], vids[j - 1]); j--) {
      sv_out *o = vids[j];
      vids[j] = vids[j - 1];
      vids[j - 1] = o;
      sv_layer_req r = reqs[j];
      reqs[j] = reqs[j - 1];
      reqs[j - 1] = r;
    }
  }
  /* While a video that goes first waits to come back, those after it that
   * are paused wait too: they must not take its place in the meantime. */
  bool held = false;
  for (size_t i = 0; i < nv; i++) {
    if (reqs[i].n == 0)
      held = true;
    else if (held && vids[i]->target < 0)
      reqs[i].n = 0;
  }
  if (s->audio_only) {
    for (size_t i = 0; i < nv; i++)
      targets[i] = -1;
  } else {
    sv_layer_allocate(reqs, nv, budget > UINT32_MAX ? UINT32_MAX : (uint32_t)budget, targets);
    /* The grace is for the video that goes first (a shared screen, the
     * speaker): one after it that stops fitting pauses at once, or it
     * would crowd the first one off the link for that second. */
    for (size_t i = 0; i < nv; i++) {
      if (i == 0)
        targets[i] = sv_adapt_pause_grace(vids[i], targets[i], now);
      else
        vids[i]->short_since_us = 0;
    }
  }
  /* Far more than the link takes: stop a layer that is being left at once
   * instead of at the next keyframe of the lower one. */
  bool flooding = budget * 10 < sending * 7;
  for (size_t i = 0; i < nv; i++) {
    sv_out *o = vids[i];
    if (!s->audio_only) note_pause(o, o->target, targets[i], now);
    set_target(o, targets[i], flooding);
  }
  tell_paused(s);
  s->want_bps = 0;
  /* Probing is for going up: only when some video can, to what the
   * allocation needs for that step. */
  uint64_t want = s->audio_only ? 0 : sv_layer_want(reqs, nv, targets);
  if (!s->bwe || !want) return;
  want += audio;
  s->want_bps = want > UINT32_MAX ? UINT32_MAX : (uint32_t)want;
  sv_forward_probe_due(s, now);
}

/* Tells publisher p which layers of track t anybody receives, when that
 * changed. The lowest layer stays on (a subscriber can always fall back to
 * it at once), and the top one while p is recorded. */
static void tell_layers(sv_part *p, sv_track *t) {
  if (t->n_layers < 2) return;
  bool wanted[SV_MAX_LAYERS] = {true, false, false};
  if (p->tap) wanted[t->n_layers - 1] = true;
  for (size_t i = 0; i < t->n_outs; i++) {
    const sv_out *o = t->outs[i];
    if (o->target >= 0) wanted[o->target] = true;
    if (o->layer >= 0) wanted[o->layer] = true;
  }
  bool changed = !t->layers_told;
  for (size_t k = 0; k < t->n_layers; k++)
    changed |= t->layers[k].wanted != wanted[k];
  if (!changed) return;
  sv_relay_layer out[SV_MAX_LAYERS];
  for (size_t k = 0; k < t->n_layers; k++) {
    t->layers[k].wanted = wanted[k];
    g_strlcpy(out[k].rid, t->layers[k].rid, sizeof out[k].rid);
    out[k].active = wanted[k];
  }
  t->layers_told = true;
  sv_router *r = p->room;
  if (r->ev->layers) r->ev->layers(r->user, r->id, p->id, t->mid, out, t->n_layers);
}

/* The speech scores, and who the speaker is now. */
static void update_speaker(sv_router *r, uint64_t now) {
  double dt = r->last_speech_us ? (double)(now - r->last_speech_us) / 1e6 : 0;
  r->last_speech_us = now;
  /* The scratch list grows with the room (a lecture of a hundred), once. */
  if (r->speech_cap < r->parts->len) {
    r->speech_cap = r->parts->len * 2;
    r->speech = g_renew(const sv_speech *, r->speech, r->speech_cap);
  }
  const sv_speech **all = r->speech;
  size_t n = 0;
  for (guint i = 0; i < r->parts->len; i++) {
    sv_part *p = g_ptr_array_index(r->parts, i);
    sv_speech_update(&p->speech, dt);
    all[n++] = &p->speech;
  }
  const sv_speech *before = r->speaker.current;
  const sv_speech *now_speaking = sv_speaker_choose(&r->speaker, all, n, now);
  if (now_speaking && now_speaking != before) {
    const sv_part *p =
        (const sv_part *)(const void *)((const char *)now_speaking - offsetof(sv_part, speech));
    SV_DEBUG("adapt", "room %s: %s is the speaker now (score %.0f)", r->id, p->id,
             (double)now_speaking->score);
  }
}

void sv_adapt_tick(sv_router *r, uint64_t now) {
  update_speaker(r, now);
  for (guint i = 0; i < r->parts->len; i++)
    adapt_subscriber(g_ptr_array_index(r->parts, i), now);
  for (guint i = 0; i < r->parts->len; i++) {
    sv_part *p = g_ptr_array_index(r->parts, i);
    for (size_t k = 0; k < SV_MAX_TRACKS; k++)
      if (p->tracks[k].active && p->tracks[k].kind == SV_KIND_VIDEO) tell_layers(p, &p->tracks[k]);
  }
}

uint64_t sv_adapt_remb_bps(const sv_track *t, uint32_t max_kbps) {
  uint64_t max = (uint64_t)max_kbps * 1000;
  if (t->n_layers > 1) {
    /* Room for every layer somebody receives, and a fifth more. */
    uint64_t sum = 0;
    for (size_t k = 0; k < t->n_layers; k++)
      if (t->layers[k].wanted || !t->layers_told) sum += nominal_bps[t->n_layers - 1][k];
    return sum * 6 / 5;
  }
  /* A single stream is encoded for everyone at once: for the weakest
   * subscriber's link, as the publisher cannot send two qualities. */
  uint64_t remb = max;
  for (size_t i = 0; i < t->n_outs; i++) {
    const sv_part *s = t->outs[i]->sub;
    if (!s->bwe || s->audio_only) continue;
    uint64_t est = sv_bwe_estimate_bps(s->bwe);
    est = est > AUDIO_BPS_GUESS ? est - AUDIO_BPS_GUESS : 0;
    if (est < remb) remb = est;
  }
  return remb < SINGLE_MIN_BPS ? SINGLE_MIN_BPS : remb;
}

void sv_adapt_out_bound(sv_out *o) {
  memset(&o->map, 0, sizeof o->map);
  o->told_paused = false;
  o->resumed_us = o->resume_after_us = o->resume_wait_us = o->short_since_us = 0;
  o->layer = -1;
  o->target = o->kind == SV_KIND_AUDIO ? 0 : 0;
}
