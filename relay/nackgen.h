/*
 * nackgen.h — which packets of a publisher's stream the relay asks to have
 * sent again (RFC 4585 generic NACK), so loss on the publisher's uplink is
 * repaired once, at the relay, for every subscriber.
 *
 * Sans-IO: the forwarder reports each arriving sequence number and asks,
 * with the time, which numbers to NACK now. A gap is asked for at once
 * (after a few milliseconds of reordering), again after a round trip if
 * still missing, at most SV_NACKGEN_TRIES times and for at most
 * SV_NACKGEN_GIVE_UP_US; a jump of more than SV_NACKGEN_MAX numbers is
 * taken as a new start, not as loss. Belongs to the worker of its stream.
 */
#ifndef SV_NACKGEN_H
#define SV_NACKGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_NACKGEN_MAX        64
#define SV_NACKGEN_TRIES      3
#define SV_NACKGEN_REORDER_US 5000
#define SV_NACKGEN_GIVE_UP_US 1000000

typedef struct sv_nackgen_miss {
  uint16_t seq;
  uint8_t tries;
  uint64_t first_us, last_us;
} sv_nackgen_miss;

/* Zero-initialise. */
typedef struct sv_nackgen {
  bool started;
  uint16_t max_seq;
  size_t n;
  sv_nackgen_miss miss[SV_NACKGEN_MAX];
} sv_nackgen;

/* A packet with seq arrived. Returns true when it filled a gap (a
 * retransmission or a late packet that was being asked for). */
bool sv_nackgen_packet(sv_nackgen *g, uint16_t seq, uint64_t now_us);

/* Writes up to cap sequence numbers to NACK now into out and returns how
 * many; rtt_us is the round trip to the publisher (0 = unknown: 100 ms). */
size_t sv_nackgen_due(sv_nackgen *g, uint64_t now_us, uint32_t rtt_us, uint16_t *out, size_t cap);

#endif
