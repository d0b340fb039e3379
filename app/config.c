/*
 * config.c — the option table and the three readers (config file,
 * environment, command line) that all feed one setter, so a value means the
 * same wherever it comes from and errors read the same way:
 *   invalid value 'x' for --port: expected a port number 0-65535
 */
#include "app/config.h"

#include <arpa/inet.h>
#include <glib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "relay/relay.h" /* SV_RELAY_MAX_ROOM */
#include "signaling/conn_limits.h"

typedef enum {
  OPT_CONFIG,
  OPT_BIND,
  OPT_PORT,
  OPT_CERT,
  OPT_KEY,
  OPT_WEB_ROOT,
  OPT_DATA_DIR,
  OPT_PUBLIC_IP,
  OPT_ICE_ADDRESSES,
  OPT_RTP_PORTS,
  OPT_WORKERS,
  OPT_ICE_TCP,
  OPT_VIDEO_CODECS,
  OPT_MAX_VIDEO_KBPS,
  OPT_LOG_LEVEL,
  OPT_LOG_FORMAT,
  OPT_DRAIN_TIMEOUT,
  OPT_TURN_URIS,
  OPT_TURN_SECRET,
  OPT_TURN_TTL,
  OPT_ALLOW_OPEN_ROOMS,
  OPT_CHAT,
  OPT_TOKEN_SECRET,
  OPT_JOIN_GRACE_BEFORE,
  OPT_JOIN_GRACE_AFTER,
  OPT_WAITING_ROOM_OPEN,
  OPT_PRIVACY_NOTICE,
  OPT_ACCESSIBILITY_STATEMENT,
  OPT_RECORDING_RETENTION,
  OPT_DATABASE_URL,
  OPT_RETENTION_DAYS,
  OPT_PUBLIC_URL,
  OPT_MAX_ROOM_SIZE,
  OPT_MAX_TEACHING_SIZE,
  OPT_ALLOWED_ORIGINS,
  OPT_MAX_CONNS_PER_IP,
  OPT_UNJOINED_TIMEOUT,
  OPT_REQUEST_TIMEOUT,
  OPT_URGENT_FALLBACK_AFTER,
  OPT_HELP,
  OPT_VERSION,
} sv_option_id;

typedef struct sv_option {
  sv_option_id id;
  const char *name; /* long option without "--"; also the config-file key */
  const char *arg;  /* placeholder in --help; NULL for a switch */
  const char *def;  /* default, applied through the same parser; NULL = none */
  const char *form; /* the accepted form, for errors */
  const char *help;
  const char *shown; /* the default as --help tells it, when not just `def` */
} sv_option;

