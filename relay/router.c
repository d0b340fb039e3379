/*
 * router.c — a room's participants and the negotiation of their
 * PeerConnections: publish (client offers, relay answers) and subscribe
 * (relay offers the other participants' tracks, client answers).
 *
 * Subscribe m-lines are never removed: when a track goes away its m-line
 * turns inactive and is reused for the next track of the same kind, so the
 * client's transceivers and the BUNDLE group stay stable.
 */
#include "relay/router_int.h"

#include "common/tap.h"
#include "relay/bwe.h"

#include <stdlib.h>
#include <string.h>

#define MOD "router"

static sv_part *find_part(sv_router *r, const char *id) {
  for (guint i = 0; i < r->parts->len; i++) {
    sv_part *p = g_ptr_array_index(r->parts, i);
    if (strcmp(p->id, id) == 0) return p;
  }
  return NULL;
}

static uint32_t random_u32(void) {
  uint32_t v = 0;
  while (v == 0)
    sv_random_bytes(&v, sizeof v);
  return v;
}

static gboolean on_renegotiate(gpointer data);

static void schedule_renegotiate(sv_router *r) {
  if (r->renegotiate) return;
  r->renegotiate = g_idle_source_new();
  g_source_set_callback(r->renegotiate, on_renegotiate, r, NULL);
  g_source_attach(r->renegotiate, r->env->ctx);
}

/* ---- peer callbacks ---- */

static sv_pc_kind pc_of(sv_part *p, sv_peer *peer) {
  return peer == p->pub ? SV_PC_PUBLISH : SV_PC_SUBSCRIBE;
}

static void on_peer_candidate(void *user, sv_peer *peer, const char *cand) {
  sv_part *p = user;
  sv_pc_kind pc = pc_of(p, peer);
  p->room->ev->candidate(p->room->user, p->room->id, p->id, pc, cand,
                         pc == SV_PC_PUBLISH ? p->pub_mid : p->sub_mid);
}

static void on_peer_state(void *user, sv_peer *peer, sv_pc_state st, const char *reason) {
  sv_part *p = user;
  sv_pc_kind pc = pc_of(p, peer);
  SV_LOG_IDS(SV_LOG_INFO, MOD, p->id, p->room->id, "room %s participant %s %s: %s%s%s", p->room->id,
             p->id, sv_pc_kind_name(pc), sv_pc_state_name(st), reason ? " — " : "",
             reason ? reason : "");
  /* A subscriber that just connected needs a keyframe from every video
   * source it receives, or it shows nothing until the next natural one. */
  if (pc == SV_PC_SUBSCRIBE && st == SV_PC_STATE_CONNECTED) {
    for (size_t i = 0; i < p->n_outs; i++)
      sv_forward_out_keyframe(&p->outs[i]);
  }
  p->room->ev->pc_state(p->room->user, p->room->id, p->id, pc, st, reason);
}

static void on_peer_rtp(void *user, sv_peer *peer, uint8_t *buf, size_t len) {
  sv_part *p = user;
  if (peer == p->pub) sv_forward_rtp(p, buf, len);
  /* Subscribers only receive; RTP from them is not expected and dropped. */
}

static void on_peer_rtcp(void *user, sv_peer *peer, uint8_t *buf, size_t len) {
  sv_part *p = user;
  if (peer == p->pub)
    sv_forward_rtcp_from_publisher(p, buf, len);
  else
    sv_forward_rtcp_from_subscriber(p, buf, len);
}

static const sv_peer_callbacks peer_cb = {on_peer_candidate, on_peer_state, on_peer_rtp,
                                          on_peer_rtcp, NULL};

static void apply_pending(sv_part *p, sv_pc_kind pc) {
  sv_peer *peer = pc == SV_PC_PUBLISH ? p->pub : p->sub;
  GPtrArray *q = p->pending[pc];
  for (guint i = 0; peer && i < q->len; i++)
    sv_peer_add_remote_candidate(peer, g_ptr_array_index(q, i));
  g_ptr_array_set_size(q, 0);
}

/* ---- track bookkeeping ---- */

