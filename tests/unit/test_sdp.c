/*
 * test_sdp.c — unit tests for relay/sdp.h (sdp_parse.c, sdp_write.c): real
 * browser offers (Chrome, Safari, Firefox) parsed field by field, publish
 * negotiation under both codec preferences, answers and subscribe offers
 * written and parsed back, and the errors a person sees for SDP the relay
 * cannot take.
 *
 * The three offers are also seeds in tests/fuzz/corpus/fuzz_sdp/.
 */
#include "relay/sdp.h"

#include "common/common.h"
#include "tests/unit/check.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#define FP_CHROME                                                                                  \
  "7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:"                                               \
  "DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08"
#define FP_FIREFOX                                                                                 \
  "9F:1E:AB:41:6D:0C:72:E3:58:B4:07:CD:29:F6:83:1A:"                                               \
  "5E:C0:94:7B:D2:36:E8:4F:A1:0B:6C:97:53:2D:F8:E5"
#define FP_RELAY                                                                                   \
  "0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:"                                               \
  "0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9"

/* Chrome 120, publish PC: addTrack(mic) + addTransceiver(camera, sendonly). */
static const char chrome_offer[] =
    "v=0\r\n"
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS 5f3a1a4e-0d1b-4b7e-9a0e-1c2d3e4f5a6b\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:Vx3k\r\n"
    "a=ice-pwd:q7RkCyS2lTj0ZdW0Zy2ZcYhE\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:"
    "08\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=sendrecv\r\n"
    "a=msid:5f3a1a4e-0d1b-4b7e-9a0e-1c2d3e4f5a6b 2d1c6a0b-8f5e-4c3a-b2d1-0e9f8a7b6c5d\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:63 red/48000/2\r\n"
    "a=fmtp:63 111/111\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:13 CN/8000\r\n"
    "a=rtpmap:110 telephone-event/48000\r\n"
    "a=rtpmap:126 telephone-event/8000\r\n"
    "a=ssrc:1001 cname:4TOk42mSjXCkVIa6\r\n"
    "a=ssrc:1001 msid:5f3a1a4e-0d1b-4b7e-9a0e-1c2d3e4f5a6b 2d1c6a0b-8f5e-4c3a-b2d1-0e9f8a7b6c5d\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 40 45 46 98 99 "
    "100 101 112 113 116 117 118\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:Vx3k\r\n"
    "a=ice-pwd:q7RkCyS2lTj0ZdW0Zy2ZcYhE\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:"
    "08\r\n"
    "a=setup:actpass\r\n"
    "a=mid:1\r\n"
    "a=extmap:14 urn:ietf:params:rtp-hdrext:toffset\r\n"
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=extmap:13 urn:3gpp:video-orientation\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n"
    "a=extmap:6 http://www.webrtc.org/experiments/rtp-hdrext/video-content-type\r\n"
    "a=extmap:7 http://www.webrtc.org/experiments/rtp-hdrext/video-timing\r\n"
    "a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/color-space\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
    "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n"
    "a=sendonly\r\n"
    "a=msid:5f3a1a4e-0d1b-4b7e-9a0e-1c2d3e4f5a6b 9b8a7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 goog-remb\r\n"
    "a=rtcp-fb:96 transport-cc\r\n"
    "a=rtcp-fb:96 ccm fir\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=rtcp-fb:102 goog-remb\r\n"
    "a=rtcp-fb:102 transport-cc\r\n"
    "a=rtcp-fb:102 ccm fir\r\n"
    "a=rtcp-fb:102 nack\r\n"
    "a=rtcp-fb:102 nack pli\r\n"
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"
    "a=rtpmap:103 rtx/90000\r\n"
    "a=fmtp:103 apt=102\r\n"
    "a=rtpmap:104 H264/90000\r\n"
    "a=rtcp-fb:104 goog-remb\r\n"
    "a=rtcp-fb:104 transport-cc\r\n"
    "a=rtcp-fb:104 ccm fir\r\n"
    "a=rtcp-fb:104 nack\r\n"
    "a=rtcp-fb:104 nack pli\r\n"
    "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f\r\n"
    "a=rtpmap:105 rtx/90000\r\n"
    "a=fmtp:105 apt=104\r\n"
    "a=rtpmap:106 H264/90000\r\n"
    "a=rtcp-fb:106 goog-remb\r\n"
    "a=rtcp-fb:106 transport-cc\r\n"
    "a=rtcp-fb:106 ccm fir\r\n"
    "a=rtcp-fb:106 nack\r\n"
    "a=rtcp-fb:106 nack pli\r\n"
    "a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtpmap:107 rtx/90000\r\n"
    "a=fmtp:107 apt=106\r\n"
    "a=rtpmap:108 H264/90000\r\n"
    "a=rtcp-fb:108 goog-remb\r\n"
    "a=rtcp-fb:108 transport-cc\r\n"
    "a=rtcp-fb:108 ccm fir\r\n"
    "a=rtcp-fb:108 nack\r\n"
    "a=rtcp-fb:108 nack pli\r\n"
    "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f\r\n"
    "a=rtpmap:109 rtx/90000\r\n"
    "a=fmtp:109 apt=108\r\n"
    "a=rtpmap:127 H264/90000\r\n"
    "a=rtcp-fb:127 goog-remb\r\n"
    "a=rtcp-fb:127 transport-cc\r\n"
    "a=rtcp-fb:127 ccm fir\r\n"
    "a=rtcp-fb:127 nack\r\n"
    "a=rtcp-fb:127 nack pli\r\n"
    "a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f\r\n"
    "a=rtpmap:125 rtx/90000\r\n"
    "a=fmtp:125 apt=127\r\n"
    "a=rtpmap:39 H264/90000\r\n"
    "a=rtcp-fb:39 goog-remb\r\n"
    "a=rtcp-fb:39 transport-cc\r\n"
    "a=rtcp-fb:39 ccm fir\r\n"
    "a=rtcp-fb:39 nack\r\n"
    "a=rtcp-fb:39 nack pli\r\n"
    "a=fmtp:39 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=4d001f\r\n"
    "a=rtpmap:40 rtx/90000\r\n"
    "a=fmtp:40 apt=39\r\n"
    "a=rtpmap:45 AV1/90000\r\n"
    "a=rtcp-fb:45 goog-remb\r\n"
    "a=rtcp-fb:45 transport-cc\r\n"
    "a=rtcp-fb:45 ccm fir\r\n"
    "a=rtcp-fb:45 nack\r\n"
    "a=rtcp-fb:45 nack pli\r\n"
    "a=fmtp:45 level-idx=5;profile=0;tier=0\r\n"
    "a=rtpmap:46 rtx/90000\r\n"
    "a=fmtp:46 apt=45\r\n"
    "a=rtpmap:98 VP9/90000\r\n"
    "a=rtcp-fb:98 goog-remb\r\n"
    "a=rtcp-fb:98 transport-cc\r\n"
    "a=rtcp-fb:98 ccm fir\r\n"
    "a=rtcp-fb:98 nack\r\n"
    "a=rtcp-fb:98 nack pli\r\n"
    "a=fmtp:98 profile-id=0\r\n"
    "a=rtpmap:99 rtx/90000\r\n"
    "a=fmtp:99 apt=98\r\n"
    "a=rtpmap:100 VP9/90000\r\n"
    "a=rtcp-fb:100 goog-remb\r\n"
    "a=rtcp-fb:100 transport-cc\r\n"
    "a=rtcp-fb:100 ccm fir\r\n"
    "a=rtcp-fb:100 nack\r\n"
    "a=rtcp-fb:100 nack pli\r\n"
    "a=fmtp:100 profile-id=2\r\n"
    "a=rtpmap:101 rtx/90000\r\n"
    "a=fmtp:101 apt=100\r\n"
    "a=rtpmap:112 H264/90000\r\n"
    "a=rtcp-fb:112 goog-remb\r\n"
    "a=rtcp-fb:112 transport-cc\r\n"
    "a=rtcp-fb:112 ccm fir\r\n"
    "a=rtcp-fb:112 nack\r\n"
    "a=rtcp-fb:112 nack pli\r\n"
    "a=fmtp:112 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f\r\n"
    "a=rtpmap:113 rtx/90000\r\n"
    "a=fmtp:113 apt=112\r\n"
    "a=rtpmap:116 red/90000\r\n"
    "a=rtpmap:117 rtx/90000\r\n"
    "a=fmtp:117 apt=116\r\n"
    "a=rtpmap:118 ulpfec/90000\r\n"
    "a=ssrc-group:FID 2001 2002\r\n"
    "a=ssrc:2001 cname:4TOk42mSjXCkVIa6\r\n"
    "a=ssrc:2001 msid:5f3a1a4e-0d1b-4b7e-9a0e-1c2d3e4f5a6b 9b8a7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d\r\n"
    "a=ssrc:2002 cname:4TOk42mSjXCkVIa6\r\n"
    "a=ssrc:2002 msid:5f3a1a4e-0d1b-4b7e-9a0e-1c2d3e4f5a6b "
    "9b8a7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d\r\n";

