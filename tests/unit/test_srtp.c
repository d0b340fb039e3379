/*
 * test_srtp.c — relay/srtp.c and the OpenSSL crypto types it registers into
 * libsrtp2 (relay/srtp_ossl.c), against RFC test vectors and against
 * libsrtp2's stock (NSS) types.
 *
 * Both implementations live in one process. libsrtp binds a session's cipher
 * and auth objects when the session is created (the type pointer is stored
 * in each object, and streams cloned later for new SSRCs share the template's
 * objects); replacing a type only changes what later sessions get. So the
 * stock sessions are all made first, then the OpenSSL types are registered
 * and the OpenSSL sessions are made from the same keys. sv_srtp_ossl_live()
 * shows the split: it stays 0 while the stock sessions are made and then
 * counts exactly the objects of the OpenSSL sessions.
 *
 * What is compared: every RFC 3711 B.2/B.3, RFC 6188 7.1/7.2, RFC 7714 16-17
 * and RFC 2202 vector through our types; libsrtp's own AES-CM/HMAC packet
 * vector (master key in, so key derivation too) through sessions of both;
 * random RTP and RTCP for every profile protected by both (byte-identical
 * output) and each side's output unprotected by the other, across a sequence
 * number wrap (ROC); replayed, reordered, too old and tampered packets given
 * to a stock and an OpenSSL receiver, which must answer with the same libsrtp
 * status every time; and no OpenSSL allocation per packet.
 *
 * `test_srtp --cost ossl|stock cm80|cm32|gcm128|gcm256 N` protects and
 * unprotects N 1200-byte packets and prints the time per call, for the
 * numbers in the report (run it under callgrind for instruction counts).
 */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <srtp2/srtp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "common/common.h"
#include "relay/srtp.h"
#include "relay/srtp_ossl.h"

/* ---- OpenSSL allocation counter ---- */

static long ossl_allocs;

static void *count_malloc(size_t n, const char *file, int line) {
  ossl_allocs++;
  return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line) {
  ossl_allocs++;
  return realloc(p, n);
}

static void count_free(void *p, const char *file, int line) {
  free(p);
}

/* ---- deterministic randomness (splitmix64) ---- */

static uint64_t rng_state = 0x5eed5eed5eedULL;

static uint64_t rnd(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint32_t rnd_below(uint32_t n) {
  return (uint32_t)(rnd() % n);
}

static void rnd_bytes(uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)rnd();
}

/* ---- sessions ---- */

enum { NPROF = 4, NKEYS = 3 };

static const sv_srtp_profile profiles[NPROF] = {SV_SRTP_AES128_CM_SHA1_80,
                                                SV_SRTP_AES128_CM_SHA1_32, SV_SRTP_AEAD_AES_128_GCM,
                                                SV_SRTP_AEAD_AES_256_GCM};

static const char *profile_short(sv_srtp_profile p) {
  return sv_dtls_srtp_profile_name(p);
}

/* DTLS-style material whose client and server halves are the same master
 * key and salt, so one sv_srtp's outbound session feeds another's inbound. */
static void material_for(sv_dtls_srtp_keys *k, sv_srtp_profile profile, const uint8_t *master) {
  memset(k, 0, sizeof *k);
  k->profile = profile;
  k->key_len = profile == SV_SRTP_AEAD_AES_256_GCM ? 32 : 16;
  k->salt_len =
      profile == SV_SRTP_AEAD_AES_128_GCM || profile == SV_SRTP_AEAD_AES_256_GCM ? 12 : 14;
  memcpy(k->material, master, k->key_len);
  memcpy(k->material + k->key_len, master, k->key_len);
  memcpy(k->material + 2 * k->key_len, master + k->key_len, k->salt_len);
  memcpy(k->material + 2 * k->key_len + k->salt_len, master + k->key_len, k->salt_len);
}

/* The OpenSSL objects one sv_srtp holds: two sessions, each with an RTP and
 * an RTCP cipher, plus an HMAC for each unless the profile is AEAD. */
static long objects_per_srtp(sv_srtp_profile p) {
  return p == SV_SRTP_AEAD_AES_128_GCM || p == SV_SRTP_AEAD_AES_256_GCM ? 4 : 8;
}

