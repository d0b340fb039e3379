/*
 * test_message.c — signaling/message.c: each client message type against its
 * field table. Valid messages come out with their fields set; malformed ones
 * give the right protocol code and a sentence naming the field, with the
 * request id echoed whenever it could be read.
 */
#include <glib.h>
#include <string.h>

#include "check.h"
#include "signaling/message.h"

static int parse(const char *text, sv_msg *m, sv_msg_error *e) {
  return sv_message_parse(text, strlen(text), m, e);
}

/* Expects text to be refused with `code` and a message containing `frag`. */
static void expect_refused(const char *text, const char *code, const char *frag) {
  sv_msg m;
  sv_msg_error e;
  int rc = parse(text, &m, &e);
  CHECK_EQ_INT(rc, SV_EINVAL);
  CHECK(m.root == NULL);
  if (rc == SV_EINVAL) {
    CHECK_STR(e.code, code);
    if (!strstr(e.message, frag)) {
      fprintf(stderr, "  %s: message \"%s\" lacks \"%s\"\n", text, e.message, frag);
      check_failures_in_test++;
    }
  }
  sv_message_error_clear(&e);
}

static void test_join(void) {
  sv_msg m;
  sv_msg_error e;
  CHECK_EQ_INT(parse("{\"type\":\"join\",\"id\":1,\"room\":\"r7k2-m9_A\",\"name\":\"  Kari "
                     "Nordmann\\t\",\"token\":\"abc\",\"extra\":[1,2]}",
                     &m, &e),
               0);
  CHECK_EQ_INT(m.type, SV_MSG_JOIN);
  CHECK_STR(m.type_name, "join");
  CHECK(json_is_integer(m.id) && json_integer_value(m.id) == 1);
  CHECK_STR(m.room, "r7k2-m9_A");
  CHECK_STR(m.name, "Kari Nordmann"); /* trimmed */
  CHECK_STR(m.token, "abc");
  sv_message_clear(&m);
  sv_message_clear(&m); /* safe twice */

  /* Optional token absent or null; 64-character names in characters, not bytes. */
  CHECK_EQ_INT(parse("{\"type\":\"join\",\"room\":\"r\",\"name\":\"\\u00c6\\u00d8\\u00c5 Ola\","
                     "\"token\":null}",
                     &m, &e),
               0);
  CHECK(m.token == NULL && m.id == NULL);
  CHECK_STR(m.name, "\xc3\x86\xc3\x98\xc3\x85 Ola");
  sv_message_clear(&m);
  char text[512];
  snprintf(text, sizeof text, "{\"type\":\"join\",\"room\":\"r\",\"name\":\"%s\"}",
           "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6" /* 8 x æ */
           "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6"
           "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6"
           "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6"
           "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6"
           "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6"
           "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6"
           "\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6\xc3\xa6");
  CHECK_EQ_INT(parse(text, &m, &e), 0);
  sv_message_clear(&m);

  expect_refused("{\"type\":\"join\",\"id\":2,\"name\":\"x\"}", "bad-request",
                 "field 'room' is missing");
  expect_refused("{\"type\":\"join\",\"room\":\"\",\"name\":\"x\"}", "bad-request", "'room'");
  expect_refused("{\"type\":\"join\",\"room\":\"a b\",\"name\":\"x\"}", "bad-request",
                 "[A-Za-z0-9_-]");
  expect_refused("{\"type\":\"join\",\"room\":\"../etc\",\"name\":\"x\"}", "bad-request", "'room'");
  expect_refused("{\"type\":\"join\",\"room\":7,\"name\":\"x\"}", "bad-request", "'room'");
  expect_refused("{\"type\":\"join\",\"room\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                 "aaaaaaaaaaaaaaa\",\"name\":\"x\"}",
                 "bad-request", "1-64");
  expect_refused("{\"type\":\"join\",\"room\":\"r\"}", "bad-request", "field 'name' is missing");
  expect_refused("{\"type\":\"join\",\"room\":\"r\",\"name\":\"   \"}", "bad-request", "'name'");
  expect_refused("{\"type\":\"join\",\"room\":\"r\",\"name\":\"a\\u0007b\"}", "bad-request",
                 "'name'");
  expect_refused("{\"type\":\"join\",\"room\":\"r\",\"name\":\"\\u202eevil\"}", "bad-request",
                 "'name'");
  expect_refused("{\"type\":\"join\",\"room\":\"r\",\"name\":\"x\",\"token\":5}", "bad-request",
                 "'token'");
}

