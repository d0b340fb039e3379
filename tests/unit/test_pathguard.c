/*
 * test_pathguard.c — the remote-candidate socket filter (relay/pathguard.c)
 * on real loopback sockets: what the kernel lets through to the relay from
 * the client's addresses, from a stranger, and by the first byte.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "relay/pathguard.h"
#include "tests/unit/check.h"

typedef struct sock {
  int fd;
  struct sockaddr_storage addr;
  socklen_t len;
} sock;

static bool bound(sock *s, int family, const char *ip, uint16_t port) {
  s->fd = socket(family, SOCK_DGRAM, 0);
  memset(&s->addr, 0, sizeof s->addr);
  if (family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&s->addr;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, ip, &a->sin_addr);
    s->len = sizeof *a;
  } else {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&s->addr;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    inet_pton(AF_INET6, ip, &a->sin6_addr);
    s->len = sizeof *a;
  }
  if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&s->addr, s->len) != 0) {
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    return false;
  }
  getsockname(s->fd, (struct sockaddr *)&s->addr, &s->len);
  struct timeval tv = {2, 0};
  setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return true;
}

static uint16_t port_of(const sock *s) {
  return s->addr.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&s->addr)->sin_port)
                                      : ntohs(((struct sockaddr_in6 *)&s->addr)->sin6_port);
}

static void send_byte(const sock *from, const sock *to, uint8_t first, uint8_t tag) {
  uint8_t pkt[12] = {first, tag};
  sendto(from->fd, pkt, sizeof pkt, 0, (const struct sockaddr *)&to->addr, to->len);
}

/* Sends `first` from `from`, then a marker the filter always passes (STUN
 * from the selected remote): true if the probe arrived before the marker.
 * Loopback delivers in order, so a missing probe means dropped. */
static bool passes(const sock *from, const sock *sel, const sock *to, uint8_t first) {
  static uint8_t tag;
  uint8_t probe = ++tag, marker = ++tag;
  send_byte(from, to, first, probe);
  send_byte(sel, to, 0x01, marker);
  uint8_t buf[64];
  for (;;) {
    ssize_t n = recv(to->fd, buf, sizeof buf, 0);
    if (n < 2) return false; /* timeout: not even the marker came */
    if (buf[1] == probe) {
      /* Drain the marker too. */
      (void)recv(to->fd, buf, sizeof buf, 0);
      return true;
    }
    if (buf[1] == marker) return false;
  }
}

static void filter_on(int family, const char *ip, const char *other_ip) {
  sock relay, remote, second, stranger, same_port;
  if (!bound(&relay, family, ip, 0)) {
    printf("  (no %s on this machine: skipped)\n", ip);
    CHECK(family == AF_INET6); /* IPv4 loopback is always there */
    return;
  }
  CHECK(bound(&remote, family, ip, 0));
  CHECK(bound(&second, family, ip, 0));
  CHECK(bound(&stranger, family, ip, 0));
  /* The client's two addresses, and one of the other family (skipped). */
  struct sockaddr_storage from[3] = {remote.addr, second.addr};
  from[2].ss_family = family == AF_INET ? AF_INET6 : AF_INET;
  CHECK_EQ_INT(sv_pathguard_attach(relay.fd, from, 3), 0);

  /* From the client's addresses: everything. */
  CHECK(passes(&remote, &remote, &relay, 0x80)); /* RTP/RTCP */
  CHECK(passes(&remote, &remote, &relay, 0x16)); /* DTLS */
  CHECK(passes(&remote, &remote, &relay, 0x00)); /* STUN */
  CHECK(passes(&second, &remote, &relay, 0x80));
  CHECK(passes(&second, &remote, &relay, 0x17));
  /* From anyone else: STUN and TURN ChannelData only. */
  uint32_t before = sv_pathguard_drops(relay.fd);
  CHECK(!passes(&stranger, &remote, &relay, 0x80));
  CHECK(!passes(&stranger, &remote, &relay, 0xbf));
  CHECK(!passes(&stranger, &remote, &relay, 0x16));
  CHECK(!passes(&stranger, &remote, &relay, 0x14));
  CHECK(!passes(&stranger, &remote, &relay, 0xff));
  CHECK(!passes(&stranger, &remote, &relay, 0x04));
  CHECK(passes(&stranger, &remote, &relay, 0x00));
  CHECK(passes(&stranger, &remote, &relay, 0x01));
  CHECK(passes(&stranger, &remote, &relay, 0x03));
  CHECK(passes(&stranger, &remote, &relay, 0x40));
  CHECK(passes(&stranger, &remote, &relay, 0x4f));
  CHECK_EQ_INT(sv_pathguard_drops(relay.fd) - before, 6);

  /* The same port on another address is someone else. */
  if (other_ip && bound(&same_port, family, other_ip, port_of(&remote))) {
    CHECK(!passes(&same_port, &remote, &relay, 0x80));
    CHECK(passes(&same_port, &remote, &relay, 0x00));
    close(same_port.fd);
  }

  /* No addresses: nothing but STUN and ChannelData, from anyone. */
  CHECK_EQ_INT(sv_pathguard_attach(relay.fd, NULL, 0), 0);
  CHECK(!passes(&remote, &remote, &relay, 0x80));
  CHECK(passes(&remote, &remote, &relay, 0x00));

  /* Detached: everything again. */
  sv_pathguard_detach(relay.fd);
  CHECK(passes(&stranger, &remote, &relay, 0x80));
  sv_pathguard_detach(relay.fd); /* twice is fine */
  close(relay.fd);
  close(remote.fd);
  close(second.fd);
  close(stranger.fd);
}

