/*
 * sdp_int.h — what the two halves of the relay's SDP code share: the names
 * of directions, setups and kinds, size limits and the error helper.
 * Private to relay/sdp_parse.c and relay/sdp_write.c.
 */
#ifndef SV_SDP_INT_H
#define SV_SDP_INT_H

#include "relay/sdp.h"

#include "common/common.h"

#include <gst/sdp/sdp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SDP_MAX_TEXT     (64 * 1024)
#define SDP_MAX_FID      8 /* a=ssrc-group:FID pairs looked at per m-line */
#define SDP_PROTO_RTP    "UDP/TLS/RTP/SAVPF"
#define SDP_PROTO_SCTP   "UDP/DTLS/SCTP"
#define SDP_FB_SUPPORTED (SV_FB_NACK | SV_FB_PLI | SV_FB_FIR | SV_FB_REMB)

/* Names indexed by sv_direction, sv_setup and sv_media_kind. */
extern const char *const sv_sdp_dir_names[4];
extern const char *const sv_sdp_setup_names[3];
extern const char *const sv_sdp_kind_names[3];

/* Writes the sentence for a person into err and returns code, so error paths
 * read `return sv_sdp_fail(...)`. */
int sv_sdp_fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