static void test_publish(void) {
  sv_msg m;
  sv_msg_error e;
  CHECK_EQ_INT(parse("{\"type\":\"publish\",\"id\":\"req-2\",\"sdp\":\"v=0\\r\\n\"}", &m, &e), 0);
  CHECK_EQ_INT(m.type, SV_MSG_PUBLISH);
  CHECK_STR(json_string_value(m.id), "req-2");
  CHECK_STR(m.sdp, "v=0\r\n");
  sv_message_clear(&m);

  expect_refused("{\"type\":\"publish\",\"id\":3}", "bad-request", "field 'sdp' is missing");
  expect_refused("{\"type\":\"publish\",\"sdp\":\"\"}", "bad-request", "'sdp'");
  expect_refused("{\"type\":\"publish\",\"sdp\":{\"v\":0}}", "bad-request", "'sdp'");

  /* The SDP cap is 64 KiB. */
  size_t n = SV_MESSAGE_MAX_SDP + 1;
  char *big = g_malloc(n + 64);
  int off = snprintf(big, 64, "{\"type\":\"publish\",\"sdp\":\"");
  memset(big + off, 'a', n);
  strcpy(big + off + n, "\"}");
  expect_refused(big, "bad-request", "64 KiB");
  big[off + n - 1] = '"';
  big[off + n] = '}';
  big[off + n + 1] = '\0';
  CHECK_EQ_INT(parse(big, &m, &e), 0); /* exactly 64 KiB */
  sv_message_clear(&m);
  g_free(big);
}

static void test_subscribe_answer(void) {
  sv_msg m;
  sv_msg_error e;
  CHECK_EQ_INT(parse("{\"type\":\"subscribe-answer\",\"rev\":4294967295,\"sdp\":\"v=0\"}", &m, &e),
               0);
  CHECK_EQ_INT(m.type, SV_MSG_SUBSCRIBE_ANSWER);
  CHECK_EQ_INT(m.rev, 4294967295u);
  CHECK_STR(m.sdp, "v=0");
  sv_message_clear(&m);

  expect_refused("{\"type\":\"subscribe-answer\",\"sdp\":\"v=0\"}", "bad-request",
                 "field 'rev' is missing");
  expect_refused("{\"type\":\"subscribe-answer\",\"rev\":-1,\"sdp\":\"v=0\"}", "bad-request",
                 "'rev'");
  expect_refused("{\"type\":\"subscribe-answer\",\"rev\":4294967296,\"sdp\":\"v=0\"}",
                 "bad-request", "'rev'");
  expect_refused("{\"type\":\"subscribe-answer\",\"rev\":1.5,\"sdp\":\"v=0\"}", "bad-request",
                 "'rev'");
  expect_refused("{\"type\":\"subscribe-answer\",\"rev\":\"3\",\"sdp\":\"v=0\"}", "bad-request",
                 "'rev'");
  expect_refused("{\"type\":\"subscribe-answer\",\"rev\":3}", "bad-request", "'sdp'");
}

static void test_candidate(void) {
  sv_msg m;
  sv_msg_error e;
  CHECK_EQ_INT(parse("{\"type\":\"candidate\",\"pc\":\"publish\",\"candidate\":\"candidate:1 1 udp "
                     "2122260223 127.0.0.1 50000 typ host\",\"sdpMid\":\"0\","
                     "\"sdpMLineIndex\":0}",
                     &m, &e),
               0);
  CHECK_EQ_INT(m.type, SV_MSG_CANDIDATE);
  CHECK_STR(m.pc, "publish");
  CHECK_STR(m.mid, "0");
  CHECK(strncmp(m.candidate, "candidate:1 1 udp", 17) == 0);
  sv_message_clear(&m);

  /* End of candidates: empty candidate, sdpMid null or absent. */
  CHECK_EQ_INT(parse("{\"type\":\"candidate\",\"pc\":\"subscribe\",\"candidate\":\"\","
                     "\"sdpMid\":null}",
                     &m, &e),
               0);
  CHECK_STR(m.pc, "subscribe");
  CHECK_STR(m.candidate, "");
  CHECK(m.mid == NULL);
  sv_message_clear(&m);

  expect_refused("{\"type\":\"candidate\",\"pc\":\"both\",\"candidate\":\"\"}", "bad-request",
                 "field 'pc' must be \"publish\" or \"subscribe\"");
  expect_refused("{\"type\":\"candidate\",\"pc\":1,\"candidate\":\"\"}", "bad-request", "'pc'");
  expect_refused("{\"type\":\"candidate\",\"candidate\":\"\"}", "bad-request",
                 "field 'pc' is missing");
  expect_refused("{\"type\":\"candidate\",\"pc\":\"publish\"}", "bad-request",
                 "field 'candidate' is missing");
  expect_refused("{\"type\":\"candidate\",\"pc\":\"publish\",\"candidate\":\"\",\"sdpMid\":0}",
                 "bad-request", "'sdpMid'");
}