typedef struct keyset {
  sv_srtp_profile profile;
  uint8_t master[46];
  uint16_t first_seq;
  sv_srtp stock, ossl;
} keyset;

/* Cross tests, one group of key sets per profile; the replay test's
 * receivers; libsrtp's packet vector. */
static keyset sets[NPROF][NKEYS];
static keyset replay_rx[NPROF];
static keyset kat;

/* libsrtp's test/srtp_driver.c vector: the RFC 3711 B.3 master key and salt,
 * AES_CM_128_HMAC_SHA1_80, SSRC 0xcafebabe, sequence number 0x1234. */
static const uint8_t kat_master[30] = {0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f,
                                       0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39, 0x0e, 0xc6, 0x75, 0xad,
                                       0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6};
static const uint8_t kat_plain[28] = {0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe,
                                      0xba, 0xbe, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab,
                                      0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab, 0xab};
static const uint8_t kat_protected[38] = {
    0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0x4e,
    0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8, 0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d,
    0x24, 0x02, 0xb7, 0x8d, 0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb};

static void start(sv_srtp *s, sv_srtp_profile profile, const uint8_t *master) {
  sv_dtls_srtp_keys k;
  material_for(&k, profile, master);
  CHECK_EQ_INT(sv_srtp_start(s, &k, true), 0);
  CHECK(sv_srtp_ready(s));
}

static void setup_stock(void) {
  for (int p = 0; p < NPROF; p++) {
    for (int k = 0; k < NKEYS; k++) {
      keyset *ks = &sets[p][k];
      ks->profile = profiles[p];
      rnd_bytes(ks->master, sizeof ks->master);
      /* Key set 1 and 2 start just before the sequence number wraps. */
      ks->first_seq = k == 0 ? (uint16_t)rnd() : (uint16_t)(65536 - 40 * k);
      start(&ks->stock, ks->profile, ks->master);
    }
    replay_rx[p].profile = profiles[p];
    rnd_bytes(replay_rx[p].master, sizeof replay_rx[p].master);
    start(&replay_rx[p].stock, profiles[p], replay_rx[p].master);
  }
  kat.profile = SV_SRTP_AES128_CM_SHA1_80;
  memcpy(kat.master, kat_master, sizeof kat_master);
  start(&kat.stock, kat.profile, kat.master);
  /* None of that touched the OpenSSL types. */
  CHECK_EQ_INT(sv_srtp_ossl_live(), 0);
}

static void setup_ossl(void) {
  CHECK_EQ_INT(sv_srtp_ossl_register(), 0);
  CHECK_EQ_INT(sv_srtp_ossl_live(), 0); /* the self-tests freed what they made */
  long want = 0;
  for (int p = 0; p < NPROF; p++) {
    for (int k = 0; k < NKEYS; k++) {
      start(&sets[p][k].ossl, profiles[p], sets[p][k].master);
      want += objects_per_srtp(profiles[p]);
    }
    start(&replay_rx[p].ossl, profiles[p], replay_rx[p].master);
    want += objects_per_srtp(profiles[p]);
  }
  start(&kat.ossl, kat.profile, kat.master);
  want += objects_per_srtp(kat.profile);
  CHECK_EQ_INT(sv_srtp_ossl_live(), want);
}

static void teardown(void) {
  for (int p = 0; p < NPROF; p++) {
    for (int k = 0; k < NKEYS; k++) {
      sv_srtp_stop(&sets[p][k].stock);
      sv_srtp_stop(&sets[p][k].ossl);
    }
    sv_srtp_stop(&replay_rx[p].stock);
    sv_srtp_stop(&replay_rx[p].ossl);
  }
  sv_srtp_stop(&kat.stock);
  sv_srtp_stop(&kat.ossl);
  sv_srtp_stop(&kat.ossl); /* twice is fine */
  CHECK_EQ_INT(sv_srtp_ossl_live(), 0);
}

/* ---- RFC vectors through our types ---- */

/* Runs each case of a type's self-test list on its own, so that a failure
 * names the case. Returns how many there were. */
