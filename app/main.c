/*
 * main.c — the samvei program: reads the configuration, starts the
 * signalling server and the relay on one GMainLoop, wires them together,
 * runs until SIGINT or SIGTERM, then frees everything in reverse order.
 *
 * Signals: SIGTERM drains (new joins are refused with `restarting`, clients
 * are told to come back, the server waits up to --drain-timeout seconds for
 * the rooms to empty, then exits); a second SIGTERM, or SIGINT, stops at
 * once. SIGHUP reloads the TLS certificate and key without dropping anyone.
 *
 * Exit codes: 0 after SIGINT/SIGTERM, 1 when the server cannot start (port
 * in use, relay failure), 2 for a configuration that cannot work (bad
 * option, unusable certificate or web root, plain HTTP off loopback, a
 * database that cannot be opened).
 */
#include <errno.h>
#include <glib-unix.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "app/apikey_cmd.h"
#include "app/audit_cmd.h"
#include "app/booking_cmd.h"
#include "app/config.h"
#include "app/secret.h"
#include "app/store_wire.h"
#include "app/token_cmd.h"
#include "app/urgentlink_cmd.h"
#include "common/common.h"
#include "media/media.h"
#include "relay/relay.h"
#include "signaling/signaling.h"

#define SV_DRAIN_POLL_MS 200
/* What clients are told to wait before reconnecting: about the time a
 * supervisor (systemd, Docker) needs to start the new process. */
#define SV_RETRY_AFTER_MS 3000

typedef struct sv_app {
  GMainLoop *loop;
  sv_signaling *sig;
  unsigned drain_timeout_s;
  gint64 drain_deadline_us; /* 0 = not draining */
  guint drain_timer;
} sv_app;

static gboolean on_sigint(gpointer data) {
  sv_app *app = data;
  SV_INFO("app", "stopping");
  g_main_loop_quit(app->loop);
  return G_SOURCE_CONTINUE;
}

/* Polls until the rooms are empty or the drain timeout has passed. The
 * first poll comes after SV_DRAIN_POLL_MS even with a timeout of 0, so the
 * server-restarting messages are written before the loop stops. */
static gboolean on_drain_poll(gpointer data) {
  sv_app *app = data;
  size_t left = sv_signaling_participant_count(app->sig);
  if (left > 0 && g_get_monotonic_time() < app->drain_deadline_us) return G_SOURCE_CONTINUE;
  if (left > 0)
    SV_INFO("app", "drain timeout: stopping with %zu participants still connected", left);
  else
    SV_INFO("app", "drained: no participants left, stopping");
  app->drain_timer = 0;
  g_main_loop_quit(app->loop);
  return G_SOURCE_REMOVE;
}

static gboolean on_sigterm(gpointer data) {
  sv_app *app = data;
  if (app->drain_deadline_us) {
    SV_INFO("app", "second SIGTERM: stopping now");
    g_main_loop_quit(app->loop);
    return G_SOURCE_CONTINUE;
  }
  SV_INFO("app", "SIGTERM: draining for up to %u s (%zu participants connected)",
          app->drain_timeout_s, sv_signaling_participant_count(app->sig));
  app->drain_deadline_us = g_get_monotonic_time() + (gint64)app->drain_timeout_s * G_USEC_PER_SEC;
  sv_signaling_drain(app->sig, SV_RETRY_AFTER_MS);
  app->drain_timer = g_timeout_add(SV_DRAIN_POLL_MS, on_drain_poll, app);
  return G_SOURCE_CONTINUE;
}

static gboolean on_sighup(gpointer data) {
  sv_app *app = data;
  if (!sv_signaling_is_tls(app->sig)) {
    SV_INFO("app", "SIGHUP: plain HTTP, no certificate to reload");
    return G_SOURCE_CONTINUE;
  }
  sv_signaling_reload_tls(app->sig);
  return G_SOURCE_CONTINUE;
}

/* The address to print for people: a wildcard bind is reachable as
 * localhost on this machine; IPv6 literals need brackets. */
