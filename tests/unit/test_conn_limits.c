/*
 * test_conn_limits.c — the resource bounds' pure logic (conn_limits.c):
 * connections per address, the Origin a WebSocket may come from, and the
 * log-line rate limit. Time is an input: no sleeps.
 */
#include <glib.h>

#include "check.h"
#include "signaling/conn_limits.h"

static void test_per_address_cap(void) {
  sv_addr_counts *t = sv_addr_counts_new(2);
  CHECK(sv_addr_counts_take(t, "192.0.2.1"));
  CHECK(sv_addr_counts_take(t, "192.0.2.1"));
  CHECK(!sv_addr_counts_take(t, "192.0.2.1")); /* the third is refused */
  CHECK_EQ_INT(sv_addr_counts_get(t, "192.0.2.1"), 2);
  CHECK(sv_addr_counts_take(t, "192.0.2.2")); /* another address has its own */
  sv_addr_counts_release(t, "192.0.2.1");
  CHECK(sv_addr_counts_take(t, "192.0.2.1")); /* a closed one gives its place back */
  sv_addr_counts_release(t, "192.0.2.1");
  sv_addr_counts_release(t, "192.0.2.1");
  sv_addr_counts_release(t, "192.0.2.2");
  CHECK_EQ_INT(sv_addr_counts_addresses(t), 0); /* nothing kept for closed addresses */
  sv_addr_counts_release(t, "198.51.100.7");    /* unknown: no underflow */
  CHECK_EQ_INT(sv_addr_counts_get(t, "198.51.100.7"), 0);
  sv_addr_counts_free(t);
}

static void test_normalise(void) {
  char out[300];
  CHECK(sv_origin_normalise("HTTPS://Portal.Example.org:443/", out, sizeof out));
  CHECK_STR(out, "https://portal.example.org");
  CHECK(sv_origin_normalise("http://127.0.0.1:8080", out, sizeof out));
  CHECK_STR(out, "http://127.0.0.1:8080");
  CHECK(sv_origin_normalise("http://[::1]:80", out, sizeof out));
  CHECK_STR(out, "http://[::1]");
  CHECK(!sv_origin_normalise("null", out, sizeof out));
  CHECK(!sv_origin_normalise("ftp://x.example", out, sizeof out));
  CHECK(!sv_origin_normalise("https://", out, sizeof out));
  CHECK(!sv_origin_normalise("https://a b.example", out, sizeof out));
}

static void test_origin_loopback_without_public_url(void) {
  sv_origins o;
  CHECK(sv_origins_init(&o, NULL, "127.0.0.1", 8443, false, NULL));
  CHECK(sv_origins_allow(&o, NULL, NULL)); /* not a browser */
  CHECK(sv_origins_allow(&o, "", "127.0.0.1:8443"));
  CHECK(sv_origins_allow(&o, "http://127.0.0.1:8443", "127.0.0.1:8443"));
  CHECK(sv_origins_allow(&o, "http://localhost:8443", "127.0.0.1:8443"));
  CHECK(!sv_origins_allow(&o, "https://evil.example", "127.0.0.1:8443"));
  CHECK(!sv_origins_allow(&o, "http://127.0.0.1:9999", "127.0.0.1:8443")); /* another port */
  CHECK(!sv_origins_allow(&o, "null", "127.0.0.1:8443"));
  sv_origins_clear(&o);
}

static void test_origin_own_host(void) {
  sv_origins o;
  CHECK(sv_origins_init(&o, NULL, "0.0.0.0", 8443, true, NULL));
  CHECK(sv_origins_allow(&o, "https://video.example.org:8443", "video.example.org:8443"));
  CHECK(!sv_origins_allow(&o, "http://video.example.org:8443", "video.example.org:8443"));
  CHECK(!sv_origins_allow(&o, "https://evil.example", "video.example.org:8443"));
  CHECK(!sv_origins_allow(&o, "https://evil.example", NULL));
  sv_origins_clear(&o);
}

static void test_origin_public_url_and_list(void) {
  sv_origins o;
  CHECK(sv_origins_init(&o, "https://video.example.org", "0.0.0.0", 8443, true,
                        " https://portal.example.org , http://localhost:3000"));
  CHECK(sv_origins_allow(&o, "https://video.example.org", "10.0.0.5:8443"));
  CHECK(sv_origins_allow(&o, "https://portal.example.org", "video.example.org"));
  CHECK(sv_origins_allow(&o, "http://localhost:3000", "video.example.org"));
  /* With a public URL the Host header proves nothing (DNS rebinding). */
  CHECK(!sv_origins_allow(&o, "https://evil.example", "evil.example"));
  sv_origins_clear(&o);
  CHECK(!sv_origins_init(&o, NULL, NULL, 0, false, "https://portal.example.org/path"));
  CHECK(!sv_origins_init(&o, NULL, NULL, 0, false, "portal.example.org"));
  CHECK(o.allowed == NULL);
}

static void test_log_limit(void) {
  sv_log_limit l = {0};
  uint64_t held = 99;
  int64_t t = 1000000;
  int logged = 0;
  for (int i = 0; i < 1000; i++) /* a flood within one millisecond */
    logged += sv_log_limit_take(&l, t, &held);
  CHECK_EQ_INT(logged, 10);                         /* the burst, then quiet */
  CHECK(sv_log_limit_take(&l, t + 1000000, &held)); /* a second later: one more */
  CHECK_EQ_INT(held, 990);                          /* ...saying how many were held back */
  CHECK(!sv_log_limit_take(&l, t + 1000001, &held));
}

int main(void) {
  RUN(test_per_address_cap);
  RUN(test_normalise);
  RUN(test_origin_loopback_without_public_url);
  RUN(test_origin_own_host);
  RUN(test_origin_public_url_and_list);
  RUN(test_log_limit);
  return check_summary();
}
