/*
 * fuzz_srtp.c — libFuzzer target for SRTP and SRTCP unprotect on the OpenSSL
 * crypto types (relay/srtp.c over relay/srtp_ossl.c).
 *
 * Input: byte 0 picks the profile (bits 0-1: AES-CM-80, AES-CM-32, GCM-128,
 * GCM-256), RTP or RTCP (bit 2) and the mode (bit 3). In raw mode the rest is
 * a packet from the network and goes straight to unprotect. Otherwise byte 1
 * is a damage offset (0: none) and the rest a plaintext packet: it is
 * protected, damaged by flipping the bits of one octet, and unprotected; an
 * undamaged packet must come back unchanged and a damaged one must be
 * refused, since every octet of SRTP and SRTCP is authenticated. Keys are
 * fixed, so raw seeds made with them (corpus/fuzz_srtp/raw_*) carry valid
 * tags and reach past authentication.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "relay/srtp.h"
#include "relay/srtp_ossl.h"

enum { MAX_PACKET = 1500 };

static const sv_srtp_profile profiles[4] = {SV_SRTP_AES128_CM_SHA1_80, SV_SRTP_AES128_CM_SHA1_32,
                                            SV_SRTP_AEAD_AES_128_GCM, SV_SRTP_AEAD_AES_256_GCM};

/* The fixed DTLS export for a profile: distinct client and server halves. */
static void fuzz_keys(sv_dtls_srtp_keys *k, sv_srtp_profile profile) {
  memset(k, 0, sizeof *k);
  k->profile = profile;
  k->key_len = profile == SV_SRTP_AEAD_AES_256_GCM ? 32 : 16;
  k->salt_len =
      profile == SV_SRTP_AEAD_AES_128_GCM || profile == SV_SRTP_AEAD_AES_256_GCM ? 12 : 14;
  for (size_t i = 0; i < 2 * (k->key_len + k->salt_len); i++)
    k->material[i] = (uint8_t)(i * 7 + 1);
}

/* Registers the OpenSSL types once; fuzzing libsrtp's stock ones instead
 * would be pointless, so a refusal stops the run. */
static void fuzz_init(void) {
  static bool ready;
  if (ready) return;
  if (srtp_init() != srtp_err_status_ok || sv_srtp_ossl_register() != 0) abort();
  ready = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2 || size - 2 > MAX_PACKET) return 0;
  fuzz_init();
  sv_srtp_profile profile = profiles[data[0] & 3];
  bool rtcp = data[0] & 4, raw = data[0] & 8;
  sv_dtls_srtp_keys keys;
  fuzz_keys(&keys, profile);
  /* The DTLS client sends, the server receives. */
  sv_srtp tx = {0}, rx = {0};
  if (sv_srtp_start(&tx, &keys, true) != 0 || sv_srtp_start(&rx, &keys, false) != 0) abort();

  uint8_t *buf = malloc(MAX_PACKET + SV_SRTP_TRAILER);
  if (!buf) abort();
  if (raw) {
    size_t len = size - 1;
    memcpy(buf, data + 1, len);
    size_t in = len;
    int rc = rtcp ? sv_srtp_unprotect_rtcp(&rx, buf, &len) : sv_srtp_unprotect_rtp(&rx, buf, &len);
    if (rc == 0 && len > in) abort(); /* unprotect only ever shortens */
    goto out;
  }

  size_t plain_len = size - 2, len = plain_len;
  memcpy(buf, data + 2, len);
  int rc = rtcp ? sv_srtp_protect_rtcp(&tx, buf, &len) : sv_srtp_protect_rtp(&tx, buf, &len);
  if (rc != 0) goto out; /* not a packet libsrtp will protect */
  if (len < plain_len || len > plain_len + SV_SRTP_TRAILER) abort();
  uint8_t damage = data[1];
  if (damage) buf[damage % len] ^= 0xff;
  rc = rtcp ? sv_srtp_unprotect_rtcp(&rx, buf, &len) : sv_srtp_unprotect_rtp(&rx, buf, &len);
  if (damage && rc == 0) abort(); /* a changed octet got through */
  if (!damage && (rc != 0 || len != plain_len || memcmp(buf, data + 2, len) != 0)) abort();
out:
  free(buf);
  sv_srtp_stop(&tx);
  sv_srtp_stop(&rx);
  return 0;
}
