/*
 * room.c — the room table: room id → participants, plus an index of
 * participant ids so ids stay unique across the server and relay events can
 * be routed back. Main thread only. Empty rooms are deleted at once.
 */
#include "signaling/room.h"

#include <string.h>

#include "common/common.h"
#include "common/role.h"
#include "signaling/teaching.h"

struct sv_rooms {
  GHashTable *by_id;  /* room id → sv_room * (owned) */
  GHashTable *by_pid; /* participant id → sv_participant * (borrowed) */
};

static void participant_free(sv_participant *p) {
  g_free(p->name);
  g_free(p);
}

static void room_free(gpointer data) {
  sv_room *room = data;
  g_ptr_array_free(room->participants, TRUE);
  g_hash_table_destroy(room->admitted);
  g_hash_table_destroy(room->removed);
  sv_teaching_free(room->teaching);
  g_free(room->id);
  g_free(room);
}

sv_rooms *sv_rooms_new(void) {
  sv_rooms *rooms = g_new0(sv_rooms, 1);
  rooms->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, room_free);
  rooms->by_pid = g_hash_table_new(g_str_hash, g_str_equal);
  return rooms;
}

void sv_rooms_free(sv_rooms *rooms) {
  if (!rooms) return;
  g_hash_table_destroy(rooms->by_pid);
  g_hash_table_destroy(rooms->by_id); /* frees participants through the arrays */
  g_free(rooms);
}

int sv_rooms_add(sv_rooms *rooms, const char *room_id, const char *name, size_t max_size,
                 struct sv_conn *conn, sv_participant **out) {
  sv_room *room = g_hash_table_lookup(rooms->by_id, room_id);
  if (room && room->participants->len >= max_size) return SV_EFULL;
  if (!room) {
    room = g_new0(sv_room, 1);
    room->id = g_strdup(room_id);
    room->participants = g_ptr_array_new_with_free_func((GDestroyNotify)participant_free);
    room->admitted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    room->removed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_insert(rooms->by_id, room->id, room);
  }

  sv_participant *p = g_new0(sv_participant, 1);
  /* 36^11 ids make a collision unlikely, but checking costs nothing. */
  do {
    p->id[0] = 'p';
    sv_random_id(p->id + 1, SV_PARTICIPANT_ID_LEN - 1);
  } while (g_hash_table_contains(rooms->by_pid, p->id));
  p->name = g_strdup(name);
  p->role = sv_role_name(room->participants->len == 0 ? SV_ROLE_SPECIALIST : SV_ROLE_MUNICIPAL);
  p->room = room;
  p->conn = conn;
  p->joined_us = g_get_monotonic_time();
  g_ptr_array_add(room->participants, p);
  g_hash_table_insert(rooms->by_pid, p->id, p);
  *out = p;
  return 0;
}

void sv_rooms_remove(sv_rooms *rooms, sv_participant *p) {
  sv_room *room = p->room;
  if (room->host == p) room->host = NULL;
  if (room->teaching) sv_teaching_forget(room->teaching, p); /* no dangling hand or floor */
  g_hash_table_remove(rooms->by_pid, p->id);
  g_ptr_array_remove(room->participants, p); /* frees p */
  if (room->participants->len == 0) g_hash_table_remove(rooms->by_id, room->id);
}

sv_room *sv_rooms_find(sv_rooms *rooms, const char *room_id) {
  return g_hash_table_lookup(rooms->by_id, room_id);
}

sv_participant *sv_rooms_find_participant(sv_rooms *rooms, const char *room_id,
                                          const char *participant) {
  if (!room_id || !participant) return NULL;
  sv_participant *p = g_hash_table_lookup(rooms->by_pid, participant);
  if (!p || strcmp(p->room->id, room_id) != 0) return NULL;
  return p;
}

size_t sv_rooms_count(const sv_rooms *rooms) {
  return g_hash_table_size(rooms->by_id);
}

size_t sv_rooms_participant_count(const sv_rooms *rooms) {
  return g_hash_table_size(rooms->by_pid);
}

const char *sv_room_role(const char *name) {
  sv_role role;
  return sv_role_parse(name, &role) == 0 ? sv_role_name(role) : NULL;
}

bool sv_room_role_waits(const char *role) {
  sv_role r;
  return sv_role_parse(role, &r) == 0 && sv_role_waits(r);
}

bool sv_participant_is_host(const sv_participant *p) {
  return !p->waiting && sv_role_is(p->role, SV_ROLE_SPECIALIST);
}