/* Safari 17 on iPad: H.264 only, no a=msid (msid in a=ssrc lines), OPUS upper-case. */
static const char safari_offer[] =
    "v=0\r\n"
    "o=- 8262117744913702532 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS 7e1c9d2a-4b3f-4e6a-8d5c-2f1e0a9b8c7d\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 103 9 102 0 8 105 13 110 113 126\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:n9Zq\r\n"
    "a=ice-pwd:Ud1c+8sKk0m3Jp/fWqR2aT5x\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "3A:0C:55:19:8E:E1:47:D2:6B:90:AF:12:C4:7E:3D:88:51:F6:2B:A9:0E:7C:D4:63:19:B5:82:EE:41:07:9A:"
    "C3\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=sendrecv\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:111 OPUS/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:63 red/48000/2\r\n"
    "a=fmtp:63 111/111\r\n"
    "a=rtpmap:103 ISAC/16000\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:102 ILBC/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:105 CN/16000\r\n"
    "a=rtpmap:13 CN/8000\r\n"
    "a=rtpmap:110 telephone-event/48000\r\n"
    "a=rtpmap:113 telephone-event/16000\r\n"
    "a=rtpmap:126 telephone-event/8000\r\n"
    "a=ssrc:3105447591 cname:Hq9r2JvB5mYc1sXw\r\n"
    "a=ssrc:3105447591 msid:7e1c9d2a-4b3f-4e6a-8d5c-2f1e0a9b8c7d "
    "0c4d7a2e-9b1f-4e3a-a6d8-5c2b1e0f9a8d\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 127 125\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:n9Zq\r\n"
    "a=ice-pwd:Ud1c+8sKk0m3Jp/fWqR2aT5x\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "3A:0C:55:19:8E:E1:47:D2:6B:90:AF:12:C4:7E:3D:88:51:F6:2B:A9:0E:7C:D4:63:19:B5:82:EE:41:07:9A:"
    "C3\r\n"
    "a=setup:actpass\r\n"
    "a=mid:1\r\n"
    "a=extmap:14 urn:ietf:params:rtp-hdrext:toffset\r\n"
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=extmap:13 urn:3gpp:video-orientation\r\n"
    "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=sendrecv\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 H264/90000\r\n"
    "a=rtcp-fb:96 goog-remb\r\n"
    "a=rtcp-fb:96 transport-cc\r\n"
    "a=rtcp-fb:96 ccm fir\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=fmtp:96 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rtpmap:98 H264/90000\r\n"
    "a=rtcp-fb:98 goog-remb\r\n"
    "a=rtcp-fb:98 transport-cc\r\n"
    "a=rtcp-fb:98 ccm fir\r\n"
    "a=rtcp-fb:98 nack\r\n"
    "a=rtcp-fb:98 nack pli\r\n"
    "a=fmtp:98 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtpmap:99 rtx/90000\r\n"
    "a=fmtp:99 apt=98\r\n"
    "a=rtpmap:100 H264/90000\r\n"
    "a=rtcp-fb:100 goog-remb\r\n"
    "a=rtcp-fb:100 transport-cc\r\n"
    "a=rtcp-fb:100 ccm fir\r\n"
    "a=rtcp-fb:100 nack\r\n"
    "a=rtcp-fb:100 nack pli\r\n"
    "a=fmtp:100 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=640c1f\r\n"
    "a=rtpmap:101 rtx/90000\r\n"
    "a=fmtp:101 apt=100\r\n"
    "a=rtpmap:127 red/90000\r\n"
    "a=rtpmap:125 rtx/90000\r\n"
    "a=fmtp:125 apt=127\r\n"
    "a=ssrc-group:FID 1873920467 922748120\r\n"
    "a=ssrc:1873920467 cname:Hq9r2JvB5mYc1sXw\r\n"
    "a=ssrc:1873920467 msid:7e1c9d2a-4b3f-4e6a-8d5c-2f1e0a9b8c7d "
    "6f5e4d3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f\r\n"
    "a=ssrc:922748120 cname:Hq9r2JvB5mYc1sXw\r\n"
    "a=ssrc:922748120 msid:7e1c9d2a-4b3f-4e6a-8d5c-2f1e0a9b8c7d "
    "6f5e4d3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f\r\n";

/* Firefox 120: fingerprint and direction at session level, ufrag/pwd per
 * m-line, FID group after the ssrc lines, a data channel. */
