/*
 * test_audit_export.c — audit events as CSV (RFC 4180 quoting, CRLF, the
 * formula guard) and as JSON (detail as an object, ISO time).
 */
#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "check.h"
#include "schedule/audit_export.h"

static const int64_t now = 1790000000; /* 2026-09-21T14:13:20Z */

static void test_csv_and_json(void) {
  sv_audit_event ev[2];
  memset(ev, 0, sizeof ev);
  ev[0].seq = 7;
  ev[0].ts = now;
  g_strlcpy(ev[0].consultation, "room1", sizeof ev[0].consultation);
  g_strlcpy(ev[0].event, "joined", sizeof ev[0].event);
  g_strlcpy(ev[0].name, "Hansen, \"Kari\"\nline two", sizeof ev[0].name);
  g_strlcpy(ev[0].detail, "{\"notice_ack\":true,\"a\":1}", sizeof ev[0].detail);
  g_strlcpy(ev[0].hash, "ab", sizeof ev[0].hash);
  ev[1] = ev[0];
  ev[1].seq = 8;
  g_strlcpy(ev[1].name, "=HYPERLINK(\"x\")", sizeof ev[1].name);
  g_strlcpy(ev[1].detail, "{}", sizeof ev[1].detail);
  char *csv = sv_audit_export_csv(ev, 2);
  CHECK_STR(csv, "seq,ts,time,consultation,event,participant,role,name,actor,detail,prev_hash,"
                 "hash\r\n"
                 "7,1790000000,2026-09-21T14:13:20Z,room1,joined,,,\"Hansen, \"\"Kari\"\"\nline "
                 "two\",,\"{\"\"notice_ack\"\":true,\"\"a\"\":1}\",,ab\r\n"
                 "8,1790000000,2026-09-21T14:13:20Z,room1,joined,,,\"'=HYPERLINK(\"\"x\"\")\",,{},"
                 ",ab\r\n");
  g_free(csv);
  csv = sv_audit_export_csv(NULL, 0);
  CHECK_STR(csv, "seq,ts,time,consultation,event,participant,role,name,actor,detail,prev_hash,"
                 "hash\r\n");
  g_free(csv);

  char *json = sv_audit_export_json(ev, 2);
  json_t *j = json_loads(json, 0, NULL);
  CHECK(json_is_array(j) && json_array_size(j) == 2);
  json_t *first = json_array_get(j, 0);
  CHECK_EQ_INT(json_integer_value(json_object_get(first, "seq")), 7);
  CHECK_STR(json_string_value(json_object_get(first, "time")), "2026-09-21T14:13:20Z");
  CHECK_STR(json_string_value(json_object_get(first, "name")), "Hansen, \"Kari\"\nline two");
  CHECK(json_is_true(json_object_get(json_object_get(first, "detail"), "notice_ack")));
  json_decref(j);
  g_free(json);
  json = sv_audit_export_json(NULL, 0);
  CHECK_STR(json, "[]");
  g_free(json);
}

int main(void) {
  RUN(test_csv_and_json);
  return check_summary();
}
