/*
 * srtp.c — libsrtp2 sessions for the relay, for the profile DTLS negotiated.
 *
 * libsrtp does the packet work (key derivation, replay window, ROC, layout);
 * the AES and HMAC-SHA1 under it are OpenSSL's (srtp_ossl.c), because
 * Debian's libsrtp2 runs on NSS, which costs several times more per packet.
 */
#include "relay/srtp.h"

#include <srtp2/srtp.h>
#include <string.h>

#include "common/common.h"
#include "relay/srtp_ossl.h"

int sv_srtp_global_init(void) {
  if (srtp_init() != srtp_err_status_ok) return SV_EIO;
  if (sv_srtp_ossl_register() != 0)
    SV_ERROR("srtp", "OpenSSL crypto failed libsrtp's self-test; SRTP runs on libsrtp's own");
  return 0;
}

void sv_srtp_global_deinit(void) {
  srtp_shutdown();
}

/* The libsrtp crypto policies for a profile (RFC 5764 4.1.2, RFC 7714 14.2),
 * and the master key and salt lengths it takes. */
static int profile_policy(sv_srtp_profile profile, srtp_policy_t *policy, size_t *key_len,
                          size_t *salt_len) {
  switch (profile) {
  case SV_SRTP_AES128_CM_SHA1_80:
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtcp);
    *key_len = 16;
    *salt_len = 14;
    return 0;
  case SV_SRTP_AES128_CM_SHA1_32:
    /* The short tag is for SRTP only; SRTCP keeps the 80-bit one. */
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy->rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy->rtcp);
    *key_len = 16;
    *salt_len = 14;
    return 0;
  case SV_SRTP_AEAD_AES_128_GCM:
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy->rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy->rtcp);
    *key_len = 16;
    *salt_len = 12;
    return 0;
  case SV_SRTP_AEAD_AES_256_GCM:
    srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy->rtp);
    srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy->rtcp);
    *key_len = 32;
    *salt_len = 12;
    return 0;
  }
  return SV_EINVAL;
}

static int make_session(srtp_t *out, sv_srtp_profile profile, const uint8_t *key,
                        const uint8_t *salt, bool inbound) {
  srtp_policy_t policy;
  memset(&policy, 0, sizeof policy);
  size_t key_len = 0, salt_len = 0;
  if (profile_policy(profile, &policy, &key_len, &salt_len) != 0) return SV_EINVAL;
  uint8_t master[SV_DTLS_SRTP_MAX_KEY_LEN + SV_DTLS_SRTP_MAX_SALT_LEN];
  memcpy(master, key, key_len);
  memcpy(master + key_len, salt, salt_len);
  policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
  policy.key = master;
  /* Video bursts reorder; a larger window keeps late packets. */
  policy.window_size = 1024;
  /* NACK answers resend a packet with the sequence number it had. */
  policy.allow_repeat_tx = 1;
  srtp_err_status_t st = srtp_create(out, &policy);
  memset(master, 0, sizeof master);
  return st == srtp_err_status_ok ? 0 : SV_EIO;
}

int sv_srtp_start(sv_srtp *s, const sv_dtls_srtp_keys *keys, bool we_are_client) {
  /* Only the lengths matter here; each session fills a policy of its own. */
  srtp_policy_t probe;
  size_t key_len = 0, salt_len = 0;
  if (profile_policy(keys->profile, &probe, &key_len, &salt_len) != 0 || keys->key_len != key_len ||
      keys->salt_len != salt_len)
    return SV_EINVAL;
  const uint8_t *client_key = keys->material;
  const uint8_t *server_key = client_key + key_len;
  const uint8_t *client_salt = server_key + key_len;
  const uint8_t *server_salt = client_salt + salt_len;
  const uint8_t *rk = we_are_client ? server_key : client_key;
  const uint8_t *rs = we_are_client ? server_salt : client_salt;
  const uint8_t *lk = we_are_client ? client_key : server_key;
  const uint8_t *ls = we_are_client ? client_salt : server_salt;
  sv_srtp_stop(s);
  srtp_t in = NULL, out = NULL;
  int rc = make_session(&in, keys->profile, rk, rs, true);
  if (rc == 0) rc = make_session(&out, keys->profile, lk, ls, false);
  if (rc != 0) {
    if (in) srtp_dealloc(in);
    return rc;
  }
  s->in = in;
  s->out = out;
  s->profile = keys->profile;
  return 0;
}

bool sv_srtp_ready(const sv_srtp *s) {
  return s->in && s->out;
}

int sv_srtp_unprotect_rtp(sv_srtp *s, uint8_t *buf, size_t *len) {
  int n = (int)*len;
  if (!s->in || srtp_unprotect((srtp_t)s->in, buf, &n) != srtp_err_status_ok) return SV_EINVAL;
  *len = (size_t)n;
  return 0;
}

int sv_srtp_unprotect_rtcp(sv_srtp *s, uint8_t *buf, size_t *len) {
  int n = (int)*len;
  if (!s->in || srtp_unprotect_rtcp((srtp_t)s->in, buf, &n) != srtp_err_status_ok) return SV_EINVAL;
  *len = (size_t)n;
  return 0;
}

int sv_srtp_protect_rtp(sv_srtp *s, uint8_t *buf, size_t *len) {
  int n = (int)*len;
  if (!s->out || srtp_protect((srtp_t)s->out, buf, &n) != srtp_err_status_ok) return SV_EINVAL;
  *len = (size_t)n;
  return 0;
}

int sv_srtp_protect_rtcp(sv_srtp *s, uint8_t *buf, size_t *len) {
  int n = (int)*len;
  if (!s->out || srtp_protect_rtcp((srtp_t)s->out, buf, &n) != srtp_err_status_ok) return SV_EINVAL;
  *len = (size_t)n;
  return 0;
}

void sv_srtp_stop(sv_srtp *s) {
  if (s->in) srtp_dealloc((srtp_t)s->in);
  if (s->out) srtp_dealloc((srtp_t)s->out);
  s->in = s->out = NULL;
}
