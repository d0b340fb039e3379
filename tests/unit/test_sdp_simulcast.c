/*
 * test_sdp_simulcast.c — the SDP of the weak-link work: a Chrome offer
 * with three simulcast layers answered with a=rid/a=simulcast recv and the
 * extension ids the relay needs to tell layers apart; offers that cannot be
 * taken as simulcast (no rid extension, undeclared RIDs) answered as one
 * stream; transport-cc and RTX in the relay's own subscribe offers.
 */
#include "relay/sdp.h"

#include "common/common.h"
#include "tests/unit/check.h"

#include <glib.h>
#include <string.h>

#define FP                                                                                         \
  "7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:"  \
  "08"

/* Chrome: addTransceiver(camera, {sendEncodings: [q, h, f]}). */
static const char simulcast_offer[] =
    "v=0\r\n"
    "o=- 1 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:Vx3k\r\n"
    "a=ice-pwd:q7RkCyS2lTj0ZdW0Zy2ZcYhE\r\n"
    "a=fingerprint:sha-256 " FP "\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
    "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n"
    "a=sendonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 goog-remb\r\n"
    "a=rtcp-fb:96 transport-cc\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rid:q send\r\n"
    "a=rid:h send\r\n"
    "a=rid:f send\r\n"
    "a=simulcast:send q;h;f\r\n";

static char *replace(const char *text, const char *from, const char *to) {
  char **parts = g_strsplit(text, from, -1);
  char *out = g_strjoinv(to, parts);
  g_strfreev(parts);
  return out;
}

static void negotiate(const char *offer_text, sv_sdp *offer, sv_sdp *answer) {
  char err[256];
  CHECK_EQ_INT(sv_sdp_parse(offer_text, offer, err, sizeof err), 0);
  CHECK_EQ_INT(sv_sdp_negotiate_publish(offer, NULL, answer, err, sizeof err), 0);
}

static void test_simulcast_offer(void) {
  sv_sdp *offer = g_new0(sv_sdp, 1), *answer = g_new0(sv_sdp, 1), *back = g_new0(sv_sdp, 1);
  negotiate(simulcast_offer, offer, answer);
  const sv_sdp_media *m = &offer->media[0];
  CHECK_EQ_INT(m->n_rids, 3);
  CHECK_STR(m->rids[0], "q");
  CHECK_STR(m->rids[2], "f");
  CHECK_EQ_INT(m->ext.mid, 4);
  CHECK_EQ_INT(m->ext.rid, 10);
  CHECK_EQ_INT(m->ext.rrid, 11);
  CHECK_EQ_INT(m->ext.twcc, 3);
  const sv_sdp_media *a = &answer->media[0];
  CHECK_EQ_INT(a->n_rids, 3);
  CHECK_EQ_INT(a->ext.rid, 10);
  CHECK_EQ_INT(a->ext.twcc, 0); /* the publisher gets REMB, not transport-cc */
  CHECK_EQ_INT(a->codecs[0].fb & SV_FB_TWCC, 0);

  g_strlcpy(answer->ice_ufrag, "abcd", sizeof answer->ice_ufrag);
  g_strlcpy(answer->ice_pwd, "abcdefghijklmnopqrstuvwx", sizeof answer->ice_pwd);
  g_strlcpy(answer->fingerprint, FP, sizeof answer->fingerprint);
  answer->setup = SV_SETUP_PASSIVE;
  char *text = sv_sdp_write(answer);
  CHECK(text && strstr(text, "a=rid:q recv\r\n") && strstr(text, "a=rid:f recv\r\n"));
  CHECK(text && strstr(text, "a=simulcast:recv q;h;f\r\n"));
  CHECK(text && strstr(text, "a=extmap:10 " SV_SDP_URI_RID "\r\n"));
  CHECK(text && strstr(text, "a=extmap:4 " SV_SDP_URI_MID "\r\n"));
  CHECK(text && !strstr(text, "transport-cc"));
  g_free(text);
  g_free(offer), g_free(answer), g_free(back);
}

