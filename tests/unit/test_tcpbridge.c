/*
 * test_tcpbridge.c — the ICE-TCP bridge's RFC 4571 framing and first-frame
 * checks (relay/tcpbridge.c): split frames, frames across reads, a stalled
 * header, oversized and zero lengths, Binding requests for another ufrag
 * and first frames that are not STUN; and a bridge on loopback that closes
 * a stalled connection and relays a valid one.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay/tcpbridge.h"
#include "tests/unit/check.h"

/* A STUN Binding request with USERNAME user (RFC 5389 header, one
 * attribute, padded); returns its length. */
static size_t binding(uint8_t *out, const char *user) {
  size_t ulen = strlen(user), padded = (ulen + 3) & ~(size_t)3;
  memset(out, 0, 20 + 4 + padded);
  out[1] = 0x01;
  out[2] = (uint8_t)((4 + padded) >> 8);
  out[3] = (uint8_t)(4 + padded);
  out[4] = 0x21, out[5] = 0x12, out[6] = 0xA4, out[7] = 0x42;
  out[21] = 0x06;
  out[23] = (uint8_t)ulen;
  memcpy(out + 24, user, ulen);
  return 20 + 4 + padded;
}

static void test_frames_in_one_read(void) {
  static sv_tcpb_framer f;
  const uint8_t data[] = {0, 2, 0x80, 0x01, 0, 3, 0x16, 0xfe, 0xfd};
  const uint8_t *in = data, *frame;
  size_t len = sizeof data, flen;
  CHECK_EQ_INT(sv_tcpb_take(&f, &in, &len, &frame, &flen), SV_TCPB_FRAME);
  CHECK_EQ_INT(flen, 2);
  CHECK(frame[0] == 0x80 && frame[1] == 0x01);
  CHECK_EQ_INT(sv_tcpb_take(&f, &in, &len, &frame, &flen), SV_TCPB_FRAME);
  CHECK_EQ_INT(flen, 3);
  CHECK(frame[0] == 0x16);
  CHECK_EQ_INT(len, 0);
  CHECK_EQ_INT(sv_tcpb_take(&f, &in, &len, &frame, &flen), SV_TCPB_MORE);
}

static void test_frame_across_reads(void) {
  static sv_tcpb_framer f;
  const uint8_t data[] = {0, 4, 0x80, 0x60, 0x00, 0x01};
  const uint8_t *frame = NULL;
  size_t flen = 0;
  /* One byte at a time: the header split too. */
  for (size_t i = 0; i < sizeof data; i++) {
    const uint8_t *in = data + i;
    size_t len = 1;
    int r = sv_tcpb_take(&f, &in, &len, &frame, &flen);
    CHECK_EQ_INT(r, i + 1 < sizeof data ? SV_TCPB_MORE : SV_TCPB_FRAME);
    CHECK_EQ_INT(len, 0);
  }
  CHECK_EQ_INT(flen, 4);
  CHECK(memcmp(frame, data + 2, 4) == 0);
}

static void test_stalled_header(void) {
  static sv_tcpb_framer f;
  const uint8_t data[] = {0x05, 0xdc, 0x80, 0x60};
  const uint8_t *in = data, *frame;
  size_t len = sizeof data, flen;
  CHECK_EQ_INT(sv_tcpb_take(&f, &in, &len, &frame, &flen), SV_TCPB_MORE);
  CHECK_EQ_INT(f.have, 4); /* waits for the other 1498 bytes, alone */
}

static void test_bad_lengths(void) {
  static sv_tcpb_framer f;
  const uint8_t zero[] = {0, 0, 0x80};
  const uint8_t *in = zero, *frame;
  size_t len = sizeof zero, flen;
  CHECK_EQ_INT(sv_tcpb_take(&f, &in, &len, &frame, &flen), SV_TCPB_BAD_LENGTH);
  static sv_tcpb_framer g;
  const uint8_t big[] = {(SV_TCPB_FRAME_MAX + 1) >> 8, (SV_TCPB_FRAME_MAX + 1) & 0xff, 1};
  in = big, len = sizeof big;
  CHECK_EQ_INT(sv_tcpb_take(&g, &in, &len, &frame, &flen), SV_TCPB_BAD_LENGTH);
  static sv_tcpb_framer h;
  const uint8_t max[] = {SV_TCPB_FRAME_MAX >> 8, SV_TCPB_FRAME_MAX & 0xff};
  in = max, len = sizeof max;
  CHECK_EQ_INT(sv_tcpb_take(&h, &in, &len, &frame, &flen), SV_TCPB_MORE);
}

static void test_first_frame(void) {
  uint8_t b[128];
  size_t n = binding(b, "abcd:wxyz");
  CHECK(sv_tcpb_is_binding_for(b, n, "abcd"));
  CHECK(sv_tcpb_is_media(b, n));
  CHECK(!sv_tcpb_is_binding_for(b, n, "abc"));      /* a prefix is not the ufrag */
  CHECK(!sv_tcpb_is_binding_for(b, n, "wxyz"));     /* the remote half */
  CHECK(!sv_tcpb_is_binding_for(b, n - 4, "abcd")); /* length field disagrees */
  b[1] = 0x11;                                      /* a Binding indication */
  CHECK(!sv_tcpb_is_binding_for(b, n, "abcd"));
  b[1] = 0x01;
  b[4] = 0; /* no magic cookie */
  CHECK(!sv_tcpb_is_binding_for(b, n, "abcd"));
  const uint8_t rtp[] = {0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  CHECK(!sv_tcpb_is_binding_for(rtp, sizeof rtp, "abcd"));
  CHECK(sv_tcpb_is_media(rtp, sizeof rtp));
  const uint8_t junk[] = {0xde, 0xad, 0xbe, 0xef};
  CHECK(!sv_tcpb_is_media(junk, sizeof junk));
  CHECK(!sv_tcpb_is_binding_for(junk, sizeof junk, "abcd"));
  uint8_t noname[20] = {0, 1, 0, 0, 0x21, 0x12, 0xA4, 0x42};
  CHECK(!sv_tcpb_is_binding_for(noname, sizeof noname, "abcd"));
}

/* --- a bridge on loopback --- */

static int udp_target(struct sockaddr_in *a) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  *a = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  bind(fd, (struct sockaddr *)a, sizeof *a);
  socklen_t len = sizeof *a;
  getsockname(fd, (struct sockaddr *)a, &len);
  return fd;
}