static void out_unbind(sv_out *o) {
  sv_track *t = o->src;
  if (!t) return;
  for (size_t i = 0; i < t->n_outs; i++) {
    if (t->outs[i] == o) {
      t->outs[i] = t->outs[--t->n_outs];
      break;
    }
  }
  o->src = NULL;
  o->sub->sub_dirty = true;
}

static void track_deactivate(sv_track *t) {
  while (t->n_outs > 0)
    out_unbind(t->outs[0]);
  t->active = false;
  g_free(t->outs);
  t->outs = NULL;
  t->cap_outs = 0;
  for (size_t k = 0; k < SV_MAX_LAYERS; k++) {
    g_free(t->layers[k].rtx);
    t->layers[k].rtx = NULL;
    t->layers[k].ssrc = 0;
  }
}

/* Whether p sends a screen share now. */
static bool part_shares_screen(const sv_part *p) {
  for (size_t i = 0; i < SV_MAX_TRACKS; i++)
    if (p->tracks[i].active && p->tracks[i].kind == SV_KIND_VIDEO &&
        !strcmp(p->tracks[i].source, "screen"))
      return true;
  return false;
}

/* Tells the signalling layer when p's screen share began or ended. */
static void note_screen(sv_router *r, sv_part *p, bool before) {
  bool now = part_shares_screen(p);
  if (now != before && r->ev->screen) r->ev->screen(r->user, r->id, p->id, now);
}

static void mark_others_dirty(sv_router *r, sv_part *except) {
  for (guint i = 0; i < r->parts->len; i++) {
    sv_part *q = g_ptr_array_index(r->parts, i);
    if (q != except) q->sub_dirty = true;
  }
  schedule_renegotiate(r);
}

static void part_free(sv_part *p) {
  if (p->tap) sv_tap_close(p->tap); /* the participant left: the recording of it ends */
  sv_tap_unref(p->tap);
  for (size_t i = 0; i < SV_MAX_TRACKS; i++)
    track_deactivate(&p->tracks[i]);
  for (size_t i = 0; i < p->n_outs; i++)
    out_unbind(&p->outs[i]);
  sv_forward_part_free(p);
  sv_peer_free(p->pub);
  sv_peer_free(p->sub);
  g_ptr_array_unref(p->pending[0]);
  g_ptr_array_unref(p->pending[1]);
  g_free(p);
}

/* ---- room lifetime ---- */

static gboolean on_tick(gpointer data) {
  sv_forward_tick(data);
  return G_SOURCE_CONTINUE;
}

sv_router *sv_router_new(const char *room, const sv_peer_env *env, const sv_router_config *config,
                         const sv_relay_events *events, void *user) {
  sv_router *r = g_new0(sv_router, 1);
  g_strlcpy(r->id, room, sizeof r->id);
  r->env = env;
  r->config = config;
  r->ev = events;
  r->user = user;
  r->parts = g_ptr_array_new();
  r->tick = g_timeout_source_new(100);
  g_source_set_callback(r->tick, on_tick, r, NULL);
  g_source_attach(r->tick, env->ctx);
  SV_STAT_ADD(env->stats, rooms, 1);
  return r;
}

void sv_router_free(sv_router *r) {
  if (!r) return;
  g_source_destroy(r->tick);
  g_source_unref(r->tick);
  if (r->renegotiate) {
    g_source_destroy(r->renegotiate);
    g_source_unref(r->renegotiate);
  }
  for (guint i = 0; i < r->parts->len; i++)
    part_free(g_ptr_array_index(r->parts, i));
  g_ptr_array_unref(r->parts);
  g_free(r->speech);
  SV_STAT_SUB(r->env->stats, rooms, 1);
  g_free(r);
}

size_t sv_router_count(const sv_router *r) {
  return r->parts->len;
}

int sv_router_join(sv_router *r, const char *participant) {
  if (find_part(r, participant)) return SV_EEXIST;
  if (r->parts->len >= SV_ROOM_MAX_PARTICIPANTS) return SV_EFULL;
  sv_part *p = g_new0(sv_part, 1);
  g_strlcpy(p->id, participant, sizeof p->id);
  p->room = r;
  p->rtcp_ssrc = random_u32();
  p->joined_us = sv_now_us();
  p->allow = SV_ROUTER_ALLOW_ALL;
  sv_random_bytes(&p->sub_sess_id, sizeof p->sub_sess_id);
  p->sub_sess_id &= 0x7fffffffffffffffULL;
  p->pending[0] = g_ptr_array_new_with_free_func(g_free);
  p->pending[1] = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(r->parts, p);
  /* The newcomer needs an offer for the tracks already in the room. */
  p->sub_dirty = true;
  schedule_renegotiate(r);
  return 0;
}