static int run_cipher_cases(const srtp_cipher_type_t *t) {
  int n = 0;
  for (const srtp_cipher_test_case_t *c = t->test_data; c; c = c->next_test_case, n++) {
    srtp_cipher_test_case_t one = *c;
    one.next_test_case = NULL;
    srtp_err_status_t st = srtp_cipher_type_test(t, &one);
    if (st != srtp_err_status_ok)
      fprintf(stderr, "  %s: case %d: status %d\n", t->description, n, st);
    CHECK_EQ_INT(st, srtp_err_status_ok);
  }
  return n;
}

static void test_vectors(void) {
  /* B.2 x2 and B.3 x3; RFC 6188 7.1 x2 and 7.2 x2; RFC 7714 16, 17 (E=1), 17 (E=0). */
  CHECK_EQ_INT(run_cipher_cases(sv_srtp_ossl_cipher_type(SRTP_AES_ICM_128)), 5);
  CHECK_EQ_INT(run_cipher_cases(sv_srtp_ossl_cipher_type(SRTP_AES_ICM_256)), 4);
  CHECK_EQ_INT(run_cipher_cases(sv_srtp_ossl_cipher_type(SRTP_AES_GCM_128)), 3);
  CHECK_EQ_INT(run_cipher_cases(sv_srtp_ossl_cipher_type(SRTP_AES_GCM_256)), 3);
  CHECK(sv_srtp_ossl_cipher_type(SRTP_AES_ICM_192) == NULL);
  const srtp_auth_type_t *h = sv_srtp_ossl_auth_type();
  int n = 0;
  for (const srtp_auth_test_case_t *c = h->test_data; c; c = c->next_test_case, n++) {
    srtp_auth_test_case_t one = *c;
    one.next_test_case = NULL;
    CHECK_EQ_INT(srtp_auth_type_test(h, &one), srtp_err_status_ok);
  }
  CHECK_EQ_INT(n, 3); /* RFC 2202 1-3 */
  /* The whole lists, as libsrtp ran them when it accepted the types. */
  for (int i = 0; i < NPROF; i++) {
    static const srtp_cipher_type_id_t ids[] = {SRTP_AES_ICM_128, SRTP_AES_ICM_256,
                                                SRTP_AES_GCM_128, SRTP_AES_GCM_256};
    CHECK_EQ_INT(srtp_cipher_type_self_test(sv_srtp_ossl_cipher_type(ids[i])), srtp_err_status_ok);
  }
  CHECK_EQ_INT(srtp_auth_type_self_test(h), srtp_err_status_ok);
}

/* The harness really compares: a vector with one wrong ciphertext octet, or
 * one wrong tag octet, fails. */
static void test_vectors_detect_errors(void) {
  const srtp_cipher_type_t *t = sv_srtp_ossl_cipher_type(SRTP_AES_GCM_128);
  srtp_cipher_test_case_t one = *t->test_data;
  one.next_test_case = NULL;
  uint8_t bad[128];
  for (unsigned at = 0; at < one.ciphertext_length_octets; at += one.ciphertext_length_octets - 1) {
    memcpy(bad, t->test_data->ciphertext, one.ciphertext_length_octets);
    bad[at] ^= 0x01;
    one.ciphertext = bad;
    CHECK(srtp_cipher_type_test(t, &one) != srtp_err_status_ok);
  }
  const srtp_auth_type_t *h = sv_srtp_ossl_auth_type();
  srtp_auth_test_case_t a = *h->test_data;
  a.next_test_case = NULL;
  memcpy(bad, h->test_data->tag, (size_t)a.tag_length_octets);
  bad[a.tag_length_octets - 1] ^= 0x80;
  a.tag = bad;
  CHECK(srtp_auth_type_test(h, &a) != srtp_err_status_ok);
}

/* libsrtp's packet vector through a stock and an OpenSSL session: key
 * derivation from the RFC 3711 B.3 master key, AES-CM and HMAC-SHA1. */
