/*
 * pathguard.h — the kernel keeps media that does not come from the
 * client's own addresses away from the relay.
 *
 * Once ICE has connected, DTLS, SRTP and SRTCP are only valid from the
 * client's own transport addresses: its remote candidates, which it either
 * announced over the authenticated signalling connection or proved with a
 * STUN check carrying its ICE password (peer-reflexive ones). Not only the
 * selected pair's: the client, as the controlling agent, may send on a
 * valid pair other than the one libnice selected (seen with Chromium on a
 * machine with two addresses). libnice checks the source itself (against
 * the remote candidates of its valid pairs), but only after the worker
 * woke, read the datagram and ran the agent, and it counts nothing. This
 * check runs in the kernel, before any of that: a classic BPF socket filter
 * (SO_ATTACH_FILTER, no privilege needed) on each of the PeerConnection's
 * UDP sockets. By the first byte (RFC 7983), STUN (0-3) and TURN
 * ChannelData (64-79) pass from anyone (ICE checks, consent, TURN);
 * everything else only from one of those addresses and ports. A dropped
 * datagram costs the relay nothing; the kernel counts it in the socket's
 * drop counter (SO_MEMINFO), with datagrams dropped for a full receive
 * buffer.
 *
 * The filter runs on the UDP socket's receive path with the UDP header at
 * offset 0 and the IP header at SKF_NET_OFF.
 */
#ifndef SV_PATHGUARD_H
#define SV_PATHGUARD_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Addresses one filter admits at most, and its longest program (all
 * IPv6: 4 + 10 per address + 2; jumps must stay within 255). */
#define SV_PATHGUARD_FROM_MAX 16
#define SV_PATHGUARD_PROG_MAX (4 + 10 * SV_PATHGUARD_FROM_MAX + 2)

/* Writes the filter for a socket of `family` (AF_INET or AF_INET6) into
 * prog (SV_PATHGUARD_PROG_MAX entries) and returns its length: STUN and
 * ChannelData from anyone, anything else only from one of the n addresses
 * in from (address and port; those of the other family are skipped). n 0:
 * from nobody. Returns 0 for another family or n above
 * SV_PATHGUARD_FROM_MAX. */
size_t sv_pathguard_program(struct sock_filter *prog, int family,
                            const struct sockaddr_storage *from, size_t n);

/* Attaches that filter to the UDP socket fd (replacing any earlier one),
 * for the socket's own family. 0, or SV_EIO / SV_EINVAL. */
int sv_pathguard_attach(int fd, const struct sockaddr_storage *from, size_t n);
/* Removes the filter; a socket without one is fine. */
void sv_pathguard_detach(int fd);
/* The socket's drop counter (filtered out or no room), 0 if unknown. */
uint32_t sv_pathguard_drops(int fd);

#endif