static const sv_option options[] = {
    {OPT_CONFIG, "config", "FILE", NULL, "a readable file name", "config file to read", NULL},
    {OPT_BIND, "bind", "ADDR", "0.0.0.0", "an IP address such as 0.0.0.0, 127.0.0.1 or ::1",
     "address for HTTPS and the WebSocket", NULL},
    {OPT_PORT, "port", "N", "8443", "a port number 0-65535 (0 = any free port)", "HTTPS port",
     NULL},
    {OPT_CERT, "cert", "FILE", NULL, "a file name", "TLS certificate chain (PEM)", NULL},
    {OPT_KEY, "key", "FILE", NULL, "a file name", "TLS private key (PEM)", NULL},
    {OPT_WEB_ROOT, "web-root", "DIR", "web", "a directory name", "the browser client to serve",
     NULL},
    {OPT_DATA_DIR, "data-dir", "DIR", "data", "a directory name", "where samvei keeps its files",
     NULL},
    {OPT_PUBLIC_IP, "public-ip", "IP", NULL, "an IP address",
     "public address for ICE when behind 1:1 NAT", NULL},
    {OPT_ICE_ADDRESSES, "ice-addresses", "LIST", NULL, "a comma-separated list of IP addresses",
     "local IPs for ICE host candidates", "the bind address (all if 0.0.0.0 or ::)"},
    {OPT_RTP_PORTS, "rtp-ports", "MIN-MAX", "40000-40999",
     "MIN-MAX with 1 <= MIN <= MAX <= 65535, or 0-0 for any port", "UDP/TCP port range for media",
     "40000-40999 (0-0 = any port)"},
    {OPT_WORKERS, "workers", "N", "0", "a number of threads 0-256 (0 = one per core)",
     "relay worker threads", "0 (one per core)"},
    {OPT_ICE_TCP, "ice-tcp", NULL, "1", "a boolean: 1/0, true/false, yes/no or on/off",
     "also offer ICE-TCP passive candidates (--no-ice-tcp: do not)", "on"},
    {OPT_VIDEO_CODECS, "video-codecs", "LIST", "vp8,h264",
     "a comma-separated list of vp8 and h264, most preferred first", "video codec preference",
     NULL},
    {OPT_MAX_VIDEO_KBPS, "max-video-kbps", "N", "1500", "kilobits per second 50-50000",
     "bitrate the relay allows a publisher's video", NULL},
    {OPT_LOG_LEVEL, "log-level", "LEVEL", "info", "one of error, warn, info, debug",
     "how much to log", NULL},
    {OPT_LOG_FORMAT, "log-format", "FORMAT", "text", "text or json",
     "log lines as text or as JSON objects (one per line)", NULL},
    {OPT_DRAIN_TIMEOUT, "drain-timeout", "SECONDS", "30", "seconds 0-86400",
     "on SIGTERM, how long to wait for calls to end before exiting", NULL},
    {OPT_TURN_URIS, "turn-uris", "LIST", NULL,
     "a comma-separated list of turn:, turns: or stun: URIs, e.g. "
     "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:443?transport=tcp",
     "TURN servers handed to clients in the join reply", NULL},
    {OPT_TURN_SECRET, "turn-secret", "SECRET", NULL, "a non-empty string",
     "secret shared with coturn (static-auth-secret); prefer the environment", NULL},
    {OPT_TURN_TTL, "turn-ttl", "SECONDS", "86400", "seconds 60-604800",
     "how long TURN credentials stay valid", NULL},
    {OPT_ALLOW_OPEN_ROOMS, "allow-open-rooms", NULL, "0",
     "a boolean: 1/0, true/false, yes/no or on/off",
     "development only: anyone may join any room without an invitation", "off"},
    {OPT_CHAT, "chat", "on|off", "on", "on or off (also 1/0, true/false, yes/no)",
     "in-call chat; off: the client shows none and the server refuses it", NULL},
    {OPT_TOKEN_SECRET, "token-secret", "SECRET", NULL, "a secret of at least 32 characters",
     "secret that signs join tokens (HS256)", "random, kept in DATA-DIR/token-secret (mode 0600)"},
    {OPT_JOIN_GRACE_BEFORE, "join-grace-before-min", "N", "15", "minutes 0-1440",
     "a join token is valid this long before the consultation starts", NULL},
    {OPT_JOIN_GRACE_AFTER, "join-grace-after-min", "N", "30", "minutes 0-1440",
     "a join token stays valid this long after the consultation ends", NULL},
    {OPT_WAITING_ROOM_OPEN, "waiting-room-open-min", "N", "15", "minutes 0-1440",
     "the waiting room opens this long before the start", NULL},
    {OPT_PRIVACY_NOTICE, "privacy-notice", "TEXT", NULL, "a text of 1-2000 characters",
     "privacy notice each person acknowledges before joining", "the web client's built-in text"},
    {OPT_ACCESSIBILITY_STATEMENT, "accessibility-statement", "FILE", NULL,
     "a readable UTF-8 plain-text file of 1-20000 characters (blank lines part paragraphs)",
     "the deployment's accessibility statement, shown at /accessibility",
     "the web client's built-in template"},
    {OPT_RECORDING_RETENTION, "recording-retention-days", "N", "30", "days 0-3650",
     "recordings and stills in DATA-DIR/recordings are deleted after this many days (0 = kept)",
     NULL},
    {OPT_DATABASE_URL, "database-url", "URL", NULL,
     "a postgres:// or postgresql:// URL, e.g. postgresql://samvei@db.example.org/samvei",
     "PostgreSQL for bookings and the audit log; prefer the environment (it may hold a password)",
     "SQLite in DATA-DIR/samvei.db"},
    {OPT_RETENTION_DAYS, "retention-days", "N", "3650", "days 0-36500 (0 = keep forever)",
     "delete audit events older than this many whole days (checked at start and daily)", NULL},
    {OPT_PUBLIC_URL, "public-url", "URL", NULL,
     "an http:// or https:// URL without a path, e.g. https://samvei.example.org",
     "base of the join links the REST API returns (set it behind a reverse proxy)",
     "the scheme and Host of each API request"},
    {OPT_MAX_ROOM_SIZE, "max-room-size", "N", "16", "a number of participants 2-16",
     "people in one consultation, where everyone sees everyone", NULL},
    {OPT_MAX_TEACHING_SIZE, "max-teaching-size", "N", "100",
     "a number of participants 2-" G_STRINGIFY(SV_RELAY_MAX_ROOM),
     "people in one group-teaching consultation (presenters and attendees)", NULL},
    {OPT_ALLOWED_ORIGINS, "allowed-origins", "LIST", NULL,
     "a comma-separated list of origins such as https://portal.example.org",
     "other sites whose pages may open the WebSocket (besides the server's own)", "none"},
    {OPT_MAX_CONNS_PER_IP, "max-conns-per-ip", "N", "64", "a number of connections 1-100000",
     "open HTTP and WebSocket connections one address may hold", NULL},
    {OPT_UNJOINED_TIMEOUT, "unjoined-timeout", "SECONDS", "30", "seconds 1-3600",
     "a WebSocket that has not joined (or watched urgent requests) by then is closed", NULL},
    {OPT_REQUEST_TIMEOUT, "request-timeout", "SECONDS", "10", "seconds 1-600",
     "a request's headers, and an API request's body, must arrive within this", NULL},
    {OPT_URGENT_FALLBACK_AFTER, "urgent-fallback-after", "SECONDS", "120", "seconds 1-3600",
     "an urgent request nobody has accepted by then shows the asker the team's phone number", NULL},
    {OPT_HELP, "help", NULL, NULL, NULL, "show this help and exit", NULL},
    {OPT_VERSION, "version", NULL, NULL, NULL, "show the version and exit", NULL},
};

