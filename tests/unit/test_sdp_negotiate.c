/*
 * test_sdp_negotiate.c — unit tests for relay/sdp.h negotiation and writing
 * (sdp_parse.c, sdp_write.c): publish negotiation of real browser offers
 * under both codec preferences, answers and subscribe offers written and
 * parsed back. The offers and helpers are in sdp_fixture.h.
 */
#include "tests/unit/sdp_fixture.h"

/* ---- publish negotiation --------------------------------------------------- */

static void test_negotiate_chrome_vp8(void) {
  sv_sdp *offer = parse_ok(chrome_offer);
  sv_sdp *ans = negotiate_ok(offer, "vp8,h264");
  CHECK_EQ_INT(ans->n_media, 2);
  CHECK_STR(ans->ice_ufrag, ""); /* left for the caller */
  CHECK_STR(ans->fingerprint, "");
  const sv_sdp_media *a = &ans->media[0], *v = &ans->media[1];
  CHECK(!a->rejected);
  CHECK_STR(a->mid, "0");
  CHECK_EQ_INT(a->dir, SV_DIR_RECVONLY); /* sendrecv -> recvonly */
  CHECK_EQ_INT(a->n_codecs, 2);          /* Opus, and RED around it */
  CHECK_STR(a->codecs[1].name, "red");
  CHECK_EQ_INT(a->codecs[1].pt, 63);
  CHECK(a->red_first);
  CHECK_EQ_INT(a->codecs[0].codec, SV_CODEC_OPUS);
  CHECK_EQ_INT(a->codecs[0].pt, 111);
  CHECK_STR(a->codecs[0].fmtp, "minptime=10;useinbandfec=1;usedtx=1"); /* DTX asked for */
  CHECK_EQ_INT(a->codecs[0].fb, 0);
  CHECK_EQ_INT(a->ssrc, 1001);
  CHECK_STR(a->cname, "4TOk42mSjXCkVIa6");
  CHECK_STR(a->msid_track, "2d1c6a0b-8f5e-4c3a-b2d1-0e9f8a7b6c5d");
  CHECK_EQ_INT(a->ext.level, 1); /* who speaks: the audio level of each packet */
  CHECK(!v->rejected);
  CHECK_EQ_INT(v->ext.level, 0);
  CHECK_EQ_INT(v->dir, SV_DIR_RECVONLY); /* sendonly -> recvonly */
  CHECK_EQ_INT(v->n_codecs, 2);          /* VP8, and its RTX */
  CHECK_STR(v->codecs[1].name, "rtx");
  CHECK_STR(v->codecs[1].fmtp, "apt=96");
  CHECK_EQ_INT(v->codecs[0].codec, SV_CODEC_VP8);
  CHECK_EQ_INT(v->codecs[0].pt, 96);
  CHECK_STR(v->codecs[0].fmtp, "");
  CHECK_EQ_INT(v->codecs[0].fb, SV_FB_NACK | SV_FB_PLI | SV_FB_FIR | SV_FB_REMB);
  CHECK_EQ_INT(v->ssrc, 2001);
  CHECK_EQ_INT(v->rtx_ssrc, 2002);
  g_free(ans);
  g_free(offer);
}

/* The Opus answer asks for in-band FEC and DTX; a value the offer has is
 * kept as it is. */
static void test_negotiate_opus_fmtp(void) {
  char **parts = g_strsplit(chrome_offer, "minptime=10;useinbandfec=1", -1);
  char *text = g_strjoinv("minptime=10; USEDTX=0", parts);
  g_strfreev(parts);
  sv_sdp *offer = parse_ok(text);
  sv_sdp *ans = negotiate_ok(offer, "vp8");
  CHECK_STR(ans->media[0].codecs[0].fmtp, "minptime=10; USEDTX=0;useinbandfec=1");
  g_free(ans);
  g_free(offer);
  g_free(text);
}