static void test_packet_vector(void) {
  sv_srtp *sides[2] = {&kat.stock, &kat.ossl};
  for (int i = 0; i < 2; i++) {
    uint8_t buf[sizeof kat_plain + SV_SRTP_TRAILER];
    memcpy(buf, kat_plain, sizeof kat_plain);
    size_t len = sizeof kat_plain;
    CHECK_EQ_INT(sv_srtp_protect_rtp(sides[i], buf, &len), 0);
    CHECK(len == sizeof kat_protected && memcmp(buf, kat_protected, len) == 0);
    /* ...and the other implementation takes it back. */
    CHECK_EQ_INT(sv_srtp_unprotect_rtp(sides[1 - i], buf, &len), 0);
    CHECK(len == sizeof kat_plain && memcmp(buf, kat_plain, len) == 0);
  }
}

/* ---- random packets ---- */

/* A random RTP packet: CSRCs, a header extension and marker sometimes, a
 * payload of 0 to 1200 bytes. Returns its length. */
static size_t make_rtp(uint8_t *buf, uint16_t seq, uint32_t ssrc) {
  int cc = rnd_below(4) == 0 ? (int)rnd_below(4) : 0;
  bool ext = rnd_below(4) == 0;
  buf[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0) | cc);
  buf[1] = (uint8_t)(rnd_below(2) << 7 | (96 + rnd_below(32)));
  buf[2] = (uint8_t)(seq >> 8);
  buf[3] = (uint8_t)seq;
  rnd_bytes(buf + 4, 4);
  buf[8] = (uint8_t)(ssrc >> 24);
  buf[9] = (uint8_t)(ssrc >> 16);
  buf[10] = (uint8_t)(ssrc >> 8);
  buf[11] = (uint8_t)ssrc;
  size_t len = 12;
  rnd_bytes(buf + len, 4 * (size_t)cc);
  len += 4 * (size_t)cc;
  if (ext) {
    size_t words = rnd_below(4);
    buf[len] = 0xbe;
    buf[len + 1] = 0xde;
    buf[len + 2] = 0;
    buf[len + 3] = (uint8_t)words;
    rnd_bytes(buf + len + 4, 4 * words);
    len += 4 + 4 * words;
  }
  size_t payload = rnd_below(8) == 0 ? rnd_below(8) : rnd_below(1201);
  rnd_bytes(buf + len, payload);
  return len + payload;
}

/* A random RTCP packet: an SR or RR header and 0 to 600 bytes of body. */
static size_t make_rtcp(uint8_t *buf, uint32_t ssrc) {
  size_t body = 4 * rnd_below(151);
  size_t words = (8 + body) / 4 - 1;
  buf[0] = (uint8_t)(0x80 | rnd_below(4));
  buf[1] = rnd_below(2) ? 200 : 201;
  buf[2] = (uint8_t)(words >> 8);
  buf[3] = (uint8_t)words;
  buf[4] = (uint8_t)(ssrc >> 24);
  buf[5] = (uint8_t)(ssrc >> 16);
  buf[6] = (uint8_t)(ssrc >> 8);
  buf[7] = (uint8_t)ssrc;
  rnd_bytes(buf + 8, body);
  return 8 + body;
}

typedef srtp_err_status_t (*srtp_fn)(srtp_t, void *, int *);

/* Both senders protect the same packet, which must come out byte-identical;
 * then each receiver unprotects the other implementation's output. */
static void cross_one(keyset *ks, const uint8_t *plain, size_t len, srtp_fn protect,
                      srtp_fn unprotect) {
  uint8_t a[1400 + SV_SRTP_TRAILER], b[1400 + SV_SRTP_TRAILER];
  memcpy(a, plain, len);
  memcpy(b, plain, len);
  int la = (int)len, lb = (int)len;
  CHECK_EQ_INT(protect((srtp_t)ks->stock.out, a, &la), srtp_err_status_ok);
  CHECK_EQ_INT(protect((srtp_t)ks->ossl.out, b, &lb), srtp_err_status_ok);
  CHECK(la == lb && memcmp(a, b, (size_t)la) == 0);
  CHECK_EQ_INT(unprotect((srtp_t)ks->ossl.in, a, &la), srtp_err_status_ok);
  CHECK_EQ_INT(unprotect((srtp_t)ks->stock.in, b, &lb), srtp_err_status_ok);
  CHECK(la == (int)len && memcmp(a, plain, len) == 0);
  CHECK(lb == (int)len && memcmp(b, plain, len) == 0);
}

