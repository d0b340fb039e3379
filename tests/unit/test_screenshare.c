/*
 * test_screenshare.c — what the relay needs of a screen share: a video
 * m-line marked a=content:slides (RFC 4796) is read as one (and carried
 * into the publish answer the router reads its tracks from), and on a
 * narrow link a shared screen goes before any camera, its presenter's
 * included (relay/adapt.c, sv_adapt_goes_first). Also the `stop-share`
 * message's field table.
 */
#include <stdlib.h>
#include <string.h>

#include "relay/router_int.h"
#include "relay/sdp.h"
#include "signaling/message.h"
#include "tests/unit/check.h"

#define FP                                                                                         \
  "7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:"  \
  "08"

#define VIDEO(mid, extra)                                                                          \
  "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"                                                             \
  "c=IN IP4 0.0.0.0\r\n"                                                                           \
  "a=mid:" mid "\r\n"                                                                              \
  "a=sendonly\r\n"                                                                                 \
  "a=rtcp-mux\r\n" extra "a=rtpmap:96 VP8/90000\r\n"

/* A publish offer: microphone, camera, and a third m-line marked as given. */
static char *offer(const char *audio_extra, const char *third_extra) {
  return g_strdup_printf("v=0\r\n"
                         "o=- 1 2 IN IP4 127.0.0.1\r\n"
                         "s=-\r\n"
                         "t=0 0\r\n"
                         "a=group:BUNDLE 0 1 2\r\n"
                         "a=ice-ufrag:Vx3k\r\n"
                         "a=ice-pwd:q7RkCyS2lTj0ZdW0Zy2ZcYhE\r\n"
                         "a=fingerprint:sha-256 " FP "\r\n"
                         "a=setup:actpass\r\n"
                         "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                         "c=IN IP4 0.0.0.0\r\n"
                         "a=mid:0\r\n"
                         "a=sendonly\r\n"
                         "a=rtcp-mux\r\n"
                         "%s"
                         "a=rtpmap:111 opus/48000/2\r\n" VIDEO("1", "") VIDEO("2", "%s"),
                         audio_extra, third_extra);
}

static void parse(const char *audio_extra, const char *third_extra, sv_sdp *out) {
  char *text = offer(audio_extra, third_extra);
  char err[256] = "";
  int rc = sv_sdp_parse(text, out, err, sizeof err);
  if (rc != 0) fprintf(stderr, "  parse: %s\n", err);
  CHECK_EQ_INT(rc, 0);
  g_free(text);
}

static void test_content_slides(void) {
  sv_sdp *s = g_new0(sv_sdp, 1);
  parse("", "a=content:slides\r\n", s);
  CHECK_EQ_INT(s->n_media, 3);
  CHECK(!s->media[0].slides);
  CHECK(!s->media[1].slides);
  CHECK(s->media[2].slides);
  /* A list (RFC 4796 allows several), in any case. */
  parse("", "a=content:main,Slides\r\n", s);
  CHECK(s->media[2].slides);
  /* Other content, none, or a word that only begins like it. */
  parse("", "a=content:main\r\n", s);
  CHECK(!s->media[2].slides);
  parse("", "a=content:slideshow\r\n", s);
  CHECK(!s->media[2].slides);
  parse("", "a=content:\r\n", s);
  CHECK(!s->media[2].slides);
  /* Only video can be a screen. */
  parse("a=content:slides\r\n", "", s);
  CHECK(!s->media[0].slides);
  g_free(s);
}

static void test_answer_keeps_slides(void) {
  sv_sdp *o = g_new0(sv_sdp, 1), *a = g_new0(sv_sdp, 1);
  parse("", "a=content:slides\r\n", o);
  char err[256] = "";
  CHECK_EQ_INT(sv_sdp_negotiate_publish(o, NULL, a, err, sizeof err), 0);
  CHECK_EQ_INT(a->n_media, 3);
  CHECK(!a->media[1].slides);
  CHECK(a->media[2].slides);
  CHECK(!a->media[2].rejected);
  g_free(o);
  g_free(a);
}