static void print_url(const sv_config *cfg, const sv_signaling *sig) {
  const char *host = cfg->bind;
  bool wildcard = strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0;
  if (sv_signaling_is_tls(sig) && (wildcard || sv_signaling_is_loopback(host)))
    host = "localhost";
  else if (strcmp(host, "localhost") == 0)
    host = "127.0.0.1";
  bool v6 = strchr(host, ':') != NULL;
  printf("samvei is running: open %s://%s%s%s:%d/\n", sv_signaling_is_tls(sig) ? "https" : "http",
         v6 ? "[" : "", host, v6 ? "]" : "", sv_signaling_port(sig));
  fflush(stdout);
}

static int run(const sv_config *cfg) {
  int rc = 1;
  GMainLoop *loop = g_main_loop_new(NULL, FALSE);
  sv_signaling *sig = NULL;
  sv_relay *relay = NULL;
  guint sigint = 0, sigterm = 0, sighup = 0, retention = 0;
  sv_store *store = NULL;
  sv_app app = {.loop = loop, .drain_timeout_s = cfg->drain_timeout};
  uint8_t *secret = NULL;
  size_t secret_len = 0;
  char *error = NULL;
  if (sv_app_token_secret(cfg, &secret, &secret_len, &error) < 0) {
    SV_ERROR("app", "%s", error);
    g_free(error);
    g_main_loop_unref(loop);
    return 2;
  }
  sv_app_warn_modes(cfg);
  /* Bookings, invitations and the audit log: without them the server would
   * silently lose the session log, so it does not start. */
  if (sv_app_store_open(cfg, &store, &error) < 0) {
    SV_ERROR("app", "%s", error);
    g_free(error);
    g_free(secret);
    g_main_loop_unref(loop);
    return 2;
  }

  /* Recording: samvei-record lives next to samvei. */
  char *recordings_dir = g_build_filename(cfg->data_dir, "recordings", NULL);
  char *self = g_file_read_link("/proc/self/exe", NULL);
  char *bindir = self ? g_path_get_dirname(self) : g_strdup(".");
  char *record_program = g_build_filename(bindir, "samvei-record", NULL);
  g_free(self);
  g_free(bindir);
  if (!g_file_test(record_program, G_FILE_TEST_IS_EXECUTABLE)) {
    SV_WARN("app", "%s is missing: recording and still capture are off", record_program);
    g_clear_pointer(&recordings_dir, g_free);
  } else {
    /* It must find its GStreamer elements, or every recording would fail
     * later, in front of people. */
    char *why = NULL;
    if (sv_media_recorder_check(record_program, &why) != 0) {
      SV_WARN("app", "recording and still capture are off: %s", why);
      g_clear_pointer(&recordings_dir, g_free);
    } else if (why) {
      SV_WARN("app", "%s", why);
    }
    g_free(why);
  }

  sv_signaling_config sc = {
      .bind_address = cfg->bind,
      .port = cfg->port,
      .cert_path = cfg->cert,
      .key_path = cfg->key,
      .web_root = cfg->web_root,
      .allow_open_rooms = cfg->allow_open_rooms,
      .max_room_size = cfg->max_room_size,
      .max_teaching_size = cfg->max_teaching_size,
      .chat_off = !cfg->chat,
      .version = SV_VERSION,
      .turn_uris = cfg->turn_uris,
      .turn_secret = cfg->turn_secret,
      .turn_ttl = cfg->turn_ttl,
      .token_secret = secret,
      .token_secret_len = secret_len,
      .join_grace_before_min = cfg->join_grace_before_min,
      .join_grace_after_min = cfg->join_grace_after_min,
      .waiting_room_open_min = cfg->waiting_room_open_min,
      .privacy_notice = cfg->privacy_notice,
      .accessibility_statement = cfg->accessibility_statement,
      .recordings_dir = recordings_dir,
      .record_program = record_program,
      .recording_retention_days = cfg->recording_retention_days,
      .store = sv_app_store_callbacks(),
      .store_user = store,
      .db = store,
      .public_url = cfg->public_url,
      .urgent_fallback_s = cfg->urgent_fallback_s,
      .allowed_origins = cfg->allowed_origins,
      .max_conns_per_ip = cfg->max_conns_per_ip,
      .unjoined_timeout_s = cfg->unjoined_timeout,
      .body_timeout_s = cfg->request_timeout,
  };
  int err = sv_signaling_new(&sc, loop, &sig);
  if (err < 0) {
    /* SV_EINVAL: a setting that cannot work (it has been logged); else the
     * system refused (port in use). */
    rc = err == SV_EINVAL ? 2 : 1;
    goto out;
  }

  sv_relay_config rc_relay = {
      .workers = cfg->workers,
      .ice_addresses = cfg->ice_addresses,
      .public_ip = cfg->public_ip,
      .port_min = cfg->rtp_port_min,
      .port_max = cfg->rtp_port_max,
      .ice_tcp = cfg->ice_tcp,
      .video_codecs = cfg->video_codecs,
      .max_video_kbps = cfg->max_video_kbps,
  };
  err = sv_relay_new(&rc_relay, NULL, sv_signaling_relay_events(), sig, &relay);
  if (err < 0) {
    SV_ERROR("app", "cannot start the media relay: %s", sv_strerror(err));
    goto out;
  }
  sv_signaling_set_relay(sig, relay);

  app.sig = sig;
  sigint = g_unix_signal_add(SIGINT, on_sigint, &app);
  sigterm = g_unix_signal_add(SIGTERM, on_sigterm, &app);
  sighup = g_unix_signal_add(SIGHUP, on_sighup, &app);
  retention = sv_app_retention_start(store, cfg->retention_days);
  if (cfg->allow_open_rooms)
    SV_WARN("app", "open rooms are allowed: anyone who can reach this server may join any room "
                   "(development only)");
  print_url(cfg, sig);
  g_main_loop_run(loop);
  rc = 0;

out:
  if (sigint) g_source_remove(sigint);
  if (sigterm) g_source_remove(sigterm);
  if (sighup) g_source_remove(sighup);
  if (app.drain_timer) g_source_remove(app.drain_timer);
  if (retention) g_source_remove(retention);
  /* The relay goes first so that no relay event reaches a freed server. */
  if (sig) sv_signaling_set_relay(sig, NULL);
  sv_relay_free(relay);
  sv_signaling_free(sig);
  sv_store_close(store);
  g_main_loop_unref(loop);
  g_free(secret);
  g_free(recordings_dir);
  g_free(record_program);
  return rc;
}

