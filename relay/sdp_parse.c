/*
 * sdp_parse.c — reading a browser's SDP offer or answer into an sv_sdp, on
 * GStreamer's GstSDP.
 *
 * GstSDP splits lines; this file reads the individual attribute values and
 * checks what WebRTC through this relay needs: DTLS-SRTP with a sha-256
 * fingerprint, BUNDLE and rtcp-mux. The text comes straight from a
 * WebSocket message, so it is hostile: every value is checked for length and
 * characters before it lands in a fixed buffer, and nothing here asserts on
 * input. No globals, no I/O: any thread.
 */
#include "relay/sdp_int.h"

const char *const sv_sdp_dir_names[4] = {"sendrecv", "sendonly", "recvonly", "inactive"};
const char *const sv_sdp_setup_names[3] = {"actpass", "active", "passive"};
const char *const sv_sdp_kind_names[3] = {"audio", "video", "application"};

int sv_sdp_fail(char *err, size_t errlen, int code, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return code;
}
/* ---- characters and small readers ---------------------------------------- */

/* RFC 8839 ice-char: what ICE ufrag and pwd are made of. */
static bool is_ice_char(unsigned char c) {
  return g_ascii_isalnum(c) || c == '+' || c == '/';
}

/* RFC 4566 token-char: what a mid is made of. Anything else (a space, a
 * comma) would change the meaning of the BUNDLE line the mid is written to. */
static bool is_token_char(unsigned char c) {
  return c >= 0x21 && c <= 0x7e && !strchr("\"(),/:;<=>?@[\\]", c);
}

/* Visible ASCII, no space: cname, msid and codec names. Values get copied
 * into SDP the relay sends to other participants, so bytes that could mean
 * something else to a browser's parser are kept out. */
static bool is_visible_char(unsigned char c) {
  return c >= 0x21 && c <= 0x7e;
}

static bool is_fmtp_char(unsigned char c) {
  return c >= 0x20 && c <= 0x7e;
}

/* True when s[0..len) is not empty and every byte passes ok. */
static bool chars_ok(const char *s, size_t len, bool (*ok)(unsigned char)) {
  if (len == 0) return false;
  for (size_t i = 0; i < len; i++)
    if (!ok((unsigned char)s[i])) return false;
  return true;
}

/* Copies s[0..len) into dst[cap] if every byte passes ok; truncates to fit.
 * Returns false (dst untouched) when the characters are wrong. */
static bool copy_checked(char *dst, size_t cap, const char *s, size_t len,
                         bool (*ok)(unsigned char)) {
  if (!chars_ok(s, len, ok)) return false;
  if (len >= cap) len = cap - 1;
  memcpy(dst, s, len);
  dst[len] = '\0';
  return true;
}

/* Copies the string v into dst[cap] only if it fits whole and every byte
 * passes ok: for identifiers, where a cut value would be a different one. */
static bool copy_exact(char *dst, size_t cap, const char *v, bool (*ok)(unsigned char)) {
  size_t len = strlen(v);
  return len < cap && copy_checked(dst, cap, v, len, ok);
}

/* Index of s in list, or -1. */
static int name_index(const char *const *list, size_t n, const char *s) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(list[i], s)) return (int)i;
  return -1;
}

