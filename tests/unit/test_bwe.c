/*
 * test_bwe.c — unit tests for relay/bwe.c, driven by a small link
 * simulator in simulated time (no sleeps, no clock).
 *
 * The simulated relay sends, every 10 ms, media at min(estimate, offered
 * rate) as 1200-byte packets, plus whatever padding sv_bwe_padding_due
 * asks for (asked after each media packet and once per tick). Packets pass
 * an optional random loss, then a bottleneck FIFO of capacity C with a
 * queue limit of 200 ms worth of bytes and tail drop (like `tc tbf latency
 * 200ms`), then 20 ms of propagation. The subscriber notes arrivals and
 * every 50 ms sends TWCC feedback (sv_twcc_build) covering everything from
 * the first unreported seq to the highest seq seen, which reaches the relay
 * 20 ms later. The transport-wide seq starts near 65535 so every run
 * crosses the wrap.
 *
 * Set BWE_TRACE=1 in the environment to print the estimate every 100 ms.
 */
#include "relay/bwe.h"

#include <stdlib.h>

#include "common/common.h"
#include "relay/twcc.h"
#include "tests/unit/check.h"

#define TICK_US     10000
#define FB_EVERY_US 50000
#define BASE_US     20000
#define QUEUE_US    200000
#define PKT_BYTES   1200
#define FLIGHT_MAX  8192
#define FB_MAX      64
#define FB_BYTES    4096
#define FB_STATUSES 1000

typedef struct flight {
  uint32_t seq;
  int64_t arrival_us;
} flight;

typedef struct feedback {
  int64_t deliver_us;
  size_t len;
  uint8_t data[FB_BYTES];
} feedback;

typedef struct sim {
  sv_bwe *bwe;
  int64_t now;
  /* The link and the offered load; tests change these between runs. */
  double capacity_bps, loss, offered_bps;
  uint32_t want_bps;
  /* Sender. */
  double budget;
  uint32_t seq; /* unwrapped; the wire carries the low 16 bits */
  uint64_t media_bytes, padding_bytes;
  /* Bottleneck: when it finishes what is queued; packets on the way. */
  int64_t link_free_us;
  flight flights[FLIGHT_MAX];
  size_t fl_head, fl_n;
  uint64_t dropped, sent_pkts;
  /* Receiver. */
  int64_t recv[65536];
  uint32_t next_report, max_seen;
  bool any_seen;
  uint8_t fb_count;
  int64_t last_fb_us;
  feedback fbs[FB_MAX];
  size_t fb_head, fb_n;
  /* A busy receiver: for stall_us of every stall_every_us its network
   * thread does not run, and what arrived meanwhile is stamped when it
   * runs again (0 = never stalls). */
  int64_t stall_every_us, stall_us;
  uint32_t rng;
  bool trace;
} sim;

static double frand(sim *s) {
  s->rng ^= s->rng << 13;
  s->rng ^= s->rng >> 17;
  s->rng ^= s->rng << 5;
  return (double)s->rng / 4294967296.0;
}

static sim *sim_new(uint32_t start_bps, double capacity_bps, double offered_bps) {
  sim *s = calloc(1, sizeof *s);
  sv_bwe_config cfg = {.start_bps = start_bps, .min_bps = 30000, .max_bps = 2500000};
  s->now = 1000000;
  s->bwe = sv_bwe_new(&cfg, (uint64_t)s->now);
  s->capacity_bps = capacity_bps;
  s->offered_bps = offered_bps;
  s->want_bps = (uint32_t)offered_bps;
  s->seq = 65000;
  s->next_report = s->seq;
  for (size_t i = 0; i < 65536; i++)
    s->recv[i] = -1;
  s->rng = 0x9e3779b9u;
  s->trace = getenv("BWE_TRACE") != NULL;
  return s;
}

static void sim_free(sim *s) {
  sv_bwe_free(s->bwe);
  free(s);
}

