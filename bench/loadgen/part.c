/*
 * part.c — a participant's two PeerConnections: offers, answers and
 * candidates, on the relay's own sv_peer and sv_sdp.
 *
 * The publish PeerConnection offers Opus (mid 0) and, for video publishers,
 * VP8 (mid 1), sendonly; we are the ICE controlling side and let the server
 * choose the DTLS role. A simulcast publisher's video m-line carries three
 * RIDs the way a browser writes them (a=rid:X send, a=simulcast:send, the mid
 * and rid extmaps, no a=ssrc). The subscribe PeerConnection answers whatever
 * the server offers as recvonly with DTLS setup active; with lg.twcc it also
 * takes transport-cc and RTX where offered, as a browser does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/loadgen/lg.h"

static void on_candidate(void *user, sv_peer *peer, const char *cand) {
  lg_part *p = user;
  if (p->gone) return;
  lg_sig_candidate(p, peer == p->pub, cand);
}

static void on_state(void *user, sv_peer *peer, sv_pc_state st, const char *reason) {
  lg_part *p = user;
  lg_part_pc_state(p, peer == p->pub, st, reason);
}

static void on_rtp(void *user, sv_peer *peer, uint8_t *buf, size_t len) {}

static const sv_peer_callbacks peer_cb = {on_candidate, on_state, on_rtp, lg_media_rtcp_in,
                                          lg_media_srtp_in};

static sv_peer *new_peer(lg_part *p, bool controlling) {
  int err = 0;
  sv_peer *peer = sv_peer_new(&lg.env, controlling, &peer_cb, p, &err);
  if (!peer) LG_ERR("cannot make a PeerConnection: %s\n", sv_strerror(err));
  return peer;
}

/* Extension ids of the publish offer (Chrome's numbers). */
#define EXT_MID 4
#define EXT_RID 10

/* Adds the simulcast lines to the video m-section of an offer written by
 * sv_sdp_write, which writes a=rid only for receiving m-lines. The order of
 * the RIDs differs by server: samvei takes them lowest first (as the web
 * client sends them), Janus highest first (as janus.js sends them; Janus
 * reads the first a=rid as its substream 2). Returns a new string (g_free). */
static char *add_simulcast(const char *text, int index) {
  const char *m = strstr(text, "m=video");
  if (!m) return g_strdup(text);
  const char *end = strstr(m, "\r\nm=");
  end = end ? end + 2 : text + strlen(text);
  GString *out = g_string_new_len(text, end - text);
  GString *list = g_string_new(NULL);
  g_string_append_printf(out, "a=msid:lg%d lg%d-v\r\n", index, index);
  for (int i = 0; i < LG_LAYERS; i++) {
    int k = lg.server == LG_JANUS ? LG_LAYERS - 1 - i : i;
    g_string_append_printf(out, "a=rid:%s send\r\n", lg_layers[k].rid);
    g_string_append_printf(list, "%s%s", i ? ";" : "", lg_layers[k].rid);
  }
  g_string_append_printf(out, "a=simulcast:send %s\r\n", list->str);
  g_string_append(out, end);
  g_string_free(list, TRUE);
  return g_string_free(out, FALSE);
}

