/*
 * links.c — keeps the people in rooms in step with their invitations.
 *
 * A join checks the link once (session.c). When an organiser later revokes
 * an invitation or cancels a consultation, whoever is already in the room
 * with that link must go too, or revocation would only stop the next join.
 * sv_links_recheck() asks the store again about every participant who came
 * with a link: a revoked (or no longer known) invitation removes that
 * person the way a host's `remove` does (`removed`, by "organiser"; the
 * link stays refused in that room), and a cancelled consultation ends the
 * room for everyone (`ended`, by "organiser", reason "cancelled").
 *
 * The API calls it right after a revocation or cancellation; a timer calls
 * it every SV_LINKS_RECHECK_S seconds for changes this process did not
 * make (another node on the same PostgreSQL database, the command line).
 * A store that cannot answer removes nobody: refusing joins is the safe
 * side of an outage, throwing people out of a call is not.
 */
#include <string.h>

#include "common/common.h"
#include "signaling/signaling_int.h"

/* Ends room_id for everyone in it: its consultation was cancelled. */
static void end_cancelled(sv_signaling *sig, const char *room_id) {
  sv_room *room = sv_rooms_find(sig->rooms, room_id);
  if (!room) return;
  char *id = g_strdup(room_id);
  sv_audit(sig, id, "ended", NULL, NULL, NULL, "organiser",
           json_pack("{s:s}", "reason", "cancelled"));
  sv_session_broadcast(room, NULL,
                       json_pack("{s:s,s:s,s:s,s:s}", "type", "ended", "by", "organiser", "name",
                                 "", "reason", "cancelled"),
                       true);
  /* Leaving frees participants and, with the last, the room. */
  GPtrArray *conns = g_ptr_array_new();
  for (guint i = 0; i < room->participants->len; i++)
    g_ptr_array_add(conns, ((sv_participant *)g_ptr_array_index(room->participants, i))->conn);
  for (guint i = 0; i < conns->len; i++)
    sv_session_leave_participant(g_ptr_array_index(conns, i), "ended");
  g_ptr_array_free(conns, TRUE);
  SV_INFO("signaling", "room %s was ended: its consultation was cancelled", id);
  g_hash_table_add(sig->ended, id); /* takes id */
}

/* Removes p (its invitation is no longer valid), as a host's remove does. */
static void remove_revoked(sv_signaling *sig, sv_participant *p) {
  sv_room *room = p->room;
  g_hash_table_remove(room->admitted, p->token_hash);
  g_hash_table_add(room->removed, g_strdup(p->token_hash));
  sv_audit_participant(sig, p, "removed", "organiser",
                       json_pack("{s:s}", "reason", "invitation-revoked"));
  sv_conn_send(p->conn, json_pack("{s:s,s:s,s:s}", "type", "removed", "by", "organiser", "reason",
                                  "invitation-revoked"));
  SV_LOG_IDS(SV_LOG_INFO, "signaling", p->id, room->id,
             "removed %s from room %s: its invitation was revoked", p->id, room->id);
  sv_session_leave_participant(p->conn, "removed");
}

void sv_links_recheck(sv_signaling *sig) {
  if (sig->closing || !sig->store) return;
  /* Decide first, act after: acting frees participants and rooms. */
  GHashTable *rooms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GHashTable *known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *cancelled = g_ptr_array_new_with_free_func(g_free);
  GPtrArray *revoked = g_ptr_array_new(); /* sv_conn *: conns outlive this call */
  for (guint i = 0; i < sig->conns->len; i++) {
    sv_conn *c = g_ptr_array_index(sig->conns, i);
    sv_participant *p = c->participant;
    if (!p) continue;
    const char *room_id = p->room->id;
    if (!g_hash_table_contains(rooms, room_id)) {
      g_hash_table_add(rooms, g_strdup(room_id));
      sv_signaling_consultation info;
      memset(&info, 0, sizeof info);
      int err = sig->store->consultation ? sig->store->consultation(sig->store_user, room_id, &info)
                                         : SV_ENOENT;
      if (err == 0) g_hash_table_add(known, g_strdup(room_id));
      if (err == 0 && info.cancelled) g_ptr_array_add(cancelled, g_strdup(room_id));
    }
    if (!p->token_hash[0] || !sig->store->link) continue;
    char room[SV_STORE_ID_MAX] = "";
    int err = sig->store->link(sig->store_user, p->token_hash, room, sizeof room);
    bool gone = err == SV_EAUTH || (err == 0 && strcmp(room, room_id) != 0) ||
                (err == SV_ENOENT && g_hash_table_contains(known, room_id));
    if (gone) g_ptr_array_add(revoked, c);
  }
  for (guint i = 0; i < cancelled->len; i++)
    end_cancelled(sig, g_ptr_array_index(cancelled, i));
  for (guint i = 0; i < revoked->len; i++) {
    sv_conn *c = g_ptr_array_index(revoked, i);
    if (c->participant) remove_revoked(sig, c->participant);
  }
  g_ptr_array_free(revoked, TRUE);
  g_ptr_array_free(cancelled, TRUE);
  g_hash_table_destroy(known);
  g_hash_table_destroy(rooms);
}

void sv_signaling_recheck_links(sv_signaling *sig) {
  sv_links_recheck(sig);
}

gboolean sv_links_on_timer(gpointer data) {
  sv_links_recheck(data);
  return G_SOURCE_CONTINUE;
}