static void test_chat_and_leave(void) {
  sv_msg m;
  sv_msg_error e;
  CHECK_EQ_INT(parse("{\"type\":\"chat\",\"text\":\"Kan du flytte kameraet litt?\\n\"}", &m, &e),
               0);
  CHECK_EQ_INT(m.type, SV_MSG_CHAT);
  CHECK_STR(m.text, "Kan du flytte kameraet litt?\n");
  sv_message_clear(&m);

  expect_refused("{\"type\":\"chat\",\"text\":\"\"}", "bad-request", "field 'text' must be");
  /* Plain text, as for names: line breaks pass, other control characters
   * and bidirectional overrides do not. */
  CHECK_EQ_INT(
      parse("{\"type\":\"chat\",\"text\":\"Linje 1\\nLinje 2 \\u00e6\\u00f8\\u00e5\"}", &m, &e), 0);
  CHECK_STR(m.text, "Linje 1\nLinje 2 \xc3\xa6\xc3\xb8\xc3\xa5");
  sv_message_clear(&m);
  expect_refused("{\"type\":\"chat\",\"text\":\"ring \\u0007\"}", "bad-request",
                 "control characters");
  expect_refused("{\"type\":\"chat\",\"text\":\"Ola \\u202e\"}", "bad-request",
                 "control characters");
  expect_refused("{\"type\":\"chat\",\"text\":\"a\\r\\nb\"}", "bad-request",
                 "line breaks are allowed");
  expect_refused("{\"type\":\"chat\"}", "bad-request", "field 'text' is missing");
  char big[2100 + 64];
  int off = snprintf(big, sizeof big, "{\"type\":\"chat\",\"text\":\"");
  memset(big + off, 'x', 2001);
  strcpy(big + off + 2001, "\"}");
  /* Over the limit is its own code, refused whole (never cut short), with the
   * id echoed so the client can say which message it was. */
  expect_refused(big, "too-long", "2001 characters; at most 2000");
  big[off + 2000] = '"';
  big[off + 2001] = '}';
  big[off + 2002] = '\0';
  CHECK_EQ_INT(parse(big, &m, &e), 0);
  CHECK_EQ_INT((int)g_utf8_strlen(m.text, -1), 2000);
  sv_message_clear(&m);
  /* The limit is in characters: 2000 x "æ" (4000 bytes) passes, 2001 do not. */
  GString *nb = g_string_new("{\"type\":\"chat\",\"id\":7,\"text\":\"");
  for (int i = 0; i < 2000; i++)
    g_string_append(nb, "\xc3\xa6");
  g_string_append(nb, "\"}");
  CHECK_EQ_INT(parse(nb->str, &m, &e), 0);
  sv_message_clear(&m);
  g_string_insert(nb, (gssize)nb->len - 2, "\xc3\xa6");
  CHECK_EQ_INT(parse(nb->str, &m, &e), SV_EINVAL);
  CHECK_STR(e.code, "too-long");
  CHECK(e.id && json_integer_value(e.id) == 7);
  sv_message_error_clear(&e);
  g_string_free(nb, TRUE);
  /* Other strings keep bad-request when too long. */
  char room[128];
  snprintf(room, sizeof room, "{\"type\":\"join\",\"room\":\"%065d\",\"name\":\"a\"}", 0);
  expect_refused(room, "bad-request", "'room'");

  CHECK_EQ_INT(parse("{\"type\":\"leave\",\"id\":9}", &m, &e), 0);
  CHECK_EQ_INT(m.type, SV_MSG_LEAVE);
  CHECK_EQ_INT(json_integer_value(m.id), 9);
  sv_message_clear(&m);
}

