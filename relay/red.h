/*
 * red.h — RFC 2198 redundant audio as browsers send it for Opus
 * (a=rtpmap:63 red/48000/2, a=fmtp:63 111/111): each packet carries the
 * current Opus frame (the primary block, last) and copies of earlier ones.
 * The relay forwards RED to subscribers that took it and strips it to the
 * primary Opus payload for those that did not. Pure functions on
 * caller-owned bytes; lengths checked before every read (the payload comes
 * from the network).
 */
#ifndef SV_RED_H
#define SV_RED_H

#include <stddef.h>
#include <stdint.h>

/* Finds the primary block of a RED payload: sets *pt to its payload type and
 * *off / *len to where its data lies within payload. Returns 0, or SV_EINVAL
 * when the block headers run past the payload or the redundant blocks are
 * longer than what follows them (such a packet is dropped, not guessed at). */
int sv_red_primary(const uint8_t *payload, size_t len, uint8_t *pt, size_t *off, size_t *plen);

#endif
