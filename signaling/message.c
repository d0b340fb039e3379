/*
 * message.c — the declared field tables of the client → server messages and
 * the one validator that checks a frame against them before any handler
 * acts on it.
 *
 * Adding a message type means adding a table below and a handler in
 * session.c; nothing here acts on a message. Unknown extra fields are
 * ignored; a JSON null in an optional field counts as absent.
 */
#include "signaling/message.h"

#include <glib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"
#include "relay/relay.h"

typedef enum { SV_FIELD_STRING, SV_FIELD_UINT32, SV_FIELD_ENUM, SV_FIELD_BOOL } sv_field_kind;

enum {
  SV_F_REQUIRED = 1 << 0,
  SV_F_ID_CHARS = 1 << 1, /* only [A-Za-z0-9_-] */
  SV_F_TRIM = 1 << 2,     /* strip surrounding white space before measuring */
  SV_F_CHARS = 1 << 3,    /* min/max count characters (code points), else bytes */
  SV_F_PLAIN = 1 << 4,    /* no control or bidirectional formatting characters */
  SV_F_TOO_LONG = 1 << 5, /* over max is `too-long`, not `bad-request`: a person's text */
  SV_F_LINES = 1 << 6,    /* SV_F_PLAIN, but line breaks are allowed */
};

typedef struct sv_field {
  const char *name;
  sv_field_kind kind;
  unsigned flags;
  size_t min, max;           /* length for strings */
  const char *const *values; /* NULL-terminated, for SV_FIELD_ENUM */
  size_t offset;             /* where the value goes in sv_msg */
  const char *rule;          /* completes "field 'x' must be ..." */
} sv_field;

typedef struct sv_msg_spec {
  const char *type;
  sv_msg_type id;
  const sv_field *fields;
  size_t n_fields;
} sv_msg_spec;

#define FIELD_STR(n, fl, lo, hi, member, r)                                                        \
  {                                                                                                \
    .name = (n), .kind = SV_FIELD_STRING, .flags = (fl), .min = (lo), .max = (hi),                 \
    .offset = offsetof(sv_msg, member), .rule = (r)                                                \
  }

static const sv_field join_fields[] = {
    FIELD_STR("room", SV_F_REQUIRED | SV_F_ID_CHARS, 1, SV_MESSAGE_MAX_ROOM, room,
              "a string of 1-64 characters [A-Za-z0-9_-]"),
    FIELD_STR("name", SV_F_REQUIRED | SV_F_TRIM | SV_F_CHARS | SV_F_PLAIN, 1, SV_MESSAGE_MAX_NAME,
              name, "a string of 1-64 characters, not only spaces, without control characters"),
    FIELD_STR("token", 0, 0, SV_MESSAGE_MAX_TOKEN, token, "a string of at most 4096 characters"),
    {.name = "noticeAck",
     .kind = SV_FIELD_BOOL,
     .offset = offsetof(sv_msg, notice_ack),
     .rule = "true or false (the privacy notice was acknowledged)"},
};

static const sv_field target_fields[] = {
    FIELD_STR("participant", SV_F_REQUIRED | SV_F_ID_CHARS, 1, 32, participant,
              "a participant id (1-32 characters [A-Za-z0-9_-])"),
};

static const sv_field waiting_message_fields[] = {
    FIELD_STR("text", SV_F_REQUIRED | SV_F_TRIM | SV_F_CHARS | SV_F_PLAIN, 1, SV_MESSAGE_MAX_WAIT,
              text, "a string of 1-200 characters without control characters"),
};

static const sv_field urgent_watch_fields[] = {
    FIELD_STR("token", SV_F_REQUIRED, 1, SV_MESSAGE_MAX_TOKEN, token,
              "the token of an on-call link (at most 4096 characters)"),
};

/* What an urgent request is about: a fixed list, never free text
 * (docs/protocol.md, "Urgent guidance"). */
const char *const sv_urgent_categories[] = {"wound", "medication", "breathing",
                                            "fall",  "other",      NULL};

