/*
 * recording.c — consented recording and still capture (docs/protocol.md,
 * "Recording").
 *
 * A host asks (`record-request`); every participant with media is asked in
 * the client and answers (`record-consent`). Recording starts only when all
 * present agreed, and stops when anyone withdraws, a new participant comes
 * in, or a host stops it. Everyone is told each change (`recording`), and
 * every step is an audit event and a log line. For each participant a
 * recorder (media/recorder.c, samvei-record) is fed from a relay tap; its
 * file lands in <recordings-dir>/<room>/.
 *
 * A still capture, once its person agreed (stills.c), is the same tap
 * feeding samvei-record --still for one keyframe: one at a time per
 * participant, killed after CAPTURE_DEADLINE_S
 * (the host gets capture-failed), each in a file of its own. Hosts get
 * download links: random keys, valid while the server
 * runs, served by http.c at /api/recordings/<key>.
 *
 * Main thread only.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/common.h"
#include "common/role.h"
#include "common/tap.h"
#include "media/media.h"
#include "signaling/message.h"
#include "signaling/signaling_int.h"

#define MOD                "recording"
#define KEY_LEN            32
#define STOP_WAIT_S        15 /* at shutdown, how long recorders get to finalise files */
#define CAPTURE_DEADLINE_S 15 /* a still not written by then is given up */

typedef enum { REC_OFF = 0, REC_ASKING, REC_ON } rec_state;

static const char *const state_names[] = {"off", "asking", "on"};

/* A room's recording. Owned by sv_recordings.rooms. */
typedef struct rec_room {
  rec_state state;
  GHashTable *files; /* participant id → rec_file* running for it (not owned) */
} rec_room;

/* One running samvei-record. Frees itself when the program exits. */
typedef struct rec_file {
  struct sv_recordings *recs; /* NULL once the server is closing */
  sv_media_recorder *rec;
  char *room, *path;
  char participant[SV_PARTICIPANT_ID_LEN + 1];
  char host[SV_PARTICIPANT_ID_LEN + 1]; /* still: who asked */
  bool still;
  bool timed_out;  /* still: killed at its deadline */
  guint deadline;  /* still: the timer that kills it, 0 once fired or done */
  rec_room *owner; /* recording: the room's entry while listed in owner->files */
} rec_file;

struct sv_recordings {
  sv_signaling *sig;
  char *dir, *program;
  int retention_days;
  GHashTable *rooms;        /* room id → rec_room* */
  GHashTable *downloads;    /* key → absolute path */
  GHashTable *keys;         /* absolute path → key (the same strings, not owned) */
  GPtrArray *live;          /* rec_file* whose program runs */
  struct sv_stills *stills; /* stills.c: asks for consent to a still */
  guint prune;
  bool closing; /* the server stops: finished recorders tell nobody */
};

/* ---- retention ---- */

static void prune_dir(const char *dir, time_t limit, int depth) {
  GDir *d = g_dir_open(dir, 0, NULL);
  if (!d) return;
  const char *name;
  while ((name = g_dir_read_name(d))) {
    char *path = g_build_filename(dir, name, NULL);
    GStatBuf st;
    if (g_lstat(path, &st) == 0) {
      if (S_ISDIR(st.st_mode) && depth == 0) {
        prune_dir(path, limit, 1);
        g_rmdir(path); /* only when empty */
      } else if (S_ISREG(st.st_mode) && st.st_mtime < limit) {
        if (g_unlink(path) == 0) SV_INFO(MOD, "deleted %s (older than the retention limit)", path);
      }
    }
    g_free(path);
  }
  g_dir_close(d);
}

static gboolean on_prune(gpointer data) {
  struct sv_recordings *recs = data;
  prune_dir(recs->dir, time(NULL) - (time_t)recs->retention_days * 86400, 0);
  return G_SOURCE_CONTINUE;
}