static const char firefox_offer[] =
    "v=0\r\n"
    "o=mozilla...THIS_IS_SDPARTA-99.0 4783372284213345123 0 IN IP4 0.0.0.0\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=sendrecv\r\n"
    "a=fingerprint:sha-256 "
    "9F:1E:AB:41:6D:0C:72:E3:58:B4:07:CD:29:F6:83:1A:5E:C0:94:7B:D2:36:E8:4F:A1:0B:6C:97:53:2D:F8:"
    "E5\r\n"
    "a=group:BUNDLE 0 1 2\r\n"
    "a=ice-options:trickle\r\n"
    "a=msid-semantic:WMS *\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 109 9 0 8 101\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=sendrecv\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level\r\n"
    "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=ice-pwd:b5b8e6e4c5d64d1e2b3f9a7c0d1e2f3a\r\n"
    "a=ice-ufrag:8d2e6f1a\r\n"
    "a=mid:0\r\n"
    "a=msid:{6a1c8c0e-1d2b-4f4e-9a9b-7c3e5d2f1a0b} {a3b1c2d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:109 opus/48000/2\r\n"
    "a=rtpmap:9 G722/8000/1\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000/1\r\n"
    "a=setup:actpass\r\n"
    "a=ssrc:3210987654 cname:{d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a}\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 120 124 121 125 126 127 97 98 123 122 119\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=sendrecv\r\n"
    "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=extmap:5 urn:ietf:params:rtp-hdrext:toffset\r\n"
    "a=extmap:6/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n"
    "a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1\r\n"
    "a=fmtp:97 profile-level-id=42e01f;level-asymmetry-allowed=1\r\n"
    "a=fmtp:120 max-fs=12288;max-fr=60\r\n"
    "a=fmtp:124 apt=120\r\n"
    "a=fmtp:121 max-fs=12288;max-fr=60\r\n"
    "a=fmtp:125 apt=121\r\n"
    "a=fmtp:127 apt=126\r\n"
    "a=fmtp:98 apt=97\r\n"
    "a=fmtp:119 apt=122\r\n"
    "a=ice-pwd:b5b8e6e4c5d64d1e2b3f9a7c0d1e2f3a\r\n"
    "a=ice-ufrag:8d2e6f1a\r\n"
    "a=mid:1\r\n"
    "a=msid:{6a1c8c0e-1d2b-4f4e-9a9b-7c3e5d2f1a0b} {c7d8e9f0-a1b2-4c3d-8e4f-5a6b7c8d9e0f}\r\n"
    "a=rtcp-fb:120 nack\r\n"
    "a=rtcp-fb:120 nack pli\r\n"
    "a=rtcp-fb:120 ccm fir\r\n"
    "a=rtcp-fb:120 goog-remb\r\n"
    "a=rtcp-fb:120 transport-cc\r\n"
    "a=rtcp-fb:121 nack\r\n"
    "a=rtcp-fb:121 nack pli\r\n"
    "a=rtcp-fb:121 ccm fir\r\n"
    "a=rtcp-fb:121 goog-remb\r\n"
    "a=rtcp-fb:121 transport-cc\r\n"
    "a=rtcp-fb:126 nack\r\n"
    "a=rtcp-fb:126 nack pli\r\n"
    "a=rtcp-fb:126 ccm fir\r\n"
    "a=rtcp-fb:126 goog-remb\r\n"
    "a=rtcp-fb:126 transport-cc\r\n"
    "a=rtcp-fb:97 nack\r\n"
    "a=rtcp-fb:97 nack pli\r\n"
    "a=rtcp-fb:97 ccm fir\r\n"
    "a=rtcp-fb:97 goog-remb\r\n"
    "a=rtcp-fb:97 transport-cc\r\n"
    "a=rtcp-fb:123 nack\r\n"
    "a=rtcp-fb:123 nack pli\r\n"
    "a=rtcp-fb:123 ccm fir\r\n"
    "a=rtcp-fb:123 goog-remb\r\n"
    "a=rtcp-fb:123 transport-cc\r\n"
    "a=rtcp-fb:122 nack\r\n"
    "a=rtcp-fb:122 nack pli\r\n"
    "a=rtcp-fb:122 ccm fir\r\n"
    "a=rtcp-fb:122 goog-remb\r\n"
    "a=rtcp-fb:122 transport-cc\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:120 VP8/90000\r\n"
    "a=rtpmap:124 rtx/90000\r\n"
    "a=rtpmap:121 VP9/90000\r\n"
    "a=rtpmap:125 rtx/90000\r\n"
    "a=rtpmap:126 H264/90000\r\n"
    "a=rtpmap:127 rtx/90000\r\n"
    "a=rtpmap:97 H264/90000\r\n"
    "a=rtpmap:98 rtx/90000\r\n"
    "a=rtpmap:123 ulpfec/90000\r\n"
    "a=rtpmap:122 red/90000\r\n"
    "a=rtpmap:119 rtx/90000\r\n"
    "a=setup:actpass\r\n"
    "a=ssrc:1122334455 cname:{d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a}\r\n"
    "a=ssrc:2233445566 cname:{d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a}\r\n"
    "a=ssrc-group:FID 1122334455 2233445566\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=sendrecv\r\n"
    "a=ice-pwd:b5b8e6e4c5d64d1e2b3f9a7c0d1e2f3a\r\n"
    "a=ice-ufrag:8d2e6f1a\r\n"
    "a=mid:2\r\n"
    "a=setup:actpass\r\n"
    "a=sctp-port:5000\r\n"
    "a=max-message-size:1073741823\r\n";

/* ---- helpers --------------------------------------------------------------- */

static sv_sdp *sdp_new(void) {
  return g_new0(sv_sdp, 1);
}

/* Parses text and checks that it succeeds; the caller g_free()s. */
static sv_sdp *parse_ok(const char *text) {
  char err[256] = "";
  sv_sdp *sdp = sdp_new();
  int rc = sv_sdp_parse(text, sdp, err, sizeof err);
  if (rc != 0) fprintf(stderr, "  parse failed: %s (%s)\n", err, sv_strerror(rc));
  CHECK_EQ_INT(rc, 0);
  return sdp;
}

/* Parses text and checks that it fails with code and says why. */
static void parse_fails(const char *text, int code) {
  char err[256] = "";
  sv_sdp *sdp = sdp_new();
  memset(sdp, 0xa5, sizeof *sdp); /* out may be uninitialised */
  int rc = sv_sdp_parse(text, sdp, err, sizeof err);
  if (rc != code)
    fprintf(stderr, "  expected %s, got %s: %s\n", sv_strerror(code), sv_strerror(rc), err);
  CHECK_EQ_INT(rc, code);
  CHECK(err[0] != '\0');
  CHECK(strlen(err) < sizeof err);
  CHECK_EQ_INT(sdp->n_media, 0);
  g_free(sdp);
}

static char *replace_all(const char *text, const char *from, const char *to) {
  char **parts = g_strsplit(text, from, -1);
  char *out = g_strjoinv(to, parts);
  g_strfreev(parts);
  return out;
}

/* Removes every line that starts with prefix. */
static char *drop_lines(const char *text, const char *prefix) {
  char **lines = g_strsplit(text, "\r\n", -1);
  GString *out = g_string_new("");
  for (char **l = lines; *l; l++)
    if (**l && !g_str_has_prefix(*l, prefix)) g_string_append_printf(out, "%s\r\n", *l);
  g_strfreev(lines);
  return g_string_free(out, FALSE);
}

static sv_sdp_prefs prefs_of(const char *list) {
  sv_sdp_prefs prefs;
  CHECK_EQ_INT(sv_sdp_prefs_parse(list, &prefs), 0);
  return prefs;
}

static sv_sdp *negotiate_ok(const sv_sdp *offer, const char *prefs_list) {
  char err[256] = "";
  sv_sdp_prefs prefs = prefs_of(prefs_list);
  sv_sdp *answer = sdp_new();
  int rc = sv_sdp_negotiate_publish(offer, &prefs, answer, err, sizeof err);
  if (rc != 0) fprintf(stderr, "  negotiate failed: %s\n", err);
  CHECK_EQ_INT(rc, 0);
  return answer;
}

static const sv_sdp_codec *find_pt(const sv_sdp_media *m, unsigned pt) {
  for (size_t i = 0; i < m->n_codecs; i++)
    if (m->codecs[i].pt == pt) return &m->codecs[i];
  return NULL;
}

/* Fills the session fields the relay's caller fills before writing. */
static void fill_local(sv_sdp *sdp, sv_setup setup) {
  sdp->sess_id = 1234567890123456789ULL;
  sdp->sess_version = 2;
  snprintf(sdp->ice_ufrag, sizeof sdp->ice_ufrag, "rL4y");
  snprintf(sdp->ice_pwd, sizeof sdp->ice_pwd, "k2Jd9Qm+Zx/8VbN3Tp1sWe7R");
  snprintf(sdp->fingerprint, sizeof sdp->fingerprint, FP_RELAY);
  sdp->setup = setup;
}

/* ---- parsing real offers --------------------------------------------------- */