/* Sums up what p sent while it was here (for the session log). */
static void part_quality(const sv_part *p, sv_relay_quality *q) {
  memset(q, 0, sizeof *q);
  q->duration_ms = (sv_now_us() - p->joined_us) / 1000;
  for (size_t i = 0; i < SV_MAX_TRACKS; i++) {
    const sv_track *t = &p->tracks[i];
    for (size_t k = 0; t->active && k < t->n_layers; k++) {
      const sv_rtp_stats *st = &t->layers[k].stats;
      if (!st->started) continue;
      /* RFC 3550 A.3: expected from the first to the extended highest seq. */
      int64_t expected = (int64_t)(st->cycles + st->max_seq) - (int64_t)st->base_seq + 1;
      int64_t lost = expected - (int64_t)st->received;
      q->packets += st->received;
      q->packets_lost += lost > 0 ? (uint64_t)lost : 0;
      q->bytes += st->bytes;
      if (t->kind == SV_KIND_AUDIO && st->clock_rate)
        q->jitter_ms = (uint32_t)(st->jitter * 1000.0 / st->clock_rate);
    }
  }
  if (q->duration_ms) q->avg_kbps = (uint32_t)(q->bytes * 8 / q->duration_ms);
  q->rtt_samples = p->rtt_samples;
  if (p->rtt_samples) q->rtt_us = (uint32_t)(p->rtt_sum_us / p->rtt_samples);
}

void sv_router_leave(sv_router *r, const char *participant) {
  sv_part *p = find_part(r, participant);
  if (!p) return;
  if (r->ev->quality) {
    sv_relay_quality q;
    part_quality(p, &q);
    r->ev->quality(r->user, r->id, p->id, &q);
  }
  g_ptr_array_remove(r->parts, p);
  part_free(p);
  schedule_renegotiate(r);
}

/* ---- publish ---- */

static void publish_fail(sv_router *r, sv_part *p, int64_t req, int err, const char *msg) {
  r->ev->publish_answer(r->user, r->id, p->id, req, err, NULL, msg);
}

static sv_track *track_for_mid(sv_part *p, const char *mid) {
  sv_track *free_slot = NULL;
  for (size_t i = 0; i < SV_MAX_TRACKS; i++) {
    sv_track *t = &p->tracks[i];
    if (t->active && strcmp(t->mid, mid) == 0) return t;
    if (!t->active && !free_slot) free_slot = t;
  }
  return free_slot;
}

/* Brings the participant's tracks in line with a negotiated publish answer.
 * Returns true if the set of forwarded tracks changed. */
