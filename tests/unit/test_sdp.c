/*
 * test_sdp.c — unit tests for relay/sdp.h parsing (sdp_parse.c): real
 * browser offers (Chrome, Safari, Firefox) parsed field by field, the
 * smaller parsing rules, and the errors a person sees for SDP the relay
 * cannot take, hostile values included. Negotiation and writing are in
 * test_sdp_negotiate.c, simulcast in test_sdp_simulcast.c; the offers and
 * helpers in sdp_fixture.h.
 */
#include "tests/unit/sdp_fixture.h"

/* ---- parsing real offers --------------------------------------------------- */

static void test_parse_chrome(void) {
  sv_sdp *s = parse_ok(chrome_offer);
  CHECK(s->sess_id == 4611731400430051336ULL);
  CHECK_EQ_INT(s->sess_version, 2);
  CHECK_STR(s->ice_ufrag, "Vx3k");
  CHECK_STR(s->ice_pwd, "q7RkCyS2lTj0ZdW0Zy2ZcYhE");
  CHECK_STR(s->fingerprint, FP_CHROME);
  CHECK_EQ_INT(s->setup, SV_SETUP_ACTPASS);
  CHECK_EQ_INT(s->n_media, 2);

  const sv_sdp_media *a = &s->media[0];
  CHECK_EQ_INT(a->kind, SV_KIND_AUDIO);
  CHECK_STR(a->mid, "0");
  CHECK(!a->rejected);
  CHECK_EQ_INT(a->dir, SV_DIR_SENDRECV);
  CHECK_EQ_INT(a->n_codecs, 8);
  CHECK_EQ_INT(a->codecs[0].codec, SV_CODEC_OPUS);
  CHECK_EQ_INT(a->codecs[0].pt, 111);
  CHECK_EQ_INT(a->codecs[0].clock_rate, 48000);
  CHECK_EQ_INT(a->codecs[0].channels, 2);
  CHECK_STR(a->codecs[0].name, "opus");
  CHECK_STR(a->codecs[0].fmtp, "minptime=10;useinbandfec=1");
  CHECK_EQ_INT(a->codecs[0].fb, SV_FB_TWCC); /* transport-cc only */
  CHECK_EQ_INT(a->codecs[1].codec, SV_CODEC_UNKNOWN);
  CHECK_STR(a->codecs[1].name, "red");
  CHECK_STR(a->codecs[1].fmtp, "111/111");
  CHECK_EQ_INT(a->codecs[3].pt, 0);
  CHECK_STR(a->codecs[3].name, "PCMU");
  CHECK_EQ_INT(a->codecs[3].channels, 0);
  CHECK_EQ_INT(a->codecs[7].pt, 126);
  CHECK_EQ_INT(a->ssrc, 1001);
  CHECK_EQ_INT(a->rtx_ssrc, 0);
  CHECK_STR(a->cname, "4TOk42mSjXCkVIa6");
  CHECK_STR(a->msid_stream, "5f3a1a4e-0d1b-4b7e-9a0e-1c2d3e4f5a6b");
  CHECK_STR(a->msid_track, "2d1c6a0b-8f5e-4c3a-b2d1-0e9f8a7b6c5d");

  const sv_sdp_media *v = &s->media[1];
  CHECK_EQ_INT(v->kind, SV_KIND_VIDEO);
  CHECK_STR(v->mid, "1");
  CHECK_EQ_INT(v->dir, SV_DIR_SENDONLY);
  /* 25 formats: the 8 VP8/H.264 ones are all kept, unknown ones fill the rest. */
  CHECK_EQ_INT(v->n_codecs, SV_SDP_MAX_CODECS);
  CHECK_EQ_INT(v->codecs[0].pt, 96);
  CHECK_EQ_INT(v->codecs[0].codec, SV_CODEC_VP8);
  CHECK_EQ_INT(v->codecs[0].clock_rate, 90000);
  CHECK_EQ_INT(v->codecs[0].fb, SV_FB_NACK | SV_FB_PLI | SV_FB_FIR | SV_FB_REMB | SV_FB_TWCC);
  CHECK_STR(v->codecs[0].fmtp, "");
  CHECK_EQ_INT(v->codecs[1].pt, 97);
  CHECK_STR(v->codecs[1].name, "rtx");
  CHECK_STR(v->codecs[1].fmtp, "apt=96");
  CHECK_EQ_INT(v->codecs[14].pt, 45);
  CHECK_STR(v->codecs[14].name, "AV1");
  CHECK_EQ_INT(v->codecs[14].codec, SV_CODEC_UNKNOWN);
  CHECK_EQ_INT(v->codecs[15].pt, 112);
  CHECK_EQ_INT(v->codecs[15].codec, SV_CODEC_H264);
  CHECK(find_pt(v, 98) == NULL); /* VP9 dropped over the cap */
  const sv_sdp_codec *h = find_pt(v, 106);
  CHECK(h != NULL);
  if (h) {
    CHECK_EQ_INT(h->codec, SV_CODEC_H264);
    CHECK_STR(h->name, "H264");
    CHECK_STR(h->fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
    CHECK_EQ_INT(h->fb, SV_FB_NACK | SV_FB_PLI | SV_FB_FIR | SV_FB_REMB | SV_FB_TWCC);
  }
  CHECK_EQ_INT(v->ssrc, 2001);
  CHECK_EQ_INT(v->rtx_ssrc, 2002);
  CHECK_STR(v->cname, "4TOk42mSjXCkVIa6");
  CHECK_STR(v->msid_track, "9b8a7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d");
  CHECK(sv_sdp_find_mid(s, "1") == v);
  g_free(s);
}

static void test_parse_safari(void) {
  sv_sdp *s = parse_ok(safari_offer);
  CHECK_STR(s->ice_ufrag, "n9Zq");
  CHECK_STR(s->ice_pwd, "Ud1c+8sKk0m3Jp/fWqR2aT5x");
  CHECK_EQ_INT(s->n_media, 2);
  const sv_sdp_media *a = &s->media[0], *v = &s->media[1];
  CHECK_EQ_INT(a->n_codecs, 12);
  CHECK_EQ_INT(a->codecs[0].codec, SV_CODEC_OPUS); /* "OPUS" */
  CHECK_STR(a->codecs[0].name, "OPUS");
  CHECK_EQ_INT(a->ssrc, 3105447591u);
  /* No a=msid: taken from a=ssrc:N msid: */
  CHECK_STR(a->msid_stream, "7e1c9d2a-4b3f-4e6a-8d5c-2f1e0a9b8c7d");
  CHECK_STR(a->msid_track, "0c4d7a2e-9b1f-4e3a-a6d8-5c2b1e0f9a8d");
  CHECK_EQ_INT(v->n_codecs, 8);
  CHECK_EQ_INT(v->dir, SV_DIR_SENDRECV);
  CHECK_EQ_INT(v->codecs[0].codec, SV_CODEC_H264);
  CHECK_STR(v->codecs[0].fmtp,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f");
  CHECK_EQ_INT(v->ssrc, 1873920467u);
  CHECK_EQ_INT(v->rtx_ssrc, 922748120u);
  CHECK_STR(v->cname, "Hq9r2JvB5mYc1sXw");
  CHECK_STR(v->msid_track, "6f5e4d3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f");
  g_free(s);
}

static void test_parse_firefox(void) {
  sv_sdp *s = parse_ok(firefox_offer);
  CHECK(s->sess_id == 4783372284213345123ULL);
  CHECK_EQ_INT(s->sess_version, 0);
  CHECK_STR(s->ice_ufrag, "8d2e6f1a");
  CHECK_STR(s->ice_pwd, "b5b8e6e4c5d64d1e2b3f9a7c0d1e2f3a");
  CHECK_STR(s->fingerprint, FP_FIREFOX); /* session level */
  CHECK_EQ_INT(s->n_media, 3);
  const sv_sdp_media *a = &s->media[0], *v = &s->media[1], *d = &s->media[2];
  CHECK_EQ_INT(a->codecs[0].pt, 109);
  CHECK_EQ_INT(a->codecs[0].codec, SV_CODEC_OPUS);
  CHECK_STR(a->codecs[0].fmtp, "maxplaybackrate=48000;stereo=1;useinbandfec=1");
  CHECK_EQ_INT(a->codecs[1].channels, 1); /* G722/8000/1 */
  CHECK_EQ_INT(a->ssrc, 3210987654u);
  CHECK_STR(a->cname, "{d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a}");
  CHECK_STR(a->msid_stream, "{6a1c8c0e-1d2b-4f4e-9a9b-7c3e5d2f1a0b}");
  CHECK_STR(a->msid_track, "{a3b1c2d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}");
  CHECK_EQ_INT(v->n_codecs, 11);
  CHECK_EQ_INT(v->codecs[0].codec, SV_CODEC_VP8);
  CHECK_EQ_INT(v->codecs[0].pt, 120);
  CHECK_STR(v->codecs[0].fmtp, "max-fs=12288;max-fr=60");
  CHECK_EQ_INT(v->codecs[0].fb, SV_FB_NACK | SV_FB_PLI | SV_FB_FIR | SV_FB_REMB | SV_FB_TWCC);
  CHECK_EQ_INT(v->ssrc, 1122334455u);
  CHECK_EQ_INT(v->rtx_ssrc, 2233445566u);
  CHECK_EQ_INT(d->kind, SV_KIND_OTHER);
  CHECK_STR(d->mid, "2");
  CHECK(!d->rejected);
  CHECK_EQ_INT(d->n_codecs, 0);
  g_free(s);
}

/* ---- smaller parsing rules ------------------------------------------------- */

static void test_rtcp_fb_wildcard_and_bundle_only(void) {
  char *t1 = replace_all(safari_offer, "a=rtcp-fb:111 transport-cc", "a=rtcp-fb:* nack");
  char *t2 = replace_all(t1, "m=video 9 ", "m=video 0 ");
  char *t3 = replace_all(t2, "a=mid:1\r\n", "a=mid:1\r\na=bundle-only\r\n");
  sv_sdp *s = parse_ok(t3);
  CHECK_EQ_INT(s->media[0].codecs[0].fb, SV_FB_NACK);
  CHECK_EQ_INT(s->media[0].codecs[5].fb, SV_FB_NACK);
  CHECK(!s->media[1].rejected); /* port 0 with bundle-only is not a rejection */
  g_free(s);
  g_free(t3);
  g_free(t2);
  g_free(t1);
}

static void test_prefs_parse(void) {
  sv_sdp_prefs p;
  CHECK_EQ_INT(sv_sdp_prefs_parse("vp8,h264", &p), 0);
  CHECK_EQ_INT(p.n_video, 2);
  CHECK_EQ_INT(p.video[0], SV_CODEC_VP8);
  CHECK_EQ_INT(p.video[1], SV_CODEC_H264);
  CHECK_EQ_INT(sv_sdp_prefs_parse(" H264 , VP8 ", &p), 0);
  CHECK_EQ_INT(p.n_video, 2);
  CHECK_EQ_INT(p.video[0], SV_CODEC_H264);
  CHECK_EQ_INT(sv_sdp_prefs_parse("h264,h264", &p), 0);
  CHECK_EQ_INT(p.n_video, 1);
  p.n_video = 99;
  CHECK_EQ_INT(sv_sdp_prefs_parse("", &p), SV_EINVAL);
  CHECK_EQ_INT(sv_sdp_prefs_parse("vp9", &p), SV_EINVAL);
  CHECK_EQ_INT(sv_sdp_prefs_parse("vp8,,h264", &p), SV_EINVAL);
  CHECK_EQ_INT(sv_sdp_prefs_parse("vp8,", &p), SV_EINVAL);
  CHECK_EQ_INT(sv_sdp_prefs_parse(NULL, &p), SV_EINVAL);
  CHECK_EQ_INT(p.n_video, 99); /* unchanged on error */
}

static void test_find_mid(void) {
  sv_sdp *s = parse_ok(firefox_offer);
  CHECK(sv_sdp_find_mid(s, "0") == &s->media[0]);
  CHECK(sv_sdp_find_mid(s, "2") == &s->media[2]);
  CHECK(sv_sdp_find_mid(s, "7") == NULL);
  CHECK(sv_sdp_find_mid(s, "") == NULL);
  CHECK(sv_sdp_find_mid(s, NULL) == NULL);
  CHECK(sv_sdp_find_mid(NULL, "0") == NULL);
  g_free(s);
}

/* ---- errors ---------------------------------------------------------------- */

static void test_errors(void) {
  parse_fails("hello, this is not SDP", SV_EINVAL);
  parse_fails("", SV_EINVAL);
  parse_fails(NULL, SV_EINVAL);
  parse_fails("v=0\r\n", SV_EINVAL); /* no m-lines */
  parse_fails("\x01\x02\xff\xfe=garbage\n\n\n=", SV_EINVAL);

  char *t = drop_lines(chrome_offer, "a=fingerprint:");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = replace_all(
      chrome_offer, "a=fingerprint:sha-256 " FP_CHROME,
      "a=fingerprint:sha-1 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64");
  parse_fails(t, SV_EUNSUPP);
  g_free(t);

  t = replace_all(chrome_offer, FP_CHROME, "7B:8B:F0");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = drop_lines(chrome_offer, "a=ice-ufrag:");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = drop_lines(chrome_offer, "a=ice-pwd:");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = drop_lines(firefox_offer, "a=rtcp-mux");
  parse_fails(t, SV_EUNSUPP);
  g_free(t);

  t = replace_all(chrome_offer, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0");
  parse_fails(t, SV_EUNSUPP);
  g_free(t);

  t = drop_lines(chrome_offer, "a=group:");
  parse_fails(t, SV_EUNSUPP);
  g_free(t);

  t = replace_all(chrome_offer, "UDP/TLS/RTP/SAVPF", "RTP/AVP");
  parse_fails(t, SV_EUNSUPP);
  g_free(t);

  t = drop_lines(chrome_offer, "a=setup:");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = replace_all(chrome_offer, "a=setup:actpass", "a=setup:holdconn");
  parse_fails(t, SV_EUNSUPP);
  g_free(t);

  t = replace_all(chrome_offer, "a=mid:1", "a=mid:0");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = drop_lines(chrome_offer, "a=mid:");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = g_strconcat(chrome_offer, "v=0\r\n", NULL);
  parse_fails(t, SV_EINVAL);
  g_free(t);
}

static void test_too_many_m_lines(void) {
  GString *s = g_string_new("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                            "a=fingerprint:sha-256 " FP_CHROME "\r\na=ice-ufrag:abcd\r\n"
                            "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=setup:actpass\r\n"
                            "a=group:BUNDLE");
  for (int i = 0; i < 33; i++)
    g_string_append_printf(s, " %d", i);
  g_string_append(s, "\r\n");
  for (int i = 0; i < 33; i++)
    g_string_append_printf(s,
                           "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:%d\r\n"
                           "a=sendonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n",
                           i);
  parse_fails(s->str, SV_ETOOBIG);

  /* 32 is the limit, and fine. */
  char *cut = strstr(s->str, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:32");
  CHECK(cut != NULL);
  if (cut) {
    *cut = '\0';
    sv_sdp *ok = parse_ok(s->str);
    CHECK_EQ_INT(ok->n_media, 32);
    CHECK_EQ_INT(ok->media[31].codecs[0].codec, SV_CODEC_OPUS);
    g_free(ok);
  }
  g_string_free(s, TRUE);
}

static void test_too_large(void) {
  GString *s = g_string_new(chrome_offer);
  while (s->len < 70 * 1024)
    g_string_append(s, "a=x-padding:0123456789012345678901234567890123456789\r\n");
  parse_fails(s->str, SV_ETOOBIG);
  g_string_free(s, TRUE);
}

/* Hostile values: every one is refused or cut to fit, never overflows. */
static void test_hostile_values(void) {
  char *long_mid = g_strnfill(40, 'm');
  char *mid_line = g_strdup_printf("a=mid:%s", long_mid);
  char *t = replace_all(chrome_offer, "a=mid:1", mid_line);
  parse_fails(t, SV_EINVAL);
  g_free(t);
  g_free(mid_line);
  g_free(long_mid);

  t = replace_all(chrome_offer, "a=mid:1", "a=mid:1,2");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  char *long_ufrag = g_strnfill(300, 'u');
  char *ufrag_line = g_strdup_printf("a=ice-ufrag:%s", long_ufrag);
  t = replace_all(chrome_offer, "a=ice-ufrag:Vx3k", ufrag_line);
  parse_fails(t, SV_EINVAL);
  g_free(t);
  g_free(ufrag_line);
  g_free(long_ufrag);

  t = replace_all(chrome_offer, "a=ice-ufrag:Vx3k", "a=ice-ufrag:V\xc3\xa6k");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  /* Over-long cname and msid are cut; non-ASCII ones are ignored. */
  char *long_cname = g_strnfill(200, 'c');
  char *cname = g_strdup_printf("cname:%s", long_cname);
  t = replace_all(chrome_offer, "cname:4TOk42mSjXCkVIa6", cname);
  char *t2 =
      replace_all(t, "a=msid:5f3a1a4e-0d1b-4b7e-9a0e-1c2d3e4f5a6b 9b8a", "a=msid:\xff\xfe 9b8a");
  sv_sdp *s = parse_ok(t2);
  CHECK_EQ_INT(strlen(s->media[0].cname), sizeof s->media[0].cname - 1);
  /* video: a=msid ignored, a=ssrc msid: used instead */
  CHECK_STR(s->media[1].msid_stream, "5f3a1a4e-0d1b-4b7e-9a0e-1c2d3e4f5a6b");
  g_free(s);
  g_free(t2);
  g_free(t);
  g_free(cname);
  g_free(long_cname);

  /* Bad payload types, rtpmaps and SSRCs are skipped. */
  t = replace_all(chrome_offer, "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
                  "m=audio 9 UDP/TLS/RTP/SAVPF 111 300 abc -1 111 63 ");
  t2 = replace_all(t, "a=ssrc:1001 cname", "a=ssrc:99999999999 cname:x\r\na=ssrc:1001 cname");
  char *t3 = replace_all(t2, "a=rtpmap:63 red/48000/2", "a=rtpmap:63 red/99999999999/2");
  s = parse_ok(t3);
  CHECK_EQ_INT(s->media[0].n_codecs, 2);
  CHECK_EQ_INT(s->media[0].codecs[1].pt, 63);
  CHECK_STR(s->media[0].codecs[1].name, "");
  CHECK_EQ_INT(s->media[0].ssrc, 1001);
  g_free(s);
  g_free(t3);
  g_free(t2);
  g_free(t);

  /* An fmtp that does not fit is dropped, and opus with it is no longer forwardable. */
  char *long_fmtp = g_strnfill(300, 'f');
  char *fmtp = g_strdup_printf("a=fmtp:111 minptime=10;x=%s", long_fmtp);
  t = replace_all(chrome_offer, "a=fmtp:111 minptime=10;useinbandfec=1", fmtp);
  s = parse_ok(t);
  CHECK_STR(s->media[0].codecs[0].fmtp, "");
  CHECK_EQ_INT(s->media[0].codecs[0].codec, SV_CODEC_UNKNOWN);
  g_free(s);
  g_free(t);
  g_free(fmtp);
  g_free(long_fmtp);

  /* Long codec names are cut and not mistaken for known codecs. */
  t = replace_all(chrome_offer, "a=rtpmap:96 VP8/90000",
                  "a=rtpmap:96 VP8VP8VP8VP8VP8VP8VP8VP8VP8VP8VP8VP8/90000");
  s = parse_ok(t);
  CHECK_EQ_INT(s->media[1].codecs[0].codec, SV_CODEC_UNKNOWN);
  CHECK_EQ_INT(strlen(s->media[1].codecs[0].name), 31);
  g_free(s);
  g_free(t);

  /* More than 16 known codecs: the first 16 are kept. */
  GString *many = g_string_new("");
  GString *fmts = g_string_new("m=video 9 UDP/TLS/RTP/SAVPF");
  for (int pt = 96; pt < 96 + 20; pt++) {
    g_string_append_printf(fmts, " %d", pt);
    g_string_append_printf(many, "a=rtpmap:%d VP8/90000\r\n", pt);
  }
  g_string_append(fmts, " 96 96");
  char *vline = g_strconcat(fmts->str, "\r\n", many->str, NULL);
  t = replace_all(chrome_offer,
                  "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 "
                  "40 45 46 98 99 100 101 112 113 116 117 118\r\n",
                  vline);
  s = parse_ok(t);
  CHECK_EQ_INT(s->media[1].n_codecs, SV_SDP_MAX_CODECS);
  CHECK_EQ_INT(s->media[1].codecs[15].pt, 111);
  g_free(s);
  g_free(t);
  g_free(vline);
  g_string_free(fmts, TRUE);
  g_string_free(many, TRUE);

  /* No err buffer at all is fine. */
  sv_sdp *tmp = sdp_new();
  CHECK_EQ_INT(sv_sdp_parse("nonsense", tmp, NULL, 0), SV_EINVAL);
  g_free(tmp);
}

/* Rejected m-lines everywhere: no transport is needed, and writing keeps a format. */
static void test_all_rejected(void) {
  char *t1 = replace_all(chrome_offer, "m=audio 9 ", "m=audio 0 ");
  char *t2 = replace_all(t1, "m=video 9 ", "m=video 0 ");
  char *t3 = drop_lines(t2, "a=ice-");
  sv_sdp *s = parse_ok(t3);
  CHECK(s->media[0].rejected && s->media[1].rejected);
  CHECK_STR(s->ice_ufrag, "");
  char *text = sv_sdp_write(s);
  CHECK(text != NULL);
  CHECK(text && strstr(text, "a=group:") == NULL);
  CHECK(text && strstr(text, "m=audio 0 UDP/TLS/RTP/SAVPF 111 63") != NULL);
  g_free(text);
  g_free(s);
  g_free(t3);
  g_free(t2);
  g_free(t1);
}

int main(void) {
  RUN(test_parse_chrome);
  RUN(test_parse_safari);
  RUN(test_parse_firefox);
  RUN(test_rtcp_fb_wildcard_and_bundle_only);
  RUN(test_prefs_parse);
  RUN(test_find_mid);
  RUN(test_errors);
  RUN(test_too_many_m_lines);
  RUN(test_too_large);
  RUN(test_hostile_values);
  RUN(test_all_rejected);
  return check_summary();
}