static void test_cross_rtp(void) {
  uint8_t plain[1400];
  for (int p = 0; p < NPROF; p++) {
    for (int k = 0; k < NKEYS; k++) {
      keyset *ks = &sets[p][k];
      /* Two streams per key set, interleaved, so receivers clone streams
       * from their template as a relay's do. */
      uint32_t ssrcs[2] = {(uint32_t)rnd(), (uint32_t)rnd() | 1};
      uint16_t seqs[2] = {ks->first_seq, (uint16_t)(ks->first_seq + 7)};
      int wraps = 0;
      for (int i = 0; i < 240; i++) {
        int s = (int)rnd_below(2);
        size_t len = make_rtp(plain, seqs[s], ssrcs[s]);
        cross_one(ks, plain, len, srtp_protect, srtp_unprotect);
        /* Mostly consecutive, sometimes a gap (loss upstream). */
        uint16_t next = (uint16_t)(seqs[s] + (rnd_below(8) == 0 ? 1 + rnd_below(30) : 1));
        wraps += next < seqs[s];
        seqs[s] = next;
      }
      /* Key sets 1 and 2 start 40 and 80 before the wrap: the ROC moved. */
      if (k > 0) CHECK(wraps > 0);
    }
    fprintf(stderr, "  RTP cross-checked: %s\n", profile_short(profiles[p]));
  }
}

static void test_cross_rtcp(void) {
  uint8_t plain[700];
  for (int p = 0; p < NPROF; p++) {
    for (int k = 0; k < NKEYS; k++) {
      uint32_t ssrc = (uint32_t)rnd();
      for (int i = 0; i < 120; i++) {
        size_t len = make_rtcp(plain, rnd_below(4) == 0 ? ssrc ^ 0xffff : ssrc);
        cross_one(&sets[p][k], plain, len, srtp_protect_rtcp, srtp_unprotect_rtcp);
      }
    }
  }
}

/* ---- replay, reordering, tampering ---- */

enum { NREPLAY = 1400 };

typedef struct counts {
  int ok, replay_fail, replay_old, auth_fail, other;
} counts;

static void tally(counts *c, srtp_err_status_t st) {
  switch (st) {
  case srtp_err_status_ok:
    c->ok++;
    break;
  case srtp_err_status_replay_fail:
    c->replay_fail++;
    break;
  case srtp_err_status_replay_old:
    c->replay_old++;
    break;
  case srtp_err_status_auth_fail:
    c->auth_fail++;
    break;
  default:
    c->other++;
  }
}

/* Hands one wire packet to the stock and the OpenSSL receiver; they must
 * answer alike, and agree on the plaintext when they accept it. */
static void deliver(keyset *rx, const uint8_t *wire, int len, srtp_fn unprotect, counts *c) {
  uint8_t a[1400 + SV_SRTP_TRAILER], b[1400 + SV_SRTP_TRAILER];
  memcpy(a, wire, (size_t)len);
  memcpy(b, wire, (size_t)len);
  int la = len, lb = len;
  srtp_err_status_t sa = unprotect((srtp_t)rx->stock.in, a, &la);
  srtp_err_status_t sb = unprotect((srtp_t)rx->ossl.in, b, &lb);
  CHECK_EQ_INT(sa, sb);
  if (sa == srtp_err_status_ok && sb == srtp_err_status_ok)
    CHECK(la == lb && memcmp(a, b, (size_t)la) == 0);
  tally(c, sa);
  /* A GCM tag mismatch must leave no error for DTLS on this thread to trip
   * over. */
  CHECK(ERR_peek_error() == 0);
}

/* Delivery order: mostly in order with local reordering, duplicates, packets
 * from far behind the 1024-packet window, and tampered copies. */