static const sv_field urgent_request_fields[] = {
    FIELD_STR("token", SV_F_REQUIRED, 1, SV_MESSAGE_MAX_TOKEN, token,
              "the token of an urgent-help link (at most 4096 characters)"),
    FIELD_STR("team", SV_F_REQUIRED | SV_F_ID_CHARS, 1, 63, team,
              "the id of the on-call team to ask (1-63 characters [A-Za-z0-9_-])"),
    {.name = "category",
     .kind = SV_FIELD_ENUM,
     .values = sv_urgent_categories,
     .offset = offsetof(sv_msg, category),
     .rule = "one of \"wound\", \"medication\", \"breathing\", \"fall\", \"other\""},
};

static const sv_field urgent_accept_fields[] = {
    FIELD_STR("request", SV_F_REQUIRED | SV_F_ID_CHARS, 1, 63, request,
              "the id of an urgent request (1-63 characters [A-Za-z0-9_-])"),
};

static const sv_field publish_fields[] = {
    FIELD_STR("sdp", SV_F_REQUIRED, 1, SV_MESSAGE_MAX_SDP, sdp,
              "a string holding an SDP offer of at most 64 KiB"),
};

static const sv_field subscribe_answer_fields[] = {
    {.name = "rev",
     .kind = SV_FIELD_UINT32,
     .flags = SV_F_REQUIRED,
     .offset = offsetof(sv_msg, rev),
     .rule = "an integer 0-4294967295 (the rev of the subscribe offer)"},
    FIELD_STR("sdp", SV_F_REQUIRED, 1, SV_MESSAGE_MAX_SDP, sdp,
              "a string holding an SDP answer of at most 64 KiB"),
};

static const sv_field candidate_fields[] = {
    {.name = "pc",
     .kind = SV_FIELD_ENUM,
     .flags = SV_F_REQUIRED,
     .values = sv_pc_kind_names,
     .offset = offsetof(sv_msg, pc),
     .rule = "\"publish\" or \"subscribe\""},
    FIELD_STR("candidate", SV_F_REQUIRED, 0, SV_MESSAGE_MAX_CAND, candidate,
              "a string of at most 1024 characters (\"\" ends the candidates)"),
    FIELD_STR("sdpMid", 0, 0, SV_MESSAGE_MAX_MID, mid, "a string of at most 32 characters"),
};

static const sv_field chat_fields[] = {
    FIELD_STR("text", SV_F_REQUIRED | SV_F_CHARS | SV_F_TOO_LONG | SV_F_LINES, 1,
              SV_MESSAGE_MAX_CHAT, text,
              "a string of 1-2000 characters without control characters (line breaks are allowed)"),
};

static const sv_field consent_fields[] = {
    {.name = "agree",
     .kind = SV_FIELD_BOOL,
     .flags = SV_F_REQUIRED,
     .offset = offsetof(sv_msg, agree),
     .rule = "true (I agree to being recorded) or false (I do not, or no longer)"},
};

static const sv_field capture_consent_fields[] = {
    FIELD_STR("request", SV_F_REQUIRED | SV_F_ID_CHARS, 1, 32, request,
              "the id of a capture-request (1-32 characters [A-Za-z0-9_-])"),
    {.name = "agree",
     .kind = SV_FIELD_BOOL,
     .flags = SV_F_REQUIRED,
     .offset = offsetof(sv_msg, agree),
     .rule = "true (take the still) or false (do not)"},
};

static const char *const layer_values[] = {"low", "medium", "high", "auto", NULL};

static const sv_field layer_fields[] = {
    FIELD_STR("participant", SV_F_REQUIRED | SV_F_ID_CHARS, 1, 32, participant,
              "a participant id (1-32 characters [A-Za-z0-9_-]): whose video"),
    {.name = "max",
     .kind = SV_FIELD_ENUM,
     .flags = SV_F_REQUIRED,
     .values = layer_values,
     .offset = offsetof(sv_msg, max_layer),
     .rule = "\"low\", \"medium\", \"high\" or \"auto\" (the highest video layer wanted)"},
};

static const sv_field audio_only_fields[] = {
    {.name = "on",
     .kind = SV_FIELD_BOOL,
     .flags = SV_F_REQUIRED,
     .offset = offsetof(sv_msg, on),
     .rule = "true (receive audio only) or false (receive video again)"},
};

