/*
 * teaching.c — the rules of group teaching (teaching.h): roles, who sees
 * whom, the hand queue, the floor and the pacing of the attendee count.
 * Pure: the callers (classroom.c, session.c) do every sending.
 */
#include "signaling/teaching.h"

#include <string.h>

sv_teaching *sv_teaching_new(void) {
  sv_teaching *t = g_new0(sv_teaching, 1);
  t->hands = g_ptr_array_new();
  return t;
}

void sv_teaching_free(sv_teaching *t) {
  if (!t) return;
  if (t->count_timer) g_source_remove(t->count_timer);
  g_ptr_array_free(t->hands, TRUE);
  g_free(t);
}

bool sv_teaching_is_presenter(const sv_participant *p) {
  if (!p->room->teaching) return true;
  return strcmp(p->role, "specialist") == 0 || p->presenter;
}

bool sv_teaching_may_publish(const sv_participant *p, bool *audio, bool *video) {
  const sv_teaching *t = p->room->teaching;
  bool a = false, v = false;
  if (!t) {
    a = v = strcmp(p->role, "observer") != 0;
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
