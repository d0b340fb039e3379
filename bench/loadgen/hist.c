/*
 * hist.c — an HDR-style latency histogram: exact below 64 µs, then 32
 * sub-buckets per power of two (about 3% precision), fixed size, no
 * allocation, so recording a sample costs a few instructions.
 */
#include <string.h>

#include "bench/loadgen/lg.h"

static int bucket_of(uint64_t us) {
  if (us < 64) return (int)us;
  int e = 63 - __builtin_clzll(us); /* >= 6 */
  int sub = (int)((us >> (e - 5)) & 31);
  int b = 64 + (e - 6) * 32 + sub;
  return b < LG_HIST_BUCKETS ? b : LG_HIST_BUCKETS - 1;
}

/* Upper bound (µs) of bucket b. */
static double bucket_top(int b) {
  if (b < 64) return b;
  int e = (b - 64) / 32 + 6;
  int sub = (b - 64) % 32;
  return (double)((uint64_t)(32 + sub + 1) << (e - 5));
}

void lg_hist_add(lg_hist *h, uint64_t us) {
  h->bucket[bucket_of(us)]++;
  h->count++;
  if (us > h->max_us) h->max_us = us;
}

void lg_hist_merge(lg_hist *into, const lg_hist *from) {
  for (int i = 0; i < LG_HIST_BUCKETS; i++)
    into->bucket[i] += from->bucket[i];
  into->count += from->count;
  if (from->max_us > into->max_us) into->max_us = from->max_us;
}

double lg_hist_quantile(const lg_hist *h, double q) {
  if (!h->count) return 0;
  uint64_t want = (uint64_t)(q * (double)h->count + 0.5);
  if (want < 1) want = 1;
  uint64_t seen = 0;
  for (int i = 0; i < LG_HIST_BUCKETS; i++) {
    seen += h->bucket[i];
    if (seen >= want) {
      double top = bucket_top(i);
      return top < (double)h->max_us ? top : (double)h->max_us;
    }
  }
  return (double)h->max_us;
}

json_t *lg_hist_json(const lg_hist *h) {
  return json_pack("{s:I,s:f,s:f,s:f,s:f}", "samples", (json_int_t)h->count, "p50_ms",
                   lg_hist_quantile(h, 0.5) / 1000.0, "p99_ms", lg_hist_quantile(h, 0.99) / 1000.0,
                   "p999_ms", lg_hist_quantile(h, 0.999) / 1000.0, "max_ms", h->max_us / 1000.0);
}