static const sv_field media_state_fields[] = {
    {.name = "audio",
     .kind = SV_FIELD_BOOL,
     .flags = SV_F_REQUIRED,
     .offset = offsetof(sv_msg, audio),
     .rule = "true (the microphone is on) or false (muted, or no microphone)"},
    {.name = "video",
     .kind = SV_FIELD_BOOL,
     .flags = SV_F_REQUIRED,
     .offset = offsetof(sv_msg, video),
     .rule = "true (the camera is on) or false (off, or no camera)"},
};

static const sv_field give_floor_fields[] = {
    FIELD_STR("participant", SV_F_REQUIRED | SV_F_ID_CHARS, 1, 32, participant,
              "a participant id (1-32 characters [A-Za-z0-9_-]): the attendee to hear"),
    {.name = "video",
     .kind = SV_FIELD_BOOL,
     .offset = offsetof(sv_msg, video),
     .rule = "true (the attendee may send video too) or false (audio only, the default)"},
};

static const sv_msg_spec specs[] = {
    {"join", SV_MSG_JOIN, join_fields, SV_ARRAY_LEN(join_fields)},
    {"publish", SV_MSG_PUBLISH, publish_fields, SV_ARRAY_LEN(publish_fields)},
    {"subscribe-answer", SV_MSG_SUBSCRIBE_ANSWER, subscribe_answer_fields,
     SV_ARRAY_LEN(subscribe_answer_fields)},
    {"candidate", SV_MSG_CANDIDATE, candidate_fields, SV_ARRAY_LEN(candidate_fields)},
    {"chat", SV_MSG_CHAT, chat_fields, SV_ARRAY_LEN(chat_fields)},
    {"leave", SV_MSG_LEAVE, NULL, 0},
    {"ice-restart", SV_MSG_ICE_RESTART, NULL, 0},
    {"admit", SV_MSG_ADMIT, target_fields, SV_ARRAY_LEN(target_fields)},
    {"reject", SV_MSG_REJECT, target_fields, SV_ARRAY_LEN(target_fields)},
    {"remove", SV_MSG_REMOVE, target_fields, SV_ARRAY_LEN(target_fields)},
    {"end", SV_MSG_END, NULL, 0},
    {"waiting-message", SV_MSG_WAITING_MESSAGE, waiting_message_fields,
     SV_ARRAY_LEN(waiting_message_fields)},
    {"record-request", SV_MSG_RECORD_REQUEST, NULL, 0},
    {"record-consent", SV_MSG_RECORD_CONSENT, consent_fields, SV_ARRAY_LEN(consent_fields)},
    {"record-start", SV_MSG_RECORD_START, NULL, 0},
    {"record-stop", SV_MSG_RECORD_STOP, NULL, 0},
    {"recordings", SV_MSG_RECORDINGS, NULL, 0},
    {"capture", SV_MSG_CAPTURE, target_fields, SV_ARRAY_LEN(target_fields)},
    {"capture-consent", SV_MSG_CAPTURE_CONSENT, capture_consent_fields,
     SV_ARRAY_LEN(capture_consent_fields)},
    {"urgent-watch", SV_MSG_URGENT_WATCH, urgent_watch_fields, SV_ARRAY_LEN(urgent_watch_fields)},
    {"urgent-request", SV_MSG_URGENT_REQUEST, urgent_request_fields,
     SV_ARRAY_LEN(urgent_request_fields)},
    {"urgent-accept", SV_MSG_URGENT_ACCEPT, urgent_accept_fields,
     SV_ARRAY_LEN(urgent_accept_fields)},
    {"urgent-cancel", SV_MSG_URGENT_CANCEL, NULL, 0},
    {"layer", SV_MSG_LAYER, layer_fields, SV_ARRAY_LEN(layer_fields)},
    {"audio-only", SV_MSG_AUDIO_ONLY, audio_only_fields, SV_ARRAY_LEN(audio_only_fields)},
    {"media-state", SV_MSG_MEDIA_STATE, media_state_fields, SV_ARRAY_LEN(media_state_fields)},
    {"make-presenter", SV_MSG_MAKE_PRESENTER, target_fields, SV_ARRAY_LEN(target_fields)},
    {"revoke-presenter", SV_MSG_REVOKE_PRESENTER, target_fields, SV_ARRAY_LEN(target_fields)},
    {"raise-hand", SV_MSG_RAISE_HAND, NULL, 0},
    {"lower-hand", SV_MSG_LOWER_HAND, NULL, 0},
    {"give-floor", SV_MSG_GIVE_FLOOR, give_floor_fields, SV_ARRAY_LEN(give_floor_fields)},
    {"take-floor", SV_MSG_TAKE_FLOOR, NULL, 0},
    {"stop-share", SV_MSG_STOP_SHARE, target_fields, SV_ARRAY_LEN(target_fields)},
};