static void test_envelope(void) {
  expect_refused("", "bad-request", "not valid JSON");
  expect_refused("{\"type\":\"join\",", "bad-request", "not valid JSON");
  expect_refused("[1,2]", "bad-request", "JSON object");
  expect_refused("\"join\"", "bad-request", "JSON object");
  expect_refused("{}", "bad-request", "field 'type'");
  expect_refused("{\"type\":5}", "bad-request", "field 'type'");
  expect_refused("{\"type\":\"dance\"}", "unknown-type", "unknown message type 'dance'");
  expect_refused("{\"type\":\"<script>\"}", "unknown-type", "unknown message type");
  expect_refused("{\"type\":\"leave\",\"id\":1.5}", "bad-request", "field 'id'");
  expect_refused("{\"type\":\"leave\",\"id\":[1]}", "bad-request", "field 'id'");
  expect_refused("{\"type\":\"leave\",\"id\":\"0123456789012345678901234567890123456789012345678"
                 "90123456789012345\"}",
                 "bad-request", "field 'id'");
  expect_refused("{\"type\":\"leave\",\"type\":\"chat\"}", "bad-request", "not valid JSON");
  expect_refused("{\"type\":\"chat\",\"text\":\"a\\u0000b\"}", "bad-request", "not valid JSON");
  expect_refused("{\"type\":\"chat\",\"text\":\"\xff\xfe\"}", "bad-request", "not valid JSON");

  /* Messages stay printable ASCII even when the input is not. */
  sv_msg m;
  sv_msg_error e;
  CHECK_EQ_INT(parse("{\"type\":\"chat\",\"text\":\"\xc3\x28\"}", &m, &e), SV_EINVAL);
  for (const char *p = e.message; *p; p++)
    CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e);
  sv_message_error_clear(&e);

  /* Not NUL-terminated: the parser reads only len bytes. */
  const char frame[] = "{\"type\":\"leave\"}GARBAGE";
  CHECK_EQ_INT(sv_message_parse(frame, strlen("{\"type\":\"leave\"}"), &m, &e), 0);
  sv_message_clear(&m);
}

/* Errors echo the id once it has been read, so the client can match them. */
static void test_error_keeps_id(void) {
  sv_msg m;
  sv_msg_error e;
  CHECK_EQ_INT(parse("{\"type\":\"dance\",\"id\":\"abc\"}", &m, &e), SV_EINVAL);
  CHECK(json_is_string(e.id) && strcmp(json_string_value(e.id), "abc") == 0);
  sv_message_error_clear(&e);
  CHECK_EQ_INT(parse("{\"type\":\"join\",\"id\":42}", &m, &e), SV_EINVAL);
  CHECK(json_is_integer(e.id) && json_integer_value(e.id) == 42);
  sv_message_error_clear(&e);
  CHECK_EQ_INT(parse("{\"id\":7}", &m, &e), SV_EINVAL);
  CHECK(json_integer_value(e.id) == 7);
  sv_message_error_clear(&e);
  CHECK_EQ_INT(parse("{\"type\":\"leave\",\"id\":true}", &m, &e), SV_EINVAL);
  CHECK(e.id == NULL);
  sv_message_error_clear(&e);
  CHECK_EQ_INT(parse("not json", &m, &e), SV_EINVAL);
  CHECK(e.id == NULL);
  sv_message_error_clear(&e);
}