static const sv_option *find_option(const char *name, size_t len) {
  for (size_t i = 0; i < SV_ARRAY_LEN(options); i++) {
    if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
      return &options[i];
  }
  return NULL;
}

/* "--port", "SAMVEI_PORT" or "port in FILE line N": where a value came from. */
static char *env_name(const sv_option *opt) {
  char *up = g_ascii_strup(opt->name, -1);
  for (char *p = up; *p; p++) {
    if (*p == '-') *p = '_';
  }
  char *name = g_strconcat("SAMVEI_", up, NULL);
  g_free(up);
  return name;
}

static int set_error(char **error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int set_error(char **error, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_free(*error);
  *error = msg;
  return SV_EINVAL;
}

static bool parse_uint(const char *s, guint64 min, guint64 max, guint64 *out) {
  return g_ascii_string_to_unsigned(s, 10, min, max, out, NULL);
}

static bool parse_bool(const char *s, bool *out) {
  static const char *yes[] = {"1", "true", "yes", "on"}, *no[] = {"0", "false", "no", "off"};
  for (size_t i = 0; i < SV_ARRAY_LEN(yes); i++) {
    if (g_ascii_strcasecmp(s, yes[i]) == 0 || g_ascii_strcasecmp(s, no[i]) == 0) {
      *out = g_ascii_strcasecmp(s, yes[i]) == 0;
      return true;
    }
  }
  return false;
}

static bool is_ip(const char *s) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* "a, b" → "a,b" when every item is an IP address, else NULL. */
static char *parse_ip_list(const char *s) {
  char **items = g_strsplit(s, ",", -1);
  bool ok = items[0] != NULL;
  for (char **p = items; ok && *p; p++)
    ok = is_ip(g_strstrip(*p));
  char *list = ok ? g_strjoinv(",", items) : NULL;
  g_strfreev(items);
  return list;
}

/* "VP8, h264" → "vp8,h264"; NULL on an unknown codec or a repeat. */
static char *parse_codecs(const char *s) {
  char *lower = g_ascii_strdown(s, -1);
  char **items = g_strsplit(lower, ",", -1);
  bool ok = items[0] != NULL, seen_vp8 = false, seen_h264 = false;
  for (char **p = items; ok && *p; p++) {
    g_strstrip(*p);
    bool *seen = strcmp(*p, "vp8") == 0 ? &seen_vp8 : strcmp(*p, "h264") == 0 ? &seen_h264 : NULL;
    ok = seen && !*seen;
    if (seen) *seen = true;
  }
  char *list = ok ? g_strjoinv(",", items) : NULL;
  g_strfreev(items);
  g_free(lower);
  return list;
}

/* "turn:a:3478, turns:b:443?transport=tcp" → "turn:a:3478,turns:b:443?transport=tcp"
 * when every item is a turn:, turns: or stun: URI of printable characters
 * without spaces or quotes (they go into JSON and an RTCPeerConnection). */
static char *parse_turn_uris(const char *s) {
  char **items = g_strsplit(s, ",", -1);
  bool ok = items[0] != NULL;
  for (char **p = items; ok && *p; p++) {
    char *u = g_strstrip(*p);
    ok = (g_str_has_prefix(u, "turn:") || g_str_has_prefix(u, "turns:") ||
          g_str_has_prefix(u, "stun:")) &&
         strlen(u) > 6 && strlen(u) < 256;
    for (const char *c = u; ok && *c; c++)
      ok = g_ascii_isgraph(*c) && *c != '"' && *c != '\\';
  }
  char *list = ok ? g_strjoinv(",", items) : NULL;
  g_strfreev(items);
  return list;
}

static void set_string(char **field, const char *value) {
  g_free(*field);
  *field = g_strdup(value);
}

/* Parses value for opt into cfg. Returns false if it is not of opt's form. */
/* The accessibility statement is read once, at start: UTF-8 plain text
 * (a NUL byte fails validation), which the client shows as text, never as
 * markup. Leading and trailing blank space is dropped. */
static bool read_statement(sv_config *cfg, const char *path) {
  char *text = NULL;
  gsize len = 0;
  if (!*path || !g_file_get_contents(path, &text, &len, NULL)) return false;
  bool ok = g_utf8_validate(text, (gssize)len, NULL);
  char *trimmed = ok ? g_strstrip(text) : text;
  glong chars = ok ? g_utf8_strlen(trimmed, -1) : 0;
  ok = ok && chars >= 1 && chars <= 20000;
  if (ok) set_string(&cfg->accessibility_statement, trimmed);
  g_free(text);
  return ok;
}

static bool apply(sv_config *cfg, const sv_option *opt, const char *value) {
  guint64 n, lo, hi;
  char *list;
  bool b;
  switch (opt->id) {
  case OPT_CONFIG:
  case OPT_CERT:
  case OPT_KEY:
  case OPT_WEB_ROOT:
  case OPT_DATA_DIR: {
    char **field = opt->id == OPT_CONFIG     ? &cfg->config_file
                   : opt->id == OPT_CERT     ? &cfg->cert
                   : opt->id == OPT_KEY      ? &cfg->key
                   : opt->id == OPT_WEB_ROOT ? &cfg->web_root
                                             : &cfg->data_dir;
    if (!*value) return false;
    set_string(field, value);
    return true;
  }
  case OPT_BIND:
    if (!is_ip(value) && strcmp(value, "localhost") != 0) return false;
    set_string(&cfg->bind, value);
    return true;
  case OPT_PUBLIC_IP:
    if (!is_ip(value)) return false;
    set_string(&cfg->public_ip, value);
    return true;
  case OPT_ICE_ADDRESSES:
    if (!(list = parse_ip_list(value))) return false;
    g_free(cfg->ice_addresses);
    cfg->ice_addresses = list;
    return true;
  case OPT_PORT:
    if (!parse_uint(value, 0, 65535, &n)) return false;
    cfg->port = (uint16_t)n;
    return true;
  case OPT_RTP_PORTS: {
    char **parts = g_strsplit(value, "-", -1);
    bool ok = g_strv_length(parts) == 2 && parse_uint(parts[0], 0, 65535, &lo) &&
              parse_uint(parts[1], 0, 65535, &hi) &&
              ((lo == 0 && hi == 0) || (lo >= 1 && lo <= hi));
    g_strfreev(parts);
    if (!ok) return false;
    cfg->rtp_port_min = (uint16_t)lo;
    cfg->rtp_port_max = (uint16_t)hi;
    return true;
  }
  case OPT_WORKERS:
    if (!parse_uint(value, 0, 256, &n)) return false;
    cfg->workers = (int)n;
    return true;
  case OPT_MAX_VIDEO_KBPS:
    if (!parse_uint(value, 50, 50000, &n)) return false;
    cfg->max_video_kbps = (uint32_t)n;
    return true;
  case OPT_ICE_TCP:
  case OPT_ALLOW_OPEN_ROOMS:
  case OPT_CHAT:
    if (!parse_bool(value, &b)) return false;
    *(opt->id == OPT_ICE_TCP            ? &cfg->ice_tcp
      : opt->id == OPT_ALLOW_OPEN_ROOMS ? &cfg->allow_open_rooms
                                        : &cfg->chat) = b;
    return true;
  case OPT_VIDEO_CODECS:
    if (!(list = parse_codecs(value))) return false;
    g_free(cfg->video_codecs);
    cfg->video_codecs = list;
    return true;
  case OPT_LOG_LEVEL:
    return sv_log_level_parse(value, &cfg->log_level) == 0;
  case OPT_TURN_URIS:
    if (!(list = parse_turn_uris(value))) return false;
    g_free(cfg->turn_uris);
    cfg->turn_uris = list;
    return true;
  case OPT_TURN_SECRET:
    if (!*value) return false;
    set_string(&cfg->turn_secret, value);
    return true;
  case OPT_TURN_TTL:
    if (!parse_uint(value, 60, 604800, &n)) return false;
    cfg->turn_ttl = (unsigned)n;
    return true;
  case OPT_RECORDING_RETENTION:
    if (!parse_uint(value, 0, 3650, &n)) return false;
    cfg->recording_retention_days = (int)n;
    return true;
  case OPT_DRAIN_TIMEOUT:
    if (!parse_uint(value, 0, 86400, &n)) return false;
    cfg->drain_timeout = (unsigned)n;
    return true;
  case OPT_LOG_FORMAT:
    return sv_log_format_parse(value, &cfg->log_format) == 0;
  case OPT_TOKEN_SECRET:
    if (strlen(value) < 32) return false;
    set_string(&cfg->token_secret, value);
    return true;
  case OPT_JOIN_GRACE_BEFORE:
  case OPT_JOIN_GRACE_AFTER:
  case OPT_WAITING_ROOM_OPEN:
    if (!parse_uint(value, 0, 1440, &n)) return false;
    *(opt->id == OPT_JOIN_GRACE_BEFORE  ? &cfg->join_grace_before_min
      : opt->id == OPT_JOIN_GRACE_AFTER ? &cfg->join_grace_after_min
                                        : &cfg->waiting_room_open_min) = (int)n;
    return true;
  case OPT_PRIVACY_NOTICE:
    if (!*value || g_utf8_strlen(value, -1) > 2000 || !g_utf8_validate(value, -1, NULL))
      return false;
    set_string(&cfg->privacy_notice, value);
    return true;
  case OPT_ACCESSIBILITY_STATEMENT:
    return read_statement(cfg, value);
  case OPT_DATABASE_URL:
    if (!g_str_has_prefix(value, "postgres://") && !g_str_has_prefix(value, "postgresql://"))
      return false;
    set_string(&cfg->database_url, value);
    return true;
  case OPT_RETENTION_DAYS:
    if (!parse_uint(value, 0, 36500, &n)) return false;
    cfg->retention_days = (int)n;
    return true;
  case OPT_PUBLIC_URL: {
    const char *host = g_str_has_prefix(value, "https://")  ? value + 8
                       : g_str_has_prefix(value, "http://") ? value + 7
                                                            : NULL;
    if (!host || !*host || strlen(value) > 200 || strpbrk(host, "/?#@ \"\\<>'")) return false;
    set_string(&cfg->public_url, value);
    return true;
  }
  case OPT_MAX_ROOM_SIZE:
  case OPT_MAX_TEACHING_SIZE:
    if (!parse_uint(value, 2, opt->id == OPT_MAX_ROOM_SIZE ? 16 : SV_RELAY_MAX_ROOM, &n))
      return false;
    *(opt->id == OPT_MAX_ROOM_SIZE ? &cfg->max_room_size : &cfg->max_teaching_size) = (unsigned)n;
    return true;
  case OPT_ALLOWED_ORIGINS: {
    sv_origins o;
    if (!sv_origins_init(&o, NULL, NULL, 0, false, value)) return false;
    sv_origins_clear(&o);
    set_string(&cfg->allowed_origins, value);
    return true;
  }
  case OPT_MAX_CONNS_PER_IP:
    if (!parse_uint(value, 1, 100000, &n)) return false;
    cfg->max_conns_per_ip = (unsigned)n;
    return true;
  case OPT_UNJOINED_TIMEOUT:
  case OPT_REQUEST_TIMEOUT:
    if (!parse_uint(value, 1, opt->id == OPT_UNJOINED_TIMEOUT ? 3600 : 600, &n)) return false;
    *(opt->id == OPT_UNJOINED_TIMEOUT ? &cfg->unjoined_timeout : &cfg->request_timeout) =
        (unsigned)n;
    return true;
  case OPT_URGENT_FALLBACK_AFTER:
    if (!parse_uint(value, 1, 3600, &n)) return false;
    cfg->urgent_fallback_s = (unsigned)n;
    return true;
  case OPT_HELP:
  case OPT_VERSION:
    return false;
  }
  return false;
}

static int apply_from(sv_config *cfg, const sv_option *opt, const char *value, const char *where,
                      char **error) {
  if (apply(cfg, opt, value)) return 0;
  return set_error(error, "invalid value '%s' for %s: expected %s", value, where, opt->form);
}

static void strip_quotes(char *s) {
  size_t n = strlen(s);
  if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
    memmove(s, s + 1, n - 2);
    s[n - 2] = '\0';
  }
}

