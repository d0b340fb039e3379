/*
 * h264.h — the little of H.264 the recorder needs: the picture size from a
 * sequence parameter set (ITU-T H.264 section 7.3.2.1.1), found in an RTP
 * payload (RFC 6184: a single NAL unit or a STAP-A). The muxer wants the
 * size in its caps; reading it here spares a parser plugin.
 */
#ifndef SV_MEDIA_H264_H
#define SV_MEDIA_H264_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* nal: one NAL unit with its header byte (type 7), emulation prevention
 * bytes still in. Returns true with the cropped display size. */
bool sv_h264_sps_size(const uint8_t *nal, size_t len, int *width, int *height);

/* rtp: a whole RTP packet carrying H.264. Returns true with the size when
 * it carries an SPS (alone or in a STAP-A). */
bool sv_h264_rtp_sps_size(const uint8_t *rtp, size_t len, int *width, int *height);

#endif