static int tcp_connect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {
      .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  return connect(fd, (struct sockaddr *)&a, sizeof a) == 0 ? fd : (close(fd), -1);
}

/* Runs ctx until done() or about 2 s pass. */
static void spin(GMainContext *ctx, bool (*done)(void *), void *arg) {
  for (int i = 0; i < 2000 && !done(arg); i++) {
    while (g_main_context_iteration(ctx, FALSE)) {
    }
    g_usleep(1000);
  }
}

static int udp_fd_for_spin;
static bool udp_has_data(void *arg) {
  (void)arg;
  uint8_t b[1];
  return recv(udp_fd_for_spin, b, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

static sv_stats_block stats_for_spin;
static bool closed_bad(void *arg) {
  return SV_STAT_GET(&stats_for_spin, ice_tcp_closed_bad) >= (uint64_t)(uintptr_t)arg;
}

static void test_bridge_relays_and_closes(void) {
  GMainContext *ctx = g_main_context_new();
  memset(&stats_for_spin, 0, sizeof stats_for_spin);
  sv_tcpbridge *b = sv_tcpbridge_new(ctx, &stats_for_spin, 0, 0);
  sv_tcpbridge_set_ufrag(b, "abcd");
  struct sockaddr_in target;
  int nice = udp_target(&target);
  udp_fd_for_spin = nice;
  uint16_t port = sv_tcpbridge_listen(b, (struct sockaddr *)&target, sizeof target);
  CHECK(port != 0);
  CHECK_EQ_INT(sv_tcpbridge_listen(b, (struct sockaddr *)&target, sizeof target), port);

  /* A stranger stalls first; then the browser's Binding request. */
  int stalled = tcp_connect(port);
  CHECK(stalled >= 0);
  CHECK_EQ_INT(write(stalled, "\x05\xdc", 2), 2);
  int good = tcp_connect(port);
  uint8_t msg[130];
  size_t n = binding(msg + 2, "abcd:wxyz");
  msg[0] = (uint8_t)(n >> 8), msg[1] = (uint8_t)n;
  CHECK_EQ_INT(write(good, msg, n + 2), (ssize_t)(n + 2));
  spin(ctx, udp_has_data, NULL);
  uint8_t got[256];
  struct sockaddr_in from;
  socklen_t flen = sizeof from;
  ssize_t r = recvfrom(nice, got, sizeof got, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
  CHECK_EQ_INT(r, (ssize_t)n);
  CHECK(r > 0 && memcmp(got, msg + 2, n) == 0);

  /* libnice's answer comes back framed on the TCP connection. */
  CHECK_EQ_INT(sendto(nice, "\x01\x01\x00\x00", 4, 0, (struct sockaddr *)&from, flen), 4);
  uint8_t back[8] = {0};
  for (int i = 0; i < 2000; i++) {
    while (g_main_context_iteration(ctx, FALSE)) {
    }
    if (recv(good, back, sizeof back, MSG_DONTWAIT) == 6) break;
    g_usleep(1000);
  }
  CHECK(back[0] == 0 && back[1] == 4 && back[2] == 1 && back[3] == 1);

  /* A garbage first frame and a Binding request for another ufrag. */
  int junk = tcp_connect(port);
  CHECK_EQ_INT(write(junk, "\x00\x04\xde\xad\xbe\xef", 6), 6);
  int other = tcp_connect(port);
  size_t m = binding(msg + 2, "zzzz:wxyz");
  msg[0] = (uint8_t)(m >> 8), msg[1] = (uint8_t)m;
  CHECK_EQ_INT(write(other, msg, m + 2), (ssize_t)(m + 2));
  spin(ctx, closed_bad, (void *)(uintptr_t)2);
  CHECK_EQ_INT(SV_STAT_GET(&stats_for_spin, ice_tcp_closed_bad), 2);
  CHECK_EQ_INT(SV_STAT_GET(&stats_for_spin, ice_tcp_accepted), 4);
  CHECK_EQ_INT(SV_STAT_GET(&stats_for_spin, ice_tcp_closed_timeout), 0); /* not yet: 5 s */

  sv_tcpbridge_free(b); /* with the stalled and the good one still open */
  close(stalled);
  close(good);
  close(junk);
  close(other);
  close(nice);
  while (g_main_context_iteration(ctx, FALSE)) {
  }
  g_main_context_unref(ctx);
}

int main(void) {
  RUN(test_frames_in_one_read);
  RUN(test_frame_across_reads);
  RUN(test_stalled_header);
  RUN(test_bad_lengths);
  RUN(test_first_frame);
  RUN(test_bridge_relays_and_closes);
  return check_summary();
}
