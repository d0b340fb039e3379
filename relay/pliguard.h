/*
 * pliguard.h — a subscriber's keyframe request that retransmission has
 * already made unnecessary.
 *
 * After a loss burst a receiver may ask for a keyframe (PLI) while the
 * packets it lacks are on their way as retransmissions from the relay's
 * buffer. A keyframe is large, costs the publisher's uplink and every
 * other subscriber of that layer a burst, and on a narrow link is itself
 * lost more easily. So a PLI that arrives shortly after the relay answered
 * every packet of that subscriber's NACKs is held back, once: the repair is
 * served from the buffer first. If the receiver still cannot decode, it
 * asks again (Chrome repeats a keyframe request every 200 ms or so while it
 * waits), and that request goes to the publisher. A NACK the buffer could
 * not answer in full ends the window at once.
 *
 * Sans-IO: the forwarder reports repairs and asks, with the time.
 */
#ifndef SV_PLIGUARD_H
#define SV_PLIGUARD_H

#include <stdbool.h>
#include <stdint.h>

#define SV_PLI_REPAIR_WINDOW_US 300000  /* a PLI this soon after a full repair ... */
#define SV_PLI_ABSORB_GAP_US    1000000 /* ... is held back, at most once in this */

typedef struct sv_pli_guard {
  uint64_t repaired_us; /* the last NACK answered in full, 0 = none or one was not */
  uint64_t absorbed_us; /* the last PLI held back */
} sv_pli_guard;

/* A NACK from the subscriber: all of it resent (complete) or not. */
static inline void sv_pli_guard_nack(sv_pli_guard *g, bool complete, uint64_t now_us) {
  g->repaired_us = complete ? now_us : 0;
}

/* A PLI from the subscriber: true when it is held back. */
static inline bool sv_pli_guard_absorb(sv_pli_guard *g, uint64_t now_us) {
  if (!g->repaired_us || now_us - g->repaired_us > SV_PLI_REPAIR_WINDOW_US) return false;
  if (g->absorbed_us && now_us - g->absorbed_us < SV_PLI_ABSORB_GAP_US) return false;
  g->absorbed_us = now_us;
  return true;
}

#endif