static bool update_tracks(sv_part *p, const sv_sdp *answer) {
  bool changed = false;
  bool seen[SV_MAX_TRACKS] = {false};
  for (size_t i = 0; i < answer->n_media; i++) {
    const sv_sdp_media *m = &answer->media[i];
    if (m->rejected || m->dir != SV_DIR_RECVONLY || m->n_codecs == 0) continue;
    sv_track *t = track_for_mid(p, m->mid);
    if (!t) break; /* more m-lines than a participant may publish: the rest is ignored */
    seen[t - p->tracks] = true;
    size_t n_layers = m->n_rids >= 2 ? m->n_rids : 1;
    if (t->active && t->codec.pt == m->codecs[0].pt && t->n_layers == n_layers &&
        !strcmp(t->source, "screen") == m->slides &&
        (m->ssrc == 0 || n_layers > 1 || t->layers[0].ssrc == m->ssrc))
      continue;
    if (t->active) track_deactivate(t);
    memset(t, 0, sizeof *t);
    t->owner = p;
    t->active = true;
    g_strlcpy(t->mid, m->mid, sizeof t->mid);
    t->kind = m->kind;
    t->source = m->kind == SV_KIND_AUDIO ? "microphone" : m->slides ? "screen" : "camera";
    t->codec = m->codecs[0];
    t->n_layers = n_layers;
    t->rid_ext = n_layers > 1 ? m->ext.rid : 0;
    for (size_t k = 0; k < n_layers; k++) {
      sv_layer *l = &t->layers[k];
      if (n_layers > 1) g_strlcpy(l->rid, m->rids[k], sizeof l->rid);
      l->stats.clock_rate = t->codec.clock_rate;
      if (t->kind == SV_KIND_VIDEO) l->rtx = g_new0(sv_rtx_slot, SV_RTX_SLOTS);
    }
    if (n_layers == 1) t->layers[0].ssrc = m->ssrc;
    for (size_t k = 1; k < m->n_codecs; k++) {
      if (t->kind == SV_KIND_AUDIO && !g_ascii_strcasecmp(m->codecs[k].name, "red"))
        t->red_pt = m->codecs[k].pt;
      if (t->kind == SV_KIND_VIDEO && !g_ascii_strcasecmp(m->codecs[k].name, "rtx"))
        t->rtx_pt = m->codecs[k].pt;
    }
    t->rrid_ext = n_layers > 1 ? m->ext.rrid : 0;
    t->level_ext = t->kind == SV_KIND_AUDIO ? m->ext.level : 0;
    if (n_layers == 1) t->layers[0].rtx_ssrc = m->rtx_ssrc;
    changed = true;
  }
  for (size_t i = 0; i < SV_MAX_TRACKS; i++) {
    if (p->tracks[i].active && !seen[i]) {
      track_deactivate(&p->tracks[i]);
      changed = true;
    }
  }
  return changed;
}

/* Rejects (port 0) the answer's m-lines of a kind p may not publish.
 * Returns false when nothing usable is left. */
static bool reject_disallowed(const sv_part *p, sv_sdp *answer) {
  bool any = false;
  for (size_t i = 0; i < answer->n_media; i++) {
    sv_sdp_media *m = &answer->media[i];
    unsigned need = m->kind == SV_KIND_AUDIO   ? SV_ROUTER_ALLOW_AUDIO
                    : m->kind == SV_KIND_VIDEO ? SV_ROUTER_ALLOW_VIDEO
                                               : 0;
    if (!(p->allow & need)) m->rejected = true;
    any |= !m->rejected;
  }
  return any;
}

