/*
 * fuzz_twcc.c — libFuzzer target for relay/twcc.c and the estimator that
 * reads its output (relay/bwe.c). The input is walked as a compound RTCP
 * packet; each TWCC feedback item (and the whole input, as is) is parsed:
 * sv_twcc_parse_info and sv_twcc_parse must agree, every status must carry
 * the next seq, and the statuses rebuilt with sv_twcc_build must parse back
 * to the same received flags and arrival differences. Then every item is
 * fed, twice, to an estimator that has sent packets over the seqs it names,
 * and the estimate must stay within its bounds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay/bwe.h"
#include "relay/rtcp.h"
#include "relay/twcc.h"

typedef struct {
  size_t n;
  uint16_t next_seq;
  bool seq_ok;
  bool received[65536];
  int64_t arrival[65536];
} statuses;

static statuses got, back; /* too big for the stack */
static uint8_t rebuilt[1 << 18];
static int64_t arr[65536];

static void collect(void *user, uint16_t seq, bool received, int64_t arrival_us) {
  statuses *s = user;
  if (s->n > 0 && seq != s->next_seq) s->seq_ok = false;
  s->next_seq = (uint16_t)(seq + 1);
  if (s->n < 65536) {
    s->received[s->n] = received;
    s->arrival[s->n] = arrival_us;
  }
  s->n++;
}

static int parse_into(statuses *s, const uint8_t *p, size_t len) {
  s->n = 0;
  s->seq_ok = true;
  return sv_twcc_parse(p, len, collect, s);
}

/* Rebuilds what was parsed and checks it parses back the same. */
static void check_rebuild(const sv_twcc_info *info) {
  int64_t min = INT64_MAX;
  for (size_t i = 0; i < got.n; i++)
    if (got.received[i] && got.arrival[i] < min) min = got.arrival[i];
  for (size_t i = 0; i < got.n; i++)
    arr[i] = got.received[i] ? got.arrival[i] - min : -1;
  int len = sv_twcc_build(rebuilt, sizeof rebuilt, info->sender_ssrc, info->media_ssrc,
                          info->fb_pkt_count, info->base_seq, arr, got.n);
  /* Arrivals that parsed are multiples of 250 µs apart, each delta within
   * 16 bits, so the builder can always say them again. */
  if (len <= 0) abort();
  if (parse_into(&back, rebuilt, (size_t)len) != (int)got.n || back.n != got.n) abort();
  size_t first = SIZE_MAX;
  for (size_t i = 0; i < got.n; i++) {
    if (back.received[i] != got.received[i]) abort();
    if (!got.received[i]) continue;
    if (first == SIZE_MAX) first = i;
    if (back.arrival[i] - back.arrival[first] != got.arrival[i] - got.arrival[first]) abort();
  }
}

static void check_parse(const uint8_t *p, size_t len) {
  sv_twcc_info info;
  int n = sv_twcc_parse_info(p, len, &info);
  int r = parse_into(&got, p, len);
  if (n != r) abort();
  if (r < 0) {
    if (got.n != 0) abort(); /* no callback for a bad packet */
    return;
  }
  if ((size_t)r != got.n || !got.seq_ok || r != info.status_count) abort();
  if (r > 0 && got.next_seq != (uint16_t)(info.base_seq + r)) abort();
  if (r > 0) check_rebuild(&info);
}

/* An estimator that has sent the seqs the feedback names gets it twice. */
static void check_bwe(const uint8_t *p, size_t len, sv_bwe *b, uint64_t *now) {
  sv_twcc_info info;
  int n = sv_twcc_parse_info(p, len, &info);
  if (n > 0) {
    int count = n < 3000 ? n + 20 : 3000;
    for (int i = 0; i < count; i++, *now += 500)
      sv_bwe_on_sent(b, (uint16_t)(info.base_seq - 10 + i), 1000 + (size_t)(i % 300), i % 7 == 0,
                     *now);
  }
  for (int k = 0; k < 2; k++) {
    int r = sv_bwe_on_feedback(b, p, len, *now);
    if ((n < 0) != (r < 0)) abort();
    *now += 20000;
    size_t due = sv_bwe_padding_due(b, 2000000, *now);
    if (due > 1000000) abort();
    uint32_t e = sv_bwe_estimate_bps(b);
    if (e < SV_BWE_DEFAULT_MIN_BPS || e > SV_BWE_DEFAULT_MAX_BPS) abort();
  }
  sv_bwe_stats st;
  sv_bwe_get_stats(b, &st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  check_parse(data, size);
  sv_bwe *b = sv_bwe_new(NULL, 1000000);
  uint64_t now = 2000000;
  check_bwe(data, size, b, &now);
  sv_rtcp_iter it;
  sv_rtcp_item item;
  sv_rtcp_iter_init(&it, data, size);
  for (int i = 0; i < 64 && sv_rtcp_next(&it, &item) == 1; i++) {
    if (item.type != SV_RTCP_RTPFB || item.fmt != SV_TWCC_FMT) continue;
    check_parse(item.data, item.len);
    check_bwe(item.data, item.len, b, &now);
  }
  sv_bwe_free(b);
  return 0;
}
