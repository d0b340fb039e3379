/*
 * test_log.c — the logger's two line formats: text for people, JSON lines
 * for log collectors. Each JSON line must parse on its own, whatever the
 * message holds (quotes, newlines, control bytes, an overlong text), and
 * carry ts, level, component, message and the opaque ids it was given.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/common.h"

/* Everything logged since the stream was set, as one string (caller frees). */
static char *read_all(FILE *f) {
  long n = ftell(f);
  char *buf = calloc(1, (size_t)n + 1);
  rewind(f);
  size_t got = fread(buf, 1, (size_t)n, f);
  buf[got] = '\0';
  return buf;
}

static json_t *parse_line(const char *line) {
  json_error_t err;
  json_t *j = json_loads(line, 0, &err);
  if (!j) fprintf(stderr, "  not JSON (%s): %s\n", err.text, line);
  return j;
}

static void test_json_lines(void) {
  FILE *f = tmpfile();
  sv_log_set_stream(f);
  sv_log_set_format(SV_LOG_JSON);
  SV_INFO("signaling", "quote \" backslash \\ newline \n tab \t bell \a done");
  SV_LOG_IDS(SV_LOG_WARN, "relay", "pabc123def45", "r1", "%s connection failed", "publish");
  char big[3000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  SV_ERROR("app", "%s\"", big);
  SV_DEBUG("app", "below the level: not written");
  sv_log_set_stream(NULL);
  sv_log_set_format(SV_LOG_TEXT);

  char *all = read_all(f);
  fclose(f);
  char *save = NULL;
  int lines = 0;
  for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    lines++;
    json_t *j = parse_line(line);
    CHECK(j != NULL);
    if (!j) continue;
    const char *ts = json_string_value(json_object_get(j, "ts"));
    CHECK(ts && strlen(ts) == 24 && ts[10] == 'T' && ts[23] == 'Z');
    const char *msg = json_string_value(json_object_get(j, "message"));
    CHECK(msg != NULL);
    if (lines == 1) {
      CHECK_STR(json_string_value(json_object_get(j, "level")), "info");
      CHECK_STR(json_string_value(json_object_get(j, "component")), "signaling");
      CHECK_STR(msg, "quote \" backslash \\ newline \n tab \t bell \a done");
      CHECK(json_object_get(j, "participant") == NULL);
    } else if (lines == 2) {
      CHECK_STR(json_string_value(json_object_get(j, "level")), "warn");
      CHECK_STR(json_string_value(json_object_get(j, "participant")), "pabc123def45");
      CHECK_STR(json_string_value(json_object_get(j, "room")), "r1");
      CHECK_STR(msg, "publish connection failed");
    } else if (lines == 3) {
      CHECK_STR(json_string_value(json_object_get(j, "level")), "error");
      CHECK(msg && strlen(msg) > 500 && msg[0] == 'x'); /* cut, but whole JSON */
    }
    json_decref(j);
  }
  CHECK_EQ_INT(lines, 3);
  free(all);
}

static void test_text_lines(void) {
  FILE *f = tmpfile();
  sv_log_set_stream(f);
  SV_LOG_IDS(SV_LOG_INFO, "signaling", "pabc123def45", "r1", "pabc123def45 joined room r1");
  sv_log_set_stream(NULL);
  char *all = read_all(f);
  fclose(f);
  CHECK(strstr(all, " INFO  signaling pabc123def45 joined room r1\n") != NULL);
  CHECK(all[0] != '{');
  free(all);
}

static void test_parse(void) {
  sv_log_format fmt = SV_LOG_TEXT;
  CHECK_EQ_INT(sv_log_format_parse("json", &fmt), 0);
  CHECK_EQ_INT(fmt, SV_LOG_JSON);
  CHECK_EQ_INT(sv_log_format_parse("text", &fmt), 0);
  CHECK_EQ_INT(fmt, SV_LOG_TEXT);
  CHECK_EQ_INT(sv_log_format_parse("JSON", &fmt), SV_EINVAL);
  CHECK_EQ_INT(sv_log_format_parse(NULL, &fmt), SV_EINVAL);
}

int main(void) {
  RUN(test_json_lines);
  RUN(test_text_lines);
  RUN(test_parse);
  return check_summary();
}