/* One packet into the random loss, the bottleneck queue and the wire. */
static void link_send(sim *s, uint32_t seq, size_t bytes) {
  s->sent_pkts++;
  if (s->loss > 0 && frand(s) < s->loss) return;
  double byte_us = 8e6 / s->capacity_bps;
  int64_t start = s->link_free_us > s->now ? s->link_free_us : s->now;
  double queued_bytes = (double)(start - s->now) / byte_us;
  if (queued_bytes + (double)bytes > s->capacity_bps * QUEUE_US / 8e6 && start > s->now) {
    s->dropped++; /* tail drop */
    return;
  }
  s->link_free_us = start + (int64_t)((double)bytes * byte_us);
  if (s->fl_n == FLIGHT_MAX) return;
  s->flights[(s->fl_head + s->fl_n++) % FLIGHT_MAX] =
      (flight){.seq = seq, .arrival_us = s->link_free_us + BASE_US};
}

static void send_packet(sim *s, size_t bytes, bool padding) {
  uint32_t seq = s->seq++;
  sv_bwe_on_sent(s->bwe, (uint16_t)seq, bytes, padding, (uint64_t)s->now);
  link_send(s, seq, bytes);
  if (padding)
    s->padding_bytes += bytes;
  else
    s->media_bytes += bytes;
}

static void send_padding(sim *s) {
  size_t due = sv_bwe_padding_due(s->bwe, s->want_bps, (uint64_t)s->now);
  while (due > 0) {
    size_t n = due < SV_BWE_MAX_PADDING_PACKET ? due : SV_BWE_MAX_PADDING_PACKET;
    send_packet(s, n, true);
    due -= n;
  }
}

static void sender_tick(sim *s) {
  double est = sv_bwe_estimate_bps(s->bwe);
  double rate = est < s->offered_bps ? est : s->offered_bps;
  s->budget += rate * TICK_US / 8e6;
  while (s->budget >= PKT_BYTES) {
    s->budget -= PKT_BYTES;
    send_packet(s, PKT_BYTES, false);
    send_padding(s);
  }
  send_padding(s);
}

static void receiver_collect(sim *s) {
  while (s->fl_n > 0 && s->flights[s->fl_head].arrival_us <= s->now) {
    flight f = s->flights[s->fl_head];
    s->fl_head = (s->fl_head + 1) % FLIGHT_MAX;
    s->fl_n--;
    int64_t at = f.arrival_us;
    if (s->stall_every_us && at % s->stall_every_us < s->stall_us)
      at += s->stall_us - at % s->stall_every_us;
    s->recv[f.seq & 0xffff] = at;
    if (!s->any_seen || f.seq > s->max_seen) s->max_seen = f.seq;
    s->any_seen = true;
  }
}

/* Reports everything from the first unreported seq to the highest seen. */
static void receiver_feedback(sim *s) {
  static int64_t arr[FB_STATUSES];
  while (s->any_seen && s->next_report <= s->max_seen && s->fb_n < FB_MAX) {
    uint32_t n = s->max_seen - s->next_report + 1;
    if (n > FB_STATUSES) n = FB_STATUSES;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t slot = (s->next_report + i) & 0xffff;
      arr[i] = s->recv[slot];
      s->recv[slot] = -1;
    }
    feedback *f = &s->fbs[(s->fb_head + s->fb_n) % FB_MAX];
    int len = sv_twcc_build(f->data, sizeof f->data, 0x1111, 0x2222, s->fb_count++,
                            (uint16_t)s->next_report, arr, n);
    CHECK(len > 0);
    if (len <= 0) return;
    f->len = (size_t)len;
    f->deliver_us = s->now + BASE_US;
    s->fb_n++;
    s->next_report += n;
  }
}

static void deliver_feedback(sim *s) {
  while (s->fb_n > 0 && s->fbs[s->fb_head].deliver_us <= s->now) {
    feedback *f = &s->fbs[s->fb_head];
    CHECK_EQ_INT(sv_bwe_on_feedback(s->bwe, f->data, f->len, (uint64_t)s->now), 0);
    s->fb_head = (s->fb_head + 1) % FB_MAX;
    s->fb_n--;
  }
}

