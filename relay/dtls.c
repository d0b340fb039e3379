/*
 * dtls.c — DTLS-SRTP handshake on OpenSSL for the relay's PeerConnections.
 *
 * Records leave through a small BIO of our own whose write() hands each
 * record to the session's send callback: OpenSSL writes one datagram per
 * BIO_write in DTLS, so packet boundaries survive, which a memory BIO would
 * lose when a whole flight is buffered. Received datagrams go in through a
 * memory BIO, one at a time.
 *
 * SRTP profiles: AES-GCM first, then AES-CM (SV_DTLS_SRTP_PROFILES). OpenSSL
 * as the DTLS server walks the client's list and keeps the profile that
 * stands highest in its own (tls_parse_ctos_use_srtp), so the relay's order
 * decides whenever it is the server, whatever order the browser offers in.
 */
#include "relay/dtls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string.h>

#include "common/common.h"

/* Keeps handshake flights under typical path MTUs (with IPv6 + UDP + TURN). */
#define SV_DTLS_MTU 1200

struct sv_dtls_identity {
  SSL_CTX *ctx;
  BIO_METHOD *bio_method;
  char fingerprint[3 * EVP_MAX_MD_SIZE + 1];
};

/* Owned by one worker thread. */
struct sv_dtls {
  const sv_dtls_identity *id;
  GMainContext *ctx;
  SSL *ssl;
  BIO *rbio; /* memory BIO, owned by ssl */
  sv_dtls_callbacks cb;
  void *user;
  GSource *timer;
  char remote_fp[3 * EVP_MAX_MD_SIZE + 1];
  bool connected, failed, is_client;
};

static void fingerprint_hex(const unsigned char *md, unsigned len, char *out) {
  static const char hex[] = "0123456789ABCDEF";
  for (unsigned i = 0; i < len; i++) {
    out[3 * i] = hex[md[i] >> 4];
    out[3 * i + 1] = hex[md[i] & 0xf];
    out[3 * i + 2] = i + 1 < len ? ':' : '\0';
  }
  if (len == 0) out[0] = '\0';
}

static int x509_fingerprint(X509 *cert, char *out) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (!X509_digest(cert, EVP_sha256(), md, &len)) return SV_EIO;
  fingerprint_hex(md, len, out);
  return 0;
}

/* The BIO that turns each OpenSSL write into one datagram. */
static int bio_out_write(BIO *b, const char *data, int len) {
  sv_dtls *d = BIO_get_data(b);
  if (d && len > 0 && !d->failed) d->cb.send(d->user, (const uint8_t *)data, (size_t)len);
  return len;
}

static long bio_out_ctrl(BIO *b, int cmd, long num, void *ptr) {
  switch (cmd) {
  case BIO_CTRL_FLUSH:
    return 1;
  case BIO_CTRL_DGRAM_QUERY_MTU:
  case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
    return SV_DTLS_MTU;
  case BIO_CTRL_WPENDING:
  case BIO_CTRL_PENDING:
    return 0;
  default:
    return 0;
  }
}

static int bio_out_create(BIO *b) {
  BIO_set_init(b, 1);
  return 1;
}

static int verify_accept_self_signed(int ok, X509_STORE_CTX *store) {
  /* WebRTC certificates are self-signed; trust comes from comparing the
   * fingerprint with the one in the SDP after the handshake. */
  return 1;
}

static EVP_PKEY *make_key(void) {
  return EVP_EC_gen("P-256");
}

static X509 *make_cert(EVP_PKEY *key) {
  X509 *cert = X509_new();
  if (!cert) return NULL;
  uint64_t serial;
  sv_random_bytes(&serial, sizeof serial);
  X509_set_version(cert, 2);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial >> 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME *name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"samvei", -1, -1, 0);
  X509_set_issuer_name(cert, name);
  if (!X509_sign(cert, key, EVP_sha256())) {
    X509_free(cert);
    return NULL;
  }
  return cert;
}