static void test_ipv4(void) {
  filter_on(AF_INET, "127.0.0.1", "127.0.0.2");
}

static void test_ipv6(void) {
  filter_on(AF_INET6, "::1", NULL);
}

/* The most addresses a filter takes: the last one still admitted (every
 * jump within reach), one more refused. */
static void test_many_addresses(void) {
  sock relay, client[SV_PATHGUARD_FROM_MAX], stranger;
  CHECK(bound(&relay, AF_INET, "127.0.0.1", 0));
  CHECK(bound(&stranger, AF_INET, "127.0.0.1", 0));
  struct sockaddr_storage from[SV_PATHGUARD_FROM_MAX + 1];
  for (int i = 0; i < SV_PATHGUARD_FROM_MAX; i++) {
    CHECK(bound(&client[i], AF_INET, "127.0.0.1", 0));
    from[i] = client[i].addr;
  }
  from[SV_PATHGUARD_FROM_MAX] = stranger.addr;
  CHECK(sv_pathguard_attach(relay.fd, from, SV_PATHGUARD_FROM_MAX + 1) < 0);
  CHECK_EQ_INT(sv_pathguard_attach(relay.fd, from, SV_PATHGUARD_FROM_MAX), 0);
  CHECK(passes(&client[0], &client[0], &relay, 0x80));
  CHECK(passes(&client[SV_PATHGUARD_FROM_MAX - 1], &client[0], &relay, 0x80));
  CHECK(!passes(&stranger, &client[0], &relay, 0x80));
  /* IPv6 at the limit: the program fits its bound. */
  struct sock_filter ins[SV_PATHGUARD_PROG_MAX];
  struct sockaddr_storage v6[SV_PATHGUARD_FROM_MAX];
  for (int i = 0; i < SV_PATHGUARD_FROM_MAX; i++)
    v6[i].ss_family = AF_INET6;
  CHECK_EQ_INT(sv_pathguard_program(ins, AF_INET6, v6, SV_PATHGUARD_FROM_MAX),
               SV_PATHGUARD_PROG_MAX);
  for (int i = 0; i < SV_PATHGUARD_FROM_MAX; i++)
    close(client[i].fd);
  close(relay.fd);
  close(stranger.fd);
}

static void test_other_families_refused(void) {
  struct sock_filter ins[SV_PATHGUARD_PROG_MAX];
  CHECK_EQ_INT(sv_pathguard_program(ins, AF_UNIX, NULL, 0), 0);
  int un = socket(AF_UNIX, SOCK_DGRAM, 0);
  CHECK(sv_pathguard_attach(un, NULL, 0) < 0);
  close(un);
}

int main(void) {
  RUN(test_ipv4);
  RUN(test_ipv6);
  RUN(test_many_addresses);
  RUN(test_other_families_refused);
  return check_summary();
}