struct sv_recordings *sv_recordings_new(const sv_signaling_config *config, sv_signaling *sig) {
  if (!config->recordings_dir || !config->record_program) return NULL;
  struct sv_recordings *recs = g_new0(struct sv_recordings, 1);
  recs->sig = sig;
  recs->dir = g_strdup(config->recordings_dir);
  recs->program = g_strdup(config->record_program);
  recs->retention_days = config->recording_retention_days;
  recs->rooms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  recs->downloads = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  recs->keys = g_hash_table_new(g_str_hash, g_str_equal);
  recs->live = g_ptr_array_new();
  recs->stills = sv_stills_new(sig);
  if (recs->retention_days > 0) {
    on_prune(recs);
    recs->prune = g_timeout_add_seconds(3600, on_prune, recs);
  }
  return recs;
}

static void room_free(rec_room *rr) {
  g_hash_table_unref(rr->files);
  g_free(rr);
}

void sv_recordings_free(struct sv_recordings *recs) {
  if (!recs) return;
  if (recs->prune) g_source_remove(recs->prune);
  sv_stills_free(recs->stills);
  recs->closing = true;
  for (guint i = 0; i < recs->live->len; i++) {
    rec_file *f = g_ptr_array_index(recs->live, i);
    f->owner = NULL;
    sv_media_recorder_stop(f->rec);
  }
  /* Let the recorders finalise their files: their exits arrive as child
   * watches on this (the main) context. */
  gint64 until = g_get_monotonic_time() + STOP_WAIT_S * G_USEC_PER_SEC;
  while (recs->live->len > 0 && g_get_monotonic_time() < until)
    g_main_context_iteration(NULL, FALSE) || (g_usleep(10000), 0);
  for (guint i = 0; i < recs->live->len; i++)
    ((rec_file *)g_ptr_array_index(recs->live, i))->recs = NULL;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, recs->rooms);
  while (g_hash_table_iter_next(&it, NULL, &value))
    room_free(value);
  g_hash_table_unref(recs->rooms);
  g_hash_table_unref(recs->keys);
  g_hash_table_unref(recs->downloads);
  g_ptr_array_free(recs->live, TRUE);
  g_free(recs->dir);
  g_free(recs->program);
  g_free(recs);
}

/* ---- helpers ---- */

/* Recording's audit events also leave a line in the server log. */
static void audit(sv_signaling *sig, const sv_participant *p, const char *event, const char *actor,
                  json_t *detail) {
  sv_audit_and_log(sig, MOD, p->room->id, event, p->id, p->role, p->name, actor, detail);
}

static rec_room *room_get(struct sv_recordings *recs, const char *room) {
  rec_room *rr = g_hash_table_lookup(recs->rooms, room);
  if (!rr) {
    rr = g_new0(rec_room, 1);
    rr->files = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_insert(recs->rooms, g_strdup(room), rr);
  }
  return rr;
}

/* People with media: everyone in the room who is not waiting. */
static bool has_media(const sv_participant *p) {
  return !p->waiting;
}

static json_t *agreed_list(const sv_room *room) {
  json_t *list = json_array();
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    if (has_media(o) && o->consent > 0) json_array_append_new(list, json_string(o->id));
  }
  return list;
}

/* true when everyone with media agreed; missing (may be NULL) gets the
 * names of those who have not (for the host, who sees them anyway) and
 * missing_ids (may be NULL) their participant ids (for the log and the
 * session log, which carry ids only). */
static bool all_agreed(const sv_room *room, json_t *missing, json_t *missing_ids) {
  bool all = true;
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    if (has_media(o) && o->consent <= 0) {
      all = false;
      if (missing) json_array_append_new(missing, json_string(o->name));
      if (missing_ids) json_array_append_new(missing_ids, json_string(o->id));
    }
  }
  return all;
}

/* Tells everyone with media the state; by: who caused it (may be NULL). */
static void announce(sv_room *room, rec_state state, const char *reason, const sv_participant *by) {
  json_t *msg = json_pack("{s:s,s:s,s:s,s:o}", "type", "recording", "state", state_names[state],
                          "reason", reason, "agreed", agreed_list(room));
  if (by) {
    json_object_set_new(msg, "by", json_string(by->id));
    json_object_set_new(msg, "name", json_string(by->name));
  }
  if (room->teaching) /* attendees are not shown each other */
    sv_classroom_broadcast(room, msg, by);
  else
    sv_session_broadcast(room, NULL, msg, false);
}