static void sim_tick(sim *s) {
  receiver_collect(s);
  if (s->now - s->last_fb_us >= FB_EVERY_US) {
    receiver_feedback(s);
    s->last_fb_us = s->now;
  }
  deliver_feedback(s);
  sender_tick(s);
  if (s->trace && s->now % 100000 == 0) {
    sv_bwe_stats st;
    sv_bwe_get_stats(s->bwe, &st);
    fprintf(stderr,
            "t=%6.2f cap=%7.0f est=%7u delay=%7u loss=%7u acked=%7u usage=%d lossf=%.3f rtt=%u "
            "probe=%d ok=%u fail=%u\n",
            (double)s->now / 1e6, s->capacity_bps, st.estimate_bps, st.delay_bps, st.loss_bps,
            st.acked_bps, st.usage, st.loss_fraction, st.rtt_ms, st.probing, st.probes_raised,
            st.probes_failed);
  }
  s->now += TICK_US;
}

/* Runs for duration; tracks the estimate's range over the run. */
typedef struct range {
  uint32_t min, max;
  double sum;
  int n;
} range;

static range sim_run(sim *s, int64_t duration_us) {
  range r = {.min = UINT32_MAX};
  for (int64_t end = s->now + duration_us; s->now < end;) {
    sim_tick(s);
    uint32_t e = sv_bwe_estimate_bps(s->bwe);
    if (e < r.min) r.min = e;
    if (e > r.max) r.max = e;
    r.sum += e;
    r.n++;
  }
  return r;
}

/* Runs until pred holds or limit passes; returns the time taken or -1. */
static int64_t sim_until(sim *s, bool (*pred)(uint32_t est), int64_t limit_us) {
  int64_t start = s->now;
  while (s->now - start <= limit_us) {
    if (pred(sv_bwe_estimate_bps(s->bwe))) return s->now - start;
    sim_tick(s);
  }
  return -1;
}

static double avg(const range *r) {
  return r->n ? r->sum / r->n : 0;
}

/* ---- 1. Convergence ---------------------------------------------------- */

static bool at_least_1500k(uint32_t est) {
  return est >= 1500000;
}

static void test_converges_to_capacity(void) {
  sim *s = sim_new(300000, 2000000, 2500000);
  int64_t t = sim_until(s, at_least_1500k, 20000000);
  printf("  2 Mbit/s link from 300 kbit/s: 1.5 Mbit/s after %.2f s\n", (double)t / 1e6);
  CHECK(t >= 0 && t < 10000000);
  sim_run(s, 15000000 - t);
  range r = sim_run(s, 15000000);
  printf("  settled (15-30 s): min %u avg %.0f max %u; media %.0f kbit/s, dropped %" PRIu64
         " of %" PRIu64 "\n",
         r.min, avg(&r), r.max, (double)s->media_bytes * 8 / 30e3, s->dropped, s->sent_pkts);
  CHECK(r.min >= 1500000);
  CHECK(r.max <= 2200000);
  CHECK(avg(&r) >= 1700000);
  sim_free(s);
}

/* ---- 2 and 3. A drop, then room again but little media ----------------- */

static bool at_most_300k(uint32_t est) {
  return est <= 300000;
}

static bool above_600k(uint32_t est) {
  return est > 600000;
}

static void test_drop_and_recover(void) {
  sim *s = sim_new(300000, 2000000, 2500000);
  sim_run(s, 20000000);
  uint32_t before = sv_bwe_estimate_bps(s->bwe);

  s->capacity_bps = 300000;
  int64_t t = sim_until(s, at_most_300k, 5000000);
  printf("  2 Mbit/s -> 300 kbit/s at %u: <= 300 kbit/s after %.2f s\n", before, (double)t / 1e6);
  CHECK(t >= 0 && t <= 2000000);
  range r = sim_run(s, 5000000 - (t > 0 ? t : 0));
  printf("  0-5 s after the drop: min %u avg %.0f max %u\n", r.min, avg(&r), r.max);
  CHECK(r.min >= 150000);
  range late = sim_run(s, 3000000);
  printf("  5-8 s after the drop: min %u avg %.0f max %u\n", late.min, avg(&late), late.max);
  CHECK(late.max <= 330000);
  CHECK(late.min >= 150000);

  /* The link recovers; the caller sends a 200 kbit/s layer and would like
   * the 700 kbit/s one. */
  s->capacity_bps = 2000000;
  s->offered_bps = 200000;
  s->want_bps = 700000;
  sv_bwe_stats st0;
  sv_bwe_get_stats(s->bwe, &st0);
  t = sim_until(s, above_600k, 12000000);
  sv_bwe_stats st;
  sv_bwe_get_stats(s->bwe, &st);
  printf("  capacity back, 200 kbit/s media, want 700 kbit/s: > 600 kbit/s after %.2f s "
         "(%u; probe rounds raised %u, failed %u)\n",
         (double)t / 1e6, st.estimate_bps, st.probes_raised - st0.probes_raised,
         st.probes_failed - st0.probes_failed);
  CHECK(t >= 0 && t <= 10000000);
  r = sim_run(s, 5000000);
  printf("  the 5 s after: min %u max %u\n", r.min, r.max);
  CHECK(r.min > 600000);
  sim_free(s);
}