/* The waiting room and host messages, and the join's notice flag. */
static void test_host_messages(void) {
  sv_msg m;
  sv_msg_error e;
  CHECK_EQ_INT(
      parse("{\"type\":\"join\",\"room\":\"r\",\"name\":\"N\",\"noticeAck\":true}", &m, &e), 0);
  CHECK_EQ_INT(m.notice_ack, 1);
  sv_message_clear(&m);
  CHECK_EQ_INT(parse("{\"type\":\"join\",\"room\":\"r\",\"name\":\"N\"}", &m, &e), 0);
  CHECK_EQ_INT(m.notice_ack, 0);
  sv_message_clear(&m);
  expect_refused("{\"type\":\"join\",\"room\":\"r\",\"name\":\"N\",\"noticeAck\":\"yes\"}",
                 "bad-request", "'noticeAck'");

  static const struct {
    const char *type;
    sv_msg_type id;
  } targets[] = {{"admit", SV_MSG_ADMIT}, {"reject", SV_MSG_REJECT}, {"remove", SV_MSG_REMOVE}};
  for (size_t i = 0; i < SV_ARRAY_LEN(targets); i++) {
    char text[128];
    snprintf(text, sizeof text, "{\"type\":\"%s\",\"id\":4,\"participant\":\"pabc123\"}",
             targets[i].type);
    CHECK_EQ_INT(parse(text, &m, &e), 0);
    CHECK_EQ_INT(m.type, targets[i].id);
    CHECK_STR(m.participant, "pabc123");
    sv_message_clear(&m);
    snprintf(text, sizeof text, "{\"type\":\"%s\"}", targets[i].type);
    expect_refused(text, "bad-request", "'participant'");
    snprintf(text, sizeof text, "{\"type\":\"%s\",\"participant\":\"p/../x\"}", targets[i].type);
    expect_refused(text, "bad-request", "'participant'");
  }

  CHECK_EQ_INT(parse("{\"type\":\"end\",\"id\":\"e\"}", &m, &e), 0);
  CHECK_EQ_INT(m.type, SV_MSG_END);
  sv_message_clear(&m);

  CHECK_EQ_INT(parse("{\"type\":\"waiting-message\",\"text\":\"  Running late \"}", &m, &e), 0);
  CHECK_EQ_INT(m.type, SV_MSG_WAITING_MESSAGE);
  CHECK_STR(m.text, "Running late");
  sv_message_clear(&m);
  char long_text[400];
  memset(long_text, 'a', 201);
  long_text[201] = '\0';
  char text[512];
  snprintf(text, sizeof text, "{\"type\":\"waiting-message\",\"text\":\"%s\"}", long_text);
  expect_refused(text, "bad-request", "1-200 characters");
  expect_refused("{\"type\":\"waiting-message\",\"text\":\"a\\u0007b\"}", "bad-request", "'text'");
}

/* Weak links: `layer` (the highest video layer wanted of someone) and
 * `audio-only`. */
static void test_adapt_messages(void) {
  sv_msg m;
  sv_msg_error e;
  static const char *const layers[] = {"low", "medium", "high", "auto"};
  for (size_t i = 0; i < SV_ARRAY_LEN(layers); i++) {
    char text[128];
    snprintf(text, sizeof text,
             "{\"type\":\"layer\",\"id\":3,\"participant\":\"pabc123\",\"max\":\"%s\"}", layers[i]);
    CHECK_EQ_INT(parse(text, &m, &e), 0);
    CHECK_EQ_INT(m.type, SV_MSG_LAYER);
    CHECK_STR(m.type_name, "layer");
    CHECK_STR(m.participant, "pabc123");
    CHECK_STR(m.max_layer, layers[i]);
    CHECK(json_integer_value(m.id) == 3);
    sv_message_clear(&m);
  }
  expect_refused("{\"type\":\"layer\",\"participant\":\"pabc123\"}", "bad-request",
                 "field 'max' is missing");
  expect_refused("{\"type\":\"layer\",\"participant\":\"pabc123\",\"max\":\"ultra\"}",
                 "bad-request", "\"low\", \"medium\", \"high\" or \"auto\"");
  expect_refused("{\"type\":\"layer\",\"participant\":\"pabc123\",\"max\":\"LOW\"}", "bad-request",
                 "field 'max'");
  expect_refused("{\"type\":\"layer\",\"participant\":\"pabc123\",\"max\":2}", "bad-request",
                 "field 'max'");
  expect_refused("{\"type\":\"layer\",\"max\":\"low\"}", "bad-request",
                 "field 'participant' is missing");
  expect_refused("{\"type\":\"layer\",\"participant\":\"\",\"max\":\"low\"}", "bad-request",
                 "'participant'");
  expect_refused("{\"type\":\"layer\",\"participant\":\"p/../x\",\"max\":\"low\"}", "bad-request",
                 "'participant'");
  expect_refused("{\"type\":\"layer\",\"participant\":\"p012345678901234567890123456789012\","
                 "\"max\":\"low\"}",
                 "bad-request", "'participant'");
  /* The id is echoed on a refusal, so the client can match it. */
  CHECK_EQ_INT(
      parse("{\"type\":\"layer\",\"id\":\"l1\",\"participant\":\"p1\",\"max\":null}", &m, &e),
      SV_EINVAL);
  CHECK_STR(e.code, "bad-request");
  CHECK(json_is_string(e.id) && strcmp(json_string_value(e.id), "l1") == 0);
  sv_message_error_clear(&e);

  CHECK_EQ_INT(parse("{\"type\":\"audio-only\",\"id\":4,\"on\":true}", &m, &e), 0);
  CHECK_EQ_INT(m.type, SV_MSG_AUDIO_ONLY);
  CHECK_STR(m.type_name, "audio-only");
  CHECK_EQ_INT(m.on, 1);
  sv_message_clear(&m);
  CHECK_EQ_INT(parse("{\"type\":\"audio-only\",\"on\":false,\"participant\":\"pother\"}", &m, &e),
               0);
  CHECK_EQ_INT(m.on, 0);
  CHECK(m.participant ==
        NULL); /* not a field of audio-only: whose it is comes from the connection */
  sv_message_clear(&m);
  expect_refused("{\"type\":\"audio-only\"}", "bad-request", "field 'on' is missing");
  expect_refused("{\"type\":\"audio-only\",\"on\":null}", "bad-request", "field 'on' is missing");
  expect_refused("{\"type\":\"audio-only\",\"on\":\"true\"}", "bad-request", "field 'on' must be");
  expect_refused("{\"type\":\"audio-only\",\"on\":1}", "bad-request", "true (receive audio only)");
}