static const char *issue_key(struct sv_recordings *recs, const char *path) {
  const char *key = g_hash_table_lookup(recs->keys, path);
  if (key) return key;
  char buf[KEY_LEN + 1];
  sv_random_id(buf, KEY_LEN);
  char *k = g_strdup(buf), *v = g_strdup(path);
  g_hash_table_insert(recs->downloads, k, v);
  g_hash_table_insert(recs->keys, v, k);
  return k;
}

static char *download_url(struct sv_recordings *recs, const char *path) {
  return g_strdup_printf("/api/recordings/%s", issue_key(recs, path));
}

/* ---- recorders ---- */

/* The file the recorder wrote: base + ".webm" or ".mkv", or the still. */
static char *written_file(const rec_file *f) {
  if (f->still) return g_file_test(f->path, G_FILE_TEST_IS_REGULAR) ? g_strdup(f->path) : NULL;
  const char *exts[] = {".webm", ".mkv"};
  for (size_t i = 0; i < 2; i++) {
    char *p = g_strconcat(f->path, exts[i], NULL);
    if (g_file_test(p, G_FILE_TEST_IS_REGULAR)) return p;
    g_free(p);
  }
  return NULL;
}

static void on_recorder_done(void *user, int status) {
  rec_file *f = user;
  struct sv_recordings *recs = f->recs;
  if (f->deadline) g_source_remove(f->deadline);
  f->deadline = 0;
  if (recs) {
    g_ptr_array_remove(recs->live, f);
    if (recs->closing) goto out;
    if (f->owner) {
      rec_file *cur = g_hash_table_lookup(f->owner->files, f->participant);
      if (cur == f) g_hash_table_remove(f->owner->files, f->participant);
    }
    sv_signaling *sig = recs->sig;
    char *file = written_file(f);
    GStatBuf st = {0};
    if (file) g_stat(file, &st);
    const struct sv_tap *tap = sv_media_recorder_tap(f->rec);
    uint64_t packets = sv_tap_pushed(tap), dropped = sv_tap_dropped(tap);
    sv_metrics_recorder_done(&sig->metrics, f->still, file && status == 0, packets, dropped);
    if (f->still) {
      sv_participant *host = sv_rooms_find_participant(sig->rooms, f->room, f->host);
      sv_participant *t = sv_rooms_find_participant(sig->rooms, f->room, f->participant);
      if (file && status == 0) {
        char *url = download_url(recs, file);
        sv_audit_and_log(sig, MOD, f->room, "capture", f->participant, t ? t->role : NULL,
                         t ? t->name : NULL, f->host,
                         json_pack("{s:s,s:I}", "file", strrchr(file, '/') + 1, "bytes",
                                   (json_int_t)st.st_size));
        if (host)
          sv_conn_send(host->conn,
                       json_pack("{s:s,s:s,s:s,s:s}", "type", "capture-ready", "participant",
                                 f->participant, "url", url, "file", strrchr(file, '/') + 1));
        if (t) sv_conn_send(t->conn, json_pack("{s:s,s:s}", "type", "captured", "by", f->host));
        g_free(url);
      } else {
        SV_WARN(MOD, "still of %s in room %s failed (samvei-record exit %d%s)", f->participant,
                f->room, status, f->timed_out ? ", killed at its deadline" : "");
        /* samvei-record's exit 3: their video is H.264 and this server has
         * no H.264 decoder (the slim image leaves libav out). */
        bool no_decoder = !f->timed_out && status == 3;
        const char *code = f->timed_out ? "timeout" : no_decoder ? "unsupported-codec" : "no-video";
        const char *why =
            f->timed_out ? "no video frame arrived from this participant in time; check that "
                           "their camera is on"
            : no_decoder ? "this participant's browser sends H.264 video, which this server "
                           "cannot decode for a still (its H.264 decoder is not installed)"
                         : "no video frame could be decoded from this participant; check that "
                           "their camera is on";
        if (host)
          sv_conn_send(host->conn,
                       json_pack("{s:s,s:s,s:s,s:s}", "type", "capture-failed", "participant",
                                 f->participant, "code", code, "message", why));
      }
    } else {
      sv_audit_and_log(sig, MOD, f->room, "recording-file", f->participant, NULL, NULL, NULL,
                       json_pack("{s:s?,s:I,s:i,s:I,s:I}", "file",
                                 file ? strrchr(file, '/') + 1 : NULL, "bytes",
                                 (json_int_t)st.st_size, "status", status, "packets",
                                 (json_int_t)packets, "dropped", (json_int_t)dropped));
      if (status != 0 && file)
        SV_WARN(MOD, "recorder of %s in room %s exited with %d", f->participant, f->room, status);
    }
    g_free(file);
  }
out:
  g_free(f->room);
  g_free(f->path);
  g_free(f);
}