static const char *skip_space(const char *p) {
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* Finds the next space-separated token at or after p: sets *len and returns
 * its start, or NULL at the end of the string. */
static const char *next_token(const char **p, size_t *len) {
  const char *s = skip_space(*p);
  if (*s == '\0') return NULL;
  const char *e = s;
  while (*e && *e != ' ' && *e != '\t')
    e++;
  *len = (size_t)(e - s);
  *p = e;
  return s;
}

static bool token_is(const char *tok, size_t len, const char *word) {
  return tok && strlen(word) == len && g_ascii_strncasecmp(tok, word, len) == 0;
}

/* Reads a decimal number no larger than max at *p and advances past it.
 * False when there is no digit or the number is larger than max. */
static bool read_uint(const char **p, uint64_t max, uint64_t *out) {
  const char *s = *p;
  uint64_t v = 0;
  if (!g_ascii_isdigit(*s)) return false;
  for (; g_ascii_isdigit(*s); s++) {
    uint64_t d = (uint64_t)(*s - '0');
    if (d > max || v > (max - d) / 10) /* v * 10 + d > max, without overflowing */
      return false;
    v = v * 10 + d;
  }
  *p = s;
  *out = v;
  return true;
}

/* A payload type that stands alone (an m= format) or is followed by a space
 * (a=rtpmap, a=fmtp, a=rtcp-fb). Returns -1 if there is none. */
static int read_pt(const char **p, bool alone) {
  uint64_t v;
  if (!read_uint(p, 127, &v)) return -1;
  if (alone ? **p != '\0' : (**p != ' ' && **p != '\t')) return -1;
  return (int)v;
}

/* ---- what GstSDP does not check ------------------------------------------- */

/* Walks the lines the way GstSDP does (leading whitespace skipped, a line is
 * "<letter>=...") before GstSDP sees the text: GstSDP accepts any bytes as
 * an empty message, and prints a warning for a second v= line. Counting m=
 * lines here also keeps a flood of them from being built at all. */
static int sdp_prescan(const char *p, char *err, size_t errlen) {
  unsigned n_v = 0, n_m = 0;
  if (strncmp(p, "v=0", 3) != 0 || (p[3] != '\r' && p[3] != '\n' && p[3] != '\0'))
    return sv_sdp_fail(err, errlen, SV_EINVAL, "this is not SDP: it must begin with the line v=0");
  for (;;) {
    while (g_ascii_isspace(*p))
      p++;
    char type = *p++;
    if (type == '\0') break;
    if (*p == '=') {
      n_v += type == 'v';
      n_m += type == 'm';
    }
    while (*p != '\n' && *p != '\0')
      p++;
  }
  if (n_v > 1)
    return sv_sdp_fail(err, errlen, SV_EINVAL,
                       "the SDP has more than one v= line; send one description at a time");
  if (n_m > SV_SDP_MAX_MEDIA)
    return sv_sdp_fail(err, errlen, SV_ETOOBIG,
                       "the SDP has %u m-lines; the relay takes at most %d", n_m, SV_SDP_MAX_MEDIA);
  return 0;
}

/* ---- session and transport attributes ------------------------------------- */

/* Transport attributes found at one level (session or one m-line). Pointers
 * into the GstSDPMessage, NULL when absent. */
typedef struct sdp_transport {
  const char *ufrag, *pwd, *setup;
  const char *fingerprint; /* the value after "sha-256" */
  bool other_fingerprint;  /* a fingerprint with another hash */
  int dir;                 /* sv_direction, -1 when absent */
} sdp_transport;

static void transport_scan(sdp_transport *t, const GstSDPAttribute *a) {
  const char *k = a->key, *v = a->value ? a->value : "";
  if (!k) return;
  if (!strcmp(k, "ice-ufrag") && !t->ufrag) {
    t->ufrag = v;
  } else if (!strcmp(k, "ice-pwd") && !t->pwd) {
    t->pwd = v;
  } else if (!strcmp(k, "setup") && !t->setup) {
    t->setup = v;
  } else if (!strcmp(k, "fingerprint")) {
    /* Several fingerprints may be offered; the relay checks sha-256. */
    size_t len;
    const char *p = v, *algo = next_token(&p, &len);
    if (token_is(algo, len, "sha-256")) {
      if (!t->fingerprint) t->fingerprint = skip_space(p);
    } else {
      t->other_fingerprint = true;
    }
  } else {
    int dir = name_index(sv_sdp_dir_names, SV_ARRAY_LEN(sv_sdp_dir_names), k);
    t->dir = dir >= 0 ? dir : t->dir;
  }
}

/* Fills the first value found for each field of dst from src. */
static void transport_merge(sdp_transport *dst, const sdp_transport *src) {
  if (!dst->ufrag) dst->ufrag = src->ufrag;
  if (!dst->pwd) dst->pwd = src->pwd;
  if (!dst->setup) dst->setup = src->setup;
  if (!dst->fingerprint) dst->fingerprint = src->fingerprint;
  dst->other_fingerprint |= src->other_fingerprint;
}

/* Accepts exactly 32 colon-separated hex bytes (RFC 8122), optionally
 * followed by spaces, and stores them upper-case so the DTLS code can
 * compare fingerprints with strcmp. */
static bool fingerprint_copy(char *dst, size_t cap, const char *v) {
  char buf[96];
  size_t n = 0;
  for (int i = 0; i < 32; i++) {
    if (!g_ascii_isxdigit(v[0]) || !g_ascii_isxdigit(v[1])) return false;
    buf[n++] = g_ascii_toupper(v[0]);
    buf[n++] = g_ascii_toupper(v[1]);
    v += 2;
    if (i < 31) {
      if (*v++ != ':') return false;
      buf[n++] = ':';
    }
  }
  if (*skip_space(v) != '\0' || n >= cap) return false;
  buf[n] = '\0';
  memcpy(dst, buf, n + 1);
  return true;
}

/* True when a=group:BUNDLE at session level lists mid. */
static bool bundle_has(const GstSDPMessage *msg, const char *mid) {
  for (guint i = 0; i < gst_sdp_message_attributes_len(msg); i++) {
    const GstSDPAttribute *a = gst_sdp_message_get_attribute(msg, i);
    if (!a->key || strcmp(a->key, "group") != 0 || !a->value) continue;
    const char *p = a->value, *tok;
    size_t len;
    tok = next_token(&p, &len);
    if (!token_is(tok, len, "BUNDLE")) continue;
    while ((tok = next_token(&p, &len)))
      if (len == strlen(mid) && memcmp(tok, mid, len) == 0) return true;
  }
  return false;
}

/* ---- codecs ---------------------------------------------------------------- */

static sv_codec codec_of(const char *name, size_t len) {
  if (token_is(name, len, "opus")) return SV_CODEC_OPUS;
  if (token_is(name, len, "VP8")) return SV_CODEC_VP8;
  if (token_is(name, len, "H264")) return SV_CODEC_H264;
  return SV_CODEC_UNKNOWN;
}

/* Reads "<name>/<clock>[/<channels>]" (the part after the PT). On a value
 * that does not read, the codec keeps no name and stays unknown. */
static void rtpmap_read(sv_sdp_codec *c, const char *v) {
  const char *slash = strchr(v, '/'), *p;
  uint64_t clock, channels = 0;
  if (!slash) return;
  size_t len = (size_t)(slash - v);
  p = slash + 1;
  if (!chars_ok(v, len, is_visible_char) || !read_uint(&p, UINT32_MAX, &clock)) return;
  if (*p == '/') {
    p++;
    if (!read_uint(&p, UINT8_MAX, &channels)) return;
  }
  if (*skip_space(p) != '\0') return;
  copy_checked(c->name, sizeof c->name, v, len, is_visible_char);
  c->codec = codec_of(v, len);
  c->clock_rate = (uint32_t)clock;
  c->channels = (uint8_t)channels;
}

/* Maps the words after "a=rtcp-fb:<pt> " to an SV_FB_* flag; 0 for the
 * feedback the relay does not use (ccm tmmbr, ...). */
static uint32_t rtcp_fb_read(const char *p) {
  size_t n1 = 0, n2 = 0;
  const char *type = next_token(&p, &n1), *param = next_token(&p, &n2);
  if (next_token(&p, &n2)) return 0;
  if (token_is(type, n1, "nack"))
    return !param ? SV_FB_NACK : token_is(param, n2, "pli") ? SV_FB_PLI : 0;
  if (token_is(type, n1, "ccm") && token_is(param, n2, "fir")) return SV_FB_FIR;
  if (token_is(type, n1, "goog-remb") && !param) return SV_FB_REMB;
  if (token_is(type, n1, "transport-cc") && !param) return SV_FB_TWCC;
  return 0;
}

/* Per-m-line lookup tables from payload type to attribute values. */
typedef struct sdp_pt_table {
  const char *rtpmap[128], *fmtp[128];
  uint32_t fb[128], fb_all;
} sdp_pt_table;

static void pt_table_fill(sdp_pt_table *t, const GstSDPMedia *gm) {
  memset(t, 0, sizeof *t);
  for (guint i = 0; i < gst_sdp_media_attributes_len(gm); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute(gm, i);
    if (!a->key || !a->value) continue;
    const char *p = a->value;
    bool rtpmap = !strcmp(a->key, "rtpmap"), fmtp = !strcmp(a->key, "fmtp");
    if (!strcmp(a->key, "rtcp-fb")) {
      if (p[0] == '*' && (p[1] == ' ' || p[1] == '\t')) {
        t->fb_all |= rtcp_fb_read(p + 1);
      } else {
        int pt = read_pt(&p, false);
        if (pt >= 0) t->fb[pt] |= rtcp_fb_read(p);
      }
    } else if (rtpmap || fmtp) {
      int pt = read_pt(&p, false);
      const char **slot = pt < 0 ? NULL : rtpmap ? &t->rtpmap[pt] : &t->fmtp[pt];
      if (slot && !*slot) /* the first line for a PT wins */
        *slot = skip_space(p);
    }
  }
}

/* Builds the codec for one m= format. */
static void codec_build(sv_sdp_codec *c, const sdp_pt_table *t, int pt) {
  memset(c, 0, sizeof *c);
  c->pt = (uint8_t)pt;
  c->fb = t->fb[pt] | t->fb_all;
  if (t->rtpmap[pt]) rtpmap_read(c, t->rtpmap[pt]);
  const char *f = t->fmtp[pt];
  if (!f) return;
  size_t len = strlen(f);
  while (len > 0 && (f[len - 1] == ' ' || f[len - 1] == '\t'))
    len--;
  /* A cut fmtp would be echoed in the answer as if it were the offer's, so
   * one that does not fit is dropped, and a codec the relay would forward is
   * then treated as one it does not know. */
  if (len >= sizeof c->fmtp || !copy_checked(c->fmtp, sizeof c->fmtp, f, len, is_fmtp_char)) {
    c->fmtp[0] = '\0';
    if (len > 0) c->codec = SV_CODEC_UNKNOWN;
  }
}

/* Collects the m-line's codecs in m= order. When more than SV_SDP_MAX_CODECS
 * are offered, codecs the relay does not forward (rtx, red, AV1, ...) are
 * dropped first: Chrome offers about 25 video formats, and the H.264 ones
 * come late. */
static void media_codecs(sv_sdp_media *m, const GstSDPMedia *gm) {
  sdp_pt_table t;
  sv_sdp_codec c;
  bool seen[128] = {false};
  size_t n_known = 0, kept_other = 0;
  guint n_fmts = gst_sdp_media_formats_len(gm);

  pt_table_fill(&t, gm);
  for (int pass = 0; pass < 2; pass++) {
    memset(seen, 0, sizeof seen);
    for (guint i = 0; i < n_fmts; i++) {
      const char *f = gst_sdp_media_get_format(gm, i);
      int pt = f ? read_pt(&f, true) : -1;
      if (pt < 0 || seen[pt]) continue;
      seen[pt] = true;
      codec_build(&c, &t, pt);
      bool known = c.codec != SV_CODEC_UNKNOWN;
      if (pass == 0) {
        n_known += known;
        continue;
      }
      size_t room_other = n_known >= SV_SDP_MAX_CODECS ? 0 : SV_SDP_MAX_CODECS - n_known;
      if (m->n_codecs >= SV_SDP_MAX_CODECS || (!known && kept_other >= room_other)) continue;
      kept_other += !known;
      m->codecs[m->n_codecs++] = c;
    }
  }
}

/* ---- ssrc, cname, msid ----------------------------------------------------- */

/* Reads "<stream> [<track>]" from an a=msid value or the part after
 * "msid:" in a=ssrc. Values with bytes outside visible ASCII are ignored. */
static void msid_read(sv_sdp_media *m, const char *p) {
  size_t n1 = 0, n2 = 0;
  const char *stream = next_token(&p, &n1), *track = next_token(&p, &n2);
  if (!stream || !chars_ok(stream, n1, is_visible_char) ||
      (track && !chars_ok(track, n2, is_visible_char)))
    return;
  copy_checked(m->msid_stream, sizeof m->msid_stream, stream, n1, is_visible_char);
  m->msid_track[0] = '\0';
  if (track) copy_checked(m->msid_track, sizeof m->msid_track, track, n2, is_visible_char);
}

/* Reads a nonzero SSRC after optional spaces. */
static bool read_ssrc(const char **p, uint32_t *out) {
  uint64_t v;
  *p = skip_space(*p);
  if (!read_uint(p, UINT32_MAX, &v) || v == 0) return false;
  *out = (uint32_t)v;
  return true;
}

/* True when a is "a=ssrc:<ssrc> <rest>"; sets both. */
static bool ssrc_attr(const GstSDPAttribute *a, uint32_t *ssrc, const char **rest) {
  const char *p = a->value;
  if (!a->key || !p || strcmp(a->key, "ssrc") != 0 || !read_ssrc(&p, ssrc)) return false;
  *rest = skip_space(p);
  return true;
}

/* Finds the primary SSRC (the first a=ssrc that is not the RTX secondary of
 * an a=ssrc-group:FID), its RTX SSRC, its cname, and the msid: from a=msid,
 * else from the primary's a=ssrc msid: line (older Chrome, Safari). */
static void media_ssrcs(sv_sdp_media *m, const GstSDPMedia *gm) {
  uint32_t fid[SDP_MAX_FID][2], s;
  size_t n_fid = 0;
  guint n = gst_sdp_media_attributes_len(gm);
  const char *rest;

  for (guint i = 0; i < n; i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute(gm, i);
    const char *p = a->value;
    if (!a->key || !p) continue;
    if (!strcmp(a->key, "msid") && !m->msid_stream[0]) {
      msid_read(m, p);
    } else if (!strcmp(a->key, "ssrc-group") && !strncmp(p, "FID ", 4) && n_fid < SDP_MAX_FID) {
      p += 4;
      if (read_ssrc(&p, &fid[n_fid][0]) && read_ssrc(&p, &fid[n_fid][1])) n_fid++;
    }
  }
  for (guint i = 0; i < n && !m->ssrc; i++) {
    bool secondary = false;
    if (!ssrc_attr(gst_sdp_media_get_attribute(gm, i), &s, &rest)) continue;
    for (size_t j = 0; j < n_fid; j++)
      secondary |= fid[j][1] == s;
    if (!secondary) m->ssrc = s;
  }
  if (!m->ssrc && n_fid) m->ssrc = fid[0][0];
  for (size_t j = 0; j < n_fid && !m->rtx_ssrc; j++)
    if (fid[j][0] == m->ssrc) m->rtx_ssrc = fid[j][1];
  for (guint i = 0; i < n && m->ssrc; i++) {
    if (!ssrc_attr(gst_sdp_media_get_attribute(gm, i), &s, &rest) || s != m->ssrc) continue;
    if (!strncmp(rest, "cname:", 6) && !m->cname[0])
      copy_checked(m->cname, sizeof m->cname, rest + 6, strlen(rest + 6), is_visible_char);
    else if (!strncmp(rest, "msid:", 5) && !m->msid_stream[0])
      msid_read(m, rest + 5);
  }
}

/* ---- header extensions and simulcast --------------------------------------- */

/* Reads "a=extmap:<id>[/<direction>] <uri> [<attributes>]" and keeps the id
 * of the extensions the relay uses. Ids outside 1..14 (the one-byte form)
 * are ignored: the relay writes the one-byte form only. */
static void extmap_read(sv_sdp_extmap *ext, const char *p) {
  uint64_t id;
  size_t len;
  if (!read_uint(&p, 255, &id) || id < 1 || id > 14) return;
  if (*p == '/')
    while (*p && *p != ' ' && *p != '\t')
      p++;
  const char *uri = next_token(&p, &len);
  uint8_t *slot = token_is(uri, len, SV_SDP_URI_MID)     ? &ext->mid
                  : token_is(uri, len, SV_SDP_URI_RID)   ? &ext->rid
                  : token_is(uri, len, SV_SDP_URI_RRID)  ? &ext->rrid
                  : token_is(uri, len, SV_SDP_URI_TWCC)  ? &ext->twcc
                  : token_is(uri, len, SV_SDP_URI_LEVEL) ? &ext->level
                                                         : NULL;
  if (slot && !*slot) *slot = (uint8_t)id;
}

/* RFC 8851 rid-id: letters, digits, '-' and '_'. */
static bool is_rid_char(unsigned char c) {
  return g_ascii_isalnum(c) || c == '-' || c == '_';
}

/* True when "a=rid:<id> send ..." names id (len bytes) as a send RID. */
static bool rid_declared(const GstSDPMedia *gm, const char *id, size_t n) {
  for (guint i = 0; i < gst_sdp_media_attributes_len(gm); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute(gm, i);
    if (!a->key || !a->value || strcmp(a->key, "rid") != 0) continue;
    const char *p = a->value;
    size_t l1, l2;
    const char *rid = next_token(&p, &l1), *dir = next_token(&p, &l2);
    if (l1 == n && rid && memcmp(rid, id, n) == 0 && token_is(dir, l2, "send")) return true;
  }
  return false;
}

/* Reads the send list of "a=simulcast:send q;h;f" (RFC 8853): one RID per
 * ';'-separated stream, the first of ','-alternatives, a '~' (paused at
 * start) prefix dropped. Only RIDs that an a=rid:<id> send line declares
 * count; without two or more the m-line is taken as a single stream. */
static void simulcast_read(sv_sdp_media *m, const GstSDPMedia *gm) {
  const char *v = gst_sdp_media_get_attribute_val(gm, "simulcast");
  size_t len;
  if (!v) return;
  const char *p = v, *tok;
  while ((tok = next_token(&p, &len)) && !token_is(tok, len, "send")) {
    if (!next_token(&p, &len)) return; /* "recv <list>": skip its list */
  }
  if (!tok || !(tok = next_token(&p, &len))) return;
  const char *end = tok + len;
  while (tok < end && m->n_rids < SV_SDP_MAX_RIDS) {
    const char *stream_end = memchr(tok, ';', (size_t)(end - tok));
    if (!stream_end) stream_end = end;
    const char *alt_end = memchr(tok, ',', (size_t)(stream_end - tok));
    if (!alt_end) alt_end = stream_end;
    const char *id = *tok == '~' ? tok + 1 : tok;
    size_t n = (size_t)(alt_end - id);
    if (n > 0 && n < sizeof m->rids[0] && chars_ok(id, n, is_rid_char) && rid_declared(gm, id, n)) {
      memcpy(m->rids[m->n_rids], id, n);
      m->rids[m->n_rids][n] = '\0';
      m->n_rids++;
    }
    tok = stream_end + 1;
  }
  if (m->n_rids < 2) m->n_rids = 0;
}

static void media_ext(sv_sdp_media *m, const GstSDPMedia *gm) {
  for (guint i = 0; i < gst_sdp_media_attributes_len(gm); i++) {
    const GstSDPAttribute *a = gst_sdp_media_get_attribute(gm, i);
    if (a->key && a->value && !strcmp(a->key, "extmap")) extmap_read(&m->ext, a->value);
  }
  if (m->kind == SV_KIND_VIDEO) simulcast_read(m, gm);
}

/* a=content (RFC 4796): a comma-separated list; "slides" marks a screen
 * share (the web client sets it on its screen's m-line). */
static bool content_has_slides(const GstSDPMedia *gm) {
  const char *v = gst_sdp_media_get_attribute_val(gm, "content");
  while (v && *v) {
    size_t n = strcspn(v, ",");
    if (token_is(v, n, "slides")) return true;
    v += n + (v[n] == ',');
  }
  return false;
}

/* ---- parsing --------------------------------------------------------------- */

/* Reads m-line number idx (from 1, for messages) into m, merging its
 * transport attributes into *tr, and checks what an audio or video m-line
 * needs to go through the relay. */
static int media_parse(const GstSDPMessage *msg, const GstSDPMedia *gm, unsigned idx, int sess_dir,
                       sv_sdp_media *m, sdp_transport *tr, char *err, size_t errlen) {
  const char *type = gst_sdp_media_get_media(gm), *proto = gst_sdp_media_get_proto(gm);
  const char *mid = gst_sdp_media_get_attribute_val(gm, "mid");
  sdp_transport mt = {.dir = -1};

  type = type ? type : "";
  proto = proto ? proto : "";
  m->kind = !strcmp(type, "audio")   ? SV_KIND_AUDIO
            : !strcmp(type, "video") ? SV_KIND_VIDEO
                                     : SV_KIND_OTHER;
  /* Port 0 rejects an m-line, except one marked bundle-only (RFC 8843). */
  m->rejected =
      gst_sdp_media_get_port(gm) == 0 && !gst_sdp_media_get_attribute_val(gm, "bundle-only");
  for (guint i = 0; i < gst_sdp_media_attributes_len(gm); i++)
    transport_scan(&mt, gst_sdp_media_get_attribute(gm, i));
  m->dir = mt.dir >= 0 ? (sv_direction)mt.dir : (sv_direction)sess_dir;
  if (!m->rejected) transport_merge(tr, &mt);

  /* A rejected m-line's mid is only echoed back, so a bad one is dropped. */
  if (mid && !copy_exact(m->mid, sizeof m->mid, mid, is_token_char) && !m->rejected)
    return sv_sdp_fail(err, errlen, SV_EINVAL,
                       "m-line %u has an a=mid that is empty, over %zu characters or not an SDP "
                       "token; use short mids such as 0, 1, 2",
                       idx, sizeof m->mid - 1);

  if (m->kind == SV_KIND_OTHER) /* data channels: parsed, never used */
    return 0;
  media_codecs(m, gm);
  media_ssrcs(m, gm);
  media_ext(m, gm);
  m->slides = m->kind == SV_KIND_VIDEO && content_has_slides(gm);
  if (m->rejected) return 0;

  if (strcmp(proto, SDP_PROTO_RTP) != 0)
    return sv_sdp_fail(err, errlen, SV_EUNSUPP,
                       "the %s m-line number %u does not use " SDP_PROTO_RTP
                       ", the only profile the relay takes",
                       type, idx);
  if (!m->mid[0])
    return sv_sdp_fail(err, errlen, SV_EINVAL,
                       "the %s m-line number %u has no a=mid; BUNDLE needs one on each m-line",
                       type, idx);
  if (!gst_sdp_media_get_attribute_val(gm, "rtcp-mux"))
    return sv_sdp_fail(err, errlen, SV_EUNSUPP,
                       "the %s m-line with mid %s has no a=rtcp-mux; keep rtcpMuxPolicy 'require'",
                       type, m->mid);
  if (!bundle_has(msg, m->mid))
    return sv_sdp_fail(err, errlen, SV_EUNSUPP,
                       "the %s m-line with mid %s is not in a=group:BUNDLE; use bundlePolicy "
                       "'max-bundle'",
                       type, m->mid);
  return 0;
}

/* Checks and copies the session-wide ICE and DTLS fields. */
static int transport_parse(sv_sdp *out, const sdp_transport *t, char *err, size_t errlen) {
  if (!t->ufrag || !t->pwd)
    return sv_sdp_fail(err, errlen, SV_EINVAL,
                       "the SDP has no a=%s line; ICE needs the browser's credentials",
                       !t->ufrag ? "ice-ufrag" : "ice-pwd");
  if (!copy_exact(out->ice_ufrag, sizeof out->ice_ufrag, t->ufrag, is_ice_char) ||
      !copy_exact(out->ice_pwd, sizeof out->ice_pwd, t->pwd, is_ice_char))
    return sv_sdp_fail(err, errlen, SV_EINVAL,
                       "the a=ice-ufrag or a=ice-pwd value is not 1-255 letters, digits, + or /");

  if (!t->fingerprint && t->other_fingerprint)
    return sv_sdp_fail(err, errlen, SV_EUNSUPP,
                       "the SDP's a=fingerprint lines use other hashes than sha-256, the only "
                       "one the relay checks");
  if (!t->fingerprint)
    return sv_sdp_fail(err, errlen, SV_EINVAL,
                       "the SDP has no a=fingerprint:sha-256 line, which DTLS needs to check the "
                       "browser's certificate");
  if (!fingerprint_copy(out->fingerprint, sizeof out->fingerprint, t->fingerprint))
    return sv_sdp_fail(err, errlen, SV_EINVAL,
                       "the a=fingerprint:sha-256 value is not 32 hex bytes separated by colons");

  if (!t->setup)
    return sv_sdp_fail(err, errlen, SV_EINVAL,
                       "the SDP has no a=setup line; DTLS needs actpass, active or passive");
  int setup = name_index(sv_sdp_setup_names, SV_ARRAY_LEN(sv_sdp_setup_names), t->setup);
  if (setup < 0)
    return sv_sdp_fail(err, errlen, SV_EUNSUPP,
                       "the a=setup value is not actpass, active or passive");
  out->setup = (sv_setup)setup;
  return 0;
}

static uint64_t parse_u64(const char *s) {
  uint64_t v = 0;
  if (!s || !read_uint(&s, UINT64_MAX, &v) || *s) return 0;
  return v;
}

/* Reads a parsed GstSDPMessage into out. */
static int sdp_read(const GstSDPMessage *msg, sv_sdp *out, char *err, size_t errlen) {
  const GstSDPOrigin *o = gst_sdp_message_get_origin(msg);
  sdp_transport st = {.dir = -1}, first = {.dir = -1};
  guint n = gst_sdp_message_medias_len(msg);
  bool any_active = false;
  int rc;

  out->sess_id = parse_u64(o->sess_id);
  out->sess_version = parse_u64(o->sess_version);
  for (guint i = 0; i < gst_sdp_message_attributes_len(msg); i++)
    transport_scan(&st, gst_sdp_message_get_attribute(msg, i));

  if (n == 0)
    return sv_sdp_fail(err, errlen, SV_EINVAL,
                       "the SDP has no m= lines; add the tracks before creating the offer");
  if (n > SV_SDP_MAX_MEDIA) /* sdp_prescan counted them already */
    return sv_sdp_fail(err, errlen, SV_ETOOBIG, "the SDP has too many m-lines");
  for (guint i = 0; i < n; i++) {
    sv_sdp_media *m = &out->media[i];
    rc = media_parse(msg, gst_sdp_message_get_media(msg, i), i + 1,
                     st.dir >= 0 ? st.dir : SV_DIR_SENDRECV, m, &first, err, errlen);
    if (rc) return rc;
    any_active |= !m->rejected;
    for (guint j = 0; j < i && m->mid[0]; j++)
      if (!strcmp(out->media[j].mid, m->mid))
        return sv_sdp_fail(err, errlen, SV_EINVAL,
                           "two m-lines have the same a=mid:%s; every m-line needs its own mid",
                           m->mid);
  }
  out->n_media = n;

  /* With every m-line rejected there is no transport to describe. */
  if (!any_active) return 0;
  transport_merge(&st, &first);
  return transport_parse(out, &st, err, errlen);
}

int sv_sdp_parse(const char *text, sv_sdp *out, char *err, size_t errlen) {
  GstSDPMessage *msg = NULL;
  size_t len;
  int rc;

  if (err && errlen) err[0] = '\0';
  if (!out) return sv_sdp_fail(err, errlen, SV_EINVAL, "no place to store the parsed SDP (a bug)");
  memset(out, 0, sizeof *out);
  len = text ? strnlen(text, SDP_MAX_TEXT + 1) : 0;
  if (len == 0)
    return sv_sdp_fail(err, errlen, SV_EINVAL,
                       "the SDP is empty; send the browser's RTCSessionDescription.sdp");
  if (len > SDP_MAX_TEXT)
    return sv_sdp_fail(err, errlen, SV_ETOOBIG,
                       "the SDP is larger than %d KiB, which no browser sends",
                       SDP_MAX_TEXT / 1024);
  rc = sdp_prescan(text, err, errlen);
  if (rc) return rc;

  if (gst_sdp_message_new(&msg) != GST_SDP_OK)
    return sv_sdp_fail(err, errlen, SV_EIO, "GstSDP could not create a message (a bug)");
  if (gst_sdp_message_parse_buffer((const guint8 *)text, (guint)len, msg) != GST_SDP_OK) {
    rc = sv_sdp_fail(err, errlen, SV_EINVAL, "the SDP could not be parsed");
    goto out;
  }
  rc = sdp_read(msg, out, err, errlen);
out:
  gst_sdp_message_free(msg);
  if (rc) memset(out, 0, sizeof *out);
  return rc;
}
