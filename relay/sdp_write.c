/*
 * sdp_write.c — the relay's side of SDP: choosing what it receives on a
 * publish PeerConnection (negotiation) and writing SDP text from an sv_sdp
 * with GstSDP. Pure: no globals, no I/O, any thread.
 */
#include "relay/sdp_int.h"

#include <stdlib.h>
/* ---- publish negotiation --------------------------------------------------- */

/* Looks key up in an fmtp value ("a=1;b=2") and copies its value into
 * val[cap]. False when absent or when the value does not fit. */
static bool fmtp_get(const char *fmtp, const char *key, char *val, size_t cap) {
  char **params = g_strsplit(fmtp, ";", -1);
  bool found = false;
  for (char **p = params; *p && !found; p++) {
    char *eq = strchr(*p, '=');
    if (!eq) continue;
    *eq = '\0';
    found =
        !g_ascii_strcasecmp(g_strstrip(*p), key) && g_strlcpy(val, g_strstrip(eq + 1), cap) < cap;
  }
  g_strfreev(params);
  return found;
}

/* The H.264 codec the relay prefers: packetization-mode=1 (the only mode
 * browsers interoperate on), then constrained baseline 42e01f, which every
 * browser and tablet decodes in hardware, then any other constrained
 * baseline, then any profile. First in offer order within a rank. */
static const sv_sdp_codec *pick_h264(const sv_sdp_media *om) {
  const sv_sdp_codec *best = NULL;
  int best_rank = 0;
  for (size_t i = 0; i < om->n_codecs && i < SV_SDP_MAX_CODECS; i++) {
    const sv_sdp_codec *c = &om->codecs[i];
    char v[16];
    if (c->codec != SV_CODEC_H264 || c->clock_rate != 90000 ||
        !fmtp_get(c->fmtp, "packetization-mode", v, sizeof v) || strcmp(v, "1") != 0)
      continue;
    int rank = 1;
    if (fmtp_get(c->fmtp, "profile-level-id", v, sizeof v)) {
      if (!g_ascii_strcasecmp(v, "42e01f"))
        rank = 3;
      else if ((strlen(v) == 6 && !g_ascii_strncasecmp(v, "42e0", 4)) ||
               !g_ascii_strcasecmp(v, "42001f"))
        rank = 2;
    }
    if (rank > best_rank) {
      best = c;
      best_rank = rank;
    }
  }
  return best;
}

static const sv_sdp_codec *pick_first(const sv_sdp_media *om, sv_codec codec, uint32_t clock) {
  for (size_t i = 0; i < om->n_codecs && i < SV_SDP_MAX_CODECS; i++)
    if (om->codecs[i].codec == codec && om->codecs[i].clock_rate == clock) return &om->codecs[i];
  return NULL;
}

/* The codec named name ("red" or "rtx") that belongs to payload type pt:
 * red with "pt/pt" (its redundant blocks are that codec too), rtx with
 * "apt=pt". NULL when the offer has none. */
static const sv_sdp_codec *pick_companion(const sv_sdp_media *om, const char *name, uint8_t pt) {
  char want[16];
  for (size_t i = 0; i < om->n_codecs && i < SV_SDP_MAX_CODECS; i++) {
    const sv_sdp_codec *c = &om->codecs[i];
    if (g_ascii_strcasecmp(c->name, name) != 0) continue;
    if (!strcmp(name, "red")) {
      snprintf(want, sizeof want, "%u/%u", pt, pt);
      if (c->clock_rate == 48000 && !strcmp(c->fmtp, want)) return c;
    } else if (fmtp_get(c->fmtp, "apt", want, sizeof want) && atoi(want) == pt &&
               c->clock_rate == 90000) {
      return c;
    }
  }
  return NULL;
}

static const sv_sdp_codec *pick_codec(const sv_sdp_media *om, const sv_sdp_prefs *prefs) {
  if (om->kind == SV_KIND_AUDIO) return pick_first(om, SV_CODEC_OPUS, 48000);
  for (size_t i = 0; i < prefs->n_video && i < SV_ARRAY_LEN(prefs->video); i++) {
    const sv_sdp_codec *c = prefs->video[i] == SV_CODEC_H264  ? pick_h264(om)
                            : prefs->video[i] == SV_CODEC_VP8 ? pick_first(om, SV_CODEC_VP8, 90000)
                                                              : NULL;
    if (c) return c;
  }
  return NULL;
}