void sv_router_publish(sv_router *r, const char *participant, int64_t request, const char *text) {
  sv_part *p = find_part(r, participant);
  if (!p) {
    r->ev->publish_answer(r->user, r->id, participant, request, SV_ENOENT, NULL,
                          "join the room before publishing");
    return;
  }
  char err[256] = "";
  sv_sdp *offer = g_new0(sv_sdp, 1);
  sv_sdp *answer = g_new0(sv_sdp, 1);
  char *out = NULL;
  int rc = sv_sdp_parse(text, offer, err, sizeof err);
  if (rc == 0) rc = sv_sdp_negotiate_publish(offer, &r->config->prefs, answer, err, sizeof err);
  if (rc != 0) {
    publish_fail(r, p, request, rc, err[0] ? err : "the offer cannot be used");
    goto out;
  }
  /* A new ICE ufrag is an ICE restart (the client's network changed): new
   * ICE credentials on the same transport, DTLS and SRTP carry on. A new
   * DTLS fingerprint is a new endpoint: start a fresh transport. */
  if (p->pub) {
    int same = sv_peer_set_remote(p->pub, offer->ice_ufrag, offer->ice_pwd, offer->fingerprint,
                                  offer->setup == SV_SETUP_PASSIVE);
    if (same != 0 && sv_peer_restart_ice(p->pub) == 0 &&
        sv_peer_set_remote(p->pub, offer->ice_ufrag, offer->ice_pwd, offer->fingerprint,
                           offer->setup == SV_SETUP_PASSIVE) == 0) {
      SV_INFO(MOD, "room %s: %s restarted ICE on its publish connection", r->id, p->id);
      same = 0;
    }
    if (same != 0) {
      sv_peer_free(p->pub);
      p->pub = NULL;
    }
  }
  if (!p->pub) {
    int perr = 0;
    p->pub = sv_peer_new(r->env, false, &peer_cb, p, &perr);
    if (!p->pub) {
      publish_fail(r, p, request, perr, "the relay could not open a network port for media");
      goto out;
    }
    rc = sv_peer_set_remote(p->pub, offer->ice_ufrag, offer->ice_pwd, offer->fingerprint,
                            offer->setup == SV_SETUP_PASSIVE);
    if (rc != 0) {
      publish_fail(r, p, request, rc, "the offer's ICE credentials are not usable");
      goto out;
    }
  }
  for (size_t i = 0; i < answer->n_media; i++) {
    if (!answer->media[i].rejected) {
      g_strlcpy(p->pub_mid, answer->media[i].mid, sizeof p->pub_mid);
      break;
    }
  }
  answer->sess_id = p->sub_sess_id ^ 0x5a5a5a5aULL;
  answer->sess_version = offer->sess_version;
  g_strlcpy(answer->ice_ufrag, sv_peer_ufrag(p->pub), sizeof answer->ice_ufrag);
  g_strlcpy(answer->ice_pwd, sv_peer_pwd(p->pub), sizeof answer->ice_pwd);
  g_strlcpy(answer->fingerprint, sv_dtls_identity_fingerprint(r->env->identity),
            sizeof answer->fingerprint);
  answer->setup = offer->setup == SV_SETUP_PASSIVE ? SV_SETUP_ACTIVE : SV_SETUP_PASSIVE;
  if (!reject_disallowed(p, answer)) {
    publish_fail(r, p, request, SV_EUNSUPP,
                 "nothing in this offer may be sent now: audio or video is not allowed to this "
                 "participant (not a presenter, no floor, or no video on the floor)");
    goto out;
  }
  out = sv_sdp_write(answer);
  if (!out) {
    publish_fail(r, p, request, SV_EIO, "the relay could not write its answer");
    goto out;
  }
  bool sharing = part_shares_screen(p);
  bool changed = update_tracks(p, answer);
  r->ev->publish_answer(r->user, r->id, p->id, request, 0, out, NULL);
  note_screen(r, p, sharing);
  sv_peer_release_candidates(p->pub);
  apply_pending(p, SV_PC_PUBLISH);
  if (changed) mark_others_dirty(r, p);
out:
  g_free(out);
  g_free(offer);
  g_free(answer);
}

/* ---- subscribe ---- */

static sv_out *out_for_track(sv_part *p, sv_track *t) {
  for (size_t i = 0; i < p->n_outs; i++)
    if (p->outs[i].src == t) return &p->outs[i];
  /* Reuse an idle m-line of the same kind before adding one. */
  sv_out *o = NULL;
  for (size_t i = 0; i < p->n_outs && !o; i++)
    if (!p->outs[i].src && p->outs[i].kind == t->kind) o = &p->outs[i];
  if (!o) {
    if (p->n_outs >= SV_MAX_OUTS) return NULL;
    o = &p->outs[p->n_outs];
    memset(o, 0, sizeof *o);
    snprintf(o->mid, sizeof o->mid, "%zu", p->n_outs);
    o->kind = t->kind;
    o->sub = p;
    p->n_outs++;
  }
  o->src = t;
  g_strlcpy(o->src_participant, t->owner->id, sizeof o->src_participant);
  o->codec = t->codec;
  /* A fresh SSRC and random starting numbers per binding (sv_outmap seeds
   * them from the SSRC): the browser sees a new stream and never a jump
   * inside an old one. */
  o->ssrc = random_u32();
  o->rtx_ssrc = o->kind == SV_KIND_VIDEO ? random_u32() : 0;
  o->rtx_pt = 0; /* until the answer takes it */
  o->max_layer = SV_RELAY_LAYER_AUTO;
  o->packets = o->octets = 0;
  sv_adapt_out_bound(o);
  if (t->n_outs == t->cap_outs) {
    t->cap_outs = t->cap_outs ? t->cap_outs * 2 : 8;
    t->outs = g_renew(sv_out *, t->outs, t->cap_outs);
  }
  t->outs[t->n_outs++] = o;
  return o;
}