/* Every connection, call and recording needs file descriptors: take all
 * the system allows (the hard limit); the server keeps within it
 * (signaling/conn_guard.c). */
static void raise_fd_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
  rlim_t was = rl.rlim_cur;
  rl.rlim_cur = rl.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
    SV_WARN("app", "cannot raise the open-file limit from %llu: %s", (unsigned long long)was,
            g_strerror(errno));
}

int main(int argc, char **argv) {
  /* Everything samvei and its helpers create (samvei.db and its -wal/-shm,
   * the token secret, recordings, stills, exports) is for the service
   * account alone: files 0600, directories 0700. */
  umask(077);
  if (argc > 1 && strcmp(argv[1], "token") == 0) return sv_app_token_main(argc, argv);
  if (argc > 1 && strcmp(argv[1], "audit") == 0) return sv_app_audit_main(argc, argv);
  if (argc > 1 && strcmp(argv[1], "apikey") == 0) return sv_app_apikey_main(argc, argv);
  if (argc > 1 && strcmp(argv[1], "urgent-link") == 0) return sv_app_urgentlink_main(argc, argv);
  if (argc > 1 && (strcmp(argv[1], "team") == 0 || strcmp(argv[1], "consultation") == 0 ||
                   strcmp(argv[1], "invite") == 0))
    return sv_app_booking_main(argc, argv);
  sv_config cfg;
  char *error = NULL;
  if (sv_config_load(&cfg, argc, argv, &error) < 0) {
    fprintf(stderr, "samvei: %s\n", error);
    g_free(error);
    sv_config_free(&cfg);
    return 2;
  }
  if (cfg.help || cfg.version) {
    if (cfg.help)
      sv_config_print_help(stdout);
    else
      printf("samvei %s\n", SV_VERSION);
    sv_config_free(&cfg);
    return 0;
  }
  /* A client that vanishes mid-write must not kill the server. */
  signal(SIGPIPE, SIG_IGN);
  raise_fd_limit();
  sv_log_set_level(cfg.log_level);
  sv_log_set_format(cfg.log_format);
  SV_INFO("app", "samvei %s starting", SV_VERSION);
  int rc = run(&cfg);
  sv_config_free(&cfg);
  return rc;
}