/* Opus parameters in a publish answer say what the relay wants to receive:
 * in-band FEC (a lost packet rebuilt from the next one) and DTX (a silent
 * or muted microphone sends a packet every 400 ms instead of fifty a
 * second, which a narrow link feels). Values the offer has are kept. */
static void opus_fmtp(sv_sdp_codec *c) {
  char *fmtp = c->fmtp;
  size_t cap = sizeof c->fmtp;
  static const char *const want[][2] = {{"useinbandfec", "1"}, {"usedtx", "1"}};
  for (size_t i = 0; i < SV_ARRAY_LEN(want); i++) {
    char have[sizeof c->fmtp];
    if (fmtp_get(fmtp, want[i][0], have, sizeof have)) continue;
    size_t len = strlen(fmtp);
    int n = g_snprintf(fmtp + len, cap - len, "%s%s=%s", len ? ";" : "", want[i][0], want[i][1]);
    if (n < 0 || (size_t)n >= cap - len) fmtp[len] = '\0'; /* no room: not half a parameter */
  }
}

int sv_sdp_negotiate_publish(const sv_sdp *offer, const sv_sdp_prefs *prefs, sv_sdp *answer,
                             char *err, size_t errlen) {
  static const sv_sdp_prefs default_prefs = {{SV_CODEC_VP8, SV_CODEC_H264}, 2};
  size_t usable = 0;

  if (err && errlen) err[0] = '\0';
  if (!offer || !answer)
    return sv_sdp_fail(err, errlen, SV_EINVAL, "no offer or answer to negotiate (a bug)");
  if (!prefs) prefs = &default_prefs;
  memset(answer, 0, sizeof *answer);
  answer->n_media = offer->n_media < SV_SDP_MAX_MEDIA ? offer->n_media : SV_SDP_MAX_MEDIA;

  for (size_t i = 0; i < answer->n_media; i++) {
    const sv_sdp_media *om = &offer->media[i];
    sv_sdp_media *am = &answer->media[i];
    const sv_sdp_codec *c =
        om->rejected || om->kind == SV_KIND_OTHER ? NULL : pick_codec(om, prefs);

    am->kind = om->kind;
    memcpy(am->mid, om->mid, sizeof am->mid);
    am->n_codecs = 1;
    if (!c) {
      /* Rejected, echoing the offer's first format: an m= line needs one. */
      am->rejected = true;
      am->dir = SV_DIR_INACTIVE;
      am->n_codecs = om->n_codecs > 0;
      am->codecs[0] = om->codecs[0];
      am->codecs[0].fb = 0;
      am->codecs[0].fmtp[0] = '\0';
      continue;
    }
    usable++;
    am->codecs[0] = *c;
    am->codecs[0].fb &= SDP_FB_SUPPORTED;
    if (c->codec == SV_CODEC_OPUS) opus_fmtp(&am->codecs[0]);
    /* Loss repair the browser brings along: redundant audio (RFC 2198)
     * around Opus, and RTX (RFC 4588) for the video codec, so the relay's
     * NACKs are answered on their own stream. */
    const sv_sdp_codec *extra = om->kind == SV_KIND_AUDIO ? pick_companion(om, "red", c->pt)
                                                          : pick_companion(om, "rtx", c->pt);
    if (extra) {
      am->codecs[am->n_codecs] = *extra;
      am->codecs[am->n_codecs].fb = 0;
      am->n_codecs++;
      /* A browser sends redundant audio only when the other side lists RED
       * before the codec it protects. */
      am->red_first = om->kind == SV_KIND_AUDIO;
    }
    am->dir = om->dir == SV_DIR_SENDRECV || om->dir == SV_DIR_SENDONLY ? SV_DIR_RECVONLY
                                                                       : SV_DIR_INACTIVE;
    am->ssrc = om->ssrc;
    am->rtx_ssrc = om->rtx_ssrc;
    /* Layers are told apart by the rid extension, so simulcast needs it. */
    am->ext.mid = om->ext.mid;
    /* The audio level of each packet tells who is speaking (speaker.c). */
    if (om->kind == SV_KIND_AUDIO) am->ext.level = om->ext.level;
    if (om->n_rids >= 2 && om->ext.rid) {
      am->n_rids = om->n_rids;
      memcpy(am->rids, om->rids, sizeof am->rids);
      am->ext.rid = om->ext.rid;
      am->ext.rrid = om->ext.rrid;
    }
    am->slides = om->slides; /* not written: only the relay's track source */
    memcpy(am->cname, om->cname, sizeof am->cname);
    memcpy(am->msid_stream, om->msid_stream, sizeof am->msid_stream);
    memcpy(am->msid_track, om->msid_track, sizeof am->msid_track);
  }
  if (usable == 0)
    return sv_sdp_fail(err, errlen, SV_EUNSUPP,
                       "the offer has no m-line the relay can receive: it takes Opus audio and "
                       "the configured VP8 or H.264 (packetization-mode=1) video");
  return 0;
}

