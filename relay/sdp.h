/*
 * sdp.h — SDP for the relay's two PeerConnections, on GStreamer's GstSDP.
 *
 * The relay never keeps SDP text: it parses what the client sends into an
 * sv_sdp, decides in C structs, and writes SDP text from an sv_sdp.
 *
 *   publish:   client offer --sv_sdp_parse--> sv_sdp --sv_sdp_negotiate_publish-->
 *              answer sv_sdp (+ local ICE/DTLS fields) --sv_sdp_write--> text
 *   subscribe: router fills an sv_sdp (sendonly/inactive m-lines, one codec,
 *              SSRC, msid) --sv_sdp_write--> offer; client answer --sv_sdp_parse-->
 *
 * Only BUNDLE + rtcp-mux over UDP/TLS/RTP/SAVPF is accepted. Codecs: Opus
 * for audio, VP8 and H.264 for video. Everything here is pure (no I/O, no
 * globals), so it runs on any thread.
 */
#ifndef SV_SDP_H
#define SV_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_SDP_MAX_MEDIA  32
#define SV_SDP_MAX_CODECS 16
#define SV_SDP_MAX_RIDS   3 /* simulcast layers the relay takes per m-line */

typedef enum { SV_KIND_AUDIO = 0, SV_KIND_VIDEO, SV_KIND_OTHER } sv_media_kind;
typedef enum { SV_CODEC_UNKNOWN = 0, SV_CODEC_OPUS, SV_CODEC_VP8, SV_CODEC_H264 } sv_codec;
typedef enum {
  SV_DIR_SENDRECV = 0,
  SV_DIR_SENDONLY,
  SV_DIR_RECVONLY,
  SV_DIR_INACTIVE
} sv_direction;
typedef enum { SV_SETUP_ACTPASS = 0, SV_SETUP_ACTIVE, SV_SETUP_PASSIVE } sv_setup;

/* rtcp-fb flags */
#define SV_FB_NACK 0x1u  /* a=rtcp-fb:PT nack */
#define SV_FB_PLI  0x2u  /* a=rtcp-fb:PT nack pli */
#define SV_FB_FIR  0x4u  /* a=rtcp-fb:PT ccm fir */
#define SV_FB_REMB 0x8u  /* a=rtcp-fb:PT goog-remb */
#define SV_FB_TWCC 0x10u /* a=rtcp-fb:PT transport-cc */

/* RTP header extensions the relay reads or writes: their a=extmap ids on
 * one m-line (BUNDLE needs the same ids on all), 0 when not negotiated. */
typedef struct sv_sdp_extmap {
  uint8_t mid;   /* urn:ietf:params:rtp-hdrext:sdes:mid */
  uint8_t rid;   /* urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id */
  uint8_t rrid;  /* urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id */
  uint8_t twcc;  /* draft-holmer-rmcat-transport-wide-cc-extensions-01 */
  uint8_t level; /* urn:ietf:params:rtp-hdrext:ssrc-audio-level (RFC 6464) */
} sv_sdp_extmap;

#define SV_SDP_URI_MID   "urn:ietf:params:rtp-hdrext:sdes:mid"
#define SV_SDP_URI_RID   "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
#define SV_SDP_URI_RRID  "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
#define SV_SDP_URI_TWCC  "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define SV_SDP_URI_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

typedef struct sv_sdp_codec {
  sv_codec codec; /* SV_CODEC_UNKNOWN for codecs the relay does not forward */
  uint8_t pt;
  uint32_t clock_rate;
  uint8_t channels; /* 0 when absent (video) */
  uint32_t fb;      /* SV_FB_* */
  char name[32];    /* encoding name as written, e.g. "opus", "VP8", "H264" */
  char fmtp[160];   /* a=fmtp parameters, "" if none */
} sv_sdp_codec;