static int read_file(sv_config *cfg, const char *path, char **error) {
  int rc = 0;
  char *text = NULL;
  GError *gerr = NULL;
  if (!g_file_get_contents(path, &text, NULL, &gerr)) {
    rc = set_error(error, "cannot read config file %s: %s", path, gerr->message);
    g_error_free(gerr);
    return rc;
  }
  char **lines = g_strsplit(text, "\n", -1);
  for (int i = 0; rc == 0 && lines[i]; i++) {
    char *line = g_strstrip(lines[i]);
    if (!*line || *line == '#' || *line == ';' || strcmp(line, "[samvei]") == 0) continue;
    char *eq = strchr(line, '=');
    if (*line == '[') {
      rc = set_error(error, "unknown group %s in %s line %d: only [samvei] is read", line, path,
                     i + 1);
      break;
    }
    if (!eq) {
      rc = set_error(error, "%s line %d is not 'name = value'", path, i + 1);
      break;
    }
    *eq = '\0';
    char *key = g_strstrip(line), *value = g_strstrip(eq + 1);
    strip_quotes(value);
    const sv_option *opt = find_option(key, strlen(key));
    if (!opt || opt->id == OPT_CONFIG || opt->id == OPT_HELP || opt->id == OPT_VERSION) {
      rc = set_error(error, "unknown setting '%s' in %s line %d; see samvei --help", key, path,
                     i + 1);
      break;
    }
    char *where = g_strdup_printf("%s in %s line %d", opt->name, path, i + 1);
    rc = apply_from(cfg, opt, value, where, error);
    g_free(where);
  }
  g_strfreev(lines);
  g_free(text);
  return rc;
}

