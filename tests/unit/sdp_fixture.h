/*
 * sdp_fixture.h — what the SDP unit tests share: three real browser offers
 * (Chrome, Safari, Firefox; also seeds in tests/fuzz/corpus/fuzz_sdp/) and
 * helpers that parse, negotiate and edit them. Included by test_sdp.c and
 * test_sdp_negotiate.c after check.h.
 */
#ifndef SV_TEST_SDP_FIXTURE_H
#define SV_TEST_SDP_FIXTURE_H

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

static inline sv_sdp *sdp_new(void) {
  return g_new0(sv_sdp, 1);
}

/* Parses text and checks that it succeeds; the caller g_free()s. */
static inline sv_sdp *parse_ok(const char *text) {
  char err[256] = "";
  sv_sdp *sdp = sdp_new();
  int rc = sv_sdp_parse(text, sdp, err, sizeof err);
  if (rc != 0) fprintf(stderr, "  parse failed: %s (%s)\n", err, sv_strerror(rc));
  CHECK_EQ_INT(rc, 0);
  return sdp;
}

/* Parses text and checks that it fails with code and says why. */
static inline void parse_fails(const char *text, int code) {
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

static inline char *replace_all(const char *text, const char *from, const char *to) {
  char **parts = g_strsplit(text, from, -1);
  char *out = g_strjoinv(to, parts);
  g_strfreev(parts);
  return out;
}

/* Removes every line that starts with prefix. */
static inline char *drop_lines(const char *text, const char *prefix) {
  char **lines = g_strsplit(text, "\r\n", -1);
  GString *out = g_string_new("");
  for (char **l = lines; *l; l++)
    if (**l && !g_str_has_prefix(*l, prefix)) g_string_append_printf(out, "%s\r\n", *l);
  g_strfreev(lines);
  return g_string_free(out, FALSE);
}

static inline sv_sdp_prefs prefs_of(const char *list) {
  sv_sdp_prefs prefs;
  CHECK_EQ_INT(sv_sdp_prefs_parse(list, &prefs), 0);
  return prefs;
}

static inline sv_sdp *negotiate_ok(const sv_sdp *offer, const char *prefs_list) {
  char err[256] = "";
  sv_sdp_prefs prefs = prefs_of(prefs_list);
  sv_sdp *answer = sdp_new();
  int rc = sv_sdp_negotiate_publish(offer, &prefs, answer, err, sizeof err);
  if (rc != 0) fprintf(stderr, "  negotiate failed: %s\n", err);
  CHECK_EQ_INT(rc, 0);
  return answer;
}

static inline const sv_sdp_codec *find_pt(const sv_sdp_media *m, unsigned pt) {
  for (size_t i = 0; i < m->n_codecs; i++)
    if (m->codecs[i].pt == pt) return &m->codecs[i];
  return NULL;
}

/* Fills the session fields the relay's caller fills before writing. */
static inline void fill_local(sv_sdp *sdp, sv_setup setup) {
  sdp->sess_id = 1234567890123456789ULL;
  sdp->sess_version = 2;
  snprintf(sdp->ice_ufrag, sizeof sdp->ice_ufrag, "rL4y");
  snprintf(sdp->ice_pwd, sizeof sdp->ice_pwd, "k2Jd9Qm+Zx/8VbN3Tp1sWe7R");
  snprintf(sdp->fingerprint, sizeof sdp->fingerprint, FP_RELAY);
  sdp->setup = setup;
}

#endif