/* ---- writing --------------------------------------------------------------- */

/* Adds a=key:value to gm. The values come from an sv_sdp the relay built,
 * partly copied from a parsed offer; a CR or LF would still end the line
 * early and smuggle in other lines, so such a value is left out. */
__attribute__((format(printf, 3, 4))) static void media_attr(GstSDPMedia *gm, const char *key,
                                                             const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *v = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  if (!strpbrk(v, "\r\n")) gst_sdp_media_add_attribute(gm, key, v);
  g_free(v);
}

static void write_codec(GstSDPMedia *gm, const sv_sdp_codec *c) {
  static const struct {
    uint32_t flag;
    const char *text;
  } fbs[] = {{SV_FB_NACK, "nack"},
             {SV_FB_PLI, "nack pli"},
             {SV_FB_FIR, "ccm fir"},
             {SV_FB_REMB, "goog-remb"},
             {SV_FB_TWCC, "transport-cc"}};
  if (c->name[0] && c->channels)
    media_attr(gm, "rtpmap", "%u %s/%u/%u", c->pt, c->name, c->clock_rate, c->channels);
  else if (c->name[0])
    media_attr(gm, "rtpmap", "%u %s/%u", c->pt, c->name, c->clock_rate);
  for (size_t i = 0; i < SV_ARRAY_LEN(fbs); i++)
    if (c->fb & fbs[i].flag) media_attr(gm, "rtcp-fb", "%u %s", c->pt, fbs[i].text);
  if (c->fmtp[0]) media_attr(gm, "fmtp", "%u %s", c->pt, c->fmtp);
}

/* a=ssrc and a=msid describe what this side sends (RFC 5576, JSEP 5.2.1),
 * so they are written only for a sending m-line: a recvonly publish answer
 * that echoed the browser's SSRC would claim the relay sends with it. */
static void write_ssrcs(GstSDPMedia *gm, const sv_sdp_media *m) {
  const char *stream = m->msid_stream[0] ? m->msid_stream : "-";
  bool msid = m->msid_track[0] != '\0', rtx = false;
  uint32_t ssrcs[2] = {m->ssrc, m->rtx_ssrc};

  /* An RTX SSRC only makes sense with an rtx payload type to carry it. */
  for (size_t i = 0; i < m->n_codecs && i < SV_SDP_MAX_CODECS && m->rtx_ssrc; i++)
    rtx |= g_ascii_strcasecmp(m->codecs[i].name, "rtx") == 0;
  if (msid) media_attr(gm, "msid", "%s %s", stream, m->msid_track);
  if (rtx) media_attr(gm, "ssrc-group", "FID %u %u", m->ssrc, m->rtx_ssrc);
  for (size_t i = 0; i < (rtx ? 2u : 1u); i++) {
    if (m->cname[0]) media_attr(gm, "ssrc", "%u cname:%s", ssrcs[i], m->cname);
    if (msid) media_attr(gm, "ssrc", "%u msid:%s %s", ssrcs[i], stream, m->msid_track);
  }
}

