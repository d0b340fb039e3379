/*
 * tap.c — the single-producer, single-consumer ring of tap.h.
 *
 * head is written only by the producer, tail only by the consumer; the
 * release store of head after the memcpy makes the slot's bytes visible to
 * the consumer's acquire load, and the same holds for tail the other way.
 */
#include "common/tap.h"

#include <glib.h>
#include <stdatomic.h>
#include <string.h>

struct sv_tap {
  atomic_int ref;
  atomic_bool closed;
  _Atomic uint64_t head, tail; /* free-running counters; index = counter % slots */
  _Atomic uint64_t dropped, pushed;
  sv_tap_packet slots[SV_TAP_SLOTS];
};

sv_tap *sv_tap_new(void) {
  sv_tap *t = g_new0(sv_tap, 1);
  atomic_init(&t->ref, 1);
  return t;
}

sv_tap *sv_tap_ref(sv_tap *t) {
  atomic_fetch_add(&t->ref, 1);
  return t;
}

void sv_tap_unref(sv_tap *t) {
  if (t && atomic_fetch_sub(&t->ref, 1) == 1) g_free(t);
}

bool sv_tap_push(sv_tap *t, sv_tap_codec codec, uint8_t pt, const uint8_t *rtp, size_t len,
                 uint64_t arrival_us) {
  if (atomic_load_explicit(&t->closed, memory_order_relaxed)) return false;
  uint64_t head = atomic_load_explicit(&t->head, memory_order_relaxed);
  uint64_t tail = atomic_load_explicit(&t->tail, memory_order_acquire);
  if (len == 0 || len > SV_TAP_MAX_RTP || head - tail >= SV_TAP_SLOTS) {
    atomic_fetch_add_explicit(&t->dropped, 1, memory_order_relaxed);
    return false;
  }
  sv_tap_packet *s = &t->slots[head & (SV_TAP_SLOTS - 1)];
  s->arrival_us = arrival_us;
  s->len = (uint16_t)len;
  s->codec = (uint8_t)codec;
  s->pt = pt;
  memcpy(s->data, rtp, len);
  atomic_store_explicit(&t->head, head + 1, memory_order_release);
  atomic_fetch_add_explicit(&t->pushed, 1, memory_order_relaxed);
  return true;
}

bool sv_tap_pop(sv_tap *t, sv_tap_packet *out) {
  uint64_t tail = atomic_load_explicit(&t->tail, memory_order_relaxed);
  uint64_t head = atomic_load_explicit(&t->head, memory_order_acquire);
  if (tail == head) return false;
  const sv_tap_packet *s = &t->slots[tail & (SV_TAP_SLOTS - 1)];
  out->arrival_us = s->arrival_us;
  out->len = s->len;
  out->codec = s->codec;
  out->pt = s->pt;
  memcpy(out->data, s->data, s->len);
  atomic_store_explicit(&t->tail, tail + 1, memory_order_release);
  return true;
}

void sv_tap_close(sv_tap *t) {
  atomic_store(&t->closed, true);
}

bool sv_tap_is_closed(const sv_tap *t) {
  return atomic_load(&((sv_tap *)t)->closed);
}

uint64_t sv_tap_dropped(const sv_tap *t) {
  return atomic_load(&((sv_tap *)t)->dropped);
}

uint64_t sv_tap_pushed(const sv_tap *t) {
  return atomic_load(&((sv_tap *)t)->pushed);
}

void sv_tap_frame_header(const sv_tap_packet *p, uint8_t hdr[SV_TAP_FRAME_HEADER]) {
  memset(hdr, 0, SV_TAP_FRAME_HEADER);
  memcpy(hdr, &p->arrival_us, 8);
  memcpy(hdr + 8, &p->len, 2);
  hdr[10] = p->codec;
  hdr[11] = p->pt;
}

bool sv_tap_frame_parse(const uint8_t hdr[SV_TAP_FRAME_HEADER], sv_tap_packet *out) {
  memcpy(&out->arrival_us, hdr, 8);
  memcpy(&out->len, hdr + 8, 2);
  out->codec = hdr[10];
  out->pt = hdr[11];
  static const uint8_t zero[4];
  return out->len > 0 && out->len <= SV_TAP_MAX_RTP && out->codec >= SV_TAP_OPUS &&
         out->codec <= SV_TAP_H264 && memcmp(hdr + 12, zero, sizeof zero) == 0;
}
