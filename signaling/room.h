/*
 * room.h — rooms and their participants, as the signalling server sees them.
 * Private to signaling/. Main thread only; knows nothing of WebSockets or
 * the relay: a participant carries an opaque pointer to its connection.
 */
#ifndef SV_SIGNALING_ROOM_H
#define SV_SIGNALING_ROOM_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#define SV_PARTICIPANT_ID_LEN 12 /* "p" + 11 characters [a-z0-9] */

struct sv_conn;

typedef struct sv_room sv_room;

/* One person in one room. Owned by the room table; freed by
 * sv_rooms_remove() or sv_rooms_free(). */
typedef struct sv_participant {
  char id[SV_PARTICIPANT_ID_LEN + 1];
  char *name;           /* trimmed display name, owned */
  const char *role;     /* static, one of the roles of sv_room_role() */
  sv_room *room;        /* the room it is in */
  struct sv_conn *conn; /* its WebSocket connection, not owned */
  bool waiting;         /* in the waiting room: no media until a host admits */
  bool notice_ack;      /* acknowledged the privacy notice when joining */
  gint64 joined_us;     /* monotonic time of the join */
  char token_hash[65];  /* hex SHA-256 of the join token; "" in an open room */
  int consent;          /* recording: 1 agreed, -1 declined, 0 not asked or no answer */
  gint64 media_us;      /* monotonic time its publish connection came up; 0 = no media */
  bool audio_only;      /* asked to receive no video (audio-only); the others are told */
  bool mic_muted;       /* said by media-state: its microphone is muted or missing */
  bool camera_off;      /* said by media-state: its camera is off or missing */
  bool chat_used;       /* has sent chat since joining (audited once, never the text) */
  bool presenter;       /* group teaching: a host made them a presenter (teaching.h) */
  gint64 screen_us;     /* monotonic time its screen share began; 0 = not sharing */
  char screen_stop_by[SV_PARTICIPANT_ID_LEN + 1]; /* the host who asked it to stop, or "" */
} sv_participant;

struct sv_room {
  char *id;                /* owned */
  GPtrArray *participants; /* of sv_participant *, in joining order */
  sv_participant *host;    /* the specialist leading the room, or NULL */
  /* Token hashes a host admitted (a reconnect skips the waiting room) and
   * removed (refused until the room empties). Owned strings. */
  GHashTable *admitted, *removed;
  /* Group teaching (teaching.h): presenters, attendees, hands and the
   * floor; NULL in every other room. Owned. */
  struct sv_teaching *teaching;
};

/* The static name of a role (common/role.h: "specialist", "municipal",
 * "patient", "relative", "interpreter", "observer"), or NULL for anything
 * else. */
const char *sv_room_role(const char *name);
/* Patients, relatives and interpreters wait until a host admits them. */
bool sv_room_role_waits(const char *role);
/* A specialist who is in (not waiting) may admit, reject, remove and end. */
bool sv_participant_is_host(const sv_participant *p);

typedef struct sv_rooms sv_rooms;

sv_rooms *sv_rooms_new(void);
/* Frees every room and participant. NULL is fine. */
void sv_rooms_free(sv_rooms *rooms);

/* Adds a new participant named `name` to room `room_id`, creating the room
 * if needed, with a fresh random id. The first participant of a room is the
 * "specialist" (host), later ones "municipal". Returns 0 and sets *out
 * (owned by the table), or SV_EFULL when the room already holds max_size
 * participants (nothing is changed then). */
int sv_rooms_add(sv_rooms *rooms, const char *room_id, const char *name, size_t max_size,
                 struct sv_conn *conn, sv_participant **out);
/* Removes and frees p; deletes its room when it becomes empty. */
void sv_rooms_remove(sv_rooms *rooms, sv_participant *p);

/* NULL when there is no such room. */
sv_room *sv_rooms_find(sv_rooms *rooms, const char *room_id);
/* The participant with id `participant` in room `room_id`, or NULL when it is
 * gone (or was never there). */
sv_participant *sv_rooms_find_participant(sv_rooms *rooms, const char *room_id,
                                          const char *participant);

size_t sv_rooms_count(const sv_rooms *rooms);
size_t sv_rooms_participant_count(const sv_rooms *rooms);

#endif