static void replay_schedule(keyset *rx, uint8_t (*wire)[1400 + SV_SRTP_TRAILER], const int *lens,
                            int n, srtp_fn unprotect, counts *c) {
  uint8_t bad[1400 + SV_SRTP_TRAILER];
  for (int i = 0; i < n; i++) {
    /* Swap neighbours now and then: reordering within the window. */
    int j = (i + 1 < n && rnd_below(5) == 0) ? i + 1 : i;
    if (j != i) {
      deliver(rx, wire[j], lens[j], unprotect, c);
      deliver(rx, wire[i], lens[i], unprotect, c);
      i = j;
    } else {
      deliver(rx, wire[i], lens[i], unprotect, c);
    }
    switch (rnd_below(12)) {
    case 0: /* the same packet again */
      deliver(rx, wire[i], lens[i], unprotect, c);
      break;
    case 1: /* one from far back: outside the window once we are past it */
      if (i > 1100) {
        int old = (int)rnd_below((unsigned)(i - 1030));
        deliver(rx, wire[old], lens[old], unprotect, c);
      }
      break;
    case 2: /* the next packet with a flipped bit, before the real one: a
             * replay check cannot catch it, authentication must */
      if (i + 1 < n) {
        memcpy(bad, wire[i + 1], (size_t)lens[i + 1]);
        bad[rnd_below((unsigned)lens[i + 1])] ^= (uint8_t)(1u << rnd_below(8));
        deliver(rx, bad, lens[i + 1], unprotect, c);
      }
      break;
    case 3: /* the next packet truncated */
      if (i + 1 < n) deliver(rx, wire[i + 1], (int)rnd_below((unsigned)lens[i + 1]), unprotect, c);
      break;
    default:
      break;
    }
  }
}

static void test_replay_rtp(void) {
  static uint8_t wire[NREPLAY][1400 + SV_SRTP_TRAILER];
  static int lens[NREPLAY];
  for (int p = 0; p < NPROF; p++) {
    keyset *rx = &replay_rx[p];
    /* The sender: an OpenSSL session on the receivers' key. */
    sv_srtp tx = {0};
    start(&tx, rx->profile, rx->master);
    uint32_t ssrc = (uint32_t)rnd();
    uint16_t seq = (uint16_t)(65536 - 300); /* and a wrap inside the run */
    for (int i = 0; i < NREPLAY; i++) {
      /* A NACK answer: the sender resends an earlier sequence number
       * (allow_repeat_tx), which receivers see as a replay. */
      uint16_t s = (i > 10 && rnd_below(40) == 0) ? (uint16_t)(seq - 1 - rnd_below(5)) : seq++;
      size_t len = make_rtp(wire[i], s, ssrc);
      CHECK_EQ_INT(sv_srtp_protect_rtp(&tx, wire[i], &len), 0);
      lens[i] = (int)len;
    }
    counts c = {0};
    replay_schedule(rx, wire, lens, NREPLAY, srtp_unprotect, &c);
    fprintf(stderr, "  RTP %s: ok %d, replayed %d, too old %d, bad tag %d, other %d\n",
            profile_short(rx->profile), c.ok, c.replay_fail, c.replay_old, c.auth_fail, c.other);
    CHECK(c.ok > NREPLAY / 2 && c.replay_fail > 0 && c.replay_old > 0 && c.auth_fail > 0);
    sv_srtp_stop(&tx);
  }
}

static void test_replay_rtcp(void) {
  static uint8_t wire[NREPLAY][1400 + SV_SRTP_TRAILER];
  static int lens[NREPLAY];
  for (int p = 0; p < NPROF; p++) {
    keyset *rx = &replay_rx[p];
    sv_srtp tx = {0};
    start(&tx, rx->profile, rx->master);
    uint32_t ssrc = (uint32_t)rnd();
    for (int i = 0; i < NREPLAY; i++) {
      size_t len = make_rtcp(wire[i], ssrc);
      CHECK_EQ_INT(sv_srtp_protect_rtcp(&tx, wire[i], &len), 0);
      lens[i] = (int)len;
    }
    counts c = {0};
    replay_schedule(rx, wire, lens, NREPLAY, srtp_unprotect_rtcp, &c);
    fprintf(stderr, "  RTCP %s: ok %d, replayed %d, too old %d, bad tag %d, other %d\n",
            profile_short(rx->profile), c.ok, c.replay_fail, c.replay_old, c.auth_fail, c.other);
    CHECK(c.ok > NREPLAY / 2 && c.replay_fail > 0 && c.auth_fail > 0);
    sv_srtp_stop(&tx);
  }
}