/* Builds err->message and keeps it printable ASCII: parts of it may come from
 * the client's bytes (a type name, a JSON parser excerpt) and the sentence is
 * later put into a JSON string, which must be valid UTF-8. */
static int fail(sv_msg_error *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(sv_msg_error *err, const char *code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  for (char *p = err->message; *p; p++) {
    if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) *p = '?';
  }
  err->code = code;
  return SV_EINVAL;
}

static bool is_id_chars(const char *s) {
  for (; *s; s++) {
    if (!g_ascii_isalnum(*s) && *s != '_' && *s != '-') return false;
  }
  return true;
}

bool sv_message_room_id_ok(const char *room) {
  size_t n = room ? strlen(room) : 0;
  return n > 0 && n <= SV_MESSAGE_MAX_ROOM && is_id_chars(room);
}

/* sv_text_plain() for a text of several lines: "\n" is the one control
 * character allowed. */
static bool plain_lines(const char *s) {
  char *copy = g_strdelimit(g_strdup(s), "\n", ' ');
  bool ok = sv_text_plain(copy);
  g_free(copy);
  return ok;
}

/* Replaces the string member `name` of root by its trimmed copy and returns
 * the new value. jansson strings are valid UTF-8, so walking by characters
 * is safe. */
static json_t *trim_in_place(json_t *root, const char *name, json_t *value) {
  const char *s = json_string_value(value);
  const char *end = s + json_string_length(value);
  while (s < end && g_unichar_isspace(g_utf8_get_char(s)))
    s = g_utf8_next_char(s);
  while (end > s) {
    const char *prev = g_utf8_prev_char(end);
    if (!g_unichar_isspace(g_utf8_get_char(prev))) break;
    end = prev;
  }
  if (s == json_string_value(value) && end == s + strlen(s)) return value;
  json_t *trimmed = json_stringn(s, (size_t)(end - s));
  SV_ASSERT(trimmed); /* a sub-range of valid UTF-8 on character boundaries */
  json_object_set_new(root, name, trimmed);
  return trimmed;
}

static int check_string(json_t *root, const sv_field *f, json_t *value, sv_msg *out,
                        sv_msg_error *err) {
  if (!json_is_string(value))
    return fail(err, "bad-request", "field '%s' must be %s", f->name, f->rule);
  if (f->flags & SV_F_TRIM) value = trim_in_place(root, f->name, value);
  const char *s = json_string_value(value);
  size_t bytes = json_string_length(value);
  if (strlen(s) != bytes) /* an escaped NUL; the parser refuses them, be sure anyway */
    return fail(err, "bad-request", "field '%s' must not contain NUL characters", f->name);
  size_t len = (f->flags & SV_F_CHARS) ? (size_t)g_utf8_strlen(s, (gssize)bytes) : bytes;
  /* Refused whole, never cut: the person is told the limit and shortens it. */
  if (len > f->max && (f->flags & SV_F_TOO_LONG))
    return fail(err, "too-long", "field '%s' has %zu characters; at most %zu are passed on",
                f->name, len, f->max);
  if (len < f->min || len > f->max)
    return fail(err, "bad-request", "field '%s' must be %s", f->name, f->rule);
  if ((f->flags & SV_F_ID_CHARS) && !is_id_chars(s))
    return fail(err, "bad-request", "field '%s' must be %s", f->name, f->rule);
  if ((f->flags & SV_F_PLAIN) && !sv_text_plain(s))
    return fail(err, "bad-request", "field '%s' must be %s", f->name, f->rule);
  if ((f->flags & SV_F_LINES) && !plain_lines(s))
    return fail(err, "bad-request", "field '%s' must be %s", f->name, f->rule);
  *(const char **)((char *)out + f->offset) = s;
  return 0;
}

