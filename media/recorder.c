/*
 * recorder.c — the server's side of a recording: a tap the relay fills, a
 * pump thread that drains it into samvei-record's standard input, and the
 * child process itself (see record_main.c). No GStreamer runs in the server.
 *
 * The pump thread sleeps 2 ms when the tap is empty; when samvei-record is
 * slow the pipe fills, the pump blocks, the tap fills and the relay drops
 * (counted) — the forwarding path never waits. When the child is gone the
 * pump discards until the tap is closed.
 */
#include <errno.h>
#include <glib-unix.h>
#include <glib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/common.h"
#include "common/tap.h"
#include "media/media.h"

struct sv_media_recorder {
  sv_tap *tap;
  GThread *pump;
  int fd; /* our end of the socket pair, owned by the pump thread */
  GPid pid;
  void (*done)(void *user, int status);
  void *user;
};

static bool send_all(int fd, const uint8_t *p, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= (size_t)n;
  }
  return true;
}

static gpointer pump(gpointer data) {
  sv_media_recorder *rec = data;
  sv_tap_packet *pkt = g_new(sv_tap_packet, 1);
  bool broken = false;
  for (;;) {
    if (!sv_tap_pop(rec->tap, pkt)) {
      if (sv_tap_is_closed(rec->tap)) break;
      g_usleep(2000);
      continue;
    }
    if (broken) continue;
    uint8_t hdr[SV_TAP_FRAME_HEADER];
    sv_tap_frame_header(pkt, hdr);
    if (!send_all(rec->fd, hdr, sizeof hdr) || !send_all(rec->fd, pkt->data, pkt->len))
      broken = true;
  }
  close(rec->fd);
  g_free(pkt);
  return NULL;
}

static void on_child_exit(GPid pid, gint wait_status, gpointer data) {
  sv_media_recorder *rec = data;
  g_spawn_close_pid(pid);
  sv_tap_close(rec->tap); /* the pump ends once the tap is empty */
  g_thread_join(rec->pump);
  int status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
  if (rec->done) rec->done(rec->user, status);
  sv_tap_unref(rec->tap);
  g_free(rec);
}

/* GStreamer keeps process-lifetime caches that a sanitized build's leak
 * check would report at the child's exit; the child is not what it checks. */
static char **child_env(void) {
  char **env = g_get_environ();
  const char *asan = g_environ_getenv(env, "ASAN_OPTIONS");
  char *opts = g_strconcat(asan ? asan : "", asan ? ":" : "", "detect_leaks=0", NULL);
  env = g_environ_setenv(env, "ASAN_OPTIONS", opts, TRUE);
  g_free(opts);
  return env;
}

int sv_media_recorder_check(const char *program, char **why) {
  const char *argv[] = {program, "--check", NULL};
  char **env = child_env();
  char *err_out = NULL;
  int wait_status = 0;
  GError *err = NULL;
  bool ran = g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                          &err_out, &wait_status, &err);
  g_strfreev(env);
  int rc = 0;
  if (!ran) {
    *why = g_strdup_printf("cannot run %s: %s", program, err->message);
    g_error_free(err);
    rc = SV_EIO;
  } else if (!g_spawn_check_wait_status(wait_status, NULL)) {
    *why = err_out && *err_out ? g_strdup(g_strchomp(err_out))
                               : g_strdup_printf("%s --check failed", program);
    rc = SV_EUNSUPP;
  } else if (err_out && *err_out) {
    *why = g_strdup(g_strchomp(err_out));
  }
  g_free(err_out);
  return rc;
}

int sv_media_recorder_start(const char *program, const char *option, const char *path,
                            void (*done)(void *user, int status), void *user,
                            sv_media_recorder **out) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return SV_EIO;
  /* A large send buffer absorbs the child's start-up (GStreamer's registry). */
  int size = 4 * 1024 * 1024;
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  const char *argv[] = {program, option, path, NULL};
  GPid pid;
  GError *err = NULL;
  char **env = child_env();
  gboolean ok = g_spawn_async_with_fds(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                       NULL, &pid, sv[1], -1, -1, &err);
  g_strfreev(env);
  if (!ok) {
    SV_ERROR("media", "cannot start %s: %s", program, err->message);
    g_error_free(err);
    close(sv[0]);
    close(sv[1]);
    return SV_EIO;
  }
  close(sv[1]);
  sv_media_recorder *rec = g_new0(sv_media_recorder, 1);
  rec->tap = sv_tap_new();
  rec->fd = sv[0];
  rec->pid = pid;
  rec->done = done;
  rec->user = user;
  rec->pump = g_thread_new("sv-record-pump", pump, rec);
  g_child_watch_add(pid, on_child_exit, rec);
  *out = rec;
  return 0;
}

sv_tap *sv_media_recorder_tap(sv_media_recorder *rec) {
  return rec->tap;
}

void sv_media_recorder_stop(sv_media_recorder *rec) {
  if (rec) sv_tap_close(rec->tap);
}

void sv_media_recorder_kill(sv_media_recorder *rec) {
  if (!rec) return;
  sv_tap_close(rec->tap);
  /* Not reaped before on_child_exit, so the pid is still this child's. */
  kill(rec->pid, SIGKILL);
}