/* `media-state`: both fields required booleans; no participant field (whose
 * state it is comes from the connection). */
static void test_media_state(void) {
  sv_msg m;
  sv_msg_error e;
  CHECK_EQ_INT(parse("{\"type\":\"media-state\",\"id\":5,\"audio\":false,\"video\":true}", &m, &e),
               0);
  CHECK_EQ_INT(m.type, SV_MSG_MEDIA_STATE);
  CHECK_STR(m.type_name, "media-state");
  CHECK_EQ_INT(m.audio, 0);
  CHECK_EQ_INT(m.video, 1);
  sv_message_clear(&m);
  CHECK_EQ_INT(
      parse("{\"type\":\"media-state\",\"audio\":true,\"video\":false,\"participant\":\"px\"}", &m,
            &e),
      0);
  CHECK_EQ_INT(m.audio, 1);
  CHECK_EQ_INT(m.video, 0);
  CHECK(m.participant == NULL);
  sv_message_clear(&m);
  expect_refused("{\"type\":\"media-state\",\"video\":true}", "bad-request",
                 "field 'audio' is missing");
  expect_refused("{\"type\":\"media-state\",\"audio\":true}", "bad-request",
                 "field 'video' is missing");
  expect_refused("{\"type\":\"media-state\",\"audio\":0,\"video\":true}", "bad-request",
                 "field 'audio' must be");
  expect_refused("{\"type\":\"media-state\",\"audio\":true,\"video\":\"off\"}", "bad-request",
                 "the camera is on");
}

/* The room id rule join applies, also used where a room id names a
 * directory (recordings). */
/* The answer to a still request: its id and agree, both required. */
static void test_capture_consent(void) {
  sv_msg m;
  sv_msg_error e;
  CHECK_EQ_INT(
      parse("{\"type\":\"capture-consent\",\"id\":3,\"request\":\"k3x9q2\",\"agree\":true}", &m,
            &e),
      0);
  CHECK_EQ_INT(m.type, SV_MSG_CAPTURE_CONSENT);
  CHECK_STR(m.request, "k3x9q2");
  CHECK_EQ_INT(m.agree, 1);
  sv_message_clear(&m);
  CHECK_EQ_INT(
      parse("{\"type\":\"capture-consent\",\"request\":\"k3x9q2\",\"agree\":false}", &m, &e), 0);
  CHECK_EQ_INT(m.agree, 0);
  sv_message_clear(&m);
  expect_refused("{\"type\":\"capture-consent\",\"request\":\"k3x9q2\"}", "bad-request", "'agree'");
  expect_refused("{\"type\":\"capture-consent\",\"agree\":true}", "bad-request", "'request'");
  expect_refused("{\"type\":\"capture-consent\",\"request\":\"a/b\",\"agree\":true}", "bad-request",
                 "'request'");
  expect_refused("{\"type\":\"capture-consent\",\"request\":\"k\",\"agree\":\"yes\"}",
                 "bad-request", "'agree'");
}

