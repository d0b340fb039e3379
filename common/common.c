/*
 * common.c — error names, the logger and randomness shared by all libraries.
 */
#include "common/common.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <glib.h>

static atomic_int log_level = SV_LOG_INFO;
static atomic_int log_format = SV_LOG_TEXT;
static FILE *_Atomic log_stream; /* NULL = stderr */

const char *sv_strerror(int err) {
  switch (err) {
  case SV_OK:
    return "ok";
#define SV_ERRNO_TEXT(name, value, text)                                                           \
  case SV_##name:                                                                                  \
    return text;
    SV_ERRNO_MAP(SV_ERRNO_TEXT)
#undef SV_ERRNO_TEXT
  default:
    return "unknown error";
  }
}

void sv_log_set_level(sv_log_level level) {
  atomic_store(&log_level, (int)level);
}

sv_log_level sv_log_get_level(void) {
  return (sv_log_level)atomic_load_explicit(&log_level, memory_order_relaxed);
}

int sv_log_level_parse(const char *name, sv_log_level *out) {
  static const char *names[] = {"error", "warn", "info", "debug"};
  for (size_t i = 0; i < SV_ARRAY_LEN(names); i++) {
    if (name && strcmp(name, names[i]) == 0) {
      *out = (sv_log_level)i;
      return 0;
    }
  }
  return SV_EINVAL;
}

void sv_log_set_format(sv_log_format format) {
  atomic_store(&log_format, (int)format);
}

int sv_log_format_parse(const char *name, sv_log_format *out) {
  if (name && strcmp(name, "text") == 0) {
    *out = SV_LOG_TEXT;
    return 0;
  }
  if (name && strcmp(name, "json") == 0) {
    *out = SV_LOG_JSON;
    return 0;
  }
  return SV_EINVAL;
}

void sv_log_set_stream(FILE *stream) {
  atomic_store(&log_stream, stream);
}

/* Appends s to line[*n] as the inside of a JSON string, escaping quotes,
 * backslashes and control characters; stops (whole escapes only) when the
 * buffer is full. Bytes >= 0x80 pass through: messages are built from
 * validated UTF-8 or ASCII. */
static void json_escape(char *line, size_t cap, size_t *n, const char *s) {
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    char esc[8];
    size_t k;
    if (ch == '"' || ch == '\\') {
      esc[0] = '\\';
      esc[1] = (char)ch;
      k = 2;
    } else if (ch == '\n' || ch == '\r' || ch == '\t') {
      esc[0] = '\\';
      esc[1] = ch == '\n' ? 'n' : ch == '\r' ? 'r' : 't';
      k = 2;
    } else if (ch < 0x20 || ch == 0x7f) {
      k = (size_t)snprintf(esc, sizeof esc, "\\u%04x", ch);
    } else {
      esc[0] = (char)ch;
      k = 1;
    }
    if (*n + k >= cap) return;
    memcpy(line + *n, esc, k);
    *n += k;
  }
}

static void json_field(char *line, size_t cap, size_t *n, const char *key, const char *value) {
  int m = snprintf(line + *n, cap - *n, ",\"%s\":\"", key);
  if (m < 0 || (size_t)m >= cap - *n) return;
  *n += (size_t)m;
  json_escape(line, cap, n, value);
  if (*n + 1 < cap) line[(*n)++] = '"';
}

static void log_vwrite(sv_log_level level, const char *module, const char *participant,
                       const char *room, const char *fmt, va_list ap) {
  static const char *tags[] = {"ERROR", "WARN", "INFO", "DEBUG"};
  static const char *names[] = {"error", "warn", "info", "debug"};
  char line[2048], msg[1024], ts[64];
  struct timespec now;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &now);
  gmtime_r(&now.tv_sec, &tm);
  snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n;
  if (atomic_load_explicit(&log_format, memory_order_relaxed) == SV_LOG_JSON) {
    /* Room is left for the message's end so a long one cannot cut off the
     * closing brace: the object is always whole. */
    const size_t cap = sizeof line - 3;
    int m = snprintf(line, cap, "{\"ts\":\"%s\",\"level\":\"%s\"", ts, names[level]);
    n = m > 0 ? (size_t)m : 0;
    json_field(line, cap, &n, "component", module);
    json_field(line, cap, &n, "message", msg);
    if (participant) json_field(line, cap, &n, "participant", participant);
    if (room) json_field(line, cap, &n, "room", room);
    line[n++] = '}';
  } else {
    int m = snprintf(line, sizeof line - 2, "%s %-5s %-9s %s", ts, tags[level], module, msg);
    n = m < 0 ? 0 : strnlen(line, sizeof line - 2);
  }
  line[n] = '\n';
  line[n + 1] = '\0';
  /* One fputs per line keeps lines from different threads whole. */
  FILE *out = atomic_load(&log_stream);
  fputs(line, out ? out : stderr);
  if (out) fflush(out);
}

void sv_log_write(sv_log_level level, const char *module, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  log_vwrite(level, module, NULL, NULL, fmt, ap);
  va_end(ap);
}

void sv_log_write_ids(sv_log_level level, const char *module, const char *participant,
                      const char *room, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  log_vwrite(level, module, participant, room, fmt, ap);
  va_end(ap);
}

void sv_assert_fail(const char *expr, const char *file, int line) {
  fprintf(stderr, "samvei: invariant broken: %s (%s:%d)\n", expr, file, line);
  abort();
}

void sv_random_bytes(void *buf, size_t len) {
  uint8_t *p = buf;
  while (len > 0) {
    ssize_t n = getrandom(p, len, 0);
    if (n < 0) {
      perror("getrandom");
      abort();
    }
    p += n;
    len -= (size_t)n;
  }
}

bool sv_text_plain(const char *s) {
  if (!s || !g_utf8_validate(s, -1, NULL)) return false;
  for (const char *p = s; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (g_unichar_iscntrl(c) || g_unichar_type(c) == G_UNICODE_FORMAT) return false;
  }
  return true;
}

void sv_random_id(char *out, size_t len) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  uint8_t raw[64];
  SV_ASSERT(len <= sizeof raw);
  sv_random_bytes(raw, len);
  for (size_t i = 0; i < len; i++)
    out[i] = alphabet[raw[i] % 36]; /* 256 % 36 bias is irrelevant for ids */
  out[len] = '\0';
}
