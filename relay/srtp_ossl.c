/*
 * srtp_ossl.c — libsrtp2's AES-ICM, AES-GCM and HMAC-SHA1 on OpenSSL.
 *
 * Debian's libsrtp2 is built against NSS, which creates a crypto context for
 * every packet it protects: about two thirds of the relay's instructions per
 * forwarded packet went there. libsrtp2 lets an application replace a crypto
 * type by id (srtp_replace_cipher_type, srtp_replace_auth_type), so this file
 * supplies the same five types on OpenSSL, and libsrtp keeps doing what it is
 * good at: key derivation (which runs through our AES-ICM), replay windows,
 * ROC and packet layout.
 *
 * A libsrtp cipher object is one per session direction and stream template;
 * ours owns one EVP_CIPHER_CTX keyed once in init(). Per packet we only set
 * the IV and run the cipher, and HMAC starts from copies of the keyed inner
 * and outer SHA-1 states. Nothing is allocated or locked per packet
 * (tests/unit/test_srtp.c counts OpenSSL's allocations to hold us to it).
 *
 * HMAC uses OpenSSL's low-level SHA1_* functions, deprecated in 3.0, on
 * purpose: in OpenSSL 3.0 every EVP_MD_CTX_copy_ex() and every
 * EVP_DigestInit_ex() on a used context frees and allocates the provider's
 * digest state (measured: one malloc per call on 3.0.19), and EVP_MAC's HMAC
 * copies its keyed context the same way. A SHA_CTX is a plain struct that we
 * copy by assignment, on the same assembly as EVP.
 *
 * Each type carries RFC test vectors as its self-test data; libsrtp runs them,
 * and the stock type's own, before it accepts a replacement.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "relay/srtp_ossl.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "common/common.h"

/* ---- test vectors (the types' self-test data) ----
 *
 * b2_*: RFC 3711 B.2 (AES-CM keystream); b3_*: B.3 (key derivation);
 * r6188_*: RFC 6188 7.1 and 7.2 (the same for AES-256); gcm*: RFC 7714 16
 * and 17 (SRTP and SRTCP with AEAD_AES_128_GCM and _256_GCM); h*: RFC 2202
 * test cases 1 to 3 (HMAC-SHA1). */

static const uint8_t b2_key[30] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7,
                                   0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c, 0xf0, 0xf1, 0xf2, 0xf3,
                                   0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd};
static const uint8_t b2_first[48] = {
    0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1, 0x6d, 0xd9, 0x2b, 0x4e, 0xb4,
    0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7, 0x2a, 0x43, 0xa2, 0xfe, 0x4a, 0x5f, 0x97, 0xab,
    0x41, 0xe9, 0x5b, 0x3b, 0xb0, 0xa2, 0xe8, 0xdd, 0x47, 0x79, 0x01, 0xe4, 0xfc, 0xa8, 0x94, 0xc0};
static const uint8_t b2_last[48] = {
    0xec, 0x8c, 0xdf, 0x73, 0x98, 0x60, 0x7c, 0xb0, 0xf2, 0xd2, 0x16, 0x75, 0xea, 0x9e, 0xa1, 0xe4,
    0x36, 0x2b, 0x7c, 0x3c, 0x67, 0x73, 0x51, 0x63, 0x18, 0xa0, 0x77, 0xd7, 0xfc, 0x50, 0x73, 0xae,
    0x6a, 0x2c, 0xc3, 0x78, 0x78, 0x89, 0x37, 0x4f, 0xbe, 0xb4, 0xc8, 0x1b, 0x17, 0xba, 0x6c, 0x44};
static const uint8_t b3_master[30] = {0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f,
                                      0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39, 0x0e, 0xc6, 0x75, 0xad,
                                      0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6};
static const uint8_t b3_cipher_key[16] = {0xc6, 0x1e, 0x7a, 0x93, 0x74, 0x4f, 0x39, 0xee,
                                          0x10, 0x73, 0x4a, 0xfe, 0x3f, 0xf7, 0xa0, 0x87};
static const uint8_t b3_cipher_salt[14] = {0x30, 0xcb, 0xbc, 0x08, 0x86, 0x3d, 0x8c,
                                           0x85, 0xd4, 0x9d, 0xb3, 0x4a, 0x9a, 0xe1};
static const uint8_t b3_auth_key[94] = {
    0xce, 0xbe, 0x32, 0x1f, 0x6f, 0xf7, 0x71, 0x6b, 0x6f, 0xd4, 0xab, 0x49, 0xaf, 0x25, 0x6a, 0x15,
    0x6d, 0x38, 0xba, 0xa4, 0x8f, 0x0a, 0x0a, 0xcf, 0x3c, 0x34, 0xe2, 0x35, 0x9e, 0x6c, 0xdb, 0xce,
    0xe0, 0x49, 0x64, 0x6c, 0x43, 0xd9, 0x32, 0x7a, 0xd1, 0x75, 0x57, 0x8e, 0xf7, 0x22, 0x70, 0x98,
    0x63, 0x71, 0xc1, 0x0c, 0x9a, 0x36, 0x9a, 0xc2, 0xf9, 0x4a, 0x8c, 0x5f, 0xbc, 0xdd, 0xdc, 0x25,
    0x6d, 0x6e, 0x91, 0x9a, 0x48, 0xb6, 0x10, 0xef, 0x17, 0xc2, 0x04, 0x1e, 0x47, 0x40, 0x35, 0x76,
    0x6b, 0x68, 0x64, 0x2c, 0x59, 0xbb, 0xfc, 0x2f, 0x34, 0xdb, 0x60, 0xdb, 0xdf, 0xb2};