char *lg_part_make_offer(lg_part *p) {
  if (!p->pub) p->pub = new_peer(p, true);
  if (!p->pub) return NULL;
  lg_media_setup_publisher(p);
  sv_sdp *sdp = g_new0(sv_sdp, 1);
  sdp->sess_id = g_random_int();
  sdp->sess_version = 1;
  g_strlcpy(sdp->ice_ufrag, sv_peer_ufrag(p->pub), sizeof sdp->ice_ufrag);
  g_strlcpy(sdp->ice_pwd, sv_peer_pwd(p->pub), sizeof sdp->ice_pwd);
  g_strlcpy(sdp->fingerprint, sv_dtls_identity_fingerprint(lg.env.identity),
            sizeof sdp->fingerprint);
  sdp->setup = SV_SETUP_ACTPASS;
  /* One m-line for the audio and one for the video, however many layers
   * it has (out[1] is the first). */
  int n_media = p->n_out > 1 ? 2 : 1;
  sdp->n_media = (size_t)n_media;
  for (int i = 0; i < n_media; i++) {
    sv_sdp_media *m = &sdp->media[i];
    bool video = p->out[i].video;
    m->kind = video ? SV_KIND_VIDEO : SV_KIND_AUDIO;
    snprintf(m->mid, sizeof m->mid, "%d", i);
    m->dir = SV_DIR_SENDONLY;
    m->n_codecs = 1;
    sv_sdp_codec *c = &m->codecs[0];
    c->codec = video ? SV_CODEC_VP8 : SV_CODEC_OPUS;
    c->pt = p->out[i].pt;
    c->clock_rate = video ? 90000 : 48000;
    c->channels = video ? 0 : 2;
    c->fb = video ? (SV_FB_NACK | SV_FB_PLI | SV_FB_FIR) : 0;
    g_strlcpy(c->name, video ? "VP8" : "opus", sizeof c->name);
    if (!video) g_strlcpy(c->fmtp, "minptime=10;useinbandfec=1", sizeof c->fmtp);
    m->ssrc = p->out[i].ssrc;
    if (video && lg.simulcast) {
      /* Layers are announced by RID; their SSRCs come with the packets. */
      m->ssrc = 0;
      m->ext.mid = p->ext_mid = EXT_MID;
      m->ext.rid = p->ext_rid = EXT_RID;
    }
    snprintf(m->cname, sizeof m->cname, "lg%d", p->index);
    snprintf(m->msid_stream, sizeof m->msid_stream, "lg%d", p->index);
    snprintf(m->msid_track, sizeof m->msid_track, "lg%d-%s", p->index, video ? "v" : "a");
  }
  char *text = sv_sdp_write(sdp);
  g_free(sdp);
  if (text && p->video && lg.simulcast) {
    char *with = add_simulcast(text, p->index);
    g_free(text);
    text = with;
  }
  if (text && getenv("LG_DEBUG")) fprintf(stderr, "publish offer:\n%s\n", text);
  return text;
}

void lg_part_add_candidates_from_sdp(sv_peer *peer, const char *sdp) {
  char **lines = g_strsplit(sdp, "\n", -1);
  for (char **l = lines; *l; l++) {
    g_strstrip(*l);
    if (g_str_has_prefix(*l, "a=candidate:")) sv_peer_add_remote_candidate(peer, *l + 2);
  }
  g_strfreev(lines);
}

int lg_part_take_answer(lg_part *p, const char *text) {
  if (getenv("LG_DEBUG")) fprintf(stderr, "answer:\n%s\n", text);
  sv_sdp *sdp = g_new0(sv_sdp, 1);
  char err[256];
  int rc = -1;
  if (sv_sdp_parse(text, sdp, err, sizeof err) != 0) {
    LG_ERR("publish answer: %s\n", err);
    goto out;
  }
  /* The answerer picks the DTLS role; passive means we connect. */
  if (sv_peer_set_remote(p->pub, sdp->ice_ufrag, sdp->ice_pwd, sdp->fingerprint,
                         sdp->setup != SV_SETUP_ACTIVE) != 0)
    goto out;
  lg_part_add_candidates_from_sdp(p->pub, text);
  sv_peer_release_candidates(p->pub);
  rc = 0;
out:
  g_free(sdp);
  return rc;
}

/* What a browser takes of a subscribe m-line beyond its codec: the
 * transport-wide cc extension (its feedback then starts) and the RTX
 * format of the codec, whose packets are counted apart from media. */
static void take_feedback(lg_part *p, const sv_sdp_media *o, sv_sdp_media *m) {
  for (size_t k = 1; k < o->n_codecs && k < SV_SDP_MAX_CODECS; k++) {
    const sv_sdp_codec *c = &o->codecs[k];
    unsigned apt = 0;
    if (g_ascii_strcasecmp(c->name, "rtx") != 0 || sscanf(c->fmtp, "apt=%u", &apt) != 1 ||
        apt != o->codecs[0].pt)
      continue;
    m->codecs[m->n_codecs++] = *c;
    p->rtx_pt_mask[(c->pt & 0x7f) >> 5] |= 1u << (c->pt & 31);
    break;
  }
  if (!o->ext.twcc) return;
  m->ext.twcc = o->ext.twcc;
  p->sub_twcc_id = o->ext.twcc;
  if (!p->fb) p->fb = lg_fb_new(p->cap_kbps);
}

