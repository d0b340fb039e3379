/*
 * gzip.h — static files compressed for the trip to the browser: a nurse on
 * a narrow rural link loads the call page in a quarter of the bytes.
 */
#ifndef SV_SIGNALING_GZIP_H
#define SV_SIGNALING_GZIP_H

#include <stdbool.h>
#include <stddef.h>

/* Whether a response of this MIME type and length is worth compressing
 * (text, scripts, JSON, SVG; not images, media or tiny bodies). */
bool sv_gzip_worth(const char *type, size_t len);
/* Whether an Accept-Encoding header value takes gzip (not with q=0). */
bool sv_gzip_accepted(const char *accept_encoding);
/* in[0..len) as a gzip member (RFC 1952); g_free'd by the caller, *out_len
 * its length. NULL if compression fails. */
char *sv_gzip(const char *in, size_t len, size_t *out_len);

#endif