static const uint8_t r6188_key[46] = {
    0x57, 0xf8, 0x2f, 0xe3, 0x61, 0x3f, 0xd1, 0x70, 0xa8, 0x5e, 0xc9, 0x3c, 0x40, 0xb1, 0xf0, 0x92,
    0x2e, 0xc4, 0xcb, 0x0d, 0xc0, 0x25, 0xb5, 0x82, 0x72, 0x14, 0x7c, 0xc4, 0x38, 0x94, 0x4a, 0x98,
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd};
static const uint8_t r6188_first[48] = {
    0x92, 0xbd, 0xd2, 0x8a, 0x93, 0xc3, 0xf5, 0x25, 0x11, 0xc6, 0x77, 0xd0, 0x8b, 0x55, 0x15, 0xa4,
    0x9d, 0xa7, 0x1b, 0x23, 0x78, 0xa8, 0x54, 0xf6, 0x70, 0x50, 0x75, 0x6d, 0xed, 0x16, 0x5b, 0xac,
    0x63, 0xc4, 0x86, 0x8b, 0x70, 0x96, 0xd8, 0x84, 0x21, 0xb5, 0x63, 0xb8, 0xc9, 0x4c, 0x9a, 0x31};
static const uint8_t r6188_last[48] = {
    0xce, 0xa5, 0x18, 0xc9, 0x0f, 0xd9, 0x1c, 0xed, 0x9c, 0xbb, 0x18, 0xc0, 0x78, 0xa5, 0x47, 0x11,
    0x3d, 0xbc, 0x48, 0x14, 0xf4, 0xda, 0x5f, 0x00, 0xa0, 0x87, 0x72, 0xb6, 0x3c, 0x6a, 0x04, 0x6d,
    0x6e, 0xb2, 0x46, 0x91, 0x30, 0x62, 0xa1, 0x68, 0x91, 0x43, 0x3e, 0x97, 0xdd, 0x01, 0xa5, 0x7f};
static const uint8_t r6188_master[46] = {
    0xf0, 0xf0, 0x49, 0x14, 0xb5, 0x13, 0xf2, 0x76, 0x3a, 0x1b, 0x1f, 0xa1, 0x30, 0xf1, 0x0e, 0x29,
    0x98, 0xf6, 0xf6, 0xe4, 0x3e, 0x43, 0x09, 0xd1, 0xe6, 0x22, 0xa0, 0xe3, 0x32, 0xb9, 0xf1, 0xb6,
    0x3b, 0x04, 0x80, 0x3d, 0xe5, 0x1e, 0xe7, 0xc9, 0x64, 0x23, 0xab, 0x5b, 0x78, 0xd2};
static const uint8_t r6188_cipher_key[32] = {
    0x5b, 0xa1, 0x06, 0x4e, 0x30, 0xec, 0x51, 0x61, 0x3c, 0xad, 0x92, 0x6c, 0x5a, 0x28, 0xef, 0x73,
    0x1e, 0xc7, 0xfb, 0x39, 0x7f, 0x70, 0xa9, 0x60, 0x65, 0x3c, 0xaf, 0x06, 0x55, 0x4c, 0xd8, 0xc4};
static const uint8_t r6188_cipher_salt[14] = {0xfa, 0x31, 0x79, 0x16, 0x85, 0xca, 0x44,
                                              0x4a, 0x9e, 0x07, 0xc6, 0xc6, 0x4e, 0x93};
static const uint8_t gcm128_key[28] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
                                       0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x51, 0x75, 0x69, 0x64,
                                       0x20, 0x70, 0x72, 0x6f, 0x20, 0x71, 0x75, 0x6f};
static const uint8_t gcm256_key[44] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
    0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
    0x1e, 0x1f, 0x51, 0x75, 0x69, 0x64, 0x20, 0x70, 0x72, 0x6f, 0x20, 0x71, 0x75, 0x6f};
static uint8_t gcm_rtp_iv[12] = {0x51, 0x75, 0x3c, 0x65, 0x80, 0xc2,
                                 0x72, 0x6f, 0x20, 0x71, 0x84, 0x14};
static const uint8_t gcm_rtp_aad[12] = {0x80, 0x40, 0xf1, 0x7b, 0x80, 0x41,
                                        0xf8, 0xd3, 0x55, 0x01, 0xa0, 0xb2};
