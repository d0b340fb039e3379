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

static atomic_int log_level = SV_LOG_INFO;

const char *sv_strerror(int err) {
  switch (err) {
  case SV_OK:
    return "ok";
  case SV_EINVAL:
    return "invalid input";
  case SV_ENOMEM:
    return "out of room";
  case SV_ENOENT:
    return "not found";
  case SV_EEXIST:
    return "already exists";
  case SV_EIO:
    return "i/o error";
  case SV_ESTATE:
    return "not allowed in this state";
  case SV_ETOOBIG:
    return "too big";
  case SV_EUNSUPP:
    return "not supported";
  case SV_EAUTH:
    return "not allowed";
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

void sv_log_write(sv_log_level level, const char *module, const char *fmt, ...) {
  static const char *tags[] = {"ERROR", "WARN", "INFO", "DEBUG"};
  char line[1024];
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s %-9s ",
                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                   ts.tv_nsec / 1000000, tags[level], module);
  va_list ap;
  va_start(ap, fmt);
  if (n > 0 && (size_t)n < sizeof line) vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
  va_end(ap);
  /* One fputs per line keeps lines from different threads whole. */
  size_t len = strnlen(line, sizeof line - 2);
  line[len] = '\n';
  line[len + 1] = '\0';
  fputs(line, stderr);
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

void sv_random_id(char *out, size_t len) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  uint8_t raw[64];
  SV_ASSERT(len <= sizeof raw);
  sv_random_bytes(raw, len);
  for (size_t i = 0; i < len; i++)
    out[i] = alphabet[raw[i] % 36]; /* 256 % 36 bias is irrelevant for ids */
  out[len] = '\0';
}