int sv_dtls_identity_new(sv_dtls_identity **out) {
  int rc = SV_EIO;
  EVP_PKEY *key = NULL;
  X509 *cert = NULL;
  sv_dtls_identity *id = g_new0(sv_dtls_identity, 1);

  key = make_key();
  cert = key ? make_cert(key) : NULL;
  if (!cert) goto out;
  id->ctx = SSL_CTX_new(DTLS_method());
  if (!id->ctx) goto out;
  SSL_CTX_set_min_proto_version(id->ctx, DTLS1_2_VERSION);
  if (SSL_CTX_use_certificate(id->ctx, cert) != 1 || SSL_CTX_use_PrivateKey(id->ctx, key) != 1 ||
      SSL_CTX_check_private_key(id->ctx) != 1)
    goto out;
  SSL_CTX_set_verify(id->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     verify_accept_self_signed);
  /* Returns 0 on success, unlike most of OpenSSL. */
  if (SSL_CTX_set_tlsext_use_srtp(id->ctx, SV_DTLS_SRTP_PROFILES) != 0) goto out;
  SSL_CTX_set_read_ahead(id->ctx, 1);
  if (x509_fingerprint(cert, id->fingerprint) != 0) goto out;
  id->bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "samvei-dtls-out");
  if (!id->bio_method) goto out;
  BIO_meth_set_write(id->bio_method, bio_out_write);
  BIO_meth_set_ctrl(id->bio_method, bio_out_ctrl);
  BIO_meth_set_create(id->bio_method, bio_out_create);
  rc = 0;
out:
  X509_free(cert);
  EVP_PKEY_free(key);
  if (rc != 0) {
    SV_ERROR("dtls", "cannot create the DTLS certificate: %s",
             ERR_reason_error_string(ERR_get_error()));
    sv_dtls_identity_free(id);
  } else {
    *out = id;
  }
  return rc;
}

void sv_dtls_identity_free(sv_dtls_identity *id) {
  if (!id) return;
  SSL_CTX_free(id->ctx);
  if (id->bio_method) BIO_meth_free(id->bio_method);
  g_free(id);
}

const char *sv_dtls_identity_fingerprint(const sv_dtls_identity *id) {
  return id->fingerprint;
}

int sv_dtls_identity_set_srtp_profiles(sv_dtls_identity *id, const char *profiles) {
  if (SSL_CTX_set_tlsext_use_srtp(id->ctx, profiles) != 0) {
    ERR_clear_error();
    return SV_EINVAL;
  }
  return 0;
}

const char *sv_dtls_srtp_profile_name(sv_srtp_profile profile) {
  switch (profile) {
  case SV_SRTP_AES128_CM_SHA1_80:
    return "SRTP_AES128_CM_SHA1_80";
  case SV_SRTP_AES128_CM_SHA1_32:
    return "SRTP_AES128_CM_SHA1_32";
  case SV_SRTP_AEAD_AES_128_GCM:
    return "SRTP_AEAD_AES_128_GCM";
  case SV_SRTP_AEAD_AES_256_GCM:
    return "SRTP_AEAD_AES_256_GCM";
  }
  return "unknown";
}

/* Key and salt lengths per side for a negotiated profile; false for one we
 * never offer. */
static bool srtp_profile_lengths(unsigned long id, size_t *key_len, size_t *salt_len) {
  switch (id) {
  case SV_SRTP_AES128_CM_SHA1_80:
  case SV_SRTP_AES128_CM_SHA1_32:
    *key_len = 16;
    *salt_len = 14;
    return true;
  case SV_SRTP_AEAD_AES_128_GCM:
    *key_len = 16;
    *salt_len = 12;
    return true;
  case SV_SRTP_AEAD_AES_256_GCM:
    *key_len = 32;
    *salt_len = 12;
    return true;
  default:
    return false;
  }
}

static void fail(sv_dtls *d, const char *reason) {
  if (d->failed) return;
  d->failed = true;
  if (d->timer) {
    g_source_destroy(d->timer);
    g_source_unref(d->timer);
    d->timer = NULL;
  }
  d->cb.failed(d->user, reason);
}

static gboolean on_timer(gpointer data);

static void arm_timer(sv_dtls *d) {
  if (d->timer) {
    g_source_destroy(d->timer);
    g_source_unref(d->timer);
    d->timer = NULL;
  }
  struct timeval tv;
  if (d->connected || d->failed || !DTLSv1_get_timeout(d->ssl, &tv)) return;
  guint ms = (guint)(tv.tv_sec * 1000 + tv.tv_usec / 1000);
  d->timer = g_timeout_source_new(ms ? ms : 1);
  g_source_set_callback(d->timer, on_timer, d, NULL);
  g_source_attach(d->timer, d->ctx);
}