static const uint8_t gcm_rtp_pt[38] = {0x47, 0x61, 0x6c, 0x6c, 0x69, 0x61, 0x20, 0x65, 0x73, 0x74,
                                       0x20, 0x6f, 0x6d, 0x6e, 0x69, 0x73, 0x20, 0x64, 0x69, 0x76,
                                       0x69, 0x73, 0x61, 0x20, 0x69, 0x6e, 0x20, 0x70, 0x61, 0x72,
                                       0x74, 0x65, 0x73, 0x20, 0x74, 0x72, 0x65, 0x73};
static const uint8_t gcm128_rtp_ct[54] = {
    0xf2, 0x4d, 0xe3, 0xa3, 0xfb, 0x34, 0xde, 0x6c, 0xac, 0xba, 0x86, 0x1c, 0x9d, 0x7e,
    0x4b, 0xca, 0xbe, 0x63, 0x3b, 0xd5, 0x0d, 0x29, 0x4e, 0x6f, 0x42, 0xa5, 0xf4, 0x7a,
    0x51, 0xc7, 0xd1, 0x9b, 0x36, 0xde, 0x3a, 0xdf, 0x88, 0x33, 0x89, 0x9d, 0x7f, 0x27,
    0xbe, 0xb1, 0x6a, 0x91, 0x52, 0xcf, 0x76, 0x5e, 0xe4, 0x39, 0x0c, 0xce};
static const uint8_t gcm256_rtp_ct[54] = {
    0x32, 0xb1, 0xde, 0x78, 0xa8, 0x22, 0xfe, 0x12, 0xef, 0x9f, 0x78, 0xfa, 0x33, 0x2e,
    0x33, 0xaa, 0xb1, 0x80, 0x12, 0x38, 0x9a, 0x58, 0xe2, 0xf3, 0xb5, 0x0b, 0x2a, 0x02,
    0x76, 0xff, 0xae, 0x0f, 0x1b, 0xa6, 0x37, 0x99, 0xb8, 0x7b, 0x7a, 0xa3, 0xdb, 0x36,
    0xdf, 0xff, 0xd6, 0xb0, 0xf9, 0xbb, 0x78, 0x78, 0xd7, 0xa7, 0x6c, 0x13};
static uint8_t gcm_rtcp_iv[12] = {0x51, 0x75, 0x24, 0x05, 0x52, 0x03,
                                  0x72, 0x6f, 0x20, 0x71, 0x70, 0xbb};
static const uint8_t gcm_rtcp_aad[12] = {0x81, 0xc8, 0x00, 0x0d, 0x4d, 0x61,
                                         0x72, 0x73, 0x80, 0x00, 0x05, 0xd4};
static const uint8_t gcm_rtcp_pt[44] = {
    0x4e, 0x54, 0x50, 0x31, 0x4e, 0x54, 0x50, 0x32, 0x52, 0x54, 0x50, 0x20, 0x00, 0x00, 0x04,
    0x2a, 0x00, 0x00, 0xe9, 0x30, 0x4c, 0x75, 0x6e, 0x61, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad,
    0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef};
static const uint8_t gcm128_rtcp_ct[60] = {
    0x63, 0xe9, 0x48, 0x85, 0xdc, 0xda, 0xb6, 0x7c, 0xa7, 0x27, 0xd7, 0x66, 0x2f, 0x6b, 0x7e,
    0x99, 0x7f, 0xf5, 0xc0, 0xf7, 0x6c, 0x06, 0xf3, 0x2d, 0xc6, 0x76, 0xa5, 0xf1, 0x73, 0x0d,
    0x6f, 0xda, 0x4c, 0xe0, 0x9b, 0x46, 0x86, 0x30, 0x3d, 0xed, 0x0b, 0xb9, 0x27, 0x5b, 0xc8,
    0x4a, 0xa4, 0x58, 0x96, 0xcf, 0x4d, 0x2f, 0xc5, 0xab, 0xf8, 0x72, 0x45, 0xd9, 0xea, 0xde};
static const uint8_t gcm256_rtcp_ct[60] = {
    0xd5, 0x0a, 0xe4, 0xd1, 0xf5, 0xce, 0x5d, 0x30, 0x4b, 0xa2, 0x97, 0xe4, 0x7d, 0x47, 0x0c,
    0x28, 0x2c, 0x3e, 0xce, 0x5d, 0xbf, 0xfe, 0x0a, 0x50, 0xa2, 0xea, 0xa5, 0xc1, 0x11, 0x05,
    0x55, 0xbe, 0x84, 0x15, 0xf6, 0x58, 0xc6, 0x1d, 0xe0, 0x47, 0x6f, 0x1b, 0x6f, 0xad, 0x1d,
    0x1e, 0xb3, 0x0c, 0x44, 0x46, 0x83, 0x9f, 0x57, 0xff, 0x6f, 0x6c, 0xb2, 0x6a, 0xc3, 0xbe};
static const uint8_t gcm_rtcp_auth_aad[56] = {
    0x81, 0xc8, 0x00, 0x0d, 0x4d, 0x61, 0x72, 0x73, 0x4e, 0x54, 0x50, 0x31, 0x4e, 0x54,
    0x50, 0x32, 0x52, 0x54, 0x50, 0x20, 0x00, 0x00, 0x04, 0x2a, 0x00, 0x00, 0xe9, 0x30,
    0x4c, 0x75, 0x6e, 0x61, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad,
    0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x05, 0xd4};
