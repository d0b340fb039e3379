/*
 * config.h — samvei's settings: one table of options, read from the command
 * line, the environment (SAMVEI_<NAME>) and a config file.
 *
 * Precedence: command line > environment > config file > default. The
 * config file is named by --config or SAMVEI_CONFIG; it holds lines
 * "name = value" with the long option names, "#" comments, and optionally a
 * "[samvei]" group header.
 */
#ifndef SV_APP_CONFIG_H
#define SV_APP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/common.h"

#define SV_VERSION "0.1.0"

/* All strings are owned (g_malloc) and freed by sv_config_free(). */
typedef struct sv_config {
  char *config_file; /* NULL = none */
  char *bind;        /* IP literal or "localhost" */
  uint16_t port;     /* 0 = any free port */
  char *cert, *key;  /* both NULL = plain HTTP (loopback only) */
  char *web_root;
  char *data_dir;
  char *public_ip;                     /* NULL = none */
  char *ice_addresses;                 /* comma-separated; NULL = all interfaces */
  uint16_t rtp_port_min, rtp_port_max; /* 0-0 = any */
  int workers;                         /* 0 = one per core */
  bool ice_tcp;
  char *video_codecs; /* normalised, e.g. "vp8,h264" */
  uint32_t max_video_kbps;
  sv_log_level log_level;
  sv_log_format log_format;
  unsigned drain_timeout; /* seconds SIGTERM waits for rooms to empty */
  char *turn_uris;        /* normalised comma list; NULL = no TURN */
  char *turn_secret;      /* coturn's static-auth-secret; NULL = none */
  unsigned turn_ttl;      /* seconds TURN credentials stay valid */
  bool allow_open_rooms;
  bool chat;                     /* in-call chat on (--chat on|off) */
  char *token_secret;            /* NULL = the one kept in data_dir (see app/secret.h) */
  int join_grace_before_min;     /* tokens valid this long before the start */
  int join_grace_after_min;      /* ...and this long after the end */
  int waiting_room_open_min;     /* the waiting room opens this long before the start */
  unsigned urgent_fallback_s;    /* an unanswered urgent request shows the team's phone after */
  char *privacy_notice;          /* NULL = the web client's own text */
  char *accessibility_statement; /* the text of --accessibility-statement FILE; NULL = built-in */
  char *database_url;            /* postgres(ql):// URL; NULL = SQLite in data_dir */
  char *public_url;              /* base of API-made links; NULL = from each request */
  int retention_days;            /* audit events older than this are deleted; 0 = keep */
  bool help, version;            /* --help / --version was given: nothing else is read */
  /* recordings and stills are deleted after this many days; 0 = kept */
  int recording_retention_days;
  /* people in one consultation, and in one of kind group-teaching */
  unsigned max_room_size, max_teaching_size;
  /* resource bounds (docs/operations.md, "Security") */
  char *allowed_origins; /* comma-separated; NULL = only the server's own */
  unsigned max_conns_per_ip, unjoined_timeout, request_timeout;
} sv_config;

/* Fills *cfg from defaults, the config file, the environment (getenv) and
 * argv, in rising precedence. When no --ice-addresses is given anywhere, it
 * is the bind address if that is a specific address, else NULL (all).
 * Returns 0, or SV_EINVAL with *error set to a g_malloc'd sentence naming the
 * option, where it came from and the accepted form (caller frees; exit 2).
 * *cfg must be freed with sv_config_free() in both cases. */
int sv_config_load(sv_config *cfg, int argc, char **argv, char **error);

/* Frees the strings in cfg and zeroes it. Safe twice. */
void sv_config_free(sv_config *cfg);

/* Writes the --help text: every option, its environment name and default. */
void sv_config_print_help(FILE *out);

#endif