/* ---- 4. Random loss ---------------------------------------------------- */

static void test_random_loss(void) {
  sim *s = sim_new(1000000, 1e9, 1000000);
  s->want_bps = 0;
  sim_run(s, 10000000);
  uint32_t before = sv_bwe_estimate_bps(s->bwe);
  s->loss = 0.05;
  range r = sim_run(s, 20000000);
  printf("  5 %% loss for 20 s from %u: min %u avg %.0f end %u\n", before, r.min, avg(&r),
         sv_bwe_estimate_bps(s->bwe));
  CHECK(r.min >= 0.7 * before);
  sim_free(s);

  /* 8 %: a poor radio link, not congestion. The estimate must not ratchet
   * down (GCC's plain 10 % rule cuts at every window that happens to lose
   * a little more than the average). */
  s = sim_new(2000000, 1e9, 2000000);
  s->want_bps = 0;
  sim_run(s, 10000000);
  before = sv_bwe_estimate_bps(s->bwe);
  s->loss = 0.08;
  r = sim_run(s, 30000000);
  printf("  8 %% loss for 30 s from %u: min %u avg %.0f end %u\n", before, r.min, avg(&r),
         sv_bwe_estimate_bps(s->bwe));
  CHECK(r.min >= 0.85 * before);
  sim_free(s);

  s = sim_new(1000000, 1e9, 1000000);
  s->want_bps = 0;
  sim_run(s, 10000000);
  before = sv_bwe_estimate_bps(s->bwe);
  s->loss = 0.20;
  r = sim_run(s, 10000000);
  uint32_t end = sv_bwe_estimate_bps(s->bwe);
  printf("  20 %% loss for 10 s from %u: end %u\n", before, end);
  CHECK(end < 0.6 * before);
  CHECK(end >= 30000);
  sim_free(s);
}

/* ---- Probing schedule -------------------------------------------------- */

/* Probe rounds whose feedback never comes fail by timeout, and each
 * failure doubles the wait before the next round: 2, 4, then 5 s. */
static void test_probe_backoff(void) {
  sv_bwe *b = sv_bwe_new(NULL, 0);
  uint16_t seq = 0;
  int64_t starts[8];
  int nstart = 0;
  bool was_probing = false;
  for (int64_t now = 0; now < 80000000 && nstart < 8; now += TICK_US) {
    size_t due = sv_bwe_padding_due(b, 1000000, (uint64_t)now);
    for (; due > 0; due -= due < 1200 ? due : 1200)
      sv_bwe_on_sent(b, seq++, due < 1200 ? due : 1200, true, (uint64_t)now);
    sv_bwe_stats st;
    sv_bwe_get_stats(b, &st);
    if (st.probing && !was_probing) starts[nstart++] = now;
    was_probing = st.probing;
  }
  printf("  probe rounds without feedback start at:");
  for (int i = 0; i < nstart; i++)
    printf(" %.2f", (double)starts[i] / 1e6);
  printf(" s\n");
  CHECK_EQ_INT(nstart, 8);
  /* Each round times out ~1.7 s after it starts; then the wait. */
  static const int64_t wait[] = {2000000, 4000000, 5000000, 5000000, 5000000, 5000000};
  for (int i = 1; i < nstart && i <= 6; i++) {
    int64_t gap = starts[i] - starts[i - 1] - wait[i - 1];
    CHECK(gap >= 1500000 && gap <= 2500000);
  }
  CHECK_EQ_INT(sv_bwe_estimate_bps(b), SV_BWE_DEFAULT_START_BPS); /* no feedback ever: no change */
  sv_bwe_free(b);
}

