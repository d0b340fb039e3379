/*
 * message.h — parsing and validation of client → server signalling messages
 * (docs/protocol.md). Private to signaling/; pure (no I/O), so it is unit
 * tested and fuzzed on its own.
 *
 * Each message type has a declared table of fields (name, JSON type, length
 * or range, required or not). sv_message_parse() checks a frame against its
 * table before anything acts on it, and on failure produces the error code
 * and a sentence naming the field, ready to send back to the client.
 */
#ifndef SV_SIGNALING_MESSAGE_H
#define SV_SIGNALING_MESSAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

#define SV_MESSAGE_MAX_ID    64 /* characters of a string "id" */
#define SV_MESSAGE_MAX_ROOM  64
#define SV_MESSAGE_MAX_NAME  64
#define SV_MESSAGE_MAX_CHAT  2000 /* characters of a chat text; more is `too-long` */
#define SV_MESSAGE_MAX_SDP   (64 * 1024)
#define SV_MESSAGE_MAX_CAND  1024
#define SV_MESSAGE_MAX_MID   32
#define SV_MESSAGE_MAX_TOKEN 4096
#define SV_MESSAGE_MAX_WAIT  200 /* characters of a waiting-room message */

typedef enum {
  SV_MSG_JOIN = 0,
  SV_MSG_PUBLISH,
  SV_MSG_SUBSCRIBE_ANSWER,
  SV_MSG_CANDIDATE,
  SV_MSG_CHAT,
  SV_MSG_LEAVE,
  SV_MSG_ICE_RESTART, /* new ICE credentials for the subscribe connection */
  SV_MSG_ADMIT,
  SV_MSG_REJECT,
  SV_MSG_REMOVE,
  SV_MSG_END,
  SV_MSG_WAITING_MESSAGE,
  SV_MSG_RECORD_REQUEST,
  SV_MSG_RECORD_CONSENT,
  SV_MSG_RECORD_START,
  SV_MSG_RECORD_STOP,
  SV_MSG_RECORDINGS,
  SV_MSG_CAPTURE,
  SV_MSG_CAPTURE_CONSENT, /* the answer to a capture-request (stills.c) */
  SV_MSG_URGENT_WATCH,    /* urgent guidance (urgent.c) */
  SV_MSG_URGENT_REQUEST,
  SV_MSG_URGENT_ACCEPT,
  SV_MSG_URGENT_CANCEL,  /* the requester withdraws its waiting request */
  SV_MSG_LAYER,          /* weak links (adapt.c): the highest video layer wanted of someone */
  SV_MSG_AUDIO_ONLY,     /* receive no video */
  SV_MSG_MEDIA_STATE,    /* microphone muted or not, camera on or off (media_state.c) */
  SV_MSG_MAKE_PRESENTER, /* group teaching (classroom.c) */
  SV_MSG_REVOKE_PRESENTER,
  SV_MSG_RAISE_HAND,
  SV_MSG_LOWER_HAND,
  SV_MSG_GIVE_FLOOR,
  SV_MSG_TAKE_FLOOR,
  SV_MSG_STOP_SHARE, /* a host stops someone's screen share (screenshare.c) */
} sv_msg_type;

/* A validated message. Every string points into `root` and lives as long as
 * the message; absent optional fields are NULL. Only the fields of `type`
 * are set. */
typedef struct sv_msg {
  sv_msg_type type;
  const char *type_name;   /* static: "join", "publish", ... */
  json_t *root;            /* owned: the parsed object */
  json_t *id;              /* borrowed from root: integer or string, NULL if absent */
  const char *room;        /* join */
  const char *name;        /* join: already trimmed of surrounding white space */
  const char *token;       /* join (optional), urgent-watch, urgent-request */
  const char *sdp;         /* publish, subscribe-answer */
  const char *pc;          /* candidate: "publish" or "subscribe" */
  const char *candidate;   /* candidate: may be "" (end of candidates) */
  const char *mid;         /* candidate: sdpMid, optional */
  const char *text;        /* chat, waiting-message */
  const char *participant; /* admit, reject, remove, capture, layer, make-/revoke-presenter,
                              give-floor, stop-share */
  const char *team;        /* urgent-request: the on-call team asked */
  const char *request;     /* urgent-accept, capture-consent */
  const char *category;    /* urgent-request (optional): static, one of sv_urgent_categories */
  const char *max_layer;   /* layer: static "low", "medium", "high" or "auto" */
  uint32_t rev;            /* subscribe-answer */
  int notice_ack;          /* join: 1 when "noticeAck" is true */
  int agree;               /* record-consent, capture-consent: 1 when "agree" is true */
  int on;                  /* audio-only: 1 when "on" is true */
  int audio;               /* media-state: 1 when the microphone sends (not muted) */
  int video;               /* media-state: 1 when the camera sends (on); give-floor: 1 when
                              the attendee may send video too */
} sv_msg;

/* Why a frame was refused: a protocol error code and a sentence for the
 * client. id is a new reference to the frame's "id" when it could be read
 * (so the error can echo it), else NULL. */
typedef struct sv_msg_error {
  const char *code; /* static: "bad-request", "unknown-type" or "too-long" */
  char message[256];
  json_t *id;
} sv_msg_error;

/* The categories an urgent request may carry, NULL-terminated. */
extern const char *const sv_urgent_categories[];

/* Parses and validates one text frame of len bytes (need not be
 * NUL-terminated). On success returns 0 and fills *out; free it with
 * sv_message_clear(). On failure returns SV_EINVAL, fills *err (free with
 * sv_message_error_clear()) and leaves *out zeroed. Never reads past len. */
int sv_message_parse(const char *data, size_t len, sv_msg *out, sv_msg_error *err);

/* Releases what sv_message_parse() put in msg. Safe on a zeroed msg. */
void sv_message_clear(sv_msg *msg);

/* A room id as `join` accepts it: 1..SV_MESSAGE_MAX_ROOM characters of
 * [A-Za-z0-9_-] (so also safe as a file name). */
bool sv_message_room_id_ok(const char *room);
/* Releases the id reference in err. Safe on a zeroed err. */
void sv_message_error_clear(sv_msg_error *err);

#endif