static void finish_handshake(sv_dtls *d) {
  char fp[sizeof d->remote_fp];
  X509 *peer = SSL_get1_peer_certificate(d->ssl);
  int rc = peer ? x509_fingerprint(peer, fp) : SV_EIO;
  X509_free(peer);
  if (rc != 0) {
    fail(d, "the peer sent no DTLS certificate");
    return;
  }
  if (g_ascii_strcasecmp(fp, d->remote_fp) != 0) {
    fail(d, "DTLS fingerprint does not match the SDP");
    return;
  }
  SRTP_PROTECTION_PROFILE *profile = SSL_get_selected_srtp_profile(d->ssl);
  sv_dtls_srtp_keys keys = {0};
  if (!profile || !srtp_profile_lengths(profile->id, &keys.key_len, &keys.salt_len)) {
    fail(d, "no common SRTP profile (the relay needs AES-GCM or AES128_CM_SHA1)");
    return;
  }
  keys.profile = (sv_srtp_profile)profile->id;
  static const char label[] = "EXTRACTOR-dtls_srtp";
  if (SSL_export_keying_material(d->ssl, keys.material, 2 * (keys.key_len + keys.salt_len), label,
                                 sizeof label - 1, NULL, 0, 0) != 1) {
    fail(d, "cannot export SRTP keys from DTLS");
    return;
  }
  d->connected = true;
  SV_INFO("dtls", "DTLS-SRTP connected as %s with %s", d->is_client ? "client" : "server",
          sv_dtls_srtp_profile_name(keys.profile));
  d->cb.connected(d->user, &keys, d->is_client);
  OPENSSL_cleanse(&keys, sizeof keys);
}

/* Drives the handshake after any input or timeout. */
static void step(sv_dtls *d) {
  if (d->failed) return;
  if (!d->connected) {
    int r = SSL_do_handshake(d->ssl);
    if (r == 1) {
      finish_handshake(d);
    } else {
      int err = SSL_get_error(d->ssl, r);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
        unsigned long e = ERR_get_error();
        char reason[160];
        snprintf(reason, sizeof reason, "DTLS handshake failed: %s",
                 e ? ERR_reason_error_string(e) : "peer closed");
        ERR_clear_error();
        fail(d, reason);
        return;
      }
    }
    arm_timer(d);
    return;
  }
  /* After the handshake the only records we expect are alerts (close_notify)
   * or retransmitted handshake messages; no application data is used. */
  uint8_t sink[256];
  int r = SSL_read(d->ssl, sink, sizeof sink);
  if (r <= 0) {
    int err = SSL_get_error(d->ssl, r);
    if (err == SSL_ERROR_ZERO_RETURN)
      fail(d, "the peer closed the DTLS connection");
    else if (err != SSL_ERROR_WANT_READ)
      ERR_clear_error();
  }
}

static gboolean on_timer(gpointer data) {
  sv_dtls *d = data;
  g_source_unref(d->timer);
  d->timer = NULL;
  if (DTLSv1_handle_timeout(d->ssl) < 0) {
    fail(d, "DTLS handshake timed out");
    return G_SOURCE_REMOVE;
  }
  step(d);
  return G_SOURCE_REMOVE;
}

sv_dtls *sv_dtls_new(const sv_dtls_identity *id, GMainContext *ctx, const char *remote_fp,
                     const sv_dtls_callbacks *cb, void *user) {
  sv_dtls *d = g_new0(sv_dtls, 1);
  d->id = id;
  d->ctx = ctx;
  d->cb = *cb;
  d->user = user;
  g_strlcpy(d->remote_fp, remote_fp ? remote_fp : "", sizeof d->remote_fp);
  d->ssl = SSL_new(id->ctx);
  SV_ASSERT(d->ssl);
  d->rbio = BIO_new(BIO_s_mem());
  BIO *wbio = BIO_new(id->bio_method);
  SV_ASSERT(d->rbio && wbio);
  BIO_set_data(wbio, d);
  BIO_set_mem_eof_return(d->rbio, -1);
  SSL_set_bio(d->ssl, d->rbio, wbio);
  SSL_set_options(d->ssl, SSL_OP_NO_QUERY_MTU);
  SSL_set_mtu(d->ssl, SV_DTLS_MTU);
  DTLS_set_link_mtu(d->ssl, SV_DTLS_MTU);
  return d;
}

void sv_dtls_start(sv_dtls *d, bool as_client) {
  d->is_client = as_client;
  if (as_client)
    SSL_set_connect_state(d->ssl);
  else
    SSL_set_accept_state(d->ssl);
  step(d);
}

void sv_dtls_input(sv_dtls *d, const uint8_t *buf, size_t len) {
  if (d->failed || len == 0 || len > 65535) return;
  BIO_write(d->rbio, buf, (int)len);
  step(d);
  /* Never leave bytes behind: the next datagram must start a fresh read. */
  (void)BIO_reset(d->rbio);
}

bool sv_dtls_is_connected(const sv_dtls *d) {
  return d->connected && !d->failed;
}

void sv_dtls_free(sv_dtls *d) {
  if (!d) return;
  if (d->timer) {
    g_source_destroy(d->timer);
    g_source_unref(d->timer);
  }
  if (d->connected && !d->failed) SSL_shutdown(d->ssl);
  d->failed = true; /* no callbacks from here on */
  SSL_free(d->ssl);
  g_free(d);
}