/* A cap that lasts long enough for every probe round under it to fail
 * (the moving-cap case: 250 kbit/s for 30 s, the caller sending a 150
 * kbit/s layer and wanting the 1.5 Mbit/s one), then lifts at a random
 * point of the back-off. The estimate must find the room again within 8 s
 * wherever the lift lands: the wait between probes is at most 5 s. */
static bool above_1m(uint32_t est) {
  return est > 1000000;
}

static void test_lifted_after_long_cap(void) {
  int64_t worst = 0;
  for (int lift = 0; lift < 10; lift++) {
    sim *s = sim_new(300000, 2500000, 2500000);
    sim_run(s, 10000000);
    s->capacity_bps = 250000;
    sim_run(s, 5000000); /* overuse: the estimate drops, the caller moves to the low layer */
    s->offered_bps = 150000;
    s->want_bps = 1500000;
    range capped = sim_run(s, 25000000 + lift * 500000); /* the lift lands elsewhere each time */
    CHECK(capped.max < 400000);
    s->capacity_bps = 3000000;
    int64_t t = sim_until(s, above_1m, 20000000);
    CHECK(t >= 0 && t <= 8000000);
    if (t < 0 || t > worst) worst = t < 0 ? INT64_MAX : t;
    sim_free(s);
  }
  printf("  capped at 250 kbit/s for 30-35 s, then 3 Mbit/s: > 1 Mbit/s within %.2f s at worst\n",
         (double)worst / 1e6);
}

/* On a link that is full at the estimate, probes find nothing: they
 * become rare and do not drag the estimate down. With no wish, no padding. */
static void test_probe_full_link(void) {
  sim *s = sim_new(300000, 300000, 1000000);
  sim_run(s, 10000000);
  sv_bwe_stats st0, st;
  sv_bwe_get_stats(s->bwe, &st0);
  range r = sim_run(s, 60000000);
  sv_bwe_get_stats(s->bwe, &st);
  uint32_t rounds = st.probes_failed + st.probes_raised - st0.probes_failed - st0.probes_raised;
  printf("  full 300 kbit/s link, 60 s: %u probe rounds (%u raised), estimate %u..%u avg %.0f, "
         "padding %.1f %% of bytes\n",
         rounds, st.probes_raised - st0.probes_raised, r.min, r.max, avg(&r),
         100.0 * (double)s->padding_bytes / (double)(s->padding_bytes + s->media_bytes));
  CHECK(rounds <= 14); /* one every 5 s at most, after the first few */
  CHECK(r.min >= 180000);
  CHECK(r.max <= 360000);
  s->want_bps = 0;
  size_t due = 0;
  for (int i = 0; i < 100; i++, s->now += TICK_US)
    due += sv_bwe_padding_due(s->bwe, 0, (uint64_t)s->now);
  CHECK_EQ_INT(due, 0);
  sim_free(s);
}

/* A receiver on a busy machine (a browser short of CPU) stamps packets
 * late, in bunches: that looks like a queue that builds and drains, and
 * an arrival window that happens to fall in a stall holds few packets.
 * Neither may cut a capped link's estimate far below what it carries:
 * the relay would pause video that the link takes. */
static void test_busy_receiver(void) {
  sim *s = sim_new(300000, 250000, 200000);
  s->want_bps = 500000;
  sim_run(s, 10000000);
  s->stall_every_us = 230000;
  s->stall_us = 90000;
  range r = sim_run(s, 30000000);
  printf("  250 kbit/s link, 200 kbit/s media, receiver stalls 90 ms of every 230 ms: "
         "estimate %u..%u avg %.0f\n",
         r.min, r.max, avg(&r));
  CHECK(r.min >= 150000);
  sim_free(s);
}

/* ---- 5. Hostile and odd feedback --------------------------------------- */

/* An estimator that has sent seqs [first, first+n) every 5 ms, 1000 bytes. */
static sv_bwe *sent_bwe(uint16_t first, int n, uint64_t *now) {
  sv_bwe_config cfg = {.start_bps = 500000};
  sv_bwe *b = sv_bwe_new(&cfg, *now);
  for (int i = 0; i < n; i++, *now += 5000)
    sv_bwe_on_sent(b, (uint16_t)(first + i), 1000, false, *now);
  return b;
}