static const uint8_t gcm128_rtcp_auth_tag[16] = {0x84, 0x1d, 0xd9, 0x68, 0x3d, 0xd7, 0x8e, 0xc9,
                                                 0x2a, 0xe5, 0x87, 0x90, 0x12, 0x5f, 0x62, 0xb3};
static const uint8_t gcm256_rtcp_auth_tag[16] = {0x91, 0xdb, 0x4a, 0xfb, 0xfe, 0xee, 0x5a, 0x97,
                                                 0x8f, 0xab, 0x43, 0x93, 0xed, 0x26, 0x15, 0xfe};
static const uint8_t h1_key[20] = {0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
                                   0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
static const uint8_t h1_data[8] = {0x48, 0x69, 0x20, 0x54, 0x68, 0x65, 0x72, 0x65};
static const uint8_t h1_tag[20] = {0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
                                   0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00};
static const uint8_t h2_key[4] = {0x4a, 0x65, 0x66, 0x65};
static const uint8_t h2_data[28] = {0x77, 0x68, 0x61, 0x74, 0x20, 0x64, 0x6f, 0x20, 0x79, 0x61,
                                    0x20, 0x77, 0x61, 0x6e, 0x74, 0x20, 0x66, 0x6f, 0x72, 0x20,
                                    0x6e, 0x6f, 0x74, 0x68, 0x69, 0x6e, 0x67, 0x3f};
static const uint8_t h2_tag[20] = {0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74,
                                   0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79};
static const uint8_t h3_key[20] = {0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
                                   0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};
static const uint8_t h3_data[50] = {0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd,
                                    0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd,
                                    0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd,
                                    0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd,
                                    0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd};
static const uint8_t h3_tag[20] = {0x12, 0x5d, 0x73, 0x42, 0xb9, 0xac, 0x11, 0xcd, 0x91, 0xa3,
                                   0x9a, 0xf4, 0x8a, 0xa1, 0x7b, 0x4f, 0x63, 0xf1, 0x75, 0xd3};

/* Counter blocks as libsrtp hands them to set_iv: XORed with the salt. */
static uint8_t iv_zero[16];
static uint8_t iv_feff[16] = {[14] = 0xfe, [15] = 0xff};
/* Key derivation (RFC 3711 4.3.1): the label is octet 7 of the PRF input. */
static uint8_t iv_label1[16] = {[7] = 1};
static uint8_t iv_label2[16] = {[7] = 2};
static const uint8_t zeros[96];

#define CIPHER_CASE(name, klen, k, idx_, plen, p, clen, c, alen, a, tlen, nxt)                     \
  static const srtp_cipher_test_case_t name = {                                                    \
      .key_length_octets = (klen),                                                                 \
      .key = (k),                                                                                  \
      .idx = (idx_),                                                                               \
      .plaintext_length_octets = (plen),                                                           \
      .plaintext = (p),                                                                            \
      .ciphertext_length_octets = (clen),                                                          \
      .ciphertext = (c),                                                                           \
      .aad_length_octets = (alen),                                                                 \
      .aad = (a),                                                                                  \
      .tag_length_octets = (tlen),                                                                 \
      .next_test_case = (nxt),                                                                     \
  }

/* AES-128-ICM: RFC 3711 B.2 keystream (first blocks and blocks FEFF..FF01),
 * then B.3 key derivation (cipher key, salt and the 94-octet auth key run). */
CIPHER_CASE(icm128_b3_auth, 30, b3_master, iv_label1, 94, zeros, 94, b3_auth_key, 0, NULL, 0, NULL);
CIPHER_CASE(icm128_b3_salt, 30, b3_master, iv_label2, 14, zeros, 14, b3_cipher_salt, 0, NULL, 0,
            &icm128_b3_auth);
CIPHER_CASE(icm128_b3_key, 30, b3_master, iv_zero, 16, zeros, 16, b3_cipher_key, 0, NULL, 0,
            &icm128_b3_salt);
CIPHER_CASE(icm128_b2_last, 30, b2_key, iv_feff, 48, zeros, 48, b2_last, 0, NULL, 0,
            &icm128_b3_key);
CIPHER_CASE(icm128_tests, 30, b2_key, iv_zero, 48, zeros, 48, b2_first, 0, NULL, 0,
            &icm128_b2_last);

/* AES-256-ICM: RFC 6188 7.1 keystream and 7.2 key derivation. */
CIPHER_CASE(icm256_kdf_salt, 46, r6188_master, iv_label2, 14, zeros, 14, r6188_cipher_salt, 0, NULL,
            0, NULL);
CIPHER_CASE(icm256_kdf_key, 46, r6188_master, iv_zero, 32, zeros, 32, r6188_cipher_key, 0, NULL, 0,
            &icm256_kdf_salt);
CIPHER_CASE(icm256_last, 46, r6188_key, iv_feff, 48, zeros, 48, r6188_last, 0, NULL, 0,
            &icm256_kdf_key);
CIPHER_CASE(icm256_tests, 46, r6188_key, iv_zero, 48, zeros, 48, r6188_first, 0, NULL, 0,
            &icm256_last);

/* AES-GCM: RFC 7714 16 (SRTP), 17.1/17.2 (SRTCP, encrypted) and 17.3/17.4
 * (SRTCP, authenticated only: the whole packet and the index are AAD). The
 * key is the session key and salt; libsrtp forms the IV itself. */
CIPHER_CASE(gcm128_rtcp_auth, 28, gcm128_key, gcm_rtcp_iv, 0, zeros, 16, gcm128_rtcp_auth_tag, 56,
            gcm_rtcp_auth_aad, 16, NULL);
CIPHER_CASE(gcm128_rtcp, 28, gcm128_key, gcm_rtcp_iv, 44, gcm_rtcp_pt, 60, gcm128_rtcp_ct, 12,
            gcm_rtcp_aad, 16, &gcm128_rtcp_auth);
CIPHER_CASE(gcm128_tests, 28, gcm128_key, gcm_rtp_iv, 38, gcm_rtp_pt, 54, gcm128_rtp_ct, 12,
            gcm_rtp_aad, 16, &gcm128_rtcp);
CIPHER_CASE(gcm256_rtcp_auth, 44, gcm256_key, gcm_rtcp_iv, 0, zeros, 16, gcm256_rtcp_auth_tag, 56,
            gcm_rtcp_auth_aad, 16, NULL);
CIPHER_CASE(gcm256_rtcp, 44, gcm256_key, gcm_rtcp_iv, 44, gcm_rtcp_pt, 60, gcm256_rtcp_ct, 12,
            gcm_rtcp_aad, 16, &gcm256_rtcp_auth);
CIPHER_CASE(gcm256_tests, 44, gcm256_key, gcm_rtp_iv, 38, gcm_rtp_pt, 54, gcm256_rtp_ct, 12,
            gcm_rtp_aad, 16, &gcm256_rtcp);

/* HMAC-SHA1: RFC 2202 test cases 1 to 3. */
static const srtp_auth_test_case_t hmac_case3 = {20, h3_key, 50, h3_data, 20, h3_tag, NULL};
static const srtp_auth_test_case_t hmac_case2 = {4, h2_key, 28, h2_data, 20, h2_tag, &hmac_case3};
static const srtp_auth_test_case_t hmac_tests = {20, h1_key, 8, h1_data, 20, h1_tag, &hmac_case2};

/* ---- shared ---- */

static atomic_long live;

/* An OpenSSL call failed where it should not: leave the thread's error queue
 * empty, or a later SSL_get_error() for DTLS on this worker misreads it. */
static srtp_err_status_t ossl_failed(srtp_err_status_t st) {
  ERR_clear_error();
  return st;
}

/* ---- AES-ICM: AES-CTR whose counter block is salt XOR IV ---- */

typedef struct icm {
  srtp_cipher_t base; /* what alloc hands libsrtp; base.state points back here */
  EVP_CIPHER_CTX *ctx;
  const EVP_CIPHER *evp;
  int aes_len;        /* 16 or 32 */
  uint8_t offset[16]; /* the session salt in octets 0..13 (RFC 3711 4.1.1) */
} icm;

static const srtp_cipher_type_t icm128_type, icm256_type;

static srtp_err_status_t icm_alloc(srtp_cipher_t **cp, int key_len, int want_len,
                                   const srtp_cipher_type_t *type, const EVP_CIPHER *evp) {
  if (key_len != want_len) return srtp_err_status_bad_param;
  icm *c = g_new0(icm, 1);
  c->ctx = EVP_CIPHER_CTX_new();
  if (!c->ctx) {
    g_free(c);
    return ossl_failed(srtp_err_status_alloc_fail);
  }
  c->evp = evp;
  c->aes_len = key_len - SRTP_SALT_LEN;
  c->base.type = type;
  c->base.state = c;
  c->base.key_len = key_len;
  c->base.algorithm = type->id;
  atomic_fetch_add(&live, 1);
  *cp = &c->base;
  return srtp_err_status_ok;
}

static srtp_err_status_t icm128_alloc(srtp_cipher_t **cp, int key_len, int tag_len) {
  return icm_alloc(cp, key_len, SRTP_AES_ICM_128_KEY_LEN_WSALT, &icm128_type, EVP_aes_128_ctr());
}

static srtp_err_status_t icm256_alloc(srtp_cipher_t **cp, int key_len, int tag_len) {
  return icm_alloc(cp, key_len, SRTP_AES_ICM_256_KEY_LEN_WSALT, &icm256_type, EVP_aes_256_ctr());
}

static srtp_err_status_t icm_dealloc(srtp_cipher_t *cp) {
  icm *c = cp->state;
  EVP_CIPHER_CTX_free(c->ctx);
  OPENSSL_cleanse(c, sizeof *c);
  g_free(c);
  atomic_fetch_sub(&live, 1);
  return srtp_err_status_ok;
}

/* key is the AES key followed by the 14-octet salt. */
static srtp_err_status_t icm_init(void *state, const uint8_t *key) {
  icm *c = state;
  memset(c->offset, 0, sizeof c->offset);
  memcpy(c->offset, key + c->aes_len, SRTP_SALT_LEN);
  if (EVP_EncryptInit_ex(c->ctx, c->evp, NULL, key, NULL) != 1)
    return ossl_failed(srtp_err_status_init_fail);
  return srtp_err_status_ok;
}

/* Counter mode is its own inverse, so the direction does not matter. With a
 * NULL cipher OpenSSL keeps the key schedule and only loads the counter. */
static srtp_err_status_t icm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir) {
  icm *c = state;
  uint8_t counter[16];
  for (int i = 0; i < 16; i++)
    counter[i] = c->offset[i] ^ iv[i];
  if (EVP_EncryptInit_ex(c->ctx, NULL, NULL, NULL, counter) != 1)
    return ossl_failed(srtp_err_status_cipher_fail);
  return srtp_err_status_ok;
}