static void bind_all(sv_router *r, sv_part *p) {
  for (guint i = 0; i < r->parts->len; i++) {
    sv_part *q = g_ptr_array_index(r->parts, i);
    if (q == p) continue;
    for (size_t k = 0; k < SV_MAX_TRACKS; k++) {
      sv_track *t = &q->tracks[k];
      if (t->active && !out_for_track(p, t))
        SV_WARN(MOD, "room %s: %s cannot receive more tracks", r->id, p->id);
    }
  }
}

/* The RTX payload type offered next to a video codec: the one after it, as
 * browsers number them (VP8 96 / rtx 97). */
static uint8_t rtx_pt_for(uint8_t pt) {
  return pt < 127 ? (uint8_t)(pt + 1) : 126;
}

/* What the subscriber's answer took of the offer: the transport-wide cc
 * extension (then its estimate starts) and RTX per video m-line. */
static void take_answer(sv_router *r, sv_part *p, const sv_sdp *answer) {
  bool twcc = false;
  for (size_t i = 0; i < p->n_outs; i++) {
    sv_out *o = &p->outs[i];
    const sv_sdp_media *m = sv_sdp_find_mid(answer, o->mid);
    if (!m || m->rejected || !o->src) continue;
    twcc |= m->ext.twcc == SV_TWCC_EXT_ID;
    o->rtx_pt = o->red_pt = 0;
    for (size_t k = 0; k < m->n_codecs; k++) {
      const sv_sdp_codec *c = &m->codecs[k];
      if (o->kind == SV_KIND_VIDEO && c->pt == rtx_pt_for(o->codec.pt) &&
          !g_ascii_strcasecmp(c->name, "rtx"))
        o->rtx_pt = c->pt;
      if (o->kind == SV_KIND_AUDIO && o->src->red_pt && c->pt == o->src->red_pt &&
          !g_ascii_strcasecmp(c->name, "red"))
        o->red_pt = c->pt;
    }
  }
  p->twcc_id = twcc ? SV_TWCC_EXT_ID : 0;
  if (twcc && !p->bwe) {
    sv_bwe_config c = {.start_bps = 600000, .min_bps = 50000, .max_bps = 6000000};
    p->bwe = sv_bwe_new(&c, sv_now_us());
  }
  (void)r;
}

static void send_offer(sv_router *r, sv_part *p) {
  p->sub_dirty = false;
  bind_all(r, p);
  if (p->n_outs == 0) return; /* nothing to receive yet */
  if (!p->sub) {
    int err = 0;
    p->sub = sv_peer_new(r->env, true, &peer_cb, p, &err);
    if (!p->sub) {
      r->ev->error(r->user, r->id, p->id, err, "the relay could not open a network port");
      return;
    }
    g_strlcpy(p->sub_mid, p->outs[0].mid, sizeof p->sub_mid);
  }
  sv_sdp *s = g_new0(sv_sdp, 1);
  sv_relay_track tracks[SV_MAX_OUTS];
  size_t n_tracks = 0;
  s->sess_id = p->sub_sess_id;
  s->sess_version = ++p->sub_version;
  g_strlcpy(s->ice_ufrag, sv_peer_ufrag(p->sub), sizeof s->ice_ufrag);
  g_strlcpy(s->ice_pwd, sv_peer_pwd(p->sub), sizeof s->ice_pwd);
  g_strlcpy(s->fingerprint, sv_dtls_identity_fingerprint(r->env->identity), sizeof s->fingerprint);
  s->setup = SV_SETUP_ACTPASS;
  s->n_media = p->n_outs;
  for (size_t i = 0; i < p->n_outs; i++) {
    sv_out *o = &p->outs[i];
    sv_sdp_media *m = &s->media[i];
    m->kind = o->kind;
    g_strlcpy(m->mid, o->mid, sizeof m->mid);
    m->dir = o->src ? SV_DIR_SENDONLY : SV_DIR_INACTIVE;
    m->n_codecs = 1;
    m->codecs[0] = o->codec;
    if (!o->src) continue;
    /* transport-cc feedback instead of REMB: the relay estimates per
     * subscriber; RTX for NACK answers and probing. */
    m->codecs[0].fb = (o->codec.fb & ~SV_FB_REMB) | SV_FB_TWCC;
    m->ext.twcc = SV_TWCC_EXT_ID;
    if (o->kind == SV_KIND_AUDIO && o->src->red_pt) {
      sv_sdp_codec *red = &m->codecs[m->n_codecs++];
      memset(red, 0, sizeof *red);
      red->pt = o->src->red_pt;
      red->clock_rate = 48000;
      red->channels = 2;
      g_strlcpy(red->name, "red", sizeof red->name);
      g_snprintf(red->fmtp, sizeof red->fmtp, "%u/%u", o->codec.pt, o->codec.pt);
    }
    if (o->kind == SV_KIND_VIDEO) {
      sv_sdp_codec *rtx = &m->codecs[m->n_codecs++];
      memset(rtx, 0, sizeof *rtx);
      rtx->pt = rtx_pt_for(o->codec.pt);
      rtx->clock_rate = 90000;
      g_strlcpy(rtx->name, "rtx", sizeof rtx->name);
      g_snprintf(rtx->fmtp, sizeof rtx->fmtp, "apt=%u", o->codec.pt);
      m->rtx_ssrc = o->rtx_ssrc;
    }
    m->ssrc = o->ssrc;
    g_strlcpy(m->cname, "samvei", sizeof m->cname);
    g_strlcpy(m->msid_stream, o->src_participant, sizeof m->msid_stream);
    g_snprintf(m->msid_track, sizeof m->msid_track, "%s-%s", o->src_participant, o->mid);
    sv_relay_track *tr = &tracks[n_tracks++];
    g_strlcpy(tr->mid, o->mid, sizeof tr->mid);
    g_strlcpy(tr->participant, o->src_participant, sizeof tr->participant);
    tr->kind = o->kind == SV_KIND_AUDIO ? "audio" : "video";
    tr->source = o->src->source;
  }
  char *text = sv_sdp_write(s);
  g_free(s);
  if (!text) {
    r->ev->error(r->user, r->id, p->id, SV_EIO, "the relay could not write a subscribe offer");
    return;
  }
  p->sub_rev++;
  r->ev->subscribe_offer(r->user, r->id, p->id, p->sub_rev, text, tracks, n_tracks);
  g_free(text);
  sv_peer_release_candidates(p->sub);
}