/* Starts samvei-record for participant p; returns NULL (logged) on failure. */
static rec_file *recorder_start(struct sv_recordings *recs, sv_participant *p, bool still) {
  sv_signaling *sig = recs->sig;
  char *dir = g_build_filename(recs->dir, p->room->id, NULL);
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    SV_ERROR(MOD, "cannot create %s: %s", dir, g_strerror(errno));
    g_free(dir);
    return NULL;
  }
  char stamp[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  rec_file *f = g_new0(rec_file, 1);
  f->recs = recs;
  f->still = still;
  f->room = g_strdup(p->room->id);
  g_strlcpy(f->participant, p->id, sizeof f->participant);
  /* A random part keeps two files of the same second apart. */
  char uniq[9];
  sv_random_id(uniq, sizeof uniq - 1);
  char *base = g_strdup_printf("%s%s-%s-%s%s", still ? "still-" : "", stamp, p->id, uniq,
                               still ? ".png" : "");
  f->path = g_build_filename(dir, base, NULL);
  g_free(base);
  g_free(dir);
  if (sv_media_recorder_start(recs->program, still ? "--still" : "--out", f->path, on_recorder_done,
                              f, &f->rec) != 0) {
    g_free(f->room);
    g_free(f->path);
    g_free(f);
    return NULL;
  }
  g_ptr_array_add(recs->live, f);
  if (sig->relay) sv_relay_tap_start(sig->relay, p->room->id, p->id, sv_media_recorder_tap(f->rec));
  return f;
}

static void recorder_stop(sv_signaling *sig, rec_file *f) {
  if (sig->relay) sv_relay_tap_stop(sig->relay, f->room, f->participant);
  sv_media_recorder_stop(f->rec);
}

/* ---- the consent round ---- */

static void start_recording(sv_signaling *sig, sv_room *room, const sv_participant *by) {
  struct sv_recordings *recs = sig->recordings;
  rec_room *rr = room_get(recs, room->id);
  rr->state = REC_ON;
  unsigned n = 0;
  for (guint i = 0; i < room->participants->len; i++) {
    sv_participant *o = g_ptr_array_index(room->participants, i);
    /* Observers are asked (they are present) but send nothing to record. */
    if (!has_media(o) || sv_role_is(o->role, SV_ROLE_OBSERVER) ||
        g_hash_table_contains(rr->files, o->id))
      continue;
    rec_file *f = recorder_start(recs, o, false);
    if (!f) continue;
    f->owner = rr;
    g_hash_table_insert(rr->files, g_strdup(o->id), f);
    n++;
  }
  const sv_participant *actor = by ? by : room->host;
  if (actor)
    audit(sig, actor, "recording-started", NULL,
          json_pack("{s:I,s:o}", "recorders", (json_int_t)n, "agreed", agreed_list(room)));
  announce(room, REC_ON, "all-agreed", by);
}

/* Stops recording (or the consent round) in room: reason is "stopped",
 * "withdrawn", "declined", "participant-joined" or "empty". */