char *lg_part_answer_offer(lg_part *p, const char *text) {
  sv_sdp *offer = g_new0(sv_sdp, 1);
  sv_sdp *ans = NULL;
  char *out = NULL;
  char err[256];
  if (getenv("LG_DEBUG")) fprintf(stderr, "subscribe offer:\n%s\n", text);
  if (sv_sdp_parse(text, offer, err, sizeof err) != 0) {
    LG_ERR("subscribe offer: %s\n", err);
    goto out;
  }
  bool fresh = !p->sub;
  if (fresh) p->sub = new_peer(p, false);
  if (!p->sub) goto out;
  ans = g_new0(sv_sdp, 1);
  ans->sess_id = g_random_int();
  ans->sess_version = 1;
  g_strlcpy(ans->ice_ufrag, sv_peer_ufrag(p->sub), sizeof ans->ice_ufrag);
  g_strlcpy(ans->ice_pwd, sv_peer_pwd(p->sub), sizeof ans->ice_pwd);
  g_strlcpy(ans->fingerprint, sv_dtls_identity_fingerprint(lg.env.identity),
            sizeof ans->fingerprint);
  ans->setup = SV_SETUP_ACTIVE;
  ans->n_media = offer->n_media;
  for (size_t i = 0; i < offer->n_media; i++) {
    const sv_sdp_media *o = &offer->media[i];
    sv_sdp_media *m = &ans->media[i];
    m->kind = o->kind;
    g_strlcpy(m->mid, o->mid, sizeof m->mid);
    m->n_codecs = o->n_codecs ? 1 : 0;
    if (o->n_codecs) m->codecs[0] = o->codecs[0];
    if (lg.twcc && o->n_codecs) take_feedback(p, o, m);
    m->rejected = o->rejected || o->kind == SV_KIND_OTHER || !o->n_codecs;
    m->dir = (o->dir == SV_DIR_SENDONLY || o->dir == SV_DIR_SENDRECV) ? SV_DIR_RECVONLY
                                                                      : SV_DIR_INACTIVE;
  }
  if (sv_peer_set_remote(p->sub, offer->ice_ufrag, offer->ice_pwd, offer->fingerprint, true) != 0) {
    LG_ERR("subscribe offer: ICE restart is not supported\n");
    goto out;
  }
  out = sv_sdp_write(ans);
  lg_part_add_candidates_from_sdp(p->sub, text);
  if (fresh && p->pending_sub_cands) {
    for (guint i = 0; i < p->pending_sub_cands->len; i++)
      sv_peer_add_remote_candidate(p->sub, g_ptr_array_index(p->pending_sub_cands, i));
    g_ptr_array_set_size(p->pending_sub_cands, 0);
  }
out:
  g_free(offer);
  g_free(ans);
  return out;
}

void lg_part_remote_candidate(lg_part *p, bool is_pub, const char *cand) {
  sv_peer *peer = is_pub ? p->pub : p->sub;
  if (peer) {
    sv_peer_add_remote_candidate(peer, cand);
    return;
  }
  if (!p->pending_sub_cands) p->pending_sub_cands = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(p->pending_sub_cands, g_strdup(cand));
}

void lg_part_pc_state(lg_part *p, bool is_pub, sv_pc_state st, const char *reason) {
  if (st == SV_PC_STATE_FAILED) {
    LG_ERR("participant %d: %s PeerConnection failed: %s\n", p->index,
           is_pub ? "publish" : "subscribe", reason ? reason : "");
    return;
  }
  if (st != SV_PC_STATE_CONNECTED) return;
  uint32_t profile = 1u << (sv_peer_srtp_profile(is_pub ? p->pub : p->sub) & 31);
  if (is_pub)
    lg.pub_profiles |= profile;
  else
    lg.sub_profiles |= profile;
  if (is_pub) {
    p->pub_up = true;
    p->t_pub_up = lg_now_us();
  } else {
    p->sub_up = true;
    p->t_sub_up = lg_now_us();
  }
}

void lg_part_free_peers(lg_part *p) {
  sv_peer_free(p->pub);
  sv_peer_free(p->sub);
  p->pub = p->sub = NULL;
  p->pub_up = p->sub_up = false;
  lg_media_free(p);
  lg_fb_free(p->fb);
  p->fb = NULL;
  if (p->pending_sub_cands) g_ptr_array_unref(p->pending_sub_cands);
  p->pending_sub_cands = NULL;
}