static gboolean on_renegotiate(gpointer data) {
  sv_router *r = data;
  g_source_unref(r->renegotiate);
  r->renegotiate = NULL;
  for (guint i = 0; i < r->parts->len; i++) {
    sv_part *p = g_ptr_array_index(r->parts, i);
    if (p->sub_dirty) send_offer(r, p);
  }
  return G_SOURCE_REMOVE;
}

void sv_router_subscribe_answer(sv_router *r, const char *participant, uint32_t rev,
                                const char *text) {
  sv_part *p = find_part(r, participant);
  if (!p || !p->sub) return;
  if (rev != p->sub_rev) {
    SV_DEBUG(MOD, "room %s: %s answered rev %u, current is %u; ignored", r->id, p->id, rev,
             p->sub_rev);
    return;
  }
  char err[256] = "";
  sv_sdp *answer = g_new0(sv_sdp, 1);
  int rc = sv_sdp_parse(text, answer, err, sizeof err);
  if (rc == 0)
    rc = sv_peer_set_remote(p->sub, answer->ice_ufrag, answer->ice_pwd, answer->fingerprint,
                            answer->setup == SV_SETUP_PASSIVE);
  if (rc != 0) {
    r->ev->error(r->user, r->id, p->id, rc, err[0] ? err : "the subscribe answer cannot be used");
  } else {
    take_answer(r, p, answer);
    apply_pending(p, SV_PC_SUBSCRIBE);
    /* Ask for keyframes for tracks that became active in this round. */
    if (sv_peer_state(p->sub) == SV_PC_STATE_CONNECTED) {
      for (size_t i = 0; i < p->n_outs; i++)
        if (p->outs[i].src && p->outs[i].packets == 0) sv_forward_out_keyframe(&p->outs[i]);
    }
  }
  g_free(answer);
}

