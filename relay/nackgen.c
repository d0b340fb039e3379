/*
 * nackgen.c — the relay's NACKs towards publishers (nackgen.h).
 */
#include "relay/nackgen.h"

#include "relay/rtp.h"

static void forget(sv_nackgen *g, size_t i) {
  g->miss[i] = g->miss[--g->n];
}

bool sv_nackgen_packet(sv_nackgen *g, uint16_t seq, uint64_t now_us) {
  if (!g->started) {
    g->started = true;
    g->max_seq = seq;
    return false;
  }
  if (sv_seq_newer(seq, g->max_seq)) {
    uint16_t gap = (uint16_t)(seq - g->max_seq - 1);
    if (gap > SV_NACKGEN_MAX) {
      g->n = 0; /* a new start (or a loss too long to repair): nothing to ask for */
    } else {
      for (uint16_t s = (uint16_t)(g->max_seq + 1); s != seq; s++) {
        if (g->n == SV_NACKGEN_MAX) forget(g, 0); /* the oldest is the least useful */
        g->miss[g->n++] = (sv_nackgen_miss){s, 0, now_us, 0};
      }
    }
    g->max_seq = seq;
    return false;
  }
  for (size_t i = 0; i < g->n; i++) {
    if (g->miss[i].seq == seq) {
      forget(g, i);
      return true;
    }
  }
  return false;
}

size_t sv_nackgen_due(sv_nackgen *g, uint64_t now_us, uint32_t rtt_us, uint16_t *out, size_t cap) {
  uint64_t again = rtt_us ? rtt_us + 10000 : 100000;
  size_t n = 0;
  for (size_t i = 0; i < g->n;) {
    sv_nackgen_miss *m = &g->miss[i];
    if (m->tries >= SV_NACKGEN_TRIES || now_us - m->first_us > SV_NACKGEN_GIVE_UP_US) {
      forget(g, i);
      continue;
    }
    bool due = m->tries == 0 ? now_us - m->first_us >= SV_NACKGEN_REORDER_US
                             : now_us - m->last_us >= again;
    if (due && n < cap) {
      out[n++] = m->seq;
      m->tries++;
      m->last_us = now_us;
    }
    i++;
  }
  return n;
}
