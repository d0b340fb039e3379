/*
 * teaching.h — group teaching (docs/protocol.md, "Group teaching"): who may
 * send media, who sees whom, the queue of raised hands, the floor and when
 * the attendee count is told. Private to signaling/.
 *
 * Pure: no sockets, no clock, no messages. Time comes in as an argument;
 * classroom.c does the telling. A room of kind group-teaching has an
 * sv_teaching (sv_room.teaching); every other room has NULL, and then the
 * rules here are the ordinary ones (everyone in sees everyone in).
 *
 * Presenters are the specialists (the host team's links) and whoever a host
 * made presenter; they send audio and video and see everyone. Attendees
 * receive only and see the presenters and the attendee who has the floor,
 * never each other.
 */
#ifndef SV_SIGNALING_TEACHING_H
#define SV_SIGNALING_TEACHING_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "signaling/room.h"

/* Presenters a host may add beyond the specialists: every subscriber's
 * connection carries two m-lines per publisher (relay/sdp.h allows 32). */
#define SV_TEACHING_MAX_PRESENTERS 12
/* The attendee count is told at most once in this long (a hundred joining
 * at once are one message each, not a hundred). */
#define SV_TEACHING_COUNT_GAP_US G_USEC_PER_SEC
/* A floor holder whose connection dropped gets the floor back when the same
 * link joins again within this long (docs/protocol.md, "Reconnecting in a
 * group teaching"). */
#define SV_TEACHING_FLOOR_KEEP_US (60 * G_USEC_PER_SEC)

typedef struct sv_teaching {
  GPtrArray *hands;      /* sv_participant * (borrowed), in the order the hands went up */
  sv_participant *floor; /* the attendee who has the floor, or NULL */
  bool floor_video;      /* ... and may send video too (else audio only) */
  /* ... given by this host ("" = unknown) */
  char floor_by[SV_PARTICIPANT_ID_LEN + 1];
  unsigned count_told;  /* the attendee count last told */
  gint64 count_told_us; /* when (monotonic); 0 = never */
  guint count_timer;    /* a pending telling (classroom.c), 0 = none */
  /* The links (token hashes, owned strings) of those a host made presenter:
   * someone who comes back with the same link after a dropped connection
   * presents again. */
  GHashTable *made;
  /* A floor kept for a holder whose connection dropped: its link ("" =
   * none), whether video was allowed, until when (monotonic) and the host
   * who gave it. */
  char kept_floor[65];
  bool kept_floor_video;
  gint64 kept_floor_until_us;
  char kept_floor_by[SV_PARTICIPANT_ID_LEN + 1];
} sv_teaching;

sv_teaching *sv_teaching_new(void);
/* Also removes a pending count timer. NULL is fine. */
void sv_teaching_free(sv_teaching *t);

/* A presenter: a specialist, or made one by a host. In a room without
 * teaching everyone counts as one. */
bool sv_teaching_is_presenter(const sv_participant *p);
/* What p may publish now: in an ordinary room everyone but an observer
 * both; in group teaching a presenter both, the floor holder audio (and
 * video when the host allowed it), any other attendee nothing. Returns
 * whether anything is allowed. */
bool sv_teaching_may_publish(const sv_participant *p, bool *audio, bool *video);
/* Whether viewer is shown other (in lists, joined/left, media state, chat
 * names). The waiting see nobody; in ordinary rooms the waiting are shown to
 * hosts only; in group teaching presenters see everyone, attendees see
 * presenters and the floor holder. */
bool sv_teaching_sees(const sv_participant *viewer, const sv_participant *other);
/* Attendees in room (joined, not presenters; the floor holder included). */
unsigned sv_teaching_attendees(const sv_room *room);

/* Puts p's hand up; returns its place in the queue (1 = first). Raising
 * twice keeps the first place. */
unsigned sv_teaching_raise(sv_teaching *t, sv_participant *p);
/* Takes p's hand down; false when it was not up. */
bool sv_teaching_lower(sv_teaching *t, sv_participant *p);
/* p's place in the queue (1 = first), 0 when its hand is down. */
unsigned sv_teaching_position(const sv_teaching *t, const sv_participant *p);
/* Gives p the floor (its hand goes down) and returns the attendee who had
 * it before (NULL when nobody, or p). */
sv_participant *sv_teaching_give_floor(sv_teaching *t, sv_participant *p, bool video);
/* Takes the floor back; returns who had it (NULL when nobody). */
sv_participant *sv_teaching_take_floor(sv_teaching *t);
/* p is leaving or became a presenter: off the queue and off the floor.
 * Returns true when that changed the queue or the floor. */
bool sv_teaching_forget(sv_teaching *t, const sv_participant *p);

/* Reconnecting (by link: p->token_hash; a participant without one is not
 * remembered). p was made presenter (on) or is no longer one: remembered
 * or forgotten. */
void sv_teaching_remember_presenter(sv_teaching *t, const sv_participant *p, bool on);
/* Whether p's link was made presenter by a host. */
bool sv_teaching_was_made_presenter(const sv_teaching *t, const sv_participant *p);
/* p, who has the floor, dropped at now_us: the floor is taken from p and
 * kept for p's link for SV_TEACHING_FLOOR_KEEP_US. Nothing when the floor
 * is not p's. */
void sv_teaching_keep_floor(sv_teaching *t, const sv_participant *p, gint64 now_us);
/* p joined at now_us: true when a floor is kept for its link and nobody
 * else has the floor; it is given to p (*video: whether with video, *by:
 * the host who first gave it, "" when unknown). The kept floor is gone
 * either way once its link came back. */
bool sv_teaching_reclaim_floor(sv_teaching *t, sv_participant *p, gint64 now_us, bool *video,
                               const char **by);
/* A host gave the floor to someone or took it back: a kept floor is gone.
 * Returns whether there was one. */
bool sv_teaching_drop_kept_floor(sv_teaching *t);

/* When to tell the attendee count `count` at monotonic time now_us: < 0
 * nothing to tell (already told), 0 now, > 0 in that many microseconds. */
gint64 sv_teaching_count_due(const sv_teaching *t, unsigned count, gint64 now_us);
/* The count was told at now_us. */
void sv_teaching_count_told(sv_teaching *t, unsigned count, gint64 now_us);

#endif