/* XORs the keystream into buf, continuing where the last call stopped (key
 * derivation asks for more than one block). */
static srtp_err_status_t icm_encrypt(void *state, uint8_t *buf, unsigned int *len) {
  icm *c = state;
  if (*len == 0) return srtp_err_status_ok;
  if (*len > INT_MAX) return srtp_err_status_bad_param;
  int out = 0;
  if (EVP_EncryptUpdate(c->ctx, buf, &out, buf, (int)*len) != 1 || out != (int)*len)
    return ossl_failed(srtp_err_status_cipher_fail);
  return srtp_err_status_ok;
}

/* ---- AES-GCM (RFC 7714): libsrtp forms the 12-octet IV and the AAD ---- */

typedef struct gcm {
  srtp_cipher_t base;
  EVP_CIPHER_CTX *ctx;
  const EVP_CIPHER *evp;
  int tag_len;
  /* Set by set_iv, back to "any" once a tag is made or checked, so that a
   * context is never run twice on one IV. */
  srtp_cipher_direction_t dir;
} gcm;

static const srtp_cipher_type_t gcm128_type, gcm256_type;

static srtp_err_status_t gcm_alloc(srtp_cipher_t **cp, int key_len, int tag_len, int want_len,
                                   const srtp_cipher_type_t *type, const EVP_CIPHER *evp) {
  /* The lengths libsrtp's own GCM accepts: its policies use 8 or 16. */
  if (key_len != want_len || (tag_len != 8 && tag_len != 16)) return srtp_err_status_bad_param;
  gcm *c = g_new0(gcm, 1);
  c->ctx = EVP_CIPHER_CTX_new();
  if (!c->ctx) {
    g_free(c);
    return ossl_failed(srtp_err_status_alloc_fail);
  }
  c->evp = evp;
  c->tag_len = tag_len;
  c->dir = srtp_direction_any;
  c->base.type = type;
  c->base.state = c;
  c->base.key_len = key_len;
  c->base.algorithm = type->id;
  atomic_fetch_add(&live, 1);
  *cp = &c->base;
  return srtp_err_status_ok;
}

