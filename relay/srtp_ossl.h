/*
 * srtp_ossl.h — libsrtp2's AES-ICM, AES-GCM and HMAC-SHA1 crypto types on
 * OpenSSL, registered through libsrtp2's own extension points
 * (srtp_replace_cipher_type / srtp_replace_auth_type).
 *
 * Private to relay/srtp.c and its tests: the rest of the relay only sees
 * sv_srtp_global_init(), which registers them.
 */
#ifndef SV_SRTP_OSSL_H
#define SV_SRTP_OSSL_H

#include <srtp2/auth.h>
#include <srtp2/cipher.h>

/* Replaces libsrtp's SRTP_AES_ICM_128, SRTP_AES_ICM_256, SRTP_AES_GCM_128,
 * SRTP_AES_GCM_256 and SRTP_HMAC_SHA1 with the OpenSSL ones. Call on the main
 * thread after srtp_init() and before any session exists. libsrtp runs each
 * type's self-test (RFC test vectors) and the stock type's own vectors before
 * it accepts a replacement; a type that fails keeps libsrtp's own. Sessions
 * bind their crypto objects when they are created, so sessions made before
 * this call keep the stock types. Returns 0, or SV_EIO if any type was
 * refused (the others stay replaced). */
int sv_srtp_ossl_register(void);

/* Our type for a cipher id (one of the four above), or NULL. For tests,
 * which run the self-tests and vectors against it directly. */
const srtp_cipher_type_t *sv_srtp_ossl_cipher_type(srtp_cipher_type_id_t id);
/* Our HMAC-SHA1 type. */
const srtp_auth_type_t *sv_srtp_ossl_auth_type(void);

/* Cipher and auth objects of these types alive right now (any thread). For
 * tests: it shows which sessions run on OpenSSL, and that none leak. */
long sv_srtp_ossl_live(void);

#endif
