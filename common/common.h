/*
 * common.h — what every samvei library shares: error codes, logging and an
 * always-on assertion for invariants (never for network input).
 *
 * Functions that can fail return int: 0 on success, a negative SV_E* code
 * otherwise; sv_strerror() names the code.
 */
#ifndef SV_COMMON_H
#define SV_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The error codes, one list for the enum and for sv_strerror() (as libuv's
 * UV_ERRNO_MAP): XX(name, value, what sv_strerror says). Values are stable;
 * a new code takes the next free one. */
#define SV_ERRNO_MAP(XX)                                                                           \
  XX(EINVAL, -1, "invalid input")             /* malformed input: bad JSON, SDP, RTP, option */    \
  XX(ENOMEM, -2, "out of room")               /* a fixed-size buffer or table is too small */      \
  XX(ENOENT, -3, "not found")                 /* no such room, participant, stream */              \
  XX(EEXIST, -4, "already exists")            /* already there */                                  \
  XX(EIO, -5, "i/o error")                    /* a system or library call failed */                \
  XX(ESTATE, -6, "not allowed in this state") /* not allowed in the current state */               \
  XX(ETOOBIG, -7, "too big")                  /* input over its size cap */                        \
  XX(EUNSUPP, -8, "not supported")            /* valid but not supported (codec, feature) */       \
  XX(EAUTH, -9, "not allowed")                /* not allowed for this identity */                  \
  XX(EFULL, -10, "full")                      /* at its configured capacity (a room) */

enum {
  SV_OK = 0,
#define SV_ERRNO_ENUM(name, value, text) SV_##name = (value),
  SV_ERRNO_MAP(SV_ERRNO_ENUM)
#undef SV_ERRNO_ENUM
};

/* Returns a static, human-readable name for an SV_E* code ("ok" for 0,
 * "unknown error" for anything else). Can't fail. */
const char *sv_strerror(int err);

typedef enum { SV_LOG_ERROR = 0, SV_LOG_WARN, SV_LOG_INFO, SV_LOG_DEBUG } sv_log_level;

/* Sets the process-wide log level (atomic; any thread). */
void sv_log_set_level(sv_log_level level);
/* Parses "error|warn|info|debug"; returns 0 and sets *out, or SV_EINVAL. */
int sv_log_level_parse(const char *name, sv_log_level *out);
sv_log_level sv_log_get_level(void);
void sv_log_write(sv_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like sv_log_write, for connection events: in JSON lines, participant and
 * room (opaque ids; either may be NULL) become fields of their own. */
void sv_log_write_ids(sv_log_level level, const char *module, const char *participant,
                      const char *room, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Text: "2026-01-02T03:04:05.678Z INFO  module    message". JSON: one object
 * per line with ts, level, component, message (and participant, room). */
typedef enum { SV_LOG_TEXT = 0, SV_LOG_JSON } sv_log_format;
/* Sets the line format (atomic; any thread). */
void sv_log_set_format(sv_log_format format);
/* Parses "text|json"; returns 0 and sets *out, or SV_EINVAL. */
int sv_log_format_parse(const char *name, sv_log_format *out);
/* Where lines go (default stderr; tests use a temporary file). The stream
 * is borrowed and must stay open while logging. */
void sv_log_set_stream(FILE *stream);

#define SV_LOG(level, module, ...)                                                                 \
  do {                                                                                             \
    if ((level) <= sv_log_get_level()) sv_log_write((level), (module), __VA_ARGS__);               \
  } while (0)
#define SV_ERROR(m, ...) SV_LOG(SV_LOG_ERROR, m, __VA_ARGS__)
#define SV_WARN(m, ...)  SV_LOG(SV_LOG_WARN, m, __VA_ARGS__)
#define SV_INFO(m, ...)  SV_LOG(SV_LOG_INFO, m, __VA_ARGS__)
#define SV_DEBUG(m, ...) SV_LOG(SV_LOG_DEBUG, m, __VA_ARGS__)
#define SV_LOG_IDS(level, module, participant, room, ...)                                          \
  do {                                                                                             \
    if ((level) <= sv_log_get_level())                                                             \
      sv_log_write_ids((level), (module), (participant), (room), __VA_ARGS__);                     \
  } while (0)

/* Always-on invariant check: a broken invariant is a bug, so abort loudly. */
void sv_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));
#define SV_ASSERT(expr) ((expr) ? (void)0 : sv_assert_fail(#expr, __FILE__, __LINE__))

#define SV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Random bytes from the OS CSPRNG (getrandom). Aborts if the kernel cannot
 * provide them: there is no safe fallback for ids and keys. */
void sv_random_bytes(void *buf, size_t len);
/* Writes a random id of `len` characters from [a-z0-9] plus NUL into out
 * (out must hold len + 1 bytes). */
void sv_random_id(char *out, size_t len);

/* Whether s is text fit to show other people as a name or a message:
 * valid UTF-8 with no control characters (C0, DEL, C1) and no format
 * characters (Unicode Cf: the bidirectional overrides and isolates, the
 * zero-width spaces and joiners), which let a name pretend to be someone
 * else's or hide what follows. The one rule for the API, the protocol and
 * the command line. */
bool sv_text_plain(const char *s);

#endif