static void stop_recording(sv_signaling *sig, sv_room *room, const char *reason,
                           const sv_participant *by) {
  struct sv_recordings *recs = sig->recordings;
  rec_room *rr = g_hash_table_lookup(recs->rooms, room->id);
  if (!rr || rr->state == REC_OFF) return;
  bool was_on = rr->state == REC_ON;
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, rr->files);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    rec_file *f = value;
    f->owner = NULL;
    recorder_stop(sig, f);
  }
  g_hash_table_remove_all(rr->files);
  rr->state = REC_OFF;
  for (guint i = 0; i < room->participants->len; i++)
    ((sv_participant *)g_ptr_array_index(room->participants, i))->consent = 0;
  const sv_participant *actor = by ? by : room->host;
  if (actor)
    audit(sig, actor, was_on ? "recording-stopped" : "record-request-ended", NULL,
          json_pack("{s:s}", "reason", reason));
  announce(room, REC_OFF, reason, by);
}

static bool enabled(sv_conn *c, const sv_msg *m) {
  if (c->sig->recordings && c->sig->relay) return true;
  sv_conn_send_error(c, m->id, "unsupported",
                     "recording is not available on this server (no data directory or no "
                     "samvei-record); ask its operator");
  return false;
}

static void on_request(sv_conn *c, const sv_msg *m) {
  sv_signaling *sig = c->sig;
  sv_participant *self = c->participant;
  sv_room *room = self->room;
  rec_room *rr = room_get(sig->recordings, room->id);
  if (rr->state != REC_OFF) {
    sv_conn_send_error(c, m->id, "conflict", "recording is already %s in this room",
                       rr->state == REC_ON ? "running" : "being asked for");
    return;
  }
  for (guint i = 0; i < room->participants->len; i++)
    ((sv_participant *)g_ptr_array_index(room->participants, i))->consent = 0;
  self->consent = 1; /* asking is the host's own agreement */
  rr->state = REC_ASKING;
  audit(sig, self, "record-requested", NULL, NULL);
  sv_conn_send_ok(c, m->id, json_pack("{s:s}", "state", "asking"));
  if (all_agreed(room, NULL, NULL))
    start_recording(sig, room, self);
  else
    announce(room, REC_ASKING, "requested", self);
}

static void on_consent(sv_conn *c, const sv_msg *m) {
  sv_signaling *sig = c->sig;
  sv_participant *self = c->participant;
  sv_room *room = self->room;
  rec_room *rr = g_hash_table_lookup(sig->recordings->rooms, room->id);
  if (!rr || rr->state == REC_OFF) {
    sv_conn_send_error(c, m->id, "conflict", "nobody has asked to record; nothing to answer");
    return;
  }
  self->consent = m->agree ? 1 : -1;
  audit(sig, self, "record-consent", NULL, json_pack("{s:b}", "agree", m->agree));
  sv_conn_send_ok(c, m->id, NULL);
  if (!m->agree) {
    stop_recording(sig, room, rr->state == REC_ON ? "withdrawn" : "declined", self);
  } else if (rr->state == REC_ASKING) {
    if (all_agreed(room, NULL, NULL))
      start_recording(sig, room, NULL);
    else
      announce(room, REC_ASKING, "consent", self);
  }
}

static void on_start(sv_conn *c, const sv_msg *m) {
  sv_signaling *sig = c->sig;
  sv_participant *self = c->participant;
  sv_room *room = self->room;
  rec_room *rr = room_get(sig->recordings, room->id);
  if (rr->state == REC_ON) {
    sv_conn_send_ok(c, m->id, json_pack("{s:s}", "state", "on"));
    return;
  }
  json_t *missing = json_array(), *missing_ids = json_array();
  bool all = all_agreed(room, missing, missing_ids);
  if (rr->state != REC_ASKING || !all) {
    char *names = json_dumps(missing, JSON_COMPACT);
    /* The server log and the session log name people by id only. */
    audit(sig, self, "record-refused", NULL, json_pack("{s:o}", "missing", missing_ids));
    sv_conn_send_error(
        c, m->id, "consent-missing", "recording needs everyone's consent; not yet agreed: %s%s",
        names ? names : "[]", rr->state == REC_ASKING ? "" : " (send record-request to ask them)");
    free(names);
    json_decref(missing);
    return;
  }
  json_decref(missing);
  json_decref(missing_ids);
  sv_conn_send_ok(c, m->id, json_pack("{s:s}", "state", "on"));
  start_recording(sig, room, self);
}

