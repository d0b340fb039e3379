/*
 * still_asks.c — the table of still-capture requests waiting for consent
 * (still_asks.h). Pure: GLib containers only, time comes from the caller.
 */
#include "signaling/still_asks.h"

#include <glib.h>
#include <string.h>

struct sv_still_asks {
  GPtrArray *asks; /* sv_still_ask*, owned */
};

sv_still_asks *sv_still_asks_new(void) {
  sv_still_asks *t = g_new0(sv_still_asks, 1);
  t->asks = g_ptr_array_new_with_free_func(g_free);
  return t;
}

void sv_still_asks_free(sv_still_asks *t) {
  if (!t) return;
  g_ptr_array_free(t->asks, TRUE);
  g_free(t);
}

static sv_still_ask *find(const sv_still_asks *t, const char *id) {
  for (guint i = 0; i < t->asks->len; i++) {
    sv_still_ask *a = g_ptr_array_index(t->asks, i);
    if (strcmp(a->id, id) == 0) return a;
  }
  return NULL;
}

static bool fits(const char *s, size_t max) {
  return s && s[0] && strlen(s) <= max;
}

bool sv_still_asks_add(sv_still_asks *t, const char *id, const char *room, const char *target,
                       const char *host, int64_t deadline) {
  if (!fits(id, SV_STILL_ASK_ID_LEN) || !fits(room, SV_STILL_ASK_ROOM) ||
      !fits(target, SV_STILL_ASK_PART) || !fits(host, SV_STILL_ASK_PART) || find(t, id))
    return false;
  sv_still_ask *a = g_new0(sv_still_ask, 1);
  g_strlcpy(a->id, id, sizeof a->id);
  g_strlcpy(a->room, room, sizeof a->room);
  g_strlcpy(a->target, target, sizeof a->target);
  g_strlcpy(a->host, host, sizeof a->host);
  a->deadline = deadline;
  g_ptr_array_add(t->asks, a);
  return true;
}

const sv_still_ask *sv_still_asks_open_for(const sv_still_asks *t, const char *room,
                                           const char *target) {
  for (guint i = 0; i < t->asks->len; i++) {
    const sv_still_ask *a = g_ptr_array_index(t->asks, i);
    if (!a->answered && strcmp(a->room, room) == 0 && strcmp(a->target, target) == 0) return a;
  }
  return NULL;
}

sv_still_ask_result sv_still_asks_answer(sv_still_asks *t, const char *id, const char *room,
                                         const char *who, sv_still_ask *out) {
  sv_still_ask *a = id ? find(t, id) : NULL;
  /* An ask of another room is as unknown here as one never made. */
  if (!a || !room || strcmp(a->room, room) != 0) return SV_STILL_ASK_GONE;
  if (!who || strcmp(a->target, who) != 0) return SV_STILL_ASK_NOT_YOURS;
  if (a->answered) return SV_STILL_ASK_ANSWERED;
  a->answered = true;
  if (out) *out = *a;
  return SV_STILL_ASK_OK;
}

/* Removes the asks drop() says yes to, calling fn for the open ones. */
static unsigned remove_where(sv_still_asks *t, bool (*drop)(const sv_still_ask *, const void *),
                             const void *arg, sv_still_ask_fn fn, void *user) {
  unsigned n = 0;
  for (guint i = 0; i < t->asks->len;) {
    sv_still_ask *a = g_ptr_array_index(t->asks, i);
    if (!drop(a, arg)) {
      i++;
      continue;
    }
    /* Out of the table before fn runs: fn may add or look up asks. */
    g_ptr_array_steal_index(t->asks, i);
    if (!a->answered) {
      n++;
      if (fn) fn(a, user);
    }
    g_free(a);
  }
  return n;
}

static bool past(const sv_still_ask *a, const void *arg) {
  return a->deadline <= *(const int64_t *)arg;
}

unsigned sv_still_asks_expire(sv_still_asks *t, int64_t now, sv_still_ask_fn fn, void *user) {
  return remove_where(t, past, &now, fn, user);
}

typedef struct {
  const char *room, *participant;
} who_arg;

static bool involves(const sv_still_ask *a, const void *arg) {
  const who_arg *w = arg;
  return strcmp(a->room, w->room) == 0 &&
         (strcmp(a->target, w->participant) == 0 || strcmp(a->host, w->participant) == 0);
}

unsigned sv_still_asks_drop(sv_still_asks *t, const char *room, const char *participant,
                            sv_still_ask_fn fn, void *user) {
  who_arg w = {room, participant};
  return remove_where(t, involves, &w, fn, user);
}

unsigned sv_still_asks_count(const sv_still_asks *t) {
  return t->asks->len;
}
