/*
 * test_dtls.c — DTLS-SRTP between two relay sessions over an in-memory
 * "network": the handshake completes, both sides export the same keys,
 * SRTP set up from them round-trips RTP and RTCP, tampering is detected, and
 * a wrong fingerprint fails the handshake with a reason. The SRTP profile is
 * the DTLS server's choice: the relay's GCM-first list wins over a client
 * that lists AES-CM first (as Chrome does), and a client that offers only
 * AES-CM (80 or 32) still connects.
 */
#include <glib.h>
#include <string.h>

#include "check.h"
#include "relay/dtls.h"
#include "common/common.h"
#include "relay/srtp.h"

typedef struct side {
  sv_dtls *dtls;
  struct side *other;
  GQueue *inbox; /* GBytes datagrams to deliver to this side */
  bool connected, failed, is_client;
  char reason[200];
  sv_dtls_srtp_keys keys;
} side;

static void on_send(void *user, const uint8_t *buf, size_t len) {
  side *s = user;
  g_queue_push_tail(s->other->inbox, g_bytes_new(buf, len));
}

static void on_connected(void *user, const sv_dtls_srtp_keys *keys, bool is_client) {
  side *s = user;
  s->connected = true;
  s->is_client = is_client;
  s->keys = *keys;
}

static void on_failed(void *user, const char *reason) {
  side *s = user;
  s->failed = true;
  g_strlcpy(s->reason, reason, sizeof s->reason);
}

static const sv_dtls_callbacks cbs = {on_send, on_connected, on_failed};

/* Delivers queued datagrams until both sides are quiet. */
static void pump(side *a, side *b) {
  for (int i = 0; i < 200; i++) {
    bool moved = false;
    side *sides[2] = {a, b};
    for (int k = 0; k < 2; k++) {
      GBytes *d;
      while ((d = g_queue_pop_head(sides[k]->inbox))) {
        gsize n;
        const uint8_t *p = g_bytes_get_data(d, &n);
        sv_dtls_input(sides[k]->dtls, p, n);
        g_bytes_unref(d);
        moved = true;
      }
    }
    if (!moved) break;
  }
}

static void drain(side *s) {
  GBytes *d;
  while ((d = g_queue_pop_head(s->inbox)))
    g_bytes_unref(d);
  g_queue_free(s->inbox);
}

static void handshake(const char *client_expects, const char *server_expects, side *c, side *s,
                      sv_dtls_identity *ci, sv_dtls_identity *si) {
  c->inbox = g_queue_new();
  s->inbox = g_queue_new();
  c->other = s;
  s->other = c;
  c->dtls = sv_dtls_new(ci, NULL, client_expects, &cbs, c);
  s->dtls = sv_dtls_new(si, NULL, server_expects, &cbs, s);
  sv_dtls_start(s->dtls, false);
  sv_dtls_start(c->dtls, true);
  pump(c, s);
}

static void test_handshake_and_srtp(void) {
  sv_dtls_identity *ci = NULL, *si = NULL;
  CHECK_EQ_INT(sv_dtls_identity_new(&ci), 0);
  CHECK_EQ_INT(sv_dtls_identity_new(&si), 0);
  CHECK(strlen(sv_dtls_identity_fingerprint(si)) == 95); /* 32 bytes as AB: pairs */
  CHECK(strcmp(sv_dtls_identity_fingerprint(ci), sv_dtls_identity_fingerprint(si)) != 0);
  side c = {0}, s = {0};
  handshake(sv_dtls_identity_fingerprint(si), sv_dtls_identity_fingerprint(ci), &c, &s, ci, si);
  CHECK(c.connected && s.connected);
  CHECK(!c.failed && !s.failed);
  CHECK(c.is_client && !s.is_client);
  CHECK(memcmp(&c.keys, &s.keys, sizeof c.keys) == 0);
  /* Both are relays: the server's first choice, AES-128-GCM. */
  CHECK_EQ_INT(s.keys.profile, SV_SRTP_AEAD_AES_128_GCM);
  CHECK(s.keys.key_len == 16 && s.keys.salt_len == 12);

  sv_srtp cs = {0}, ss = {0};
  CHECK_EQ_INT(sv_srtp_start(&cs, &c.keys, true), 0);
  CHECK_EQ_INT(sv_srtp_start(&ss, &s.keys, false), 0);
  CHECK_EQ_INT(ss.profile, SV_SRTP_AEAD_AES_128_GCM);
  uint8_t pkt[100 + SV_SRTP_TRAILER] = {0x80, 96, 0x12, 0x34, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef};
  for (int i = 12; i < 100; i++)
    pkt[i] = (uint8_t)i;
  uint8_t orig[100];
  memcpy(orig, pkt, 100);
  size_t len = 100;
  CHECK_EQ_INT(sv_srtp_protect_rtp(&cs, pkt, &len), 0);
  CHECK(len == 116);                           /* the 16-byte GCM tag */
  CHECK(memcmp(pkt + 12, orig + 12, 88) != 0); /* payload is encrypted */
  uint8_t copy[sizeof pkt];
  memcpy(copy, pkt, sizeof pkt);
  size_t copy_len = len;
  CHECK_EQ_INT(sv_srtp_unprotect_rtp(&ss, pkt, &len), 0);
  CHECK(len == 100 && memcmp(pkt, orig, 100) == 0);
  /* The same packet again is a replay; a flipped bit fails authentication. */
  copy[40] ^= 1;
  CHECK_EQ_INT(sv_srtp_unprotect_rtp(&ss, copy, &copy_len), SV_EINVAL);

  /* RTCP from the server side to the client side. */
  /* A PLI: V=2 FMT=1, PT=206, length 2, sender 1, media 0xdeadbeef. */
  uint8_t rtcp[12 + SV_SRTP_TRAILER] = {0x81, 206, 0, 2, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef};
  size_t rlen = 12;
  CHECK_EQ_INT(sv_srtp_protect_rtcp(&ss, rtcp, &rlen), 0);
  CHECK(rlen > 12);
  CHECK_EQ_INT(sv_srtp_unprotect_rtcp(&cs, rtcp, &rlen), 0);
  CHECK(rlen == 12);
  sv_srtp_stop(&cs);
  sv_srtp_stop(&ss);

  sv_dtls_free(c.dtls);
  sv_dtls_free(s.dtls);
  drain(&c);
  drain(&s);
  sv_dtls_identity_free(ci);
  sv_dtls_identity_free(si);
}

