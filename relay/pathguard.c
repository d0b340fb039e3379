/*
 * pathguard.c — a socket filter that admits media from the selected ICE
 * pair only (see pathguard.h).
 */
#include "relay/pathguard.h"

#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>

#include "common/common.h"

#define UDP_HEADER 8 /* the payload's first byte is at this offset */

/* The one symbolic jump target, patched into offsets at the end. */
enum { NEXT = 0, TO_ACCEPT = 255 };

typedef struct prog {
  struct sock_filter *ins;
  size_t n;
} prog;

static void emit(prog *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k) {
  p->ins[p->n++] = (struct sock_filter){code, jt, jf, k};
}

/* One address: its port, then its address word by word (loads convert
 * from network order, so the values compare in host order). Any mismatch
 * jumps to the next block (or, after the last, to the drop); a full match
 * to the accept. A block is 2 + 2 * words instructions. */
static void address_block(prog *p, uint16_t port, const uint32_t *words, int n_words) {
  uint8_t size = (uint8_t)(2 + 2 * n_words);
  emit(p, BPF_LD | BPF_H | BPF_ABS, 0, 0, 0); /* the UDP source port */
  emit(p, BPF_JMP | BPF_JEQ | BPF_K, NEXT, (uint8_t)(size - 2), port);
  /* IPv4's source address is at 12 of its header, IPv6's at 8. */
  uint32_t off = n_words == 1 ? 12 : 8;
  for (int w = 0; w < n_words; w++) {
    emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)SKF_NET_OFF + off + 4 * (uint32_t)w);
    emit(p, BPF_JMP | BPF_JEQ | BPF_K, w == n_words - 1 ? TO_ACCEPT : NEXT,
         (uint8_t)(size - 4 - 2 * w), ntohl(words[w]));
  }
}

size_t sv_pathguard_program(struct sock_filter *ins, int family,
                            const struct sockaddr_storage *from, size_t n) {
  if ((family != AF_INET && family != AF_INET6) || n > SV_PATHGUARD_FROM_MAX) return 0;
  prog p = {ins, 0};
  /* By the first payload byte (RFC 7983): STUN 0-3 and ChannelData 64-79
   * pass; a datagram too short to have one is dropped by the kernel (a
   * load past the end ends the program with 0). */
  emit(&p, BPF_LD | BPF_B | BPF_ABS, 0, 0, UDP_HEADER);
  emit(&p, BPF_JMP | BPF_JGT | BPF_K, NEXT, TO_ACCEPT, 3);
  emit(&p, BPF_JMP | BPF_JGE | BPF_K, NEXT, 1, 64);
  emit(&p, BPF_JMP | BPF_JGT | BPF_K, NEXT, TO_ACCEPT, 79);
  for (size_t i = 0; i < n; i++) {
    if (from[i].ss_family != family) continue;
    if (family == AF_INET) {
      const struct sockaddr_in *a = (const struct sockaddr_in *)&from[i];
      uint32_t w = a->sin_addr.s_addr;
      address_block(&p, ntohs(a->sin_port), &w, 1);
    } else {
      const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&from[i];
      uint32_t w[4];
      memcpy(w, a->sin6_addr.s6_addr, sizeof w);
      address_block(&p, ntohs(a->sin6_port), w, 4);
    }
  }
  emit(&p, BPF_RET | BPF_K, 0, 0, 0); /* drop */
  size_t accept = p.n;
  emit(&p, BPF_RET | BPF_K, 0, 0, 0xffffffffu);
  for (size_t i = 0; i < accept; i++) {
    if (BPF_CLASS(ins[i].code) != BPF_JMP) continue;
    if (ins[i].jt == TO_ACCEPT) ins[i].jt = (uint8_t)(accept - i - 1);
    if (ins[i].jf == TO_ACCEPT) ins[i].jf = (uint8_t)(accept - i - 1);
  }
  return p.n;
}

int sv_pathguard_attach(int fd, const struct sockaddr_storage *from, size_t n) {
  struct sockaddr_storage self;
  socklen_t len = sizeof self;
  if (getsockname(fd, (struct sockaddr *)&self, &len) != 0) return SV_EINVAL;
  struct sock_filter ins[SV_PATHGUARD_PROG_MAX];
  size_t count = sv_pathguard_program(ins, self.ss_family, from, n);
  if (!count) return SV_EINVAL;
  struct sock_fprog fp = {(unsigned short)count, ins};
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) == 0 ? 0 : SV_EIO;
}

void sv_pathguard_detach(int fd) {
  int unused = 0;
  (void)setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof unused);
}

uint32_t sv_pathguard_drops(int fd) {
  uint32_t mem[SK_MEMINFO_VARS] = {0};
  socklen_t len = sizeof mem;
  if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) != 0 ||
      len < (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t))
    return 0;
  return mem[SK_MEMINFO_DROPS];
}