/* a=extmap lines, and for a receiving simulcast m-line the RIDs it takes. */
static void write_ext(GstSDPMedia *gm, const sv_sdp_media *m) {
  static const struct {
    size_t off;
    const char *uri;
  } exts[] = {{offsetof(sv_sdp_extmap, mid), SV_SDP_URI_MID},
              {offsetof(sv_sdp_extmap, rid), SV_SDP_URI_RID},
              {offsetof(sv_sdp_extmap, rrid), SV_SDP_URI_RRID},
              {offsetof(sv_sdp_extmap, twcc), SV_SDP_URI_TWCC},
              {offsetof(sv_sdp_extmap, level), SV_SDP_URI_LEVEL}};
  for (size_t i = 0; i < SV_ARRAY_LEN(exts); i++) {
    uint8_t id = ((const uint8_t *)&m->ext)[exts[i].off];
    if (id) media_attr(gm, "extmap", "%u %s", id, exts[i].uri);
  }
  size_t n = m->n_rids < SV_SDP_MAX_RIDS ? m->n_rids : SV_SDP_MAX_RIDS;
  if (n < 2 || m->dir != SV_DIR_RECVONLY) return;
  GString *list = g_string_new("recv ");
  for (size_t i = 0; i < n; i++) {
    media_attr(gm, "rid", "%s recv", m->rids[i]);
    g_string_append_printf(list, "%s%s", i ? ";" : "", m->rids[i]);
  }
  media_attr(gm, "simulcast", "%s", list->str);
  g_string_free(list, TRUE);
}

static void write_media(GstSDPMessage *msg, const sv_sdp *sdp, const sv_sdp_media *m) {
  GstSDPMedia gm;
  bool rtp = m->kind != SV_KIND_OTHER;
  size_t n_codecs = m->n_codecs < SV_SDP_MAX_CODECS ? m->n_codecs : SV_SDP_MAX_CODECS;

  memset(&gm, 0, sizeof gm);
  gst_sdp_media_init(&gm);
  gst_sdp_media_set_media(&gm,
                          sv_sdp_kind_names[m->kind <= SV_KIND_OTHER ? m->kind : SV_KIND_OTHER]);
  gst_sdp_media_set_port_info(&gm, m->rejected ? 0 : 9, 0);
  /* The struct keeps no proto for other kinds; the only one browsers send
   * is the data channel, which must be answered in kind even when refused. */
  gst_sdp_media_set_proto(&gm, rtp ? SDP_PROTO_RTP : SDP_PROTO_SCTP);
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; rtp && i < n_codecs; i++) {
      bool first = m->red_first && !g_ascii_strcasecmp(m->codecs[i].name, "red");
      if (first != (pass == 0)) continue;
      char pt[4];
      snprintf(pt, sizeof pt, "%u", m->codecs[i].pt);
      gst_sdp_media_add_format(&gm, pt);
    }
  }
  if (!rtp)
    gst_sdp_media_add_format(&gm, "webrtc-datachannel");
  else if (n_codecs == 0) /* an m= line needs a format, even a rejected one */
    gst_sdp_media_add_format(&gm, "0");
  gst_sdp_media_add_connection(&gm, "IN", "IP4", "0.0.0.0", 0, 0);

  if (rtp) media_attr(&gm, "rtcp", "9 IN IP4 0.0.0.0");
  if (sdp->ice_ufrag[0]) media_attr(&gm, "ice-ufrag", "%s", sdp->ice_ufrag);
  if (sdp->ice_pwd[0]) media_attr(&gm, "ice-pwd", "%s", sdp->ice_pwd);
  if (sdp->fingerprint[0]) media_attr(&gm, "fingerprint", "sha-256 %s", sdp->fingerprint);
  media_attr(&gm, "setup", "%s",
             sv_sdp_setup_names[sdp->setup <= SV_SETUP_PASSIVE ? sdp->setup : 0]);
  if (m->mid[0]) media_attr(&gm, "mid", "%s", m->mid);
  if (rtp) {
    gst_sdp_media_add_attribute(&gm, sv_sdp_dir_names[m->dir <= SV_DIR_INACTIVE ? m->dir : 0],
                                NULL);
    gst_sdp_media_add_attribute(&gm, "rtcp-mux", NULL);
    for (size_t i = 0; i < n_codecs; i++)
      write_codec(&gm, &m->codecs[i]);
    if (!m->rejected) write_ext(&gm, m);
    if (m->ssrc && !m->rejected && (m->dir == SV_DIR_SENDRECV || m->dir == SV_DIR_SENDONLY))
      write_ssrcs(&gm, m);
  }
  gst_sdp_message_add_media(msg, &gm); /* takes gm's contents */
}