static void test_wrong_fingerprint(void) {
  sv_dtls_identity *ci = NULL, *si = NULL, *other = NULL;
  CHECK_EQ_INT(sv_dtls_identity_new(&ci), 0);
  CHECK_EQ_INT(sv_dtls_identity_new(&si), 0);
  CHECK_EQ_INT(sv_dtls_identity_new(&other), 0);
  side c = {0}, s = {0};
  /* The server was told a fingerprint that is not the client's. */
  handshake(sv_dtls_identity_fingerprint(si), sv_dtls_identity_fingerprint(other), &c, &s, ci, si);
  CHECK(s.failed);
  CHECK(!s.connected);
  CHECK(strstr(s.reason, "fingerprint") != NULL);
  sv_dtls_free(c.dtls);
  sv_dtls_free(s.dtls);
  drain(&c);
  drain(&s);
  sv_dtls_identity_free(ci);
  sv_dtls_identity_free(si);
  sv_dtls_identity_free(other);
}

static void test_garbage_input(void) {
  sv_dtls_identity *si = NULL;
  CHECK_EQ_INT(sv_dtls_identity_new(&si), 0);
  side s = {0};
  s.inbox = g_queue_new();
  s.other = &s;
  s.dtls = sv_dtls_new(si, NULL, "00", &cbs, &s);
  sv_dtls_start(s.dtls, false);
  uint8_t junk[300];
  for (size_t i = 0; i < sizeof junk; i++)
    junk[i] = (uint8_t)(i * 7 + 22);
  sv_dtls_input(s.dtls, junk, sizeof junk);
  sv_dtls_input(s.dtls, junk, 1);
  CHECK(!s.connected);
  sv_dtls_free(s.dtls);
  drain(&s);
  sv_dtls_identity_free(si);
}

/* A client that lists AES-CM before GCM, the order of Chrome's DTLS
 * use_srtp offer. */
#define CM_FIRST                                                                                   \
  "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_32"

/* SRTP set up from both sides' keys carries RTP client to server and RTCP
 * server to client. */
static void check_srtp_roundtrip(const side *c, const side *s) {
  sv_srtp cs = {0}, ss = {0};
  CHECK_EQ_INT(sv_srtp_start(&cs, &c->keys, true), 0);
  CHECK_EQ_INT(sv_srtp_start(&ss, &s->keys, false), 0);
  uint8_t pkt[40 + SV_SRTP_TRAILER] = {0x80, 96, 0, 7, 0, 0, 0, 9, 1, 2, 3, 4};
  size_t len = 40;
  CHECK_EQ_INT(sv_srtp_protect_rtp(&cs, pkt, &len), 0);
  CHECK_EQ_INT(sv_srtp_unprotect_rtp(&ss, pkt, &len), 0);
  CHECK(len == 40);
  uint8_t rtcp[12 + SV_SRTP_TRAILER] = {0x81, 206, 0, 2, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef};
  size_t rlen = 12;
  CHECK_EQ_INT(sv_srtp_protect_rtcp(&ss, rtcp, &rlen), 0);
  CHECK_EQ_INT(sv_srtp_unprotect_rtcp(&cs, rtcp, &rlen), 0);
  CHECK(rlen == 12);
  sv_srtp_stop(&cs);
  sv_srtp_stop(&ss);
}