/* ---- the hot path allocates nothing ---- */

static void test_no_allocation_per_packet(void) {
  for (int p = 0; p < NPROF; p++) {
    uint8_t master[46];
    rnd_bytes(master, sizeof master);
    sv_srtp a = {0}, b = {0};
    start(&a, profiles[p], master);
    start(&b, profiles[p], master);
    uint8_t buf[1400 + SV_SRTP_TRAILER], bad[1400 + SV_SRTP_TRAILER];
    long before = 0;
    for (int i = 0; i < 600; i++) {
      /* The first packets create the streams (libsrtp's own calloc); count
       * from the tenth on. */
      if (i == 10) before = ossl_allocs;
      size_t len = make_rtp(buf, (uint16_t)i, 0x1234);
      CHECK_EQ_INT(sv_srtp_protect_rtp(&a, buf, &len), 0);
      memcpy(bad, buf, len);
      bad[len - 1] ^= 1;
      size_t bad_len = len;
      CHECK_EQ_INT(sv_srtp_unprotect_rtp(&b, bad, &bad_len), SV_EINVAL);
      CHECK_EQ_INT(sv_srtp_unprotect_rtp(&b, buf, &len), 0);
      len = make_rtcp(buf, 0x1234);
      CHECK_EQ_INT(sv_srtp_protect_rtcp(&a, buf, &len), 0);
      CHECK_EQ_INT(sv_srtp_unprotect_rtcp(&b, buf, &len), 0);
    }
    CHECK_EQ_INT(ossl_allocs - before, 0);
    sv_srtp_stop(&a);
    sv_srtp_stop(&b);
  }
}

/* ---- sv_srtp's own checks ---- */

static void test_start_rejects(void) {
  uint8_t master[46] = {1, 2, 3};
  sv_dtls_srtp_keys k;
  sv_srtp s = {0};
  material_for(&k, SV_SRTP_AEAD_AES_128_GCM, master);
  k.salt_len = 14; /* GCM's salt is 12 */
  CHECK_EQ_INT(sv_srtp_start(&s, &k, false), SV_EINVAL);
  material_for(&k, SV_SRTP_AES128_CM_SHA1_80, master);
  k.key_len = 32;
  CHECK_EQ_INT(sv_srtp_start(&s, &k, false), SV_EINVAL);
  k.key_len = 16;
  k.profile = (sv_srtp_profile)5; /* SRTP_NULL_SHA1_80: never offered */
  CHECK_EQ_INT(sv_srtp_start(&s, &k, false), SV_EINVAL);
  CHECK(!sv_srtp_ready(&s));
  uint8_t buf[64 + SV_SRTP_TRAILER] = {0x80};
  size_t len = 64;
  CHECK_EQ_INT(sv_srtp_protect_rtp(&s, buf, &len), SV_EINVAL);
  CHECK_EQ_INT(sv_srtp_unprotect_rtcp(&s, buf, &len), SV_EINVAL);
  /* Each profile's protect overhead: tag, and for SRTCP the index. */
  static const struct {
    sv_srtp_profile p;
    size_t rtp, rtcp;
  } overhead[] = {{SV_SRTP_AES128_CM_SHA1_80, 10, 14},
                  {SV_SRTP_AES128_CM_SHA1_32, 4, 14},
                  {SV_SRTP_AEAD_AES_128_GCM, 16, 20},
                  {SV_SRTP_AEAD_AES_256_GCM, 16, 20}};
  for (size_t i = 0; i < sizeof overhead / sizeof overhead[0]; i++) {
    start(&s, overhead[i].p, master);
    CHECK_EQ_INT(s.profile, overhead[i].p);
    static const uint8_t rtp[20] = {0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 99};
    memcpy(buf, rtp, sizeof rtp);
    len = sizeof rtp;
    CHECK_EQ_INT(sv_srtp_protect_rtp(&s, buf, &len), 0);
    CHECK_EQ_INT(len - sizeof rtp, overhead[i].rtp);
    static const uint8_t rtcp[12] = {0x81, 206, 0, 2, 0, 0, 0, 99, 0, 0, 0, 1};
    memcpy(buf, rtcp, sizeof rtcp);
    len = sizeof rtcp;
    CHECK_EQ_INT(sv_srtp_protect_rtcp(&s, buf, &len), 0);
    CHECK_EQ_INT(len - sizeof rtcp, overhead[i].rtcp);
    sv_srtp_stop(&s);
  }
}