static void on_stop(sv_conn *c, const sv_msg *m) {
  rec_room *rr = g_hash_table_lookup(c->sig->recordings->rooms, c->participant->room->id);
  if (!rr || rr->state == REC_OFF) {
    sv_conn_send_error(c, m->id, "conflict", "nothing is being recorded in this room");
    return;
  }
  sv_conn_send_ok(c, m->id, NULL);
  stop_recording(c->sig, c->participant->room, "stopped", c->participant);
}

static gint by_name(gconstpointer a, gconstpointer b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *sv_recording_files(sv_signaling *sig, const char *room, const char *base_url) {
  struct sv_recordings *recs = sig->recordings;
  json_t *files = json_array();
  if (!recs || !sv_message_room_id_ok(room)) return files; /* it names a directory */
  char *dir = g_build_filename(recs->dir, room, NULL);
  GDir *d = g_dir_open(dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while (d && (name = g_dir_read_name(d)))
    if (name[0] != '.') g_ptr_array_add(names, g_strdup(name));
  if (d) g_dir_close(d);
  g_ptr_array_sort(names, by_name);
  for (guint i = 0; i < names->len; i++) {
    const char *file = g_ptr_array_index(names, i);
    char *path = g_build_filename(dir, file, NULL);
    GStatBuf st;
    if (g_stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
      char *url = download_url(recs, path);
      char *full = g_strconcat(base_url ? base_url : "", url, NULL);
      json_array_append_new(
          files, json_pack("{s:s,s:s,s:s,s:I,s:I}", "file", file, "kind",
                           g_str_has_prefix(file, "still-") ? "still" : "recording", "url", full,
                           "bytes", (json_int_t)st.st_size, "modified", (json_int_t)st.st_mtime));
      g_free(full);
      g_free(url);
    }
    g_free(path);
  }
  g_ptr_array_free(names, TRUE);
  g_free(dir);
  return files;
}

static void on_list(sv_conn *c, const sv_msg *m) {
  sv_conn_send_ok(
      c, m->id,
      json_pack("{s:o}", "files", sv_recording_files(c->sig, c->participant->room->id, NULL)));
}

/* A still still running at its deadline: kill it (capture-failed follows
 * with code "timeout"). */
static gboolean on_capture_deadline(gpointer data) {
  rec_file *f = data;
  f->deadline = 0;
  f->timed_out = true;
  SV_WARN(MOD, "still of %s in room %s not done after %d s; killing it", f->participant, f->room,
          CAPTURE_DEADLINE_S);
  sv_media_recorder_kill(f->rec);
  return G_SOURCE_REMOVE;
}

/* The still running for participant of room, or NULL. */
static rec_file *still_running(struct sv_recordings *recs, const char *room,
                               const char *participant) {
  for (guint i = 0; i < recs->live->len; i++) {
    rec_file *f = g_ptr_array_index(recs->live, i);
    if (f->still && strcmp(f->room, room) == 0 && strcmp(f->participant, participant) == 0)
      return f;
  }
  return NULL;
}

const char *sv_recording_still_blocked(sv_signaling *sig, const sv_participant *t, char *why,
                                       size_t len) {
  rec_room *rr = g_hash_table_lookup(sig->recordings->rooms, t->room->id);
  if (rr && g_hash_table_contains(rr->files, t->id)) {
    /* One tap per participant: a capture while recording would take the
     * recorder's. */
    g_snprintf(why, len, "%s is being recorded; stop the recording to take a still", t->name);
    return "conflict";
  }
  if (still_running(sig->recordings, t->room->id, t->id)) {
    /* One recorder per participant: a second would race the first for the
     * tap, and many would be a way to start processes without end. */
    g_snprintf(why, len, "a still of %s is being taken; wait for it (at most %d s)", t->name,
               CAPTURE_DEADLINE_S);
    return "busy";
  }
  return NULL;
}

bool sv_recording_still_start(sv_signaling *sig, sv_participant *t, const char *host) {
  rec_file *f = recorder_start(sig->recordings, t, true);
  if (!f) return false;
  g_strlcpy(f->host, host, sizeof f->host);
  f->deadline = g_timeout_add_seconds(CAPTURE_DEADLINE_S, on_capture_deadline, f);
  SV_LOG_IDS(SV_LOG_INFO, MOD, t->id, t->room->id, "taking a still of %s for %s (agreed)", t->id,
             host);
  return true;
}

void sv_recording_handle(sv_conn *c, const sv_msg *m) {
  if (!c->participant || c->participant->waiting) {
    sv_conn_send_error(c, m->id, "conflict", "%s works once you are in the call", m->type_name);
    return;
  }
  if (!enabled(c, m)) return;
  switch (m->type) {
  case SV_MSG_RECORD_REQUEST:
    if (sv_host_require(c, m)) on_request(c, m);
    break;
  case SV_MSG_RECORD_CONSENT:
    on_consent(c, m);
    break;
  case SV_MSG_RECORD_START:
    if (sv_host_require(c, m)) on_start(c, m);
    break;
  case SV_MSG_RECORD_STOP:
    if (sv_host_require(c, m)) on_stop(c, m);
    break;
  case SV_MSG_RECORDINGS:
    if (sv_host_require(c, m)) on_list(c, m);
    break;
  case SV_MSG_CAPTURE:
    if (sv_host_require(c, m)) sv_stills_ask(c->sig->recordings->stills, c, m);
    break;
  case SV_MSG_CAPTURE_CONSENT:
    sv_stills_answer(c->sig->recordings->stills, c, m);
    break;
  default:
    break;
  }
}

void sv_recording_after_join(sv_signaling *sig, sv_participant *p) {
  struct sv_recordings *recs = sig->recordings;
  rec_room *rr = recs ? g_hash_table_lookup(recs->rooms, p->room->id) : NULL;
  if (!rr || rr->state == REC_OFF) return;
  p->consent = 0;
  if (rr->state == REC_ON) {
    /* Nobody is recorded without having agreed: stop, and the host may ask
     * again with the newcomer present. */
    stop_recording(sig, p->room, "participant-joined", p);
  } else {
    json_t *msg = json_pack("{s:s,s:s,s:s,s:o}", "type", "recording", "state", "asking", "reason",
                            "requested", "agreed", agreed_list(p->room));
    if (p->room->host) json_object_set_new(msg, "by", json_string(p->room->host->id));
    sv_conn_send(p->conn, msg);
  }
}

void sv_recording_before_leave(sv_signaling *sig, sv_participant *p) {
  struct sv_recordings *recs = sig->recordings;
  rec_room *rr = recs ? g_hash_table_lookup(recs->rooms, p->room->id) : NULL;
  if (recs) sv_stills_before_leave(recs->stills, p);
  if (!rr) return;
  rec_file *f = g_hash_table_lookup(rr->files, p->id);
  if (f) {
    f->owner = NULL;
    g_hash_table_remove(rr->files, p->id);
    recorder_stop(sig, f);
  }
  sv_room *room = p->room;
  if (room->participants->len <= 1) {
    stop_recording(sig, room, "empty", NULL);
    g_hash_table_remove(recs->rooms, room->id);
    room_free(rr);
    return;
  }
  if (rr->state == REC_ASKING && !p->waiting) {
    /* Without the one who left, everyone else may have agreed by now. */
    p->consent = 1;
    bool all = all_agreed(room, NULL, NULL);
    p->consent = 0;
    if (all) {
      p->waiting = true; /* not counted (nor recorded) as present any more */
      start_recording(sig, room, NULL);
      p->waiting = false;
    }
  }
}

bool sv_recording_download(sv_signaling *sig, const char *key, char **path, const char **type) {
  struct sv_recordings *recs = sig->recordings;
  const char *file = recs ? g_hash_table_lookup(recs->downloads, key) : NULL;
  if (!file || !g_file_test(file, G_FILE_TEST_IS_REGULAR)) return false;
  *path = g_strdup(file);
  *type = g_str_has_suffix(file, ".png")    ? "image/png"
          : g_str_has_suffix(file, ".webm") ? "video/webm"
                                            : "video/x-matroska";
  return true;
}
