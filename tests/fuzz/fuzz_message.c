/*
 * fuzz_message.c — libFuzzer target for the signalling message validator
 * (signaling/message.c), the first code that sees a client's WebSocket text.
 * Checks the contract on every input: success yields the fields of its type,
 * refusal yields a code and a printable sentence, nothing leaks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signaling/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sv_msg m;
  sv_msg_error e;
  if (sv_message_parse((const char *)data, size, &m, &e) == 0) {
    SV_ASSERT(m.root && m.type_name);
    switch (m.type) {
    case SV_MSG_JOIN:
      SV_ASSERT(m.room && m.name && *m.room && *m.name);
      break;
    case SV_MSG_PUBLISH:
      SV_ASSERT(m.sdp && strlen(m.sdp) <= SV_MESSAGE_MAX_SDP);
      break;
    case SV_MSG_SUBSCRIBE_ANSWER:
      SV_ASSERT(m.sdp);
      break;
    case SV_MSG_CANDIDATE:
      SV_ASSERT(m.pc && m.candidate);
      break;
    case SV_MSG_CHAT:
      SV_ASSERT(m.text && *m.text);
      break;
    case SV_MSG_LAYER:
      SV_ASSERT(m.participant && m.max_layer);
      break;
    case SV_MSG_AUDIO_ONLY:
    case SV_MSG_MEDIA_STATE:
      break;
    case SV_MSG_LEAVE:
    case SV_MSG_ICE_RESTART:
    case SV_MSG_END:
    case SV_MSG_RECORD_REQUEST:
    case SV_MSG_RECORD_CONSENT:
    case SV_MSG_RECORD_START:
    case SV_MSG_RECORD_STOP:
    case SV_MSG_RECORDINGS:
      break;
    case SV_MSG_ADMIT:
    case SV_MSG_REJECT:
    case SV_MSG_REMOVE:
    case SV_MSG_CAPTURE:
    case SV_MSG_MAKE_PRESENTER:
    case SV_MSG_REVOKE_PRESENTER:
    case SV_MSG_GIVE_FLOOR:
    case SV_MSG_STOP_SHARE:
      SV_ASSERT(m.participant && *m.participant);
      break;
    case SV_MSG_RAISE_HAND:
    case SV_MSG_LOWER_HAND:
    case SV_MSG_TAKE_FLOOR:
      break;
    case SV_MSG_WAITING_MESSAGE:
      SV_ASSERT(m.text && *m.text);
      break;
    case SV_MSG_URGENT_WATCH:
      SV_ASSERT(m.token && *m.token);
      break;
    case SV_MSG_URGENT_REQUEST:
      SV_ASSERT(m.token && *m.token && m.team && *m.team);
      break;
    case SV_MSG_URGENT_CANCEL:
      break;
    case SV_MSG_URGENT_ACCEPT:
    case SV_MSG_CAPTURE_CONSENT:
      SV_ASSERT(m.request && *m.request);
      break;
    }
    /* The replies built from these strings must serialise. */
    char *text = json_dumps(m.root, JSON_COMPACT);
    SV_ASSERT(text);
    free(text);
    sv_message_clear(&m);
    return 0;
  }
  SV_ASSERT(e.code && m.root == NULL);
  for (const char *p = e.message; *p; p++)
    SV_ASSERT((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e);
  json_t *s = json_string(e.message);
  SV_ASSERT(s);
  json_decref(s);
  sv_message_error_clear(&e);
  return 0;
}