static int check_field(json_t *root, const sv_field *f, sv_msg *out, sv_msg_error *err) {
  json_t *value = json_object_get(root, f->name);
  if (!value || json_is_null(value)) {
    if (f->flags & SV_F_REQUIRED)
      return fail(err, "bad-request", "field '%s' is missing; it must be %s", f->name, f->rule);
    return 0;
  }
  switch (f->kind) {
  case SV_FIELD_STRING:
    return check_string(root, f, value, out, err);
  case SV_FIELD_UINT32: {
    if (!json_is_integer(value) || json_integer_value(value) < 0 ||
        json_integer_value(value) > (json_int_t)UINT32_MAX)
      return fail(err, "bad-request", "field '%s' must be %s", f->name, f->rule);
    *(uint32_t *)((char *)out + f->offset) = (uint32_t)json_integer_value(value);
    return 0;
  }
  case SV_FIELD_BOOL:
    if (!json_is_boolean(value))
      return fail(err, "bad-request", "field '%s' must be %s", f->name, f->rule);
    *(int *)((char *)out + f->offset) = json_is_true(value) ? 1 : 0;
    return 0;
  case SV_FIELD_ENUM: {
    const char *s = json_string_value(value); /* NULL unless a string */
    for (const char *const *v = f->values; s && *v; v++) {
      if (strcmp(s, *v) == 0) {
        *(const char **)((char *)out + f->offset) = *v;
        return 0;
      }
    }
    return fail(err, "bad-request", "field '%s' must be %s", f->name, f->rule);
  }
  }
  return fail(err, "bad-request", "field '%s' has an unknown kind", f->name);
}

/* The id is checked before the type so that every later error can echo it. */
static int check_id(json_t *root, sv_msg *out, sv_msg_error *err) {
  json_t *id = json_object_get(root, "id");
  if (!id || json_is_null(id)) return 0;
  bool ok =
      json_is_integer(id) ||
      (json_is_string(id) &&
       g_utf8_strlen(json_string_value(id), (gssize)json_string_length(id)) <= SV_MESSAGE_MAX_ID);
  if (!ok)
    return fail(err, "bad-request",
                "field 'id' must be an integer or a string of at most 64 characters");
  out->id = id;
  return 0;
}

/* Echoes the client's type name only when it is short and harmless. */
static const char *printable_type(const char *type) {
  size_t n = strlen(type);
  if (n == 0 || n > 32) return NULL;
  for (const char *p = type; *p; p++) {
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_') return NULL;
  }
  return type;
}

int sv_message_parse(const char *data, size_t len, sv_msg *out, sv_msg_error *err) {
  int rc = SV_EINVAL;
  json_error_t jerr;
  memset(out, 0, sizeof *out);
  memset(err, 0, sizeof *err);

  json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
  if (!root) {
    rc = fail(err, "bad-request", "message is not valid JSON: %s (at character %d)", jerr.text,
              jerr.position);
    goto out;
  }
  if (!json_is_object(root)) {
    rc = fail(err, "bad-request", "message must be a JSON object");
    goto out;
  }
  out->root = root;
  if ((rc = check_id(root, out, err)) < 0) goto out;
  if (out->id) err->id = json_incref(out->id);

  json_t *type = json_object_get(root, "type");
  if (!json_is_string(type)) {
    rc = fail(err, "bad-request", "field 'type' must be a string naming the message type");
    goto out;
  }
  const sv_msg_spec *spec = NULL;
  for (size_t i = 0; i < SV_ARRAY_LEN(specs); i++) {
    if (strcmp(json_string_value(type), specs[i].type) == 0) spec = &specs[i];
  }
  if (!spec) {
    const char *shown = printable_type(json_string_value(type));
    rc = shown ? fail(err, "unknown-type", "unknown message type '%s'", shown)
               : fail(err, "unknown-type", "unknown message type");
    goto out;
  }
  out->type = spec->id;
  out->type_name = spec->type;
  for (size_t i = 0; i < spec->n_fields; i++) {
    if ((rc = check_field(root, &spec->fields[i], out, err)) < 0) goto out;
  }
  json_decref(err->id);
  err->id = NULL;
  return 0;

out:
  json_decref(root);
  memset(out, 0, sizeof *out);
  return rc;
}

void sv_message_clear(sv_msg *msg) {
  json_decref(msg->root);
  memset(msg, 0, sizeof *msg);
}

void sv_message_error_clear(sv_msg_error *err) {
  json_decref(err->id);
  err->id = NULL;
}