static srtp_err_status_t gcm128_alloc(srtp_cipher_t **cp, int key_len, int tag_len) {
  return gcm_alloc(cp, key_len, tag_len, SRTP_AES_GCM_128_KEY_LEN_WSALT, &gcm128_type,
                   EVP_aes_128_gcm());
}

static srtp_err_status_t gcm256_alloc(srtp_cipher_t **cp, int key_len, int tag_len) {
  return gcm_alloc(cp, key_len, tag_len, SRTP_AES_GCM_256_KEY_LEN_WSALT, &gcm256_type,
                   EVP_aes_256_gcm());
}

static srtp_err_status_t gcm_dealloc(srtp_cipher_t *cp) {
  gcm *c = cp->state;
  EVP_CIPHER_CTX_free(c->ctx);
  OPENSSL_cleanse(c, sizeof *c);
  g_free(c);
  atomic_fetch_sub(&live, 1);
  return srtp_err_status_ok;
}

/* key is the AES key followed by the 12-octet salt, which libsrtp uses
 * itself when it forms IVs; the cipher needs only the key. */
static srtp_err_status_t gcm_init(void *state, const uint8_t *key) {
  gcm *c = state;
  c->dir = srtp_direction_any;
  if (EVP_CipherInit_ex(c->ctx, c->evp, NULL, key, NULL, 1) != 1)
    return ossl_failed(srtp_err_status_init_fail);
  return srtp_err_status_ok;
}

static srtp_err_status_t gcm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir) {
  gcm *c = state;
  if (dir != srtp_direction_encrypt && dir != srtp_direction_decrypt)
    return srtp_err_status_bad_param;
  c->dir = srtp_direction_any;
  if (EVP_CipherInit_ex(c->ctx, NULL, NULL, NULL, iv, dir == srtp_direction_encrypt) != 1)
    return ossl_failed(srtp_err_status_cipher_fail);
  c->dir = dir;
  return srtp_err_status_ok;
}