char *sv_sdp_write(const sv_sdp *sdp) {
  GstSDPMessage *msg = NULL;
  size_t n_media;
  char *text, id[24], version[24];

  if (!sdp || gst_sdp_message_new(&msg) != GST_SDP_OK) return NULL;
  n_media = sdp->n_media < SV_SDP_MAX_MEDIA ? sdp->n_media : SV_SDP_MAX_MEDIA;

  snprintf(id, sizeof id, "%" G_GUINT64_FORMAT, sdp->sess_id);
  snprintf(version, sizeof version, "%" G_GUINT64_FORMAT, sdp->sess_version);
  gst_sdp_message_set_version(msg, "0");
  gst_sdp_message_set_origin(msg, "-", id, version, "IN", "IP4", "127.0.0.1");
  gst_sdp_message_set_session_name(msg, "-");
  gst_sdp_message_add_time(msg, "0", "0", NULL);

  /* Rejected m-lines leave the BUNDLE group (RFC 8843 7.3.3). */
  GString *bundle = g_string_new("BUNDLE");
  for (size_t i = 0; i < n_media; i++)
    if (!sdp->media[i].rejected && sdp->media[i].mid[0])
      g_string_append_printf(bundle, " %s", sdp->media[i].mid);
  if (bundle->len > strlen("BUNDLE")) gst_sdp_message_add_attribute(msg, "group", bundle->str);
  g_string_free(bundle, TRUE);
  gst_sdp_message_add_attribute(msg, "msid-semantic", " WMS *");
  gst_sdp_message_add_attribute(msg, "ice-options", "trickle");

  for (size_t i = 0; i < n_media; i++)
    write_media(msg, sdp, &sdp->media[i]);
  text = gst_sdp_message_as_text(msg);
  gst_sdp_message_free(msg);
  return text;
}

/* ---- small helpers --------------------------------------------------------- */

int sv_sdp_prefs_parse(const char *list, sv_sdp_prefs *out) {
  sv_sdp_prefs prefs = {{SV_CODEC_UNKNOWN}, 0};
  char **names = list && out ? g_strsplit(list, ",", -1) : NULL;
  int rc = names && names[0] ? 0 : SV_EINVAL;

  for (char **n = names; n && *n && rc == 0; n++) {
    const char *s = g_strstrip(*n);
    sv_codec c = !g_ascii_strcasecmp(s, "vp8") ? SV_CODEC_VP8
                 : !g_ascii_strcasecmp(s, "h264") || !g_ascii_strcasecmp(s, "h.264")
                     ? SV_CODEC_H264
                     : SV_CODEC_UNKNOWN;
    bool dup = false;
    for (size_t i = 0; i < prefs.n_video; i++)
      dup |= prefs.video[i] == c;
    if (c == SV_CODEC_UNKNOWN)
      rc = SV_EINVAL;
    else if (!dup && prefs.n_video < SV_ARRAY_LEN(prefs.video))
      prefs.video[prefs.n_video++] = c;
  }
  g_strfreev(names);
  if (rc == 0) *out = prefs;
  return rc;
}

const sv_sdp_media *sv_sdp_find_mid(const sv_sdp *sdp, const char *mid) {
  if (!sdp || !mid || !mid[0]) return NULL;
  for (size_t i = 0; i < sdp->n_media && i < SV_SDP_MAX_MEDIA; i++)
    if (!strcmp(sdp->media[i].mid, mid)) return &sdp->media[i];
  return NULL;
}
