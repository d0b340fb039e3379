/*
 * test_audit.c — the one writer of audit events in signaling/ (audit.c):
 * what reaches the store's audit callback (the participant's fields, the
 * detail as compact JSON, "{}" for none), the server log line of
 * sv_audit_and_log, and that without a store nothing is written and the
 * detail is still freed (ASan's leak check).
 */
#include <string.h>

#include "check.h"
#include "common/common.h"
#include "signaling/signaling_int.h"

typedef struct {
  int rows;
  char room[64], event[64], participant[64], role[64], name[64], actor[64], detail[256];
  bool participant_null, role_null, name_null, actor_null;
} fake_log;

static void copy(char *dst, size_t len, const char *src, bool *was_null) {
  if (was_null) *was_null = src == NULL;
  g_strlcpy(dst, src ? src : "", len);
}

static void on_audit(void *user, const char *room, const char *event, const char *participant,
                     const char *role, const char *name, const char *actor, const char *detail) {
  fake_log *l = user;
  l->rows++;
  copy(l->room, sizeof l->room, room, NULL);
  copy(l->event, sizeof l->event, event, NULL);
  copy(l->participant, sizeof l->participant, participant, &l->participant_null);
  copy(l->role, sizeof l->role, role, &l->role_null);
  copy(l->name, sizeof l->name, name, &l->name_null);
  copy(l->actor, sizeof l->actor, actor, &l->actor_null);
  copy(l->detail, sizeof l->detail, detail, NULL);
}

static const sv_signaling_store store_table = {.audit = on_audit};

/* A server with only what audit.c reads: the store and its user. */
static sv_signaling *server(fake_log *log) {
  sv_signaling *sig = g_new0(sv_signaling, 1);
  if (log) {
    sig->store = &store_table;
    sig->store_user = log;
  }
  return sig;
}

static void test_room_event(void) {
  fake_log log = {0};
  sv_signaling *sig = server(&log);
  sv_audit(sig, "booked", "ended", NULL, NULL, NULL, "organiser",
           json_pack("{s:s}", "reason", "cancelled"));
  CHECK_EQ_INT(log.rows, 1);
  CHECK_STR(log.room, "booked");
  CHECK_STR(log.event, "ended");
  CHECK(log.participant_null && log.role_null && log.name_null);
  CHECK_STR(log.actor, "organiser");
  CHECK_STR(log.detail, "{\"reason\":\"cancelled\"}");
  /* No detail is an empty object; "" stays "" (the relay's quality rows). */
  sv_audit(sig, "booked", "quality", "p1", "", "", NULL, NULL);
  CHECK_EQ_INT(log.rows, 2);
  CHECK_STR(log.detail, "{}");
  CHECK(!log.role_null && !log.name_null && log.actor_null);
  CHECK_STR(log.participant, "p1");
  g_free(sig);
}

static void test_participant_event(void) {
  fake_log log = {0};
  sv_signaling *sig = server(&log);
  sv_room room = {.id = "r1"};
  sv_participant p = {.id = "abc", .name = "Kari", .role = "patient", .room = &room};
  sv_audit_participant(sig, &p, "joined", NULL,
                       json_pack("{s:b,s:b}", "notice_ack", 1, "token", 0));
  CHECK_EQ_INT(log.rows, 1);
  CHECK_STR(log.room, "r1");
  CHECK_STR(log.participant, "abc");
  CHECK_STR(log.role, "patient");
  CHECK_STR(log.name, "Kari");
  CHECK(log.actor_null);
  CHECK_STR(log.detail, "{\"notice_ack\":true,\"token\":false}");
  g_free(sig);
}

/* The server log's line of one event, read back from a temporary file. */
static char *logged(FILE *f) {
  fflush(f);
  rewind(f);
  char line[512] = "";
  char *got = fgets(line, sizeof line, f) ? g_strdup(line) : g_strdup("");
  rewind(f);
  return got;
}

static void test_and_log(void) {
  fake_log log = {0};
  sv_signaling *sig = server(&log);
  FILE *f = tmpfile();
  CHECK(f != NULL);
  if (!f) return;
  sv_log_set_stream(f);
  sv_audit_and_log(sig, "recording", "r1", "recording-file", "abc", NULL, NULL, NULL,
                   json_pack("{s:I}", "bytes", (json_int_t)42));
  CHECK_EQ_INT(log.rows, 1);
  CHECK_STR(log.event, "recording-file");
  CHECK_STR(log.detail, "{\"bytes\":42}");
  char *line = logged(f);
  CHECK(strstr(line, "recording") != NULL);
  CHECK(strstr(line, "audit recording-file: room r1, participant abc, {\"bytes\":42}") != NULL);
  g_free(line);
  /* sv_audit writes no log line: the file does not grow. */
  fseek(f, 0, SEEK_END);
  long before = ftell(f);
  CHECK(before > 0);
  sv_audit(sig, "r1", "ended", NULL, NULL, NULL, NULL, NULL);
  fflush(f);
  fseek(f, 0, SEEK_END);
  CHECK_EQ_INT(ftell(f), before);
  CHECK_EQ_INT(log.rows, 2);
  sv_log_set_stream(stderr);
  fclose(f);
  g_free(sig);
}

/* Without a store (or without its audit callback) nothing is written; the
 * detail is freed all the same, and the log line still comes. */
static void test_no_store(void) {
  sv_signaling *sig = server(NULL);
  sv_audit(sig, "r1", "ended", NULL, NULL, NULL, NULL, json_pack("{s:s}", "reason", "x"));
  sv_audit_and_log(sig, "recording", "r1", "capture", "abc", NULL, NULL, "host",
                   json_pack("{s:s}", "file", "a.png"));
  static const sv_signaling_store no_audit = {0};
  fake_log log = {0};
  sig->store = &no_audit;
  sig->store_user = &log;
  sv_audit(sig, "r1", "ended", NULL, NULL, NULL, NULL, NULL);
  CHECK_EQ_INT(log.rows, 0);
  g_free(sig);
}

int main(void) {
  sv_log_set_level(SV_LOG_INFO);
  RUN(test_room_event);
  RUN(test_participant_event);
  RUN(test_and_log);
  RUN(test_no_store);
  return check_summary();
}
