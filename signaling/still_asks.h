/*
 * still_asks.h — the table of still-capture requests waiting for the
 * consent of the person whose camera it is (docs/protocol.md, "Recording
 * and still capture"). Private to signaling/; pure (no I/O, time is an
 * argument), so it is unit tested on its own. stills.c puts it on the wire.
 *
 * An ask is open until its person answers or its deadline passes. An
 * answered ask is kept, marked answered, until that deadline, so a second
 * answer is told apart from an answer to an ask that is gone.
 */
#ifndef SV_SIGNALING_STILL_ASKS_H
#define SV_SIGNALING_STILL_ASKS_H

#include <stdbool.h>
#include <stdint.h>

#define SV_STILL_ASK_ID_LEN 16
#define SV_STILL_ASK_ROOM   64
#define SV_STILL_ASK_PART   32

typedef struct sv_still_ask {
  char id[SV_STILL_ASK_ID_LEN + 1];
  char room[SV_STILL_ASK_ROOM + 1];
  char target[SV_STILL_ASK_PART + 1]; /* whose camera */
  char host[SV_STILL_ASK_PART + 1];   /* who asked */
  int64_t deadline;                   /* in the caller's clock */
  bool answered;
} sv_still_ask;

typedef enum {
  SV_STILL_ASK_OK = 0,    /* the answer counts: the ask is now answered */
  SV_STILL_ASK_GONE,      /* no such ask in this room: never made, timed out or cancelled */
  SV_STILL_ASK_NOT_YOURS, /* the ask is for someone else's camera */
  SV_STILL_ASK_ANSWERED,  /* already answered */
} sv_still_ask_result;

typedef struct sv_still_asks sv_still_asks;
typedef void (*sv_still_ask_fn)(const sv_still_ask *ask, void *user);

sv_still_asks *sv_still_asks_new(void);
void sv_still_asks_free(sv_still_asks *t);

/* Adds an open ask; false (nothing added) when any field is too long or
 * id is already used. */
bool sv_still_asks_add(sv_still_asks *t, const char *id, const char *room, const char *target,
                       const char *host, int64_t deadline);

/* The open (unanswered) ask for target's camera in room, or NULL. */
const sv_still_ask *sv_still_asks_open_for(const sv_still_asks *t, const char *room,
                                           const char *target);

/* who (in room) answers ask id. On SV_STILL_ASK_OK the ask is marked
 * answered and copied to *out (may be NULL). */
sv_still_ask_result sv_still_asks_answer(sv_still_asks *t, const char *id, const char *room,
                                         const char *who, sv_still_ask *out);

/* Removes every ask whose deadline is <= now; fn (may be NULL) is called
 * for each one that was still open (a consent time-out) before it goes.
 * Returns how many open ones timed out. */
unsigned sv_still_asks_expire(sv_still_asks *t, int64_t now, sv_still_ask_fn fn, void *user);

/* participant left room: removes the asks where they are the target or
 * the host; fn (may be NULL) is called for each one that was still open.
 * Returns how many open ones were dropped. */
unsigned sv_still_asks_drop(sv_still_asks *t, const char *room, const char *participant,
                            sv_still_ask_fn fn, void *user);

/* How many asks are kept (open or answered). */
unsigned sv_still_asks_count(const sv_still_asks *t);

#endif