static int build(uint8_t *buf, size_t cap, uint16_t base, int n, int64_t t0, int64_t step) {
  int64_t arr[512];
  for (int i = 0; i < n && i < 512; i++)
    arr[i] = t0 + i * step;
  return sv_twcc_build(buf, cap, 1, 2, 0, base, arr, (size_t)n);
}

static bool same_stats(const sv_bwe_stats *a, const sv_bwe_stats *b) {
  return a->estimate_bps == b->estimate_bps && a->delay_bps == b->delay_bps &&
         a->loss_bps == b->loss_bps && a->acked_bps == b->acked_bps && a->usage == b->usage &&
         a->rtt_ms == b->rtt_ms;
}

static void test_duplicate_and_unknown(void) {
  uint64_t now = 5000000;
  sv_bwe *b = sent_bwe(65500, 100, &now); /* crosses the wrap */
  uint8_t fb[1024];
  int len = build(fb, sizeof fb, 65500, 100, 3000000, 5000);
  CHECK(len > 0);
  CHECK_EQ_INT(sv_bwe_on_feedback(b, fb, (size_t)len, now), 0);
  sv_bwe_stats a, c;
  sv_bwe_get_stats(b, &a);
  CHECK(a.rtt_ms > 0); /* the feedback was used, wrap and all */
  CHECK(a.estimate_bps >= 30000 && a.estimate_bps <= 2500000);
  /* The same packet again teaches nothing. */
  CHECK_EQ_INT(sv_bwe_on_feedback(b, fb, (size_t)len, now + 10000), 0);
  sv_bwe_get_stats(b, &c);
  CHECK(same_stats(&a, &c));
  /* Feedback for seqs never sent. */
  len = build(fb, sizeof fb, 20000, 50, 3000000, 5000);
  CHECK_EQ_INT(sv_bwe_on_feedback(b, fb, (size_t)len, now + 20000), 0);
  sv_bwe_get_stats(b, &c);
  CHECK(same_stats(&a, &c));
  /* Every truncation of a valid packet is rejected and changes nothing. */
  len = build(fb, sizeof fb, 65500, 100, 3000000, 5000);
  for (int k = 0; k < len; k++) {
    uint8_t *cut = malloc(k ? (size_t)k : 1);
    memcpy(cut, fb, (size_t)k);
    CHECK_EQ_INT(sv_bwe_on_feedback(b, cut, (size_t)k, now + 30000), SV_EINVAL);
    free(cut);
  }
  sv_bwe_get_stats(b, &c);
  CHECK(same_stats(&a, &c));
  CHECK_EQ_INT(c.feedback_invalid, (uint32_t)len);
  CHECK_EQ_INT(sv_bwe_on_feedback(b, NULL, 0, now), SV_EINVAL);
  sv_bwe_free(b);
  sv_bwe_free(NULL);
}

static void test_reordered_feedback(void) {
  uint64_t now = 5000000;
  sv_bwe *b = sent_bwe(100, 400, &now);
  uint8_t fb[4][1024];
  int len[4];
  for (int i = 0; i < 4; i++)
    len[i] = build(fb[i], sizeof fb[i], (uint16_t)(100 + 100 * i), 100, 3000000 + i * 500000, 5000);
  static const int order[4] = {1, 0, 3, 2};
  for (int i = 0; i < 4; i++)
    CHECK_EQ_INT(sv_bwe_on_feedback(b, fb[order[i]], (size_t)len[order[i]], now + i * 1000), 0);
  sv_bwe_stats st;
  sv_bwe_get_stats(b, &st);
  CHECK(st.estimate_bps >= 30000 && st.estimate_bps <= 2500000);
  CHECK(st.loss_fraction == 0);
  sv_bwe_free(b);
}

/* Arrival times that jump around (a receiver clock gone mad, reference
 * time wraps, negative deltas) must leave the estimate within bounds. */