static void test_room_id(void) {
  char longest[SV_MESSAGE_MAX_ROOM + 2];
  memset(longest, 'a', sizeof longest);
  longest[SV_MESSAGE_MAX_ROOM] = '\0';
  CHECK(sv_message_room_id_ok(longest));
  longest[SV_MESSAGE_MAX_ROOM] = 'a';
  longest[SV_MESSAGE_MAX_ROOM + 1] = '\0';
  CHECK(!sv_message_room_id_ok(longest));
  CHECK(sv_message_room_id_ok("x"));
  CHECK(sv_message_room_id_ok("Room_1-a"));
  CHECK(!sv_message_room_id_ok(""));
  CHECK(!sv_message_room_id_ok(NULL));
  CHECK(!sv_message_room_id_ok("../etc"));
  CHECK(!sv_message_room_id_ok("a/b"));
  CHECK(!sv_message_room_id_ok("a.b"));
}

/* The one plain-text rule (common.h), for names and messages wherever they
 * come from. */
static void test_text_plain(void) {
  CHECK(sv_text_plain("Kari Ødegård-Nilsen"));
  CHECK(sv_text_plain("Dr. Berg (lege)"));
  CHECK(sv_text_plain("نور"));
  CHECK(!sv_text_plain("Dr. \u202egreB")); /* right-to-left override */
  CHECK(!sv_text_plain("Dr.\u200b Berg")); /* zero-width space */
  CHECK(!sv_text_plain("a\u2066b"));       /* isolate */
  CHECK(!sv_text_plain("bell\a"));
  CHECK(!sv_text_plain("c1\xc2\x85")); /* NEL, a C1 control */
  CHECK(!sv_text_plain("\xff\xfe"));   /* not UTF-8 */
  CHECK(!sv_text_plain(NULL));
}

/* An urgent request's category comes from a fixed list (never free text);
 * urgent-cancel has no fields. */
static void test_urgent(void) {
  sv_msg m;
  sv_msg_error e;
  CHECK_EQ_INT(
      parse("{\"type\":\"urgent-request\",\"token\":\"t\",\"team\":\"x1\",\"category\":\"wound\"}",
            &m, &e),
      0);
  CHECK_EQ_INT(m.type, SV_MSG_URGENT_REQUEST);
  CHECK_STR(m.category, "wound");
  sv_message_clear(&m);
  CHECK_EQ_INT(parse("{\"type\":\"urgent-request\",\"token\":\"t\",\"team\":\"x1\"}", &m, &e), 0);
  CHECK(m.category == NULL);
  sv_message_clear(&m);
  expect_refused(
      "{\"type\":\"urgent-request\",\"token\":\"t\",\"team\":\"x1\",\"category\":\"Hansen fell\"}",
      "bad-request", "'category'");
  expect_refused("{\"type\":\"urgent-request\",\"token\":\"t\",\"team\":\"x1\",\"category\":3}",
                 "bad-request", "'category'");
  CHECK_EQ_INT(parse("{\"type\":\"urgent-cancel\",\"id\":7}", &m, &e), 0);
  CHECK_EQ_INT(m.type, SV_MSG_URGENT_CANCEL);
  sv_message_clear(&m);
}

int main(void) {
  RUN(test_urgent);
  RUN(test_room_id);
  RUN(test_join);
  RUN(test_host_messages);
  RUN(test_capture_consent);
  RUN(test_adapt_messages);
  RUN(test_media_state);
  RUN(test_publish);
  RUN(test_subscribe_answer);
  RUN(test_candidate);
  RUN(test_chat_and_leave);
  RUN(test_envelope);
  RUN(test_error_keeps_id);
  RUN(test_text_plain);
  return check_summary();
}