static int read_env(sv_config *cfg, char **error) {
  for (size_t i = 0; i < SV_ARRAY_LEN(options); i++) {
    const sv_option *opt = &options[i];
    if (opt->id == OPT_CONFIG || opt->id == OPT_HELP || opt->id == OPT_VERSION) continue;
    char *name = env_name(opt);
    const char *value = g_getenv(name);
    /* An empty variable counts as unset, as compose files often leave them. */
    int rc = value && *value ? apply_from(cfg, opt, value, name, error) : 0;
    g_free(name);
    if (rc < 0) return rc;
  }
  return 0;
}

/* One command-line setting, kept until the lower layers have been read. */
typedef struct {
  const sv_option *opt;
  const char *value;
  char *where;
} sv_arg;

/* Splits argv into settings: "--name value", "--name=value", a switch
 * "--name" (= true) or "--no-name" (= false). */
static int scan_args(int argc, char **argv, GArray *args, char **error) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0) a = "--help";
    if (strncmp(a, "--", 2) != 0 || !a[2])
      return set_error(error, "unexpected argument '%s'; see samvei --help", a);
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const sv_option *opt = find_option(name, len);
    const char *value = eq ? eq + 1 : NULL;
    bool negated = false;
    if (!opt && len > 3 && strncmp(name, "no-", 3) == 0) {
      opt = find_option(name + 3, len - 3);
      negated = opt && !opt->arg && !eq;
      if (!negated) opt = NULL;
    }
    if (!opt)
      return set_error(error, "unknown option '%.*s'; see samvei --help", (int)(len + 2), a);
    if (!opt->arg && !value) value = negated ? "0" : "1";
    if (!value) {
      if (i + 1 >= argc)
        return set_error(error, "option --%s needs a value: %s", opt->name, opt->form);
      value = argv[++i];
    }
    sv_arg arg = {opt, value, g_strdup_printf("--%s", opt->name)};
    g_array_append_val(args, arg);
  }
  return 0;
}