static void test_hostile_times(void) {
  uint64_t now = 5000000;
  sv_bwe *b = sent_bwe(0, 2000, &now);
  uint8_t fb[1024];
  int64_t arr[100];
  uint32_t rng = 7;
  for (int round = 0; round < 20; round++) {
    for (int i = 0; i < 100; i++) {
      rng = rng * 1103515245u + 12345u;
      int64_t base = round % 3 == 0 ? SV_TWCC_REF_WRAP_US - 50000 : (int64_t)(rng % 100) * 1000000;
      arr[i] = (rng >> 9) % 7 == 0 ? -1 : base + (int64_t)((rng >> 12) % 16000) * 500;
    }
    int len = sv_twcc_build(fb, sizeof fb, 1, 2, (uint8_t)round, (uint16_t)(round * 100), arr, 100);
    if (len > 0) CHECK_EQ_INT(sv_bwe_on_feedback(b, fb, (size_t)len, now), 0);
    now += 50000;
    uint32_t e = sv_bwe_estimate_bps(b);
    CHECK(e >= 30000 && e <= 2500000);
  }
  /* Random bytes that happen to look like TWCC. */
  uint8_t junk[64];
  for (int i = 0; i < 2000; i++) {
    for (size_t j = 0; j < sizeof junk; j++) {
      rng = rng * 1103515245u + 12345u;
      junk[j] = (uint8_t)(rng >> 16);
    }
    junk[0] = 0x8f;
    junk[1] = 205;
    junk[2] = 0;
    junk[3] = 15;
    int r = sv_bwe_on_feedback(b, junk, sizeof junk, now);
    CHECK(r == 0 || r == SV_EINVAL);
  }
  uint32_t e = sv_bwe_estimate_bps(b);
  CHECK(e >= 30000 && e <= 2500000);
  sv_bwe_free(b);
}

/* Feedback stops while packets keep going: the estimate comes down step
 * by step, not below the minimum. */
static void test_feedback_timeout(void) {
  sim *s = sim_new(1000000, 2000000, 1000000);
  s->want_bps = 0;
  sim_run(s, 5000000);
  uint32_t before = sv_bwe_estimate_bps(s->bwe);
  s->loss = 1.0; /* nothing gets through, so no feedback either */
  range r = sim_run(s, 1000000);
  CHECK(r.min >= before); /* a second without feedback is no reason yet */
  sim_run(s, 2000000);
  uint32_t after = sv_bwe_estimate_bps(s->bwe);
  printf("  no feedback for 3 s: %u -> %u\n", before, after);
  CHECK(after < before * 0.6);
  sim_run(s, 30000000);
  CHECK_EQ_INT(sv_bwe_estimate_bps(s->bwe), 30000);
  sim_free(s);
}

static void test_config(void) {
  sv_bwe *b = sv_bwe_new(NULL, 0);
  CHECK_EQ_INT(sv_bwe_estimate_bps(b), SV_BWE_DEFAULT_START_BPS);
  sv_bwe_free(b);
  sv_bwe_config cfg = {.start_bps = 10, .min_bps = 50000, .max_bps = 40000};
  b = sv_bwe_new(&cfg, 0);
  CHECK_EQ_INT(sv_bwe_estimate_bps(b), 50000);
  sv_bwe_free(b);
  cfg = (sv_bwe_config){.start_bps = 9000000};
  b = sv_bwe_new(&cfg, 0);
  CHECK_EQ_INT(sv_bwe_estimate_bps(b), SV_BWE_DEFAULT_MAX_BPS);
  /* At the maximum already: nothing to probe for. */
  CHECK_EQ_INT(sv_bwe_padding_due(b, 3000000, 1000), 0);
  sv_bwe_free(b);
  /* Before any feedback, a wish above the estimate starts a probe; none
   * without a wish. */
  b = sv_bwe_new(NULL, 0);
  CHECK_EQ_INT(sv_bwe_padding_due(b, 0, 1000), 0);
  CHECK_EQ_INT(sv_bwe_padding_due(b, 200000, 1000), 0);
  CHECK(sv_bwe_padding_due(b, 1000000, 1000) > 0);
  sv_bwe_free(b);
}

int main(void) {
  RUN(test_config);
  RUN(test_converges_to_capacity);
  RUN(test_drop_and_recover);
  RUN(test_random_loss);
  RUN(test_probe_backoff);
  RUN(test_probe_full_link);
  RUN(test_lifted_after_long_cap);
  RUN(test_busy_receiver);
  RUN(test_duplicate_and_unknown);
  RUN(test_reordered_feedback);
  RUN(test_hostile_times);
  RUN(test_feedback_timeout);
  return check_summary();
}