/* A handshake between a client offering client_profiles and a server
 * accepting server_profiles (NULL: the relay's own list). Returns the profile
 * both sides agreed on, or -1 if the handshake failed for want of one. */
static int negotiate(const char *client_profiles, const char *server_profiles) {
  sv_dtls_identity *ci = NULL, *si = NULL;
  CHECK_EQ_INT(sv_dtls_identity_new(&ci), 0);
  CHECK_EQ_INT(sv_dtls_identity_new(&si), 0);
  if (client_profiles) CHECK_EQ_INT(sv_dtls_identity_set_srtp_profiles(ci, client_profiles), 0);
  if (server_profiles) CHECK_EQ_INT(sv_dtls_identity_set_srtp_profiles(si, server_profiles), 0);
  side c = {0}, s = {0};
  handshake(sv_dtls_identity_fingerprint(si), sv_dtls_identity_fingerprint(ci), &c, &s, ci, si);
  int got = -1;
  if (c.connected && s.connected) {
    CHECK(memcmp(&c.keys, &s.keys, sizeof c.keys) == 0);
    got = (int)s.keys.profile;
    check_srtp_roundtrip(&c, &s);
  } else {
    CHECK(c.failed || s.failed);
    CHECK(strstr(c.failed ? c.reason : s.reason, "SRTP profile") != NULL);
  }
  sv_dtls_free(c.dtls);
  sv_dtls_free(s.dtls);
  drain(&c);
  drain(&s);
  sv_dtls_identity_free(ci);
  sv_dtls_identity_free(si);
  return got;
}

static void test_profile_choice(void) {
  /* The relay as the DTLS server: its order wins over the client's. */
  CHECK_EQ_INT(negotiate(CM_FIRST, NULL), SV_SRTP_AEAD_AES_128_GCM);
  CHECK_EQ_INT(negotiate("SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80", NULL),
               SV_SRTP_AEAD_AES_256_GCM);
  /* Clients that offer only AES-CM still connect. */
  CHECK_EQ_INT(negotiate("SRTP_AES128_CM_SHA1_80", NULL), SV_SRTP_AES128_CM_SHA1_80);
  CHECK_EQ_INT(negotiate("SRTP_AES128_CM_SHA1_32", NULL), SV_SRTP_AES128_CM_SHA1_32);
  CHECK_EQ_INT(negotiate("SRTP_AES128_CM_SHA1_32:SRTP_AES128_CM_SHA1_80", NULL),
               SV_SRTP_AES128_CM_SHA1_80);
  /* The relay as the DTLS client: the server's order decides. */
  CHECK_EQ_INT(negotiate(NULL, CM_FIRST), SV_SRTP_AES128_CM_SHA1_80);
  CHECK_EQ_INT(negotiate(NULL, "SRTP_AEAD_AES_256_GCM"), SV_SRTP_AEAD_AES_256_GCM);
  /* Nothing in common: both sides fail with a reason. */
  CHECK_EQ_INT(negotiate("SRTP_AES128_CM_SHA1_80", "SRTP_AEAD_AES_256_GCM"), -1);
}

static void test_profile_names(void) {
  sv_dtls_identity *id = NULL;
  CHECK_EQ_INT(sv_dtls_identity_new(&id), 0);
  CHECK_EQ_INT(sv_dtls_identity_set_srtp_profiles(id, "SRTP_NO_SUCH_PROFILE"), SV_EINVAL);
  CHECK_EQ_INT(sv_dtls_identity_set_srtp_profiles(id, SV_DTLS_SRTP_PROFILES), 0);
  sv_dtls_identity_free(id);
  CHECK_STR(sv_dtls_srtp_profile_name(SV_SRTP_AEAD_AES_128_GCM), "SRTP_AEAD_AES_128_GCM");
  CHECK_STR(sv_dtls_srtp_profile_name(SV_SRTP_AES128_CM_SHA1_32), "SRTP_AES128_CM_SHA1_32");
  CHECK_STR(sv_dtls_srtp_profile_name((sv_srtp_profile)5), "unknown");
}

int main(void) {
  CHECK_EQ_INT(sv_srtp_global_init(), 0);
  RUN(test_handshake_and_srtp);
  RUN(test_wrong_fingerprint);
  RUN(test_garbage_input);
  RUN(test_profile_choice);
  RUN(test_profile_names);
  sv_srtp_global_deinit();
  return check_summary();
}