static void clear_arg(gpointer data) {
  g_free(((sv_arg *)data)->where);
}

static int check_combination(sv_config *cfg, char **error) {
  if (!!cfg->cert != !!cfg->key)
    return set_error(error, "--cert and --key go together: give both for HTTPS, or neither "
                            "for plain HTTP on a loopback address");
  if (cfg->turn_uris && !cfg->turn_secret)
    return set_error(error, "--turn-uris needs --turn-secret (SAMVEI_TURN_SECRET), the "
                            "static-auth-secret of the TURN server");
  if (!cfg->ice_addresses && strcmp(cfg->bind, "0.0.0.0") != 0 && strcmp(cfg->bind, "::") != 0)
    cfg->ice_addresses = g_strdup(strcmp(cfg->bind, "localhost") == 0 ? "127.0.0.1" : cfg->bind);
  return 0;
}

int sv_config_load(sv_config *cfg, int argc, char **argv, char **error) {
  int rc = 0;
  memset(cfg, 0, sizeof *cfg);
  *error = NULL;
  GArray *args = g_array_new(FALSE, TRUE, sizeof(sv_arg));
  g_array_set_clear_func(args, clear_arg);

  if ((rc = scan_args(argc, argv, args, error)) < 0) goto out;
  for (guint i = 0; i < args->len; i++) {
    sv_arg *a = &g_array_index(args, sv_arg, i);
    cfg->help |= a->opt->id == OPT_HELP;
    cfg->version |= a->opt->id == OPT_VERSION;
  }
  if (cfg->help || cfg->version) goto out;

  for (size_t i = 0; i < SV_ARRAY_LEN(options); i++) {
    bool ok = !options[i].def || apply(cfg, &options[i], options[i].def);
    SV_ASSERT(ok); /* the table's defaults are of their own form */
  }
  /* The config file is named on the command line or in the environment. */
  const char *file = g_getenv("SAMVEI_CONFIG");
  for (guint i = 0; i < args->len; i++) {
    sv_arg *a = &g_array_index(args, sv_arg, i);
    if (a->opt->id == OPT_CONFIG) file = a->value;
  }
  if (file && *file) {
    set_string(&cfg->config_file, file);
    if ((rc = read_file(cfg, file, error)) < 0) goto out;
  }
  if ((rc = read_env(cfg, error)) < 0) goto out;
  for (guint i = 0; i < args->len; i++) {
    sv_arg *a = &g_array_index(args, sv_arg, i);
    if ((rc = apply_from(cfg, a->opt, a->value, a->where, error)) < 0) goto out;
  }
  rc = check_combination(cfg, error);
out:
  g_array_free(args, TRUE);
  return rc;
}