/* May be called more than once (SRTCP adds its index after the header). */
static srtp_err_status_t gcm_set_aad(void *state, const uint8_t *aad, uint32_t len) {
  gcm *c = state;
  if (c->dir == srtp_direction_any || len > INT_MAX) return srtp_err_status_bad_param;
  if (len == 0) return srtp_err_status_ok;
  int out = 0;
  if (EVP_CipherUpdate(c->ctx, NULL, &out, aad, (int)len) != 1)
    return ossl_failed(srtp_err_status_algo_fail);
  return srtp_err_status_ok;
}

/* buf may be NULL when *len is 0 (SRTCP without confidentiality). */
static srtp_err_status_t gcm_encrypt(void *state, uint8_t *buf, unsigned int *len) {
  gcm *c = state;
  if (c->dir != srtp_direction_encrypt || *len > INT_MAX) return srtp_err_status_bad_param;
  if (*len == 0) return srtp_err_status_ok;
  int out = 0;
  if (EVP_CipherUpdate(c->ctx, buf, &out, buf, (int)*len) != 1 || out != (int)*len)
    return ossl_failed(srtp_err_status_cipher_fail);
  return srtp_err_status_ok;
}

/* Writes the tag for what was encrypted since set_iv; *len becomes its
 * length (libsrtp appends it to the packet). */
static srtp_err_status_t gcm_get_tag(void *state, uint8_t *tag, uint32_t *len) {
  gcm *c = state;
  if (c->dir != srtp_direction_encrypt) return srtp_err_status_bad_param;
  c->dir = srtp_direction_any;
  uint8_t none[16];
  int out = 0;
  if (EVP_CipherFinal_ex(c->ctx, none, &out) != 1 ||
      EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_GET_TAG, c->tag_len, tag) != 1)
    return ossl_failed(srtp_err_status_algo_fail);
  *len = (uint32_t)c->tag_len;
  return srtp_err_status_ok;
}

/* buf holds ciphertext then tag; decrypts in place and checks the tag.
 * *len loses the tag. On a bad tag the plaintext is garbage and libsrtp
 * drops the packet. */
static srtp_err_status_t gcm_decrypt(void *state, uint8_t *buf, unsigned int *len) {
  gcm *c = state;
  if (c->dir != srtp_direction_decrypt || *len < (unsigned)c->tag_len || *len > INT_MAX)
    return srtp_err_status_bad_param;
  c->dir = srtp_direction_any;
  int n = (int)*len - c->tag_len, out = 0;
  if (EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_AEAD_SET_TAG, c->tag_len, buf + n) != 1 ||
      (n > 0 && (EVP_CipherUpdate(c->ctx, buf, &out, buf, n) != 1 || out != n)))
    return ossl_failed(srtp_err_status_cipher_fail);
  /* A tag mismatch leaves nothing on OpenSSL's error queue. */
  if (EVP_CipherFinal_ex(c->ctx, buf + n, &out) != 1) return srtp_err_status_auth_fail;
  *len = (unsigned)n;
  return srtp_err_status_ok;
}

/* ---- HMAC-SHA1 (RFC 2104) from pre-keyed SHA-1 states ---- */

typedef struct hmac {
  srtp_auth_t base;
  SHA_CTX inner, outer; /* after hashing key^ipad and key^opad */
  SHA_CTX work;         /* the message in progress */
} hmac;

static const srtp_auth_type_t hmac_type;

static srtp_err_status_t hmac_alloc(srtp_auth_t **ap, int key_len, int out_len) {
  /* SRTP keys are 20 octets; a key longer than a block would need hashing
   * first, which nothing here asks for. */
  if (key_len < 0 || key_len > SHA_CBLOCK || out_len < 0 || out_len > SHA_DIGEST_LENGTH)
    return srtp_err_status_bad_param;
  hmac *h = g_new0(hmac, 1);
  h->base.type = &hmac_type;
  h->base.state = h;
  h->base.out_len = out_len;
  h->base.key_len = key_len;
  h->base.prefix_len = 0;
  atomic_fetch_add(&live, 1);
  *ap = &h->base;
  return srtp_err_status_ok;
}

static srtp_err_status_t hmac_dealloc(srtp_auth_t *ap) {
  hmac *h = ap->state;
  OPENSSL_cleanse(h, sizeof *h);
  g_free(h);
  atomic_fetch_sub(&live, 1);
  return srtp_err_status_ok;
}

static srtp_err_status_t hmac_init(void *state, const uint8_t *key, int key_len) {
  hmac *h = state;
  if (key_len < 0 || key_len > SHA_CBLOCK) return srtp_err_status_bad_param;
  uint8_t pad[SHA_CBLOCK];
  memset(pad, 0x36, sizeof pad);
  for (int i = 0; i < key_len; i++)
    pad[i] ^= key[i];
  SHA1_Init(&h->inner);
  SHA1_Update(&h->inner, pad, sizeof pad);
  memset(pad, 0x5c, sizeof pad);
  for (int i = 0; i < key_len; i++)
    pad[i] ^= key[i];
  SHA1_Init(&h->outer);
  SHA1_Update(&h->outer, pad, sizeof pad);
  OPENSSL_cleanse(pad, sizeof pad);
  h->work = h->inner;
  return srtp_err_status_ok;
}