/* ---- cost measurement ---- */

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cost(const char *impl, const char *prof, long n) {
  static const struct {
    const char *name;
    sv_srtp_profile p;
  } names[] = {{"cm80", SV_SRTP_AES128_CM_SHA1_80},
               {"cm32", SV_SRTP_AES128_CM_SHA1_32},
               {"gcm128", SV_SRTP_AEAD_AES_128_GCM},
               {"gcm256", SV_SRTP_AEAD_AES_256_GCM}};
  int which = -1;
  for (int i = 0; i < 4; i++)
    if (strcmp(prof, names[i].name) == 0) which = i;
  if (which < 0 || n <= 0 || (strcmp(impl, "ossl") != 0 && strcmp(impl, "stock") != 0)) {
    fprintf(stderr, "usage: test_srtp --cost ossl|stock cm80|cm32|gcm128|gcm256 N\n");
    return 2;
  }
  if (srtp_init() != srtp_err_status_ok) return 1;
  if (strcmp(impl, "ossl") == 0 && sv_srtp_ossl_register() != 0) return 1;
  uint8_t master[46];
  rnd_bytes(master, sizeof master);
  sv_srtp tx = {0}, rx = {0};
  sv_dtls_srtp_keys k;
  material_for(&k, names[which].p, master);
  if (sv_srtp_start(&tx, &k, true) != 0 || sv_srtp_start(&rx, &k, true) != 0) return 1;
  static uint8_t plain[1200], buf[1200 + SV_SRTP_TRAILER];
  rnd_bytes(plain, sizeof plain);
  plain[0] = 0x80;
  plain[1] = 96;
  double t_protect = 0, t_unprotect = 0;
  for (long i = 0; i < n; i++) {
    plain[2] = (uint8_t)(i >> 8);
    plain[3] = (uint8_t)i;
    memcpy(buf, plain, sizeof plain);
    size_t len = sizeof plain;
    double t0 = now_ns();
    int a = sv_srtp_protect_rtp(&tx, buf, &len);
    double t1 = now_ns();
    int b = sv_srtp_unprotect_rtp(&rx, buf, &len);
    double t2 = now_ns();
    if (a != 0 || b != 0 || len != sizeof plain) return 1;
    t_protect += t1 - t0;
    t_unprotect += t2 - t1;
  }
  printf("%s %s: protect %.0f ns, unprotect %.0f ns per 1200-byte RTP packet (%ld packets)\n", impl,
         prof, t_protect / (double)n, t_unprotect / (double)n, n);
  sv_srtp_stop(&tx);
  sv_srtp_stop(&rx);
  srtp_shutdown();
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && strcmp(argv[1], "--cost") == 0) return cost(argv[2], argv[3], atol(argv[4]));
  /* Must come before OpenSSL allocates anything. */
  bool counting = CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free) == 1;
  const char *seed = getenv("SV_TEST_SEED");
  if (seed) rng_state = strtoull(seed, NULL, 0);
  printf("seed 0x%llx (set SV_TEST_SEED to repeat)\n", (unsigned long long)rng_state);
  CHECK_EQ_INT(srtp_init(), srtp_err_status_ok);
  RUN(setup_stock);
  RUN(setup_ossl);
  RUN(test_vectors);
  RUN(test_vectors_detect_errors);
  RUN(test_packet_vector);
  RUN(test_cross_rtp);
  RUN(test_cross_rtcp);
  RUN(test_replay_rtp);
  RUN(test_replay_rtcp);
  if (counting)
    RUN(test_no_allocation_per_packet);
  else
    fprintf(stderr, "OpenSSL allocated before main: allocation count skipped\n");
  RUN(test_start_rejects);
  RUN(teardown);
  srtp_shutdown();
  return check_summary();
}