void sv_config_free(sv_config *cfg) {
  g_free(cfg->config_file);
  g_free(cfg->bind);
  g_free(cfg->cert);
  g_free(cfg->key);
  g_free(cfg->web_root);
  g_free(cfg->data_dir);
  g_free(cfg->public_ip);
  g_free(cfg->ice_addresses);
  g_free(cfg->video_codecs);
  g_free(cfg->turn_uris);
  g_free(cfg->turn_secret);
  g_free(cfg->token_secret);
  g_free(cfg->privacy_notice);
  g_free(cfg->accessibility_statement);
  g_free(cfg->public_url);
  g_free(cfg->allowed_origins);
  g_free(cfg->database_url);
  memset(cfg, 0, sizeof *cfg);
}

void sv_config_print_help(FILE *out) {
  fprintf(out,
          "Usage: samvei [OPTION]...\n"
          "       samvei token --room R --role ROLE --name N [--valid-from T] [--valid-minutes M]"
          " [OPTION]...\n"
          "       samvei audit verify|export [--room R] [--from T] [--to T] [--format json|csv]"
          " [OPTION]...\n"
          "       samvei apikey create --name N [OPTION]...\n"
          "       samvei apikey list [OPTION]... | samvei apikey revoke ID [OPTION]...\n"
          "       samvei urgent-link list [--team T] [OPTION]... | revoke ID [OPTION]...\n"
          "       samvei team create | consultation create | invite ... (see docs/operations.md)\n"
          "samvei " SV_VERSION " - video-consultation relay: signalling server and WebRTC SFU.\n"
          "\n"
          "Every option can also be set as an environment variable SAMVEI_<NAME> or in a\n"
          "config file (--config FILE; lines \"name = value\", # comments). Precedence:\n"
          "command line > environment > config file > default. Without --cert and --key\n"
          "samvei serves plain HTTP, which it allows only on a loopback --bind address.\n"
          "\n");
  for (size_t i = 0; i < SV_ARRAY_LEN(options); i++) {
    const sv_option *opt = &options[i];
    char *left =
        g_strdup_printf("--%s%s%s", opt->name, opt->arg ? " " : "", opt->arg ? opt->arg : "");
    fprintf(out, "  %-26s %s\n", left, opt->help);
    g_free(left);
    if (opt->id == OPT_HELP || opt->id == OPT_VERSION) continue;
    char *env = env_name(opt);
    const char *shown = opt->shown ? opt->shown : opt->def ? opt->def : "none";
    fprintf(out, "  %-26s env %s%s, default: %s\n", "", env, opt->arg ? "" : "=0|1", shown);
    g_free(env);
  }
}
