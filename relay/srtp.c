/*
 * srtp.c — libsrtp2 sessions for the relay (AES128_CM_SHA1_80).
 */
#include "relay/srtp.h"

#include <srtp2/srtp.h>
#include <string.h>

#include "common/common.h"

int sv_srtp_global_init(void) {
  return srtp_init() == srtp_err_status_ok ? 0 : SV_EIO;
}

void sv_srtp_global_deinit(void) {
  srtp_shutdown();
}

static int make_session(srtp_t *out, const uint8_t *key, const uint8_t *salt, bool inbound) {
  uint8_t master[SV_DTLS_SRTP_KEY_LEN + SV_DTLS_SRTP_SALT_LEN];
  memcpy(master, key, SV_DTLS_SRTP_KEY_LEN);
  memcpy(master + SV_DTLS_SRTP_KEY_LEN, salt, SV_DTLS_SRTP_SALT_LEN);
  srtp_policy_t policy;
  memset(&policy, 0, sizeof policy);
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
  srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
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

int sv_srtp_start(sv_srtp *s, const uint8_t keys[SV_DTLS_SRTP_KEYS_LEN], bool we_are_client) {
  const uint8_t *client_key = keys;
  const uint8_t *server_key = keys + SV_DTLS_SRTP_KEY_LEN;
  const uint8_t *client_salt = keys + 2 * SV_DTLS_SRTP_KEY_LEN;
  const uint8_t *server_salt = client_salt + SV_DTLS_SRTP_SALT_LEN;
  const uint8_t *rk = we_are_client ? server_key : client_key;
  const uint8_t *rs = we_are_client ? server_salt : client_salt;
  const uint8_t *lk = we_are_client ? client_key : server_key;
  const uint8_t *ls = we_are_client ? client_salt : server_salt;
  sv_srtp_stop(s);
  srtp_t in = NULL, out = NULL;
  if (make_session(&in, rk, rs, true) != 0) return SV_EIO;
  if (make_session(&out, lk, ls, false) != 0) {
    srtp_dealloc(in);
    return SV_EIO;
  }
  s->in = in;
  s->out = out;
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
