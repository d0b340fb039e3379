/*
 * teaching.c — the rules of group teaching (teaching.h): roles, who sees
 * whom, the hand queue, the floor and the pacing of the attendee count.
 * Pure: the callers (classroom.c, session.c) do every sending.
 */
#include "signaling/teaching.h"

#include <string.h>

#include "common/role.h"

sv_teaching *sv_teaching_new(void) {
  sv_teaching *t = g_new0(sv_teaching, 1);
  t->hands = g_ptr_array_new();
  t->made = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  return t;
}

void sv_teaching_free(sv_teaching *t) {
  if (!t) return;
  if (t->count_timer) g_source_remove(t->count_timer);
  g_ptr_array_free(t->hands, TRUE);
  g_hash_table_destroy(t->made);
  g_free(t);
}

bool sv_teaching_is_presenter(const sv_participant *p) {
  if (!p->room->teaching) return true;
  return sv_participant_is_host(p) || p->presenter;
}

bool sv_teaching_may_publish(const sv_participant *p, bool *audio, bool *video) {
  const sv_teaching *t = p->room->teaching;
  bool a = false, v = false;
  if (!t) {
    a = v = !sv_role_is(p->role, SV_ROLE_OBSERVER);
  } else if (sv_teaching_is_presenter(p)) {
    a = v = true;
  } else if (t->floor == p) {
    a = true;
    v = t->floor_video;
  }
  if (audio) *audio = a;
  if (video) *video = v;
  return a || v;
}

bool sv_teaching_sees(const sv_participant *viewer, const sv_participant *other) {
  if (viewer->waiting) return false;
  if (viewer == other) return true;
  const sv_teaching *t = viewer->room->teaching;
  bool host = sv_participant_is_host(viewer);
  if (!t || sv_teaching_is_presenter(viewer)) return !other->waiting || host;
  return !other->waiting && (sv_teaching_is_presenter(other) || other == t->floor);
}

unsigned sv_teaching_attendees(const sv_room *room) {
  unsigned n = 0;
  for (guint i = 0; room->teaching && i < room->participants->len; i++) {
    const sv_participant *o = g_ptr_array_index(room->participants, i);
    if (!o->waiting && !sv_teaching_is_presenter(o)) n++;
  }
  return n;
}

unsigned sv_teaching_position(const sv_teaching *t, const sv_participant *p) {
  guint index = 0;
  return g_ptr_array_find(t->hands, p, &index) ? index + 1 : 0;
}

unsigned sv_teaching_raise(sv_teaching *t, sv_participant *p) {
  unsigned at = sv_teaching_position(t, p);
  if (at) return at;
  g_ptr_array_add(t->hands, p);
  return t->hands->len;
}

bool sv_teaching_lower(sv_teaching *t, sv_participant *p) {
  return g_ptr_array_remove(t->hands, p);
}

sv_participant *sv_teaching_give_floor(sv_teaching *t, sv_participant *p, bool video) {
  sv_participant *before = t->floor;
  sv_teaching_lower(t, p);
  t->floor = p;
  t->floor_video = video;
  return before == p ? NULL : before;
}

sv_participant *sv_teaching_take_floor(sv_teaching *t) {
  sv_participant *before = t->floor;
  t->floor = NULL;
  t->floor_video = false;
  t->floor_by[0] = '\0';
  return before;
}

bool sv_teaching_forget(sv_teaching *t, const sv_participant *p) {
  bool changed = g_ptr_array_remove(t->hands, (gpointer)p);
  if (t->floor == p) {
    sv_teaching_take_floor(t);
    changed = true;
  }
  return changed;
}

void sv_teaching_remember_presenter(sv_teaching *t, const sv_participant *p, bool on) {
  if (!p->token_hash[0]) return;
  if (on)
    g_hash_table_add(t->made, g_strdup(p->token_hash));
  else
    g_hash_table_remove(t->made, p->token_hash);
}

bool sv_teaching_was_made_presenter(const sv_teaching *t, const sv_participant *p) {
  return p->token_hash[0] && g_hash_table_contains(t->made, p->token_hash);
}

void sv_teaching_keep_floor(sv_teaching *t, const sv_participant *p, gint64 now_us) {
  if (t->floor != p) return;
  bool video = t->floor_video;
  char by[sizeof t->floor_by];
  g_strlcpy(by, t->floor_by, sizeof by);
  sv_teaching_take_floor(t);
  if (!p->token_hash[0]) return;
  g_strlcpy(t->kept_floor, p->token_hash, sizeof t->kept_floor);
  t->kept_floor_video = video;
  t->kept_floor_until_us = now_us + SV_TEACHING_FLOOR_KEEP_US;
  g_strlcpy(t->kept_floor_by, by, sizeof t->kept_floor_by);
}

bool sv_teaching_reclaim_floor(sv_teaching *t, sv_participant *p, gint64 now_us, bool *video,
                               const char **by) {
  if (!t->kept_floor[0] || !p->token_hash[0] || strcmp(t->kept_floor, p->token_hash) != 0)
    return false;
  bool in_time = now_us <= t->kept_floor_until_us && !t->floor;
  t->kept_floor[0] = '\0';
  if (!in_time) return false;
  sv_teaching_give_floor(t, p, t->kept_floor_video);
  g_strlcpy(t->floor_by, t->kept_floor_by, sizeof t->floor_by);
  if (video) *video = t->kept_floor_video;
  if (by) *by = t->kept_floor_by;
  return true;
}

bool sv_teaching_drop_kept_floor(sv_teaching *t) {
  bool had = t->kept_floor[0] != '\0';
  t->kept_floor[0] = '\0';
  return had;
}

gint64 sv_teaching_count_due(const sv_teaching *t, unsigned count, gint64 now_us) {
  if (t->count_told_us && count == t->count_told) return -1;
  if (!t->count_told_us) return 0;
  gint64 next = t->count_told_us + SV_TEACHING_COUNT_GAP_US;
  return now_us >= next ? 0 : next - now_us;
}

void sv_teaching_count_told(sv_teaching *t, unsigned count, gint64 now_us) {
  t->count_told = count;
  t->count_told_us = now_us ? now_us : 1;
}