static void test_simulcast_refused_forms(void) {
  sv_sdp *offer = g_new0(sv_sdp, 1), *answer = g_new0(sv_sdp, 1);
  /* Without the rid extension the layers cannot be told apart. */
  char *t =
      replace(simulcast_offer, "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n", "");
  negotiate(t, offer, answer);
  CHECK_EQ_INT(offer->media[0].n_rids, 3);
  CHECK_EQ_INT(answer->media[0].n_rids, 0);
  g_free(t);
  /* A RID in a=simulcast without its a=rid line does not count; alternatives
   * and the paused prefix are read. */
  t = replace(simulcast_offer, "a=simulcast:send q;h;f", "a=simulcast:send ~q,x;zz;f");
  negotiate(t, offer, answer);
  CHECK_EQ_INT(offer->media[0].n_rids, 2);
  CHECK_STR(offer->media[0].rids[0], "q");
  CHECK_STR(offer->media[0].rids[1], "f");
  g_free(t);
  /* One declared layer is no simulcast. */
  t = replace(simulcast_offer, "a=simulcast:send q;h;f", "a=simulcast:send q");
  negotiate(t, offer, answer);
  CHECK_EQ_INT(offer->media[0].n_rids, 0);
  g_free(t);
  /* A recv list first, and hostile RIDs. */
  t = replace(simulcast_offer, "a=simulcast:send q;h;f", "a=simulcast:recv a;b send h;f");
  negotiate(t, offer, answer);
  CHECK_EQ_INT(offer->media[0].n_rids, 2);
  CHECK_STR(offer->media[0].rids[0], "h");
  g_free(t);
  t = replace(simulcast_offer, "a=rid:q send", "a=rid:q\x01 send");
  char err[256];
  if (sv_sdp_parse(t, offer, err, sizeof err) == 0) CHECK(offer->media[0].n_rids <= 2);
  g_free(t);
  t = replace(simulcast_offer, "a=simulcast:send q;h;f",
              "a=simulcast:send aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;;;,,,;~");
  negotiate(t, offer, answer);
  CHECK_EQ_INT(offer->media[0].n_rids, 0);
  g_free(t);
  /* Extension ids outside the one-byte range are not used. */
  t = replace(simulcast_offer, "a=extmap:10 ", "a=extmap:200 ");
  negotiate(t, offer, answer);
  CHECK_EQ_INT(offer->media[0].ext.rid, 0);
  g_free(t);
  g_free(offer), g_free(answer);
}

/* The relay's subscribe offer: transport-cc on each codec and as an
 * extension, RTX with its own SSRC in an FID group. */
static void test_subscribe_offer_twcc_rtx(void) {
  sv_sdp *s = g_new0(sv_sdp, 1), *back = g_new0(sv_sdp, 1);
  g_strlcpy(s->ice_ufrag, "abcd", sizeof s->ice_ufrag);
  g_strlcpy(s->ice_pwd, "abcdefghijklmnopqrstuvwx", sizeof s->ice_pwd);
  g_strlcpy(s->fingerprint, FP, sizeof s->fingerprint);
  s->n_media = 1;
  sv_sdp_media *m = &s->media[0];
  m->kind = SV_KIND_VIDEO;
  g_strlcpy(m->mid, "0", sizeof m->mid);
  m->dir = SV_DIR_SENDONLY;
  m->n_codecs = 2;
  m->codecs[0] = (sv_sdp_codec){.codec = SV_CODEC_VP8,
                                .pt = 96,
                                .clock_rate = 90000,
                                .fb = SV_FB_NACK | SV_FB_PLI | SV_FB_TWCC,
                                .name = "VP8"};
  m->codecs[1] = (sv_sdp_codec){.pt = 97, .clock_rate = 90000, .name = "rtx", .fmtp = "apt=96"};
  m->ssrc = 1111;
  m->rtx_ssrc = 2222;
  m->ext.twcc = 3;
  g_strlcpy(m->cname, "samvei", sizeof m->cname);
  g_strlcpy(m->msid_stream, "p1", sizeof m->msid_stream);
  g_strlcpy(m->msid_track, "p1-0", sizeof m->msid_track);
  char *text = sv_sdp_write(s);
  CHECK(text && strstr(text, "a=rtcp-fb:96 transport-cc\r\n"));
  CHECK(text && strstr(text, "a=extmap:3 " SV_SDP_URI_TWCC "\r\n"));
  CHECK(text && strstr(text, "a=ssrc-group:FID 1111 2222\r\n"));
  CHECK(text && strstr(text, "a=fmtp:97 apt=96\r\n"));
  CHECK(text && !strstr(text, "a=simulcast"));
  char err[256];
  CHECK_EQ_INT(sv_sdp_parse(text, back, err, sizeof err), 0);
  CHECK_EQ_INT(back->media[0].ext.twcc, 3);
  CHECK_EQ_INT(back->media[0].rtx_ssrc, 2222);
  CHECK_EQ_INT(back->media[0].codecs[0].fb & SV_FB_TWCC, SV_FB_TWCC);
  g_free(text);
  g_free(s), g_free(back);
}

int main(void) {
  RUN(test_simulcast_offer);
  RUN(test_simulcast_refused_forms);
  RUN(test_subscribe_offer_twcc_rtx);
  return check_summary();
}