static srtp_err_status_t hmac_start(void *state) {
  hmac *h = state;
  h->work = h->inner;
  return srtp_err_status_ok;
}

static srtp_err_status_t hmac_update(void *state, const uint8_t *buf, int len) {
  hmac *h = state;
  if (len < 0) return srtp_err_status_bad_param;
  SHA1_Update(&h->work, buf, (size_t)len);
  return srtp_err_status_ok;
}

/* Hashes buf as the last part of the message and writes tag_len octets of
 * the MAC. */
static srtp_err_status_t hmac_compute(void *state, const uint8_t *buf, int len, int tag_len,
                                      uint8_t *tag) {
  hmac *h = state;
  if (len < 0 || tag_len < 0 || tag_len > SHA_DIGEST_LENGTH) return srtp_err_status_bad_param;
  uint8_t md[SHA_DIGEST_LENGTH];
  SHA1_Update(&h->work, buf, (size_t)len);
  SHA1_Final(md, &h->work);
  SHA_CTX outer = h->outer;
  SHA1_Update(&outer, md, sizeof md);
  SHA1_Final(md, &outer);
  memcpy(tag, md, (size_t)tag_len);
  return srtp_err_status_ok;
}

/* ---- the types ---- */

static const srtp_cipher_type_t icm128_type = {
    .alloc = icm128_alloc,
    .dealloc = icm_dealloc,
    .init = icm_init,
    .encrypt = icm_encrypt,
    .decrypt = icm_encrypt,
    .set_iv = icm_set_iv,
    .description = "AES-128 counter mode on OpenSSL (samvei)",
    .test_data = &icm128_tests,
    .id = SRTP_AES_ICM_128,
};

static const srtp_cipher_type_t icm256_type = {
    .alloc = icm256_alloc,
    .dealloc = icm_dealloc,
    .init = icm_init,
    .encrypt = icm_encrypt,
    .decrypt = icm_encrypt,
    .set_iv = icm_set_iv,
    .description = "AES-256 counter mode on OpenSSL (samvei)",
    .test_data = &icm256_tests,
    .id = SRTP_AES_ICM_256,
};

static const srtp_cipher_type_t gcm128_type = {
    .alloc = gcm128_alloc,
    .dealloc = gcm_dealloc,
    .init = gcm_init,
    .set_aad = gcm_set_aad,
    .encrypt = gcm_encrypt,
    .decrypt = gcm_decrypt,
    .set_iv = gcm_set_iv,
    .get_tag = gcm_get_tag,
    .description = "AES-128 GCM on OpenSSL (samvei)",
    .test_data = &gcm128_tests,
    .id = SRTP_AES_GCM_128,
};

static const srtp_cipher_type_t gcm256_type = {
    .alloc = gcm256_alloc,
    .dealloc = gcm_dealloc,
    .init = gcm_init,
    .set_aad = gcm_set_aad,
    .encrypt = gcm_encrypt,
    .decrypt = gcm_decrypt,
    .set_iv = gcm_set_iv,
    .get_tag = gcm_get_tag,
    .description = "AES-256 GCM on OpenSSL (samvei)",
    .test_data = &gcm256_tests,
    .id = SRTP_AES_GCM_256,
};

static const srtp_auth_type_t hmac_type = {
    .alloc = hmac_alloc,
    .dealloc = hmac_dealloc,
    .init = hmac_init,
    .compute = hmac_compute,
    .update = hmac_update,
    .start = hmac_start,
    .description = "HMAC-SHA1 on OpenSSL (samvei)",
    .test_data = &hmac_tests,
    .id = SRTP_HMAC_SHA1,
};

static const srtp_cipher_type_t *const cipher_types[] = {&icm128_type, &icm256_type, &gcm128_type,
                                                         &gcm256_type};

int sv_srtp_ossl_register(void) {
  int rc = 0;
  for (size_t i = 0; i < G_N_ELEMENTS(cipher_types); i++) {
    const srtp_cipher_type_t *t = cipher_types[i];
    srtp_err_status_t st = srtp_replace_cipher_type(t, t->id);
    if (st != srtp_err_status_ok) {
      SV_ERROR("srtp", "libsrtp refused %s (status %d); it keeps its own", t->description, (int)st);
      rc = SV_EIO;
    }
  }
  srtp_err_status_t st = srtp_replace_auth_type(&hmac_type, hmac_type.id);
  if (st != srtp_err_status_ok) {
    SV_ERROR("srtp", "libsrtp refused %s (status %d); it keeps its own", hmac_type.description,
             (int)st);
    rc = SV_EIO;
  }
  return rc;
}

const srtp_cipher_type_t *sv_srtp_ossl_cipher_type(srtp_cipher_type_id_t id) {
  for (size_t i = 0; i < G_N_ELEMENTS(cipher_types); i++)
    if (cipher_types[i]->id == id) return cipher_types[i];
  return NULL;
}

const srtp_auth_type_t *sv_srtp_ossl_auth_type(void) {
  return &hmac_type;
}

long sv_srtp_ossl_live(void) {
  return atomic_load(&live);
}