static void test_negotiate_chrome_h264(void) {
  sv_sdp *offer = parse_ok(chrome_offer);
  sv_sdp *ans = negotiate_ok(offer, "h264,vp8");
  const sv_sdp_media *v = &ans->media[1];
  CHECK_EQ_INT(v->codecs[0].codec, SV_CODEC_H264);
  CHECK_EQ_INT(v->codecs[0].pt, 106); /* 42e01f beats 42001f (102), which comes first */
  CHECK_STR(v->codecs[0].fmtp,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  CHECK_EQ_INT(v->codecs[0].fb, SV_FB_NACK | SV_FB_PLI | SV_FB_FIR | SV_FB_REMB);
  CHECK_EQ_INT(ans->media[0].codecs[0].codec, SV_CODEC_OPUS);
  g_free(ans);
  g_free(offer);
}

static void test_negotiate_safari_falls_back_to_h264(void) {
  sv_sdp *offer = parse_ok(safari_offer);
  sv_sdp *ans = negotiate_ok(offer, "vp8,h264");
  const sv_sdp_media *v = &ans->media[1];
  CHECK(!v->rejected);
  CHECK_EQ_INT(v->codecs[0].codec, SV_CODEC_H264);
  CHECK_EQ_INT(v->codecs[0].pt, 98); /* 42e01f over the high profile 640c1f (96) */
  CHECK_STR(v->codecs[0].name, "H264");
  CHECK_EQ_INT(v->dir, SV_DIR_RECVONLY);
  CHECK_EQ_INT(ans->media[0].codecs[0].pt, 111);
  g_free(ans);

  /* VP8 only: Safari's video cannot be received. */
  ans = negotiate_ok(offer, "vp8");
  CHECK(ans->media[1].rejected);
  CHECK_EQ_INT(ans->media[1].dir, SV_DIR_INACTIVE);
  CHECK(!ans->media[0].rejected);
  g_free(ans);
  g_free(offer);
}

static void test_negotiate_firefox(void) {
  sv_sdp *offer = parse_ok(firefox_offer);
  sv_sdp *ans = negotiate_ok(offer, "h264,vp8");
  CHECK_EQ_INT(ans->n_media, 3);
  CHECK_EQ_INT(ans->media[0].codecs[0].pt, 109);
  CHECK_STR(ans->media[0].codecs[0].fmtp, "maxplaybackrate=48000;stereo=1;useinbandfec=1;usedtx=1");
  CHECK_EQ_INT(ans->media[1].codecs[0].pt, 126); /* pm=1; 97 is pm=0 */
  CHECK_EQ_INT(ans->media[1].dir, SV_DIR_RECVONLY);
  CHECK(ans->media[2].rejected); /* data channel */
  CHECK_EQ_INT(ans->media[2].kind, SV_KIND_OTHER);
  CHECK_STR(ans->media[2].mid, "2");
  g_free(ans);
  g_free(offer);
}

/* H.264 ranking on a small offer: constrained baseline over baseline-ish over others. */
static void test_negotiate_h264_ranking(void) {
  char *text = g_strdup(chrome_offer);
  /* Take 106 (42e01f) away: 102 (42001f) must win over 127 (4d001f) and 112. */
  char *t2 = replace_all(text, "packetization-mode=1;profile-level-id=42e01f",
                         "packetization-mode=0;profile-level-id=42e01f");
  sv_sdp *offer = parse_ok(t2);
  sv_sdp *ans = negotiate_ok(offer, "h264");
  CHECK_EQ_INT(ans->media[1].codecs[0].pt, 102);
  g_free(ans);
  g_free(offer);

  /* No packetization-mode=1 at all: H.264 is unusable, VP8 is next. */
  char *t3 = replace_all(t2, "packetization-mode=1", "packetization-mode=0");
  offer = parse_ok(t3);
  ans = negotiate_ok(offer, "h264,vp8");
  CHECK_EQ_INT(ans->media[1].codecs[0].codec, SV_CODEC_VP8);
  g_free(ans);
  ans = negotiate_ok(offer, "h264");
  CHECK(ans->media[1].rejected);
  g_free(ans);
  g_free(offer);
  g_free(t3);
  g_free(t2);
  g_free(text);
}

static void test_negotiate_nothing_usable(void) {
  char *t1 = replace_all(chrome_offer, "opus/48000/2", "G729/8000");
  char *t2 = replace_all(t1, "VP8/90000", "VP9/90000");
  char *t3 = replace_all(t2, "H264/90000", "H265/90000");
  sv_sdp *offer = parse_ok(t3);
  sv_sdp_prefs prefs = prefs_of("vp8,h264");
  sv_sdp *ans = sdp_new();
  char err[256] = "";
  CHECK_EQ_INT(sv_sdp_negotiate_publish(offer, &prefs, ans, err, sizeof err), SV_EUNSUPP);
  CHECK(err[0] != '\0');
  CHECK(ans->media[0].rejected && ans->media[1].rejected);
  g_free(ans);
  g_free(offer);
  g_free(t3);
  g_free(t2);
  g_free(t1);
}

static void test_negotiate_inactive_and_rejected(void) {
  char *t1 = replace_all(firefox_offer, "m=audio 9 ", "m=audio 0 ");
  char *t2 = replace_all(t1, "a=sendrecv\r\na=extmap:3 urn", "a=recvonly\r\na=extmap:3 urn");
  sv_sdp *offer = parse_ok(t2);
  CHECK(offer->media[0].rejected);
  CHECK_EQ_INT(offer->media[1].dir, SV_DIR_RECVONLY);
  sv_sdp *ans = negotiate_ok(offer, "vp8");
  CHECK(ans->media[0].rejected);
  CHECK_EQ_INT(ans->media[0].n_codecs, 1); /* still one format to write */
  CHECK(!ans->media[1].rejected);
  CHECK_EQ_INT(ans->media[1].dir, SV_DIR_INACTIVE); /* recvonly -> inactive */
  g_free(ans);
  g_free(offer);
  g_free(t2);
  g_free(t1);
}

/* ---- writing and reading back ---------------------------------------------- */

static void test_answer_round_trip(void) {
  sv_sdp *offer = parse_ok(firefox_offer);
  sv_sdp *ans = negotiate_ok(offer, "h264,vp8");
  fill_local(ans, SV_SETUP_PASSIVE);
  char *text = sv_sdp_write(ans);
  CHECK(text != NULL);
  if (!text) return;
  CHECK(g_str_has_prefix(text, "v=0\r\no=- 1234567890123456789 2 IN IP4 127.0.0.1\r\ns=-\r\n"
                               "t=0 0\r\na=group:BUNDLE 0 1\r\n"));
  CHECK(strstr(text, "a=msid-semantic: WMS *\r\n") != NULL);
  CHECK(strstr(text, "a=ice-options:trickle\r\n") != NULL);
  CHECK(strstr(text, "m=audio 9 UDP/TLS/RTP/SAVPF 109\r\nc=IN IP4 0.0.0.0\r\n"
                     "a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:rL4y\r\n") != NULL);
  CHECK(strstr(text,
               "a=fingerprint:sha-256 " FP_RELAY "\r\na=setup:passive\r\na=mid:0\r\n"
               "a=recvonly\r\na=rtcp-mux\r\na=rtpmap:109 opus/48000/2\r\n"
               "a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1;usedtx=1\r\n") != NULL);
  CHECK(strstr(text, "m=video 9 UDP/TLS/RTP/SAVPF 126 127\r\n") != NULL); /* H.264, its RTX */
  CHECK(strstr(text, "a=rtpmap:127 rtx/90000\r\na=fmtp:127 apt=126\r\n") != NULL);
  CHECK(strstr(text, "a=rtpmap:126 H264/90000\r\na=rtcp-fb:126 nack\r\na=rtcp-fb:126 nack pli\r\n"
                     "a=rtcp-fb:126 ccm fir\r\na=rtcp-fb:126 goog-remb\r\n"
                     "a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;"
                     "packetization-mode=1\r\n") != NULL);
  CHECK(strstr(text, "transport-cc") == NULL);
  CHECK(strstr(text, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n") != NULL);
  CHECK(strstr(text, "a=ssrc") == NULL); /* recvonly: the relay sends nothing here */

  sv_sdp *back = parse_ok(text);
  CHECK(back->sess_id == 1234567890123456789ULL);
  CHECK_STR(back->ice_ufrag, "rL4y");
  CHECK_STR(back->ice_pwd, "k2Jd9Qm+Zx/8VbN3Tp1sWe7R");
  CHECK_STR(back->fingerprint, FP_RELAY);
  CHECK_EQ_INT(back->setup, SV_SETUP_PASSIVE);
  CHECK_EQ_INT(back->n_media, 3);
  for (size_t i = 0; i < 2; i++) {
    const sv_sdp_media *m = &back->media[i], *o = &ans->media[i];
    CHECK_EQ_INT(m->kind, o->kind);
    CHECK_STR(m->mid, o->mid);
    CHECK(!m->rejected);
    CHECK_EQ_INT(m->dir, SV_DIR_RECVONLY);
    CHECK_EQ_INT(m->n_codecs, o->n_codecs);
    CHECK_EQ_INT(m->codecs[0].codec, o->codecs[0].codec);
    CHECK_EQ_INT(m->codecs[0].pt, o->codecs[0].pt);
    CHECK_EQ_INT(m->codecs[0].clock_rate, o->codecs[0].clock_rate);
    CHECK_EQ_INT(m->codecs[0].channels, o->codecs[0].channels);
    CHECK_EQ_INT(m->codecs[0].fb, o->codecs[0].fb);
    CHECK_STR(m->codecs[0].fmtp, o->codecs[0].fmtp);
    CHECK_EQ_INT(m->ssrc, 0);
  }
  CHECK(back->media[2].rejected);
  CHECK_EQ_INT(back->media[2].kind, SV_KIND_OTHER);
  g_free(back);
  g_free(text);
  g_free(ans);
  g_free(offer);
}

/* What the router builds for a subscriber: two sending tracks, a track that
 * left (inactive), and an m-line that is no longer used (rejected). */
static void test_subscribe_offer_round_trip(void) {
  sv_sdp *sub = sdp_new();
  fill_local(sub, SV_SETUP_ACTPASS);
  sub->n_media = 4;
  sv_sdp_media *m = sub->media;

  m[0].kind = SV_KIND_AUDIO;
  snprintf(m[0].mid, sizeof m[0].mid, "0");
  m[0].dir = SV_DIR_SENDONLY;
  m[0].n_codecs = 1;
  m[0].codecs[0] = (sv_sdp_codec){.codec = SV_CODEC_OPUS,
                                  .pt = 111,
                                  .clock_rate = 48000,
                                  .channels = 2,
                                  .name = "opus",
                                  .fmtp = "minptime=10;useinbandfec=1"};
  m[0].ssrc = 3000000001u;
  snprintf(m[0].cname, sizeof m[0].cname, "samvei-p1");
  snprintf(m[0].msid_stream, sizeof m[0].msid_stream, "p1");
  snprintf(m[0].msid_track, sizeof m[0].msid_track, "p1-audio");

  m[1].kind = SV_KIND_VIDEO;
  snprintf(m[1].mid, sizeof m[1].mid, "1");
  m[1].dir = SV_DIR_SENDONLY;
  m[1].n_codecs = 2;
  m[1].codecs[0] = (sv_sdp_codec){.codec = SV_CODEC_VP8,
                                  .pt = 96,
                                  .clock_rate = 90000,
                                  .fb = SV_FB_NACK | SV_FB_PLI | SV_FB_FIR,
                                  .name = "VP8"};
  m[1].codecs[1] = (sv_sdp_codec){.pt = 97, .clock_rate = 90000, .name = "rtx", .fmtp = "apt=96"};
  m[1].ssrc = 3000000002u;
  m[1].rtx_ssrc = 3000000003u;
  snprintf(m[1].cname, sizeof m[1].cname, "samvei-p1");
  snprintf(m[1].msid_stream, sizeof m[1].msid_stream, "p1");
  snprintf(m[1].msid_track, sizeof m[1].msid_track, "p1-camera");

  m[2] = m[1];
  snprintf(m[2].mid, sizeof m[2].mid, "2");
  m[2].dir = SV_DIR_INACTIVE;
  m[2].n_codecs = 1;

  m[3].kind = SV_KIND_VIDEO;
  snprintf(m[3].mid, sizeof m[3].mid, "3");
  m[3].rejected = true;
  m[3].dir = SV_DIR_INACTIVE;

  char *text = sv_sdp_write(sub);
  CHECK(text != NULL);
  if (!text) return;
  CHECK(strstr(text, "a=group:BUNDLE 0 1 2\r\n") != NULL);
  CHECK(strstr(text, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n") != NULL);
  CHECK(strstr(text, "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n") != NULL);
  CHECK(strstr(text, "m=video 0 UDP/TLS/RTP/SAVPF 0\r\n") != NULL);
  CHECK(strstr(text, "a=setup:actpass\r\n") != NULL);
  CHECK(strstr(text, "a=msid:p1 p1-audio\r\na=ssrc:3000000001 cname:samvei-p1\r\n"
                     "a=ssrc:3000000001 msid:p1 p1-audio\r\n") != NULL);
  CHECK(strstr(text, "a=ssrc-group:FID 3000000002 3000000003\r\n") != NULL);
  CHECK(strstr(text, "a=ssrc:3000000003 cname:samvei-p1\r\n") != NULL);
  CHECK(strstr(text, "a=fmtp:97 apt=96\r\n") != NULL);

  sv_sdp *back = parse_ok(text);
  CHECK_EQ_INT(back->n_media, 4);
  CHECK_STR(back->ice_ufrag, "rL4y");
  CHECK_EQ_INT(back->setup, SV_SETUP_ACTPASS);
  const sv_sdp_media *b = back->media;
  CHECK_EQ_INT(b[0].dir, SV_DIR_SENDONLY);
  CHECK_EQ_INT(b[0].ssrc, 3000000001u);
  CHECK_STR(b[0].cname, "samvei-p1");
  CHECK_STR(b[0].msid_stream, "p1");
  CHECK_STR(b[0].msid_track, "p1-audio");
  CHECK_EQ_INT(b[0].codecs[0].codec, SV_CODEC_OPUS);
  CHECK_STR(b[0].codecs[0].fmtp, "minptime=10;useinbandfec=1");
  CHECK_EQ_INT(b[1].n_codecs, 2);
  CHECK_EQ_INT(b[1].codecs[0].fb, SV_FB_NACK | SV_FB_PLI | SV_FB_FIR);
  CHECK_EQ_INT(b[1].ssrc, 3000000002u);
  CHECK_EQ_INT(b[1].rtx_ssrc, 3000000003u);
  CHECK_STR(b[1].msid_track, "p1-camera");
  CHECK(!b[2].rejected);
  CHECK_EQ_INT(b[2].dir, SV_DIR_INACTIVE);
  CHECK_EQ_INT(b[2].ssrc, 0); /* an inactive m-line announces no source */
  CHECK(b[3].rejected);
  CHECK_STR(b[3].mid, "3");
  CHECK(sv_sdp_find_mid(back, "3") == &b[3]);
  g_free(back);
  g_free(text);
  g_free(sub);
}

int main(void) {
  RUN(test_negotiate_chrome_vp8);
  RUN(test_negotiate_chrome_h264);
  RUN(test_negotiate_opus_fmtp);
  RUN(test_negotiate_safari_falls_back_to_h264);
  RUN(test_negotiate_firefox);
  RUN(test_negotiate_h264_ranking);
  RUN(test_negotiate_nothing_usable);
  RUN(test_negotiate_inactive_and_rejected);
  RUN(test_answer_round_trip);
  RUN(test_subscribe_offer_round_trip);
  return check_summary();
}