/* Two publishers with a camera each; the later one also shares a screen. */
typedef struct room_fixture {
  sv_router room;
  sv_part first, second;
  sv_track cam1, cam2, screen2;
  sv_out o_cam1, o_cam2, o_screen2;
} room_fixture;

static void track(sv_track *t, sv_part *owner, const char *source, sv_out *o) {
  t->owner = owner;
  t->active = true;
  t->kind = SV_KIND_VIDEO;
  t->source = source;
  o->kind = SV_KIND_VIDEO;
  o->src = t;
}

static room_fixture *room_new(void) {
  room_fixture *f = calloc(1, sizeof *f);
  f->first.room = f->second.room = &f->room;
  f->first.joined_us = 1000;
  f->second.joined_us = 2000;
  track(&f->cam1, &f->first, "camera", &f->o_cam1);
  track(&f->cam2, &f->second, "camera", &f->o_cam2);
  track(&f->screen2, &f->second, "screen", &f->o_screen2);
  return f;
}

static void test_screen_goes_first(void) {
  room_fixture *f = room_new();
  /* Its presenter's camera never goes before the screen. */
  CHECK(sv_adapt_goes_first(&f->o_screen2, &f->o_cam2));
  CHECK(!sv_adapt_goes_first(&f->o_cam2, &f->o_screen2));
  /* Nor does someone else's, even of the one who joined first... */
  CHECK(sv_adapt_goes_first(&f->o_screen2, &f->o_cam1));
  CHECK(!sv_adapt_goes_first(&f->o_cam1, &f->o_screen2));
  /* ... or who is speaking. */
  f->room.speaker.current = &f->first.speech;
  CHECK(sv_adapt_goes_first(&f->o_screen2, &f->o_cam1));
  /* Between cameras: the speaker, then the first to join, as before. */
  CHECK(sv_adapt_goes_first(&f->o_cam1, &f->o_cam2));
  f->room.speaker.current = &f->second.speech;
  CHECK(sv_adapt_goes_first(&f->o_cam2, &f->o_cam1));
  f->room.speaker.current = NULL;
  CHECK(sv_adapt_goes_first(&f->o_cam1, &f->o_cam2));
  CHECK(!sv_adapt_goes_first(&f->o_cam2, &f->o_cam1));
  /* Equal: neither goes first (the sort keeps their order). */
  CHECK(!sv_adapt_goes_first(&f->o_cam1, &f->o_cam1));
  free(f);
}

static void test_stop_share_message(void) {
  sv_msg m;
  sv_msg_error err;
  const char ok[] = "{\"type\":\"stop-share\",\"id\":3,\"participant\":\"p8d7abc\"}";
  CHECK_EQ_INT(sv_message_parse(ok, strlen(ok), &m, &err), 0);
  CHECK_EQ_INT(m.type, SV_MSG_STOP_SHARE);
  CHECK_STR(m.participant, "p8d7abc");
  sv_message_clear(&m);
  const char missing[] = "{\"type\":\"stop-share\",\"id\":4}";
  CHECK_EQ_INT(sv_message_parse(missing, strlen(missing), &m, &err), SV_EINVAL);
  CHECK_STR(err.code, "bad-request");
  CHECK(strstr(err.message, "participant") != NULL);
  sv_message_error_clear(&err);
  const char bad[] = "{\"type\":\"stop-share\",\"participant\":\"p 1\"}";
  CHECK_EQ_INT(sv_message_parse(bad, strlen(bad), &m, &err), SV_EINVAL);
  CHECK_STR(err.code, "bad-request");
  sv_message_error_clear(&err);
}

int main(void) {
  RUN(test_content_slides);
  RUN(test_answer_keeps_slides);
  RUN(test_screen_goes_first);
  RUN(test_stop_share_message);
  return check_summary();
}
