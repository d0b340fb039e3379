/*
 * audit.c — the one writer of the session log (docs/api.md, "GET
 * /api/audit"): every audit event of signaling/ goes to the store's audit
 * callback through append() here, with its detail as compact JSON. Without
 * a store (or its audit callback) the event is dropped.
 *
 * Main thread only.
 */
#include <stdlib.h>

#include "common/common.h"
#include "signaling/signaling_int.h"

/* Appends the event and returns its detail as text (free()), or NULL when
 * it could not be written as text ("{}" was stored then). */
static char *append(sv_signaling *sig, const char *room, const char *event, const char *participant,
                    const char *role, const char *name, const char *actor, json_t *detail) {
  if (!detail) detail = json_object();
  char *text = json_dumps(detail, JSON_COMPACT);
  json_decref(detail);
  if (sig->store && sig->store->audit)
    sig->store->audit(sig->store_user, room, event, participant, role, name, actor,
                      text ? text : "{}");
  return text;
}

void sv_audit(sv_signaling *sig, const char *room, const char *event, const char *participant,
              const char *role, const char *name, const char *actor, json_t *detail) {
  free(append(sig, room, event, participant, role, name, actor, detail));
}

void sv_audit_participant(sv_signaling *sig, const sv_participant *p, const char *event,
                          const char *actor, json_t *detail) {
  sv_audit(sig, p->room->id, event, p->id, p->role, p->name, actor, detail);
}

void sv_audit_and_log(sv_signaling *sig, const char *module, const char *room, const char *event,
                      const char *participant, const char *role, const char *name,
                      const char *actor, json_t *detail) {
  char *text = append(sig, room, event, participant, role, name, actor, detail);
  SV_LOG_IDS(SV_LOG_INFO, module, participant, room, "audit %s: room %s, participant %s%s%s, %s",
             event, room, participant, actor ? ", by " : "", actor ? actor : "",
             text ? text : "{}");
  free(text);
}