typedef struct sv_sdp_media {
  sv_media_kind kind;
  char mid[16];
  bool rejected; /* port 0 (parsed), or to be written with port 0 */
  sv_direction dir;
  size_t n_codecs; /* parsed: all offered codecs in order; written: usually 1 */
  sv_sdp_codec codecs[SV_SDP_MAX_CODECS];
  uint32_t ssrc;     /* primary media SSRC, 0 if none */
  uint32_t rtx_ssrc; /* from a=ssrc-group:FID, 0 if none */
  char cname[64];
  char msid_stream[64]; /* a=msid:<stream> <track> (or a=ssrc:... msid:) */
  char msid_track[64];
  sv_sdp_extmap ext;
  /* Simulcast (RFC 8853): the RIDs of a=simulcast (parsed: the send list
   * of an offer, in its order; written: a=rid:X recv lines and
   * a=simulcast:recv), at most SV_SDP_MAX_RIDS; 0 = one stream. */
  size_t n_rids;
  char rids[SV_SDP_MAX_RIDS][16];
  bool red_first; /* written: a "red" codec goes first on the m= line */
  bool slides;    /* parsed: a=content:slides (RFC 4796), a screen share */
} sv_sdp_media;

typedef struct sv_sdp {
  uint64_t sess_id, sess_version;
  char ice_ufrag[256]; /* session or first media level; all media share them (BUNDLE) */
  char ice_pwd[256];
  char fingerprint[160]; /* value only: "AB:CD:..."; algorithm must be sha-256 */
  sv_setup setup;
  size_t n_media;
  sv_sdp_media media[SV_SDP_MAX_MEDIA];
} sv_sdp;

typedef struct sv_sdp_prefs {
  sv_codec video[4]; /* video codecs in order of preference */
  size_t n_video;
} sv_sdp_prefs;

/* Parses "vp8,h264" (case-insensitive) into prefs. SV_EINVAL for an empty
 * list or an unknown name. */
int sv_sdp_prefs_parse(const char *list, sv_sdp_prefs *out);

/* Parses an offer or answer from a client. On success fills *out (all
 * fields; out may be uninitialised) and returns 0. On error returns SV_EINVAL
 * (or SV_ETOOBIG / SV_EUNSUPP) and writes a sentence for a person into err:
 * not SDP, no ICE credentials, no sha-256 fingerprint, media without
 * rtcp-mux, media outside the BUNDLE group, too many m-lines. */
int sv_sdp_parse(const char *text, sv_sdp *out, char *err, size_t errlen);

/* Builds the relay's answer to a publish offer: per m-line, Opus for audio
 * and the first of prefs->video the offer has (for H.264 preferring
 * packetization-mode=1 with profile-level-id 42e01f), with the intersection
 * of rtcp-fb the relay supports (nack, nack pli, ccm fir, goog-remb).
 * sendrecv/sendonly become recvonly, anything else inactive; kinds other
 * than audio/video and m-lines without a usable codec are rejected. The
 * answer's codecs[0] is the chosen codec, ssrc copied from the offer.
 * Session-level ICE/DTLS fields of *answer are left zeroed for the caller to
 * fill. Returns SV_EUNSUPP with a sentence in err when no m-line can be used. */
int sv_sdp_negotiate_publish(const sv_sdp *offer, const sv_sdp_prefs *prefs, sv_sdp *answer,
                             char *err, size_t errlen);

/* Writes SDP text for *sdp: offer (setup from sdp->setup, normally actpass)
 * or answer. Each m-line carries the ICE credentials, fingerprint, setup,
 * mid, direction, rtcp-mux, codecs[0..n_codecs) with rtpmap/fmtp/rtcp-fb,
 * a=extmap for each id in ext, a=rid/a=simulcast recv for n_rids on a
 * recvonly m-line, and, when ssrc != 0, a=ssrc cname/msid lines and a=msid. Rejected m-lines
 * get port 0 and leave the BUNDLE group. Returns a g_malloc'd string the
 * caller g_free()s; NULL only if GstSDP refuses the message (a bug). */
char *sv_sdp_write(const sv_sdp *sdp);

/* Finds an m-line by mid; NULL if none. */
const sv_sdp_media *sv_sdp_find_mid(const sv_sdp *sdp, const char *mid);

#endif