static void test_parse_chrome(void) {
  sv_sdp *s = parse_ok(chrome_offer);
  CHECK(s->sess_id == 4611731400430051336ULL);
  CHECK_EQ_INT(s->sess_version, 2);
  CHECK_STR(s->ice_ufrag, "Vx3k");
  CHECK_STR(s->ice_pwd, "q7RkCyS2lTj0ZdW0Zy2ZcYhE");
  CHECK_STR(s->fingerprint, FP_CHROME);
  CHECK_EQ_INT(s->setup, SV_SETUP_ACTPASS);
  CHECK_EQ_INT(s->n_media, 2);

  const sv_sdp_media *a = &s->media[0];
  CHECK_EQ_INT(a->kind, SV_KIND_AUDIO);
  CHECK_STR(a->mid, "0");
  CHECK(!a->rejected);
  CHECK_EQ_INT(a->dir, SV_DIR_SENDRECV);
  CHECK_EQ_INT(a->n_codecs, 8);
  CHECK_EQ_INT(a->codecs[0].codec, SV_CODEC_OPUS);
  CHECK_EQ_INT(a->codecs[0].pt, 111);
  CHECK_EQ_INT(a->codecs[0].clock_rate, 48000);
  CHECK_EQ_INT(a->codecs[0].channels, 2);
  CHECK_STR(a->codecs[0].name, "opus");
  CHECK_STR(a->codecs[0].fmtp, "minptime=10;useinbandfec=1");
  CHECK_EQ_INT(a->codecs[0].fb, SV_FB_TWCC); /* transport-cc only */
  CHECK_EQ_INT(a->codecs[1].codec, SV_CODEC_UNKNOWN);
  CHECK_STR(a->codecs[1].name, "red");
  CHECK_STR(a->codecs[1].fmtp, "111/111");
  CHECK_EQ_INT(a->codecs[3].pt, 0);
  CHECK_STR(a->codecs[3].name, "PCMU");
  CHECK_EQ_INT(a->codecs[3].channels, 0);
  CHECK_EQ_INT(a->codecs[7].pt, 126);
  CHECK_EQ_INT(a->ssrc, 1001);
  CHECK_EQ_INT(a->rtx_ssrc, 0);
  CHECK_STR(a->cname, "4TOk42mSjXCkVIa6");
  CHECK_STR(a->msid_stream, "5f3a1a4e-0d1b-4b7e-9a0e-1c2d3e4f5a6b");
  CHECK_STR(a->msid_track, "2d1c6a0b-8f5e-4c3a-b2d1-0e9f8a7b6c5d");

  const sv_sdp_media *v = &s->media[1];
  CHECK_EQ_INT(v->kind, SV_KIND_VIDEO);
  CHECK_STR(v->mid, "1");
  CHECK_EQ_INT(v->dir, SV_DIR_SENDONLY);
  /* 25 formats: the 8 VP8/H.264 ones are all kept, unknown ones fill the rest. */
  CHECK_EQ_INT(v->n_codecs, SV_SDP_MAX_CODECS);
  CHECK_EQ_INT(v->codecs[0].pt, 96);
  CHECK_EQ_INT(v->codecs[0].codec, SV_CODEC_VP8);
  CHECK_EQ_INT(v->codecs[0].clock_rate, 90000);
  CHECK_EQ_INT(v->codecs[0].fb, SV_FB_NACK | SV_FB_PLI | SV_FB_FIR | SV_FB_REMB | SV_FB_TWCC);
  CHECK_STR(v->codecs[0].fmtp, "");
  CHECK_EQ_INT(v->codecs[1].pt, 97);
  CHECK_STR(v->codecs[1].name, "rtx");
  CHECK_STR(v->codecs[1].fmtp, "apt=96");
  CHECK_EQ_INT(v->codecs[14].pt, 45);
  CHECK_STR(v->codecs[14].name, "AV1");
  CHECK_EQ_INT(v->codecs[14].codec, SV_CODEC_UNKNOWN);
  CHECK_EQ_INT(v->codecs[15].pt, 112);
  CHECK_EQ_INT(v->codecs[15].codec, SV_CODEC_H264);
  CHECK(find_pt(v, 98) == NULL); /* VP9 dropped over the cap */
  const sv_sdp_codec *h = find_pt(v, 106);
  CHECK(h != NULL);
  if (h) {
    CHECK_EQ_INT(h->codec, SV_CODEC_H264);
    CHECK_STR(h->name, "H264");
    CHECK_STR(h->fmtp, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
    CHECK_EQ_INT(h->fb, SV_FB_NACK | SV_FB_PLI | SV_FB_FIR | SV_FB_REMB | SV_FB_TWCC);
  }
  CHECK_EQ_INT(v->ssrc, 2001);
  CHECK_EQ_INT(v->rtx_ssrc, 2002);
  CHECK_STR(v->cname, "4TOk42mSjXCkVIa6");
  CHECK_STR(v->msid_track, "9b8a7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d");
  CHECK(sv_sdp_find_mid(s, "1") == v);
  g_free(s);
}

static void test_parse_safari(void) {
  sv_sdp *s = parse_ok(safari_offer);
  CHECK_STR(s->ice_ufrag, "n9Zq");
  CHECK_STR(s->ice_pwd, "Ud1c+8sKk0m3Jp/fWqR2aT5x");
  CHECK_EQ_INT(s->n_media, 2);
  const sv_sdp_media *a = &s->media[0], *v = &s->media[1];
  CHECK_EQ_INT(a->n_codecs, 12);
  CHECK_EQ_INT(a->codecs[0].codec, SV_CODEC_OPUS); /* "OPUS" */
  CHECK_STR(a->codecs[0].name, "OPUS");
  CHECK_EQ_INT(a->ssrc, 3105447591u);
  /* No a=msid: taken from a=ssrc:N msid: */
  CHECK_STR(a->msid_stream, "7e1c9d2a-4b3f-4e6a-8d5c-2f1e0a9b8c7d");
  CHECK_STR(a->msid_track, "0c4d7a2e-9b1f-4e3a-a6d8-5c2b1e0f9a8d");
  CHECK_EQ_INT(v->n_codecs, 8);
  CHECK_EQ_INT(v->dir, SV_DIR_SENDRECV);
  CHECK_EQ_INT(v->codecs[0].codec, SV_CODEC_H264);
  CHECK_STR(v->codecs[0].fmtp,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f");
  CHECK_EQ_INT(v->ssrc, 1873920467u);
  CHECK_EQ_INT(v->rtx_ssrc, 922748120u);
  CHECK_STR(v->cname, "Hq9r2JvB5mYc1sXw");
  CHECK_STR(v->msid_track, "6f5e4d3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f");
  g_free(s);
}

static void test_parse_firefox(void) {
  sv_sdp *s = parse_ok(firefox_offer);
  CHECK(s->sess_id == 4783372284213345123ULL);
  CHECK_EQ_INT(s->sess_version, 0);
  CHECK_STR(s->ice_ufrag, "8d2e6f1a");
  CHECK_STR(s->ice_pwd, "b5b8e6e4c5d64d1e2b3f9a7c0d1e2f3a");
  CHECK_STR(s->fingerprint, FP_FIREFOX); /* session level */
  CHECK_EQ_INT(s->n_media, 3);
  const sv_sdp_media *a = &s->media[0], *v = &s->media[1], *d = &s->media[2];
  CHECK_EQ_INT(a->codecs[0].pt, 109);
  CHECK_EQ_INT(a->codecs[0].codec, SV_CODEC_OPUS);
  CHECK_STR(a->codecs[0].fmtp, "maxplaybackrate=48000;stereo=1;useinbandfec=1");
  CHECK_EQ_INT(a->codecs[1].channels, 1); /* G722/8000/1 */
  CHECK_EQ_INT(a->ssrc, 3210987654u);
  CHECK_STR(a->cname, "{d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a}");
  CHECK_STR(a->msid_stream, "{6a1c8c0e-1d2b-4f4e-9a9b-7c3e5d2f1a0b}");
  CHECK_STR(a->msid_track, "{a3b1c2d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}");
  CHECK_EQ_INT(v->n_codecs, 11);
  CHECK_EQ_INT(v->codecs[0].codec, SV_CODEC_VP8);
  CHECK_EQ_INT(v->codecs[0].pt, 120);
  CHECK_STR(v->codecs[0].fmtp, "max-fs=12288;max-fr=60");
  CHECK_EQ_INT(v->codecs[0].fb, SV_FB_NACK | SV_FB_PLI | SV_FB_FIR | SV_FB_REMB | SV_FB_TWCC);
  CHECK_EQ_INT(v->ssrc, 1122334455u);
  CHECK_EQ_INT(v->rtx_ssrc, 2233445566u);
  CHECK_EQ_INT(d->kind, SV_KIND_OTHER);
  CHECK_STR(d->mid, "2");
  CHECK(!d->rejected);
  CHECK_EQ_INT(d->n_codecs, 0);
  g_free(s);
}

/* ---- publish negotiation --------------------------------------------------- */

static void test_negotiate_chrome_vp8(void) {
  sv_sdp *offer = parse_ok(chrome_offer);
  sv_sdp *ans = negotiate_ok(offer, "vp8,h264");
  CHECK_EQ_INT(ans->n_media, 2);
  CHECK_STR(ans->ice_ufrag, ""); /* left for the caller */
  CHECK_STR(ans->fingerprint, "");
  const sv_sdp_media *a = &ans->media[0], *v = &ans->media[1];
  CHECK(!a->rejected);
  CHECK_STR(a->mid, "0");
  CHECK_EQ_INT(a->dir, SV_DIR_RECVONLY); /* sendrecv -> recvonly */
  CHECK_EQ_INT(a->n_codecs, 2);          /* Opus, and RED around it */
  CHECK_STR(a->codecs[1].name, "red");
  CHECK_EQ_INT(a->codecs[1].pt, 63);
  CHECK(a->red_first);
  CHECK_EQ_INT(a->codecs[0].codec, SV_CODEC_OPUS);
  CHECK_EQ_INT(a->codecs[0].pt, 111);
  CHECK_STR(a->codecs[0].fmtp, "minptime=10;useinbandfec=1;usedtx=1"); /* DTX asked for */
  CHECK_EQ_INT(a->codecs[0].fb, 0);
  CHECK_EQ_INT(a->ssrc, 1001);
  CHECK_STR(a->cname, "4TOk42mSjXCkVIa6");
  CHECK_STR(a->msid_track, "2d1c6a0b-8f5e-4c3a-b2d1-0e9f8a7b6c5d");
  CHECK_EQ_INT(a->ext.level, 1); /* who speaks: the audio level of each packet */
  CHECK(!v->rejected);
  CHECK_EQ_INT(v->ext.level, 0);
  CHECK_EQ_INT(v->dir, SV_DIR_RECVONLY); /* sendonly -> recvonly */
  CHECK_EQ_INT(v->n_codecs, 2);          /* VP8, and its RTX */
  CHECK_STR(v->codecs[1].name, "rtx");
  CHECK_STR(v->codecs[1].fmtp, "apt=96");
  CHECK_EQ_INT(v->codecs[0].codec, SV_CODEC_VP8);
  CHECK_EQ_INT(v->codecs[0].pt, 96);
  CHECK_STR(v->codecs[0].fmtp, "");
  CHECK_EQ_INT(v->codecs[0].fb, SV_FB_NACK | SV_FB_PLI | SV_FB_FIR | SV_FB_REMB);
  CHECK_EQ_INT(v->ssrc, 2001);
  CHECK_EQ_INT(v->rtx_ssrc, 2002);
  g_free(ans);
  g_free(offer);
}

/* The Opus answer asks for in-band FEC and DTX; a value the offer has is
 * kept as it is. */
static void test_negotiate_opus_fmtp(void) {
  char **parts = g_strsplit(chrome_offer, "minptime=10;useinbandfec=1", -1);
  char *text = g_strjoinv("minptime=10; USEDTX=0", parts);
  g_strfreev(parts);
  sv_sdp *offer = parse_ok(text);
  sv_sdp *ans = negotiate_ok(offer, "vp8");
  CHECK_STR(ans->media[0].codecs[0].fmtp, "minptime=10; USEDTX=0;useinbandfec=1");
  g_free(ans);
  g_free(offer);
  g_free(text);
}

static void test_negotiate_chrome_h264(void) {
  sv_sdp *offer = parse_ok(chrome_offer);
  sv_sdp *ans = negotiate_ok(offer, "h264,vp8");
  const sv_sdp_media *v = &ans->media[1];
  CHECK_EQ_INT(v->codecs[0].codec, SV_CODEC_H264);
  CHECK_EQ_INT(v->codecs[0].pt, 106); /* 42e01f beats 42001f (102), which comes first */
  CHECK_STR(v->codecs[0].fmtp,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  CHECK_EQ_INT(v->codecs[0].fb, SV_FB_NACK | SV_FB_PLI | SV_FB_FIR | SV_FB_REMB);
  CHECK_EQ_INT(ans->media[0].codecs[0].codec, SV_CODEC_OPUS);
  g_free(ans);
  g_free(offer);
}

static void test_negotiate_safari_falls_back_to_h264(void) {
  sv_sdp *offer = parse_ok(safari_offer);
  sv_sdp *ans = negotiate_ok(offer, "vp8,h264");
  const sv_sdp_media *v = &ans->media[1];
  CHECK(!v->rejected);
  CHECK_EQ_INT(v->codecs[0].codec, SV_CODEC_H264);
  CHECK_EQ_INT(v->codecs[0].pt, 98); /* 42e01f over the high profile 640c1f (96) */
  CHECK_STR(v->codecs[0].name, "H264");
  CHECK_EQ_INT(v->dir, SV_DIR_RECVONLY);
  CHECK_EQ_INT(ans->media[0].codecs[0].pt, 111);
  g_free(ans);

  /* VP8 only: Safari's video cannot be received. */
  ans = negotiate_ok(offer, "vp8");
  CHECK(ans->media[1].rejected);
  CHECK_EQ_INT(ans->media[1].dir, SV_DIR_INACTIVE);
  CHECK(!ans->media[0].rejected);
  g_free(ans);
  g_free(offer);
}

static void test_negotiate_firefox(void) {
  sv_sdp *offer = parse_ok(firefox_offer);
  sv_sdp *ans = negotiate_ok(offer, "h264,vp8");
  CHECK_EQ_INT(ans->n_media, 3);
  CHECK_EQ_INT(ans->media[0].codecs[0].pt, 109);
  CHECK_STR(ans->media[0].codecs[0].fmtp, "maxplaybackrate=48000;stereo=1;useinbandfec=1;usedtx=1");
  CHECK_EQ_INT(ans->media[1].codecs[0].pt, 126); /* pm=1; 97 is pm=0 */
  CHECK_EQ_INT(ans->media[1].dir, SV_DIR_RECVONLY);
  CHECK(ans->media[2].rejected); /* data channel */
  CHECK_EQ_INT(ans->media[2].kind, SV_KIND_OTHER);
  CHECK_STR(ans->media[2].mid, "2");
  g_free(ans);
  g_free(offer);
}

/* H.264 ranking on a small offer: constrained baseline over baseline-ish over others. */
static void test_negotiate_h264_ranking(void) {
  char *text = g_strdup(chrome_offer);
  /* Take 106 (42e01f) away: 102 (42001f) must win over 127 (4d001f) and 112. */
  char *t2 = replace_all(text, "packetization-mode=1;profile-level-id=42e01f",
                         "packetization-mode=0;profile-level-id=42e01f");
  sv_sdp *offer = parse_ok(t2);
  sv_sdp *ans = negotiate_ok(offer, "h264");
  CHECK_EQ_INT(ans->media[1].codecs[0].pt, 102);
  g_free(ans);
  g_free(offer);

  /* No packetization-mode=1 at all: H.264 is unusable, VP8 is next. */
  char *t3 = replace_all(t2, "packetization-mode=1", "packetization-mode=0");
  offer = parse_ok(t3);
  ans = negotiate_ok(offer, "h264,vp8");
  CHECK_EQ_INT(ans->media[1].codecs[0].codec, SV_CODEC_VP8);
  g_free(ans);
  ans = negotiate_ok(offer, "h264");
  CHECK(ans->media[1].rejected);
  g_free(ans);
  g_free(offer);
  g_free(t3);
  g_free(t2);
  g_free(text);
}

static void test_negotiate_nothing_usable(void) {
  char *t1 = replace_all(chrome_offer, "opus/48000/2", "G729/8000");
  char *t2 = replace_all(t1, "VP8/90000", "VP9/90000");
  char *t3 = replace_all(t2, "H264/90000", "H265/90000");
  sv_sdp *offer = parse_ok(t3);
  sv_sdp_prefs prefs = prefs_of("vp8,h264");
  sv_sdp *ans = sdp_new();
  char err[256] = "";
  CHECK_EQ_INT(sv_sdp_negotiate_publish(offer, &prefs, ans, err, sizeof err), SV_EUNSUPP);
  CHECK(err[0] != '\0');
  CHECK(ans->media[0].rejected && ans->media[1].rejected);
  g_free(ans);
  g_free(offer);
  g_free(t3);
  g_free(t2);
  g_free(t1);
}

static void test_negotiate_inactive_and_rejected(void) {
  char *t1 = replace_all(firefox_offer, "m=audio 9 ", "m=audio 0 ");
  char *t2 = replace_all(t1, "a=sendrecv\r\na=extmap:3 urn", "a=recvonly\r\na=extmap:3 urn");
  sv_sdp *offer = parse_ok(t2);
  CHECK(offer->media[0].rejected);
  CHECK_EQ_INT(offer->media[1].dir, SV_DIR_RECVONLY);
  sv_sdp *ans = negotiate_ok(offer, "vp8");
  CHECK(ans->media[0].rejected);
  CHECK_EQ_INT(ans->media[0].n_codecs, 1); /* still one format to write */
  CHECK(!ans->media[1].rejected);
  CHECK_EQ_INT(ans->media[1].dir, SV_DIR_INACTIVE); /* recvonly -> inactive */
  g_free(ans);
  g_free(offer);
  g_free(t2);
  g_free(t1);
}

/* ---- writing and reading back ---------------------------------------------- */

static void test_answer_round_trip(void) {
  sv_sdp *offer = parse_ok(firefox_offer);
  sv_sdp *ans = negotiate_ok(offer, "h264,vp8");
  fill_local(ans, SV_SETUP_PASSIVE);
  char *text = sv_sdp_write(ans);
  CHECK(text != NULL);
  if (!text) return;
  CHECK(g_str_has_prefix(text, "v=0\r\no=- 1234567890123456789 2 IN IP4 127.0.0.1\r\ns=-\r\n"
                               "t=0 0\r\na=group:BUNDLE 0 1\r\n"));
  CHECK(strstr(text, "a=msid-semantic: WMS *\r\n") != NULL);
  CHECK(strstr(text, "a=ice-options:trickle\r\n") != NULL);
  CHECK(strstr(text, "m=audio 9 UDP/TLS/RTP/SAVPF 109\r\nc=IN IP4 0.0.0.0\r\n"
                     "a=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:rL4y\r\n") != NULL);
  CHECK(strstr(text,
               "a=fingerprint:sha-256 " FP_RELAY "\r\na=setup:passive\r\na=mid:0\r\n"
               "a=recvonly\r\na=rtcp-mux\r\na=rtpmap:109 opus/48000/2\r\n"
               "a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1;usedtx=1\r\n") != NULL);
  CHECK(strstr(text, "m=video 9 UDP/TLS/RTP/SAVPF 126 127\r\n") != NULL); /* H.264, its RTX */
  CHECK(strstr(text, "a=rtpmap:127 rtx/90000\r\na=fmtp:127 apt=126\r\n") != NULL);
  CHECK(strstr(text, "a=rtpmap:126 H264/90000\r\na=rtcp-fb:126 nack\r\na=rtcp-fb:126 nack pli\r\n"
                     "a=rtcp-fb:126 ccm fir\r\na=rtcp-fb:126 goog-remb\r\n"
                     "a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;"
                     "packetization-mode=1\r\n") != NULL);
  CHECK(strstr(text, "transport-cc") == NULL);
  CHECK(strstr(text, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n") != NULL);
  CHECK(strstr(text, "a=ssrc") == NULL); /* recvonly: the relay sends nothing here */

  sv_sdp *back = parse_ok(text);
  CHECK(back->sess_id == 1234567890123456789ULL);
  CHECK_STR(back->ice_ufrag, "rL4y");
  CHECK_STR(back->ice_pwd, "k2Jd9Qm+Zx/8VbN3Tp1sWe7R");
  CHECK_STR(back->fingerprint, FP_RELAY);
  CHECK_EQ_INT(back->setup, SV_SETUP_PASSIVE);
  CHECK_EQ_INT(back->n_media, 3);
  for (size_t i = 0; i < 2; i++) {
    const sv_sdp_media *m = &back->media[i], *o = &ans->media[i];
    CHECK_EQ_INT(m->kind, o->kind);
    CHECK_STR(m->mid, o->mid);
    CHECK(!m->rejected);
    CHECK_EQ_INT(m->dir, SV_DIR_RECVONLY);
    CHECK_EQ_INT(m->n_codecs, o->n_codecs);
    CHECK_EQ_INT(m->codecs[0].codec, o->codecs[0].codec);
    CHECK_EQ_INT(m->codecs[0].pt, o->codecs[0].pt);
    CHECK_EQ_INT(m->codecs[0].clock_rate, o->codecs[0].clock_rate);
    CHECK_EQ_INT(m->codecs[0].channels, o->codecs[0].channels);
    CHECK_EQ_INT(m->codecs[0].fb, o->codecs[0].fb);
    CHECK_STR(m->codecs[0].fmtp, o->codecs[0].fmtp);
    CHECK_EQ_INT(m->ssrc, 0);
  }
  CHECK(back->media[2].rejected);
  CHECK_EQ_INT(back->media[2].kind, SV_KIND_OTHER);
  g_free(back);
  g_free(text);
  g_free(ans);
  g_free(offer);
}

/* What the router builds for a subscriber: two sending tracks, a track that
 * left (inactive), and an m-line that is no longer used (rejected). */
static void test_subscribe_offer_round_trip(void) {
  sv_sdp *sub = sdp_new();
  fill_local(sub, SV_SETUP_ACTPASS);
  sub->n_media = 4;
  sv_sdp_media *m = sub->media;

  m[0].kind = SV_KIND_AUDIO;
  snprintf(m[0].mid, sizeof m[0].mid, "0");
  m[0].dir = SV_DIR_SENDONLY;
  m[0].n_codecs = 1;
  m[0].codecs[0] = (sv_sdp_codec){.codec = SV_CODEC_OPUS,
                                  .pt = 111,
                                  .clock_rate = 48000,
                                  .channels = 2,
                                  .name = "opus",
                                  .fmtp = "minptime=10;useinbandfec=1"};
  m[0].ssrc = 3000000001u;
  snprintf(m[0].cname, sizeof m[0].cname, "samvei-p1");
  snprintf(m[0].msid_stream, sizeof m[0].msid_stream, "p1");
  snprintf(m[0].msid_track, sizeof m[0].msid_track, "p1-audio");

  m[1].kind = SV_KIND_VIDEO;
  snprintf(m[1].mid, sizeof m[1].mid, "1");
  m[1].dir = SV_DIR_SENDONLY;
  m[1].n_codecs = 2;
  m[1].codecs[0] = (sv_sdp_codec){.codec = SV_CODEC_VP8,
                                  .pt = 96,
                                  .clock_rate = 90000,
                                  .fb = SV_FB_NACK | SV_FB_PLI | SV_FB_FIR,
                                  .name = "VP8"};
  m[1].codecs[1] = (sv_sdp_codec){.pt = 97, .clock_rate = 90000, .name = "rtx", .fmtp = "apt=96"};
  m[1].ssrc = 3000000002u;
  m[1].rtx_ssrc = 3000000003u;
  snprintf(m[1].cname, sizeof m[1].cname, "samvei-p1");
  snprintf(m[1].msid_stream, sizeof m[1].msid_stream, "p1");
  snprintf(m[1].msid_track, sizeof m[1].msid_track, "p1-camera");

  m[2] = m[1];
  snprintf(m[2].mid, sizeof m[2].mid, "2");
  m[2].dir = SV_DIR_INACTIVE;
  m[2].n_codecs = 1;

  m[3].kind = SV_KIND_VIDEO;
  snprintf(m[3].mid, sizeof m[3].mid, "3");
  m[3].rejected = true;
  m[3].dir = SV_DIR_INACTIVE;

  char *text = sv_sdp_write(sub);
  CHECK(text != NULL);
  if (!text) return;
  CHECK(strstr(text, "a=group:BUNDLE 0 1 2\r\n") != NULL);
  CHECK(strstr(text, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n") != NULL);
  CHECK(strstr(text, "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n") != NULL);
  CHECK(strstr(text, "m=video 0 UDP/TLS/RTP/SAVPF 0\r\n") != NULL);
  CHECK(strstr(text, "a=setup:actpass\r\n") != NULL);
  CHECK(strstr(text, "a=msid:p1 p1-audio\r\na=ssrc:3000000001 cname:samvei-p1\r\n"
                     "a=ssrc:3000000001 msid:p1 p1-audio\r\n") != NULL);
  CHECK(strstr(text, "a=ssrc-group:FID 3000000002 3000000003\r\n") != NULL);
  CHECK(strstr(text, "a=ssrc:3000000003 cname:samvei-p1\r\n") != NULL);
  CHECK(strstr(text, "a=fmtp:97 apt=96\r\n") != NULL);

  sv_sdp *back = parse_ok(text);
  CHECK_EQ_INT(back->n_media, 4);
  CHECK_STR(back->ice_ufrag, "rL4y");
  CHECK_EQ_INT(back->setup, SV_SETUP_ACTPASS);
  const sv_sdp_media *b = back->media;
  CHECK_EQ_INT(b[0].dir, SV_DIR_SENDONLY);
  CHECK_EQ_INT(b[0].ssrc, 3000000001u);
  CHECK_STR(b[0].cname, "samvei-p1");
  CHECK_STR(b[0].msid_stream, "p1");
  CHECK_STR(b[0].msid_track, "p1-audio");
  CHECK_EQ_INT(b[0].codecs[0].codec, SV_CODEC_OPUS);
  CHECK_STR(b[0].codecs[0].fmtp, "minptime=10;useinbandfec=1");
  CHECK_EQ_INT(b[1].n_codecs, 2);
  CHECK_EQ_INT(b[1].codecs[0].fb, SV_FB_NACK | SV_FB_PLI | SV_FB_FIR);
  CHECK_EQ_INT(b[1].ssrc, 3000000002u);
  CHECK_EQ_INT(b[1].rtx_ssrc, 3000000003u);
  CHECK_STR(b[1].msid_track, "p1-camera");
  CHECK(!b[2].rejected);
  CHECK_EQ_INT(b[2].dir, SV_DIR_INACTIVE);
  CHECK_EQ_INT(b[2].ssrc, 0); /* an inactive m-line announces no source */
  CHECK(b[3].rejected);
  CHECK_STR(b[3].mid, "3");
  CHECK(sv_sdp_find_mid(back, "3") == &b[3]);
  g_free(back);
  g_free(text);
  g_free(sub);
}

/* ---- smaller parsing rules ------------------------------------------------- */

static void test_rtcp_fb_wildcard_and_bundle_only(void) {
  char *t1 = replace_all(safari_offer, "a=rtcp-fb:111 transport-cc", "a=rtcp-fb:* nack");
  char *t2 = replace_all(t1, "m=video 9 ", "m=video 0 ");
  char *t3 = replace_all(t2, "a=mid:1\r\n", "a=mid:1\r\na=bundle-only\r\n");
  sv_sdp *s = parse_ok(t3);
  CHECK_EQ_INT(s->media[0].codecs[0].fb, SV_FB_NACK);
  CHECK_EQ_INT(s->media[0].codecs[5].fb, SV_FB_NACK);
  CHECK(!s->media[1].rejected); /* port 0 with bundle-only is not a rejection */
  g_free(s);
  g_free(t3);
  g_free(t2);
  g_free(t1);
}

static void test_prefs_parse(void) {
  sv_sdp_prefs p;
  CHECK_EQ_INT(sv_sdp_prefs_parse("vp8,h264", &p), 0);
  CHECK_EQ_INT(p.n_video, 2);
  CHECK_EQ_INT(p.video[0], SV_CODEC_VP8);
  CHECK_EQ_INT(p.video[1], SV_CODEC_H264);
  CHECK_EQ_INT(sv_sdp_prefs_parse(" H264 , VP8 ", &p), 0);
  CHECK_EQ_INT(p.n_video, 2);
  CHECK_EQ_INT(p.video[0], SV_CODEC_H264);
  CHECK_EQ_INT(sv_sdp_prefs_parse("h264,h264", &p), 0);
  CHECK_EQ_INT(p.n_video, 1);
  p.n_video = 99;
  CHECK_EQ_INT(sv_sdp_prefs_parse("", &p), SV_EINVAL);
  CHECK_EQ_INT(sv_sdp_prefs_parse("vp9", &p), SV_EINVAL);
  CHECK_EQ_INT(sv_sdp_prefs_parse("vp8,,h264", &p), SV_EINVAL);
  CHECK_EQ_INT(sv_sdp_prefs_parse("vp8,", &p), SV_EINVAL);
  CHECK_EQ_INT(sv_sdp_prefs_parse(NULL, &p), SV_EINVAL);
  CHECK_EQ_INT(p.n_video, 99); /* unchanged on error */
}

static void test_find_mid(void) {
  sv_sdp *s = parse_ok(firefox_offer);
  CHECK(sv_sdp_find_mid(s, "0") == &s->media[0]);
  CHECK(sv_sdp_find_mid(s, "2") == &s->media[2]);
  CHECK(sv_sdp_find_mid(s, "7") == NULL);
  CHECK(sv_sdp_find_mid(s, "") == NULL);
  CHECK(sv_sdp_find_mid(s, NULL) == NULL);
  CHECK(sv_sdp_find_mid(NULL, "0") == NULL);
  g_free(s);
}

/* ---- errors ---------------------------------------------------------------- */

static void test_errors(void) {
  parse_fails("hello, this is not SDP", SV_EINVAL);
  parse_fails("", SV_EINVAL);
  parse_fails(NULL, SV_EINVAL);
  parse_fails("v=0\r\n", SV_EINVAL); /* no m-lines */
  parse_fails("\x01\x02\xff\xfe=garbage\n\n\n=", SV_EINVAL);

  char *t = drop_lines(chrome_offer, "a=fingerprint:");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = replace_all(
      chrome_offer, "a=fingerprint:sha-256 " FP_CHROME,
      "a=fingerprint:sha-1 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64");
  parse_fails(t, SV_EUNSUPP);
  g_free(t);

  t = replace_all(chrome_offer, FP_CHROME, "7B:8B:F0");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = drop_lines(chrome_offer, "a=ice-ufrag:");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = drop_lines(chrome_offer, "a=ice-pwd:");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = drop_lines(firefox_offer, "a=rtcp-mux");
  parse_fails(t, SV_EUNSUPP);
  g_free(t);

  t = replace_all(chrome_offer, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0");
  parse_fails(t, SV_EUNSUPP);
  g_free(t);

  t = drop_lines(chrome_offer, "a=group:");
  parse_fails(t, SV_EUNSUPP);
  g_free(t);

  t = replace_all(chrome_offer, "UDP/TLS/RTP/SAVPF", "RTP/AVP");
  parse_fails(t, SV_EUNSUPP);
  g_free(t);

  t = drop_lines(chrome_offer, "a=setup:");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = replace_all(chrome_offer, "a=setup:actpass", "a=setup:holdconn");
  parse_fails(t, SV_EUNSUPP);
  g_free(t);

  t = replace_all(chrome_offer, "a=mid:1", "a=mid:0");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = drop_lines(chrome_offer, "a=mid:");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  t = g_strconcat(chrome_offer, "v=0\r\n", NULL);
  parse_fails(t, SV_EINVAL);
  g_free(t);
}

static void test_too_many_m_lines(void) {
  GString *s = g_string_new("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                            "a=fingerprint:sha-256 " FP_CHROME "\r\na=ice-ufrag:abcd\r\n"
                            "a=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=setup:actpass\r\n"
                            "a=group:BUNDLE");
  for (int i = 0; i < 33; i++)
    g_string_append_printf(s, " %d", i);
  g_string_append(s, "\r\n");
  for (int i = 0; i < 33; i++)
    g_string_append_printf(s,
                           "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:%d\r\n"
                           "a=sendonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n",
                           i);
  parse_fails(s->str, SV_ETOOBIG);

  /* 32 is the limit, and fine. */
  char *cut = strstr(s->str, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:32");
  CHECK(cut != NULL);
  if (cut) {
    *cut = '\0';
    sv_sdp *ok = parse_ok(s->str);
    CHECK_EQ_INT(ok->n_media, 32);
    CHECK_EQ_INT(ok->media[31].codecs[0].codec, SV_CODEC_OPUS);
    g_free(ok);
  }
  g_string_free(s, TRUE);
}

static void test_too_large(void) {
  GString *s = g_string_new(chrome_offer);
  while (s->len < 70 * 1024)
    g_string_append(s, "a=x-padding:0123456789012345678901234567890123456789\r\n");
  parse_fails(s->str, SV_ETOOBIG);
  g_string_free(s, TRUE);
}

/* Hostile values: every one is refused or cut to fit, never overflows. */
static void test_hostile_values(void) {
  char *long_mid = g_strnfill(40, 'm');
  char *mid_line = g_strdup_printf("a=mid:%s", long_mid);
  char *t = replace_all(chrome_offer, "a=mid:1", mid_line);
  parse_fails(t, SV_EINVAL);
  g_free(t);
  g_free(mid_line);
  g_free(long_mid);

  t = replace_all(chrome_offer, "a=mid:1", "a=mid:1,2");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  char *long_ufrag = g_strnfill(300, 'u');
  char *ufrag_line = g_strdup_printf("a=ice-ufrag:%s", long_ufrag);
  t = replace_all(chrome_offer, "a=ice-ufrag:Vx3k", ufrag_line);
  parse_fails(t, SV_EINVAL);
  g_free(t);
  g_free(ufrag_line);
  g_free(long_ufrag);

  t = replace_all(chrome_offer, "a=ice-ufrag:Vx3k", "a=ice-ufrag:V\xc3\xa6k");
  parse_fails(t, SV_EINVAL);
  g_free(t);

  /* Over-long cname and msid are cut; non-ASCII ones are ignored. */
  char *long_cname = g_strnfill(200, 'c');
  char *cname = g_strdup_printf("cname:%s", long_cname);
  t = replace_all(chrome_offer, "cname:4TOk42mSjXCkVIa6", cname);
  char *t2 =
      replace_all(t, "a=msid:5f3a1a4e-0d1b-4b7e-9a0e-1c2d3e4f5a6b 9b8a", "a=msid:\xff\xfe 9b8a");
  sv_sdp *s = parse_ok(t2);
  CHECK_EQ_INT(strlen(s->media[0].cname), sizeof s->media[0].cname - 1);
  /* video: a=msid ignored, a=ssrc msid: used instead */
  CHECK_STR(s->media[1].msid_stream, "5f3a1a4e-0d1b-4b7e-9a0e-1c2d3e4f5a6b");
  g_free(s);
  g_free(t2);
  g_free(t);
  g_free(cname);
  g_free(long_cname);

  /* Bad payload types, rtpmaps and SSRCs are skipped. */
  t = replace_all(chrome_offer, "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
                  "m=audio 9 UDP/TLS/RTP/SAVPF 111 300 abc -1 111 63 ");
  t2 = replace_all(t, "a=ssrc:1001 cname", "a=ssrc:99999999999 cname:x\r\na=ssrc:1001 cname");
  char *t3 = replace_all(t2, "a=rtpmap:63 red/48000/2", "a=rtpmap:63 red/99999999999/2");
  s = parse_ok(t3);
  CHECK_EQ_INT(s->media[0].n_codecs, 2);
  CHECK_EQ_INT(s->media[0].codecs[1].pt, 63);
  CHECK_STR(s->media[0].codecs[1].name, "");
  CHECK_EQ_INT(s->media[0].ssrc, 1001);
  g_free(s);
  g_free(t3);
  g_free(t2);
  g_free(t);

  /* An fmtp that does not fit is dropped, and opus with it is no longer forwardable. */
  char *long_fmtp = g_strnfill(300, 'f');
  char *fmtp = g_strdup_printf("a=fmtp:111 minptime=10;x=%s", long_fmtp);
  t = replace_all(chrome_offer, "a=fmtp:111 minptime=10;useinbandfec=1", fmtp);
  s = parse_ok(t);
  CHECK_STR(s->media[0].codecs[0].fmtp, "");
  CHECK_EQ_INT(s->media[0].codecs[0].codec, SV_CODEC_UNKNOWN);
  g_free(s);
  g_free(t);
  g_free(fmtp);
  g_free(long_fmtp);

  /* Long codec names are cut and not mistaken for known codecs. */
  t = replace_all(chrome_offer, "a=rtpmap:96 VP8/90000",
                  "a=rtpmap:96 VP8VP8VP8VP8VP8VP8VP8VP8VP8VP8VP8VP8/90000");
  s = parse_ok(t);
  CHECK_EQ_INT(s->media[1].codecs[0].codec, SV_CODEC_UNKNOWN);
  CHECK_EQ_INT(strlen(s->media[1].codecs[0].name), 31);
  g_free(s);
  g_free(t);

  /* More than 16 known codecs: the first 16 are kept. */
  GString *many = g_string_new("");
  GString *fmts = g_string_new("m=video 9 UDP/TLS/RTP/SAVPF");
  for (int pt = 96; pt < 96 + 20; pt++) {
    g_string_append_printf(fmts, " %d", pt);
    g_string_append_printf(many, "a=rtpmap:%d VP8/90000\r\n", pt);
  }
  g_string_append(fmts, " 96 96");
  char *vline = g_strconcat(fmts->str, "\r\n", many->str, NULL);
  t = replace_all(chrome_offer,
                  "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 108 109 127 125 39 "
                  "40 45 46 98 99 100 101 112 113 116 117 118\r\n",
                  vline);
  s = parse_ok(t);
  CHECK_EQ_INT(s->media[1].n_codecs, SV_SDP_MAX_CODECS);
  CHECK_EQ_INT(s->media[1].codecs[15].pt, 111);
  g_free(s);
  g_free(t);
  g_free(vline);
  g_string_free(fmts, TRUE);
  g_string_free(many, TRUE);

  /* No err buffer at all is fine. */
  sv_sdp *tmp = sdp_new();
  CHECK_EQ_INT(sv_sdp_parse("nonsense", tmp, NULL, 0), SV_EINVAL);
  g_free(tmp);
}

/* Rejected m-lines everywhere: no transport is needed, and writing keeps a format. */
static void test_all_rejected(void) {
  char *t1 = replace_all(chrome_offer, "m=audio 9 ", "m=audio 0 ");
  char *t2 = replace_all(t1, "m=video 9 ", "m=video 0 ");
  char *t3 = drop_lines(t2, "a=ice-");
  sv_sdp *s = parse_ok(t3);
  CHECK(s->media[0].rejected && s->media[1].rejected);
  CHECK_STR(s->ice_ufrag, "");
  char *text = sv_sdp_write(s);
  CHECK(text != NULL);
  CHECK(text && strstr(text, "a=group:") == NULL);
  CHECK(text && strstr(text, "m=audio 0 UDP/TLS/RTP/SAVPF 111 63") != NULL);
  g_free(text);
  g_free(s);
  g_free(t3);
  g_free(t2);
  g_free(t1);
}

int main(void) {
  RUN(test_parse_chrome);
  RUN(test_parse_safari);
  RUN(test_parse_firefox);
  RUN(test_negotiate_chrome_vp8);
  RUN(test_negotiate_chrome_h264);
  RUN(test_negotiate_opus_fmtp);
  RUN(test_negotiate_safari_falls_back_to_h264);
  RUN(test_negotiate_firefox);
  RUN(test_negotiate_h264_ranking);
  RUN(test_negotiate_nothing_usable);
  RUN(test_negotiate_inactive_and_rejected);
  RUN(test_answer_round_trip);
  RUN(test_subscribe_offer_round_trip);
  RUN(test_rtcp_fb_wildcard_and_bundle_only);
  RUN(test_prefs_parse);
  RUN(test_find_mid);
  RUN(test_errors);
  RUN(test_too_many_m_lines);
  RUN(test_too_large);
  RUN(test_hostile_values);
  RUN(test_all_rejected);
  return check_summary();
}