void sv_router_candidate(sv_router *r, const char *participant, sv_pc_kind pc,
                         const char *candidate) {
  sv_part *p = find_part(r, participant);
  if (!p) return;
  sv_peer *peer = pc == SV_PC_PUBLISH ? p->pub : p->sub;
  if (peer) {
    if (sv_peer_add_remote_candidate(peer, candidate) != 0)
      SV_DEBUG(MOD, "room %s: %s sent a candidate libnice cannot use: %.80s", r->id, p->id,
               candidate);
    return;
  }
  if (p->pending[pc]->len < SV_MAX_PENDING) g_ptr_array_add(p->pending[pc], g_strdup(candidate));
}

void sv_router_restart_ice(sv_router *r, const char *participant) {
  sv_part *p = find_part(r, participant);
  if (!p || !p->sub || sv_peer_restart_ice(p->sub) != 0) return;
  SV_INFO(MOD, "room %s: %s asked for an ICE restart of its subscribe connection", r->id, p->id);
  send_offer(r, p); /* the new credentials, then the candidates again */
}

void sv_router_request_keyframe(sv_router *r, const char *participant) {
  sv_part *p = find_part(r, participant);
  if (!p) return;
  for (size_t i = 0; i < SV_MAX_TRACKS; i++)
    sv_forward_request_keyframe(&p->tracks[i], -1);
}

void sv_router_tap(sv_router *r, const char *participant, sv_tap *tap) {
  sv_part *p = find_part(r, participant);
  if (!p) return;
  sv_tap_unref(p->tap);
  p->tap = tap ? sv_tap_ref(tap) : NULL;
  if (tap) sv_router_request_keyframe(r, participant);
}

void sv_router_set_max_layer(sv_router *r, const char *participant, const char *publisher,
                             int max_layer) {
  sv_part *p = find_part(r, participant);
  for (size_t i = 0; p && i < p->n_outs; i++) {
    sv_out *o = &p->outs[i];
    if (o->src && o->kind == SV_KIND_VIDEO && !strcmp(o->src_participant, publisher))
      o->max_layer = max_layer; /* the next tick applies it */
  }
}

void sv_router_set_audio_only(sv_router *r, const char *participant, bool on) {
  sv_part *p = find_part(r, participant);
  if (!p || p->audio_only == on) return;
  p->audio_only = on;
  if (!on) {
    /* Back to video: every video starts again from its lowest layer. */
    for (size_t i = 0; i < p->n_outs; i++)
      if (p->outs[i].src && p->outs[i].kind == SV_KIND_VIDEO) p->outs[i].target = 0;
  }
  sv_adapt_tick(r, sv_now_us()); /* tell it now, not at the next tick */
}

void sv_router_allow_publish(sv_router *r, const char *participant, unsigned allow) {
  sv_part *p = find_part(r, participant);
  if (!p || p->allow == allow) return;
  p->allow = allow;
  bool changed = false, sharing = part_shares_screen(p);
  for (size_t i = 0; i < SV_MAX_TRACKS; i++) {
    sv_track *t = &p->tracks[i];
    unsigned need = t->kind == SV_KIND_AUDIO ? SV_ROUTER_ALLOW_AUDIO : SV_ROUTER_ALLOW_VIDEO;
    if (t->active && !(allow & need)) {
      track_deactivate(t);
      changed = true;
    }
  }
  SV_LOG_IDS(SV_LOG_INFO, MOD, p->id, r->id, "room %s: %s may publish %s%s%s", r->id, p->id,
             allow & SV_ROUTER_ALLOW_AUDIO ? "audio" : "",
             allow == SV_ROUTER_ALLOW_ALL ? " and " : "",
             allow & SV_ROUTER_ALLOW_VIDEO ? "video"
             : allow                       ? ""
                                           : "nothing");
  note_screen(r, p, sharing);
  if (changed) mark_others_dirty(r, p);
}

void sv_router_stop_screen(sv_router *r, const char *participant) {
  sv_part *p = find_part(r, participant);
  if (!p || !part_shares_screen(p)) return;
  for (size_t i = 0; i < SV_MAX_TRACKS; i++) {
    sv_track *t = &p->tracks[i];
    if (t->active && t->kind == SV_KIND_VIDEO && !strcmp(t->source, "screen")) track_deactivate(t);
  }
  SV_LOG_IDS(SV_LOG_INFO, MOD, p->id, r->id, "room %s: %s's screen share withdrawn", r->id, p->id);
  note_screen(r, p, true);
  mark_others_dirty(r, p);
}
