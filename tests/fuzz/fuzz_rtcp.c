/*
 * fuzz_rtcp.c — libFuzzer target for relay/rtcp.c: walks arbitrary bytes
 * as a compound RTCP packet, calls every accessor on each item, rebuilds
 * NACK and RR packets from what it read, and rewrites SSRCs in a copy.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay/rtcp.h"

typedef struct {
  uint16_t seqs[128];
  size_t n;
} seq_list;

static void on_seq(void *user, uint16_t seq) {
  seq_list *l = user;
  if (l->n < sizeof l->seqs / sizeof l->seqs[0]) l->seqs[l->n++] = seq;
}

typedef struct {
  uint16_t seqs[64 * 17];
  size_t n;
} big_list;

/* Maps every other SSRC, so that both branches of the rewrite run. */
static uint32_t map_ssrc(void *user, uint32_t ssrc) {
  (*(size_t *)user)++;
  return (ssrc & 1) ? ssrc ^ 0x5a5a5a5au : 0;
}

static bool seq_in(const uint16_t *s, size_t n, uint16_t v) {
  for (size_t i = 0; i < n; i++)
    if (s[i] == v) return true;
  return false;
}

static void on_seq_big(void *user, uint16_t seq) {
  big_list *l = user;
  if (l->n < sizeof l->seqs / sizeof l->seqs[0]) l->seqs[l->n++] = seq;
}

static void check_nack_set(const seq_list *in, const sv_rtcp_item *built) {
  static big_list got; /* fuzzer-local scratch, too big for the stack */
  got.n = 0;
  sv_rtcp_nack_foreach(built, on_seq_big, &got);
  for (size_t i = 0; i < got.n; i++)
    if (!seq_in(in->seqs, in->n, got.seqs[i])) abort(); /* a seq nobody asked for */
  if (built->len < 12 + 64 * 4)
    for (size_t i = 0; i < in->n; i++)
      if (!seq_in(got.seqs, got.n, in->seqs[i]))
        abort(); /* a seq dropped without the cap being reached */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sv_rtcp_iter it;
  sv_rtcp_item item;
  uint8_t out[1024];
  sv_rtcp_iter_init(&it, data, size);
  while (sv_rtcp_next(&it, &item) == 1) {
    if (item.data < data || item.len > size || item.data + item.len > data + size)
      abort(); /* an item must lie inside the input */

    size_t nfir = sv_rtcp_fir_count(&item);
    for (size_t i = 0; i <= nfir; i++)
      (void)sv_rtcp_fir_ssrc(&item, i);
    if (nfir > 0)
      (void)sv_rtcp_build_fir(out, sizeof out, item.sender_ssrc, sv_rtcp_fir_ssrc(&item, 0), 1);

    seq_list l = {.n = 0};
    size_t nnack = sv_rtcp_nack_foreach(&item, on_seq, &l);
    if (sv_rtcp_nack_foreach(&item, NULL, NULL) != nnack) abort();
    if (l.n > 0) {
      int n = sv_rtcp_build_nack(out, sizeof out, item.sender_ssrc, item.media_ssrc, l.seqs, l.n);
      if (n > 0) {
        /* What we build must parse back to the same set of seqs (all of
         * them unless the 64-entry cap was reached). */
        sv_rtcp_iter it2;
        sv_rtcp_item back;
        sv_rtcp_iter_init(&it2, out, (size_t)n);
        if (sv_rtcp_next(&it2, &back) != 1) abort();
        check_nack_set(&l, &back);
      }
    }

    sv_rtcp_report_block blocks[32];
    size_t nrep = sv_rtcp_report_count(&item);
    if (nrep > 31) abort();
    for (size_t i = 0; i < nrep; i++)
      if (!sv_rtcp_report_get(&item, i, &blocks[i])) abort();
    sv_rtcp_report_block past;
    if (sv_rtcp_report_get(&item, nrep, &past)) abort();
    (void)sv_rtcp_build_rr(out, sizeof out, item.sender_ssrc, blocks, nrep);
    if (item.type == SV_RTCP_SR)
      (void)sv_rtcp_build_sr(out, sizeof out, item.sender_ssrc, item.ntp, item.rtp_ts, item.packets,
                             item.octets);
    if (item.type == SV_RTCP_PSFB && item.fmt == 15)
      (void)sv_rtcp_build_remb(out, sizeof out, item.sender_ssrc, item.ntp, &item.media_ssrc, 1);
  }

  uint8_t *copy = malloc(size ? size : 1);
  if (!copy) return 0;
  if (size) memcpy(copy, data, size);
  size_t calls = 0;
  (void)sv_rtcp_rewrite_ssrcs(copy, size, map_ssrc, &calls);
  free(copy);
  return 0;
}
