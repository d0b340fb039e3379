/*
 * tap.h — a bounded single-producer, single-consumer packet ring: how the
 * relay hands decrypted RTP to a media pipeline (the recorder) without ever
 * waiting. Lives in common/ so that relay/ and media/ share it without
 * knowing each other.
 *
 * The producer is one relay worker thread, the consumer one thread of the
 * pipeline. Every slot is allocated up front: a push is a bounds check, one
 * memcpy and two atomics; when the ring is full the packet is dropped and
 * counted. Lifetime is a reference count (any thread).
 */
#ifndef SV_TAP_H
#define SV_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_TAP_SLOTS   512 /* packets buffered per tap (power of two) */
#define SV_TAP_MAX_RTP 1500

typedef enum { SV_TAP_OPUS = 1, SV_TAP_VP8 = 2, SV_TAP_H264 = 3 } sv_tap_codec;

typedef struct sv_tap_packet {
  uint64_t arrival_us; /* CLOCK_MONOTONIC at the relay */
  uint16_t len;
  uint8_t codec; /* sv_tap_codec */
  uint8_t pt;
  uint8_t data[SV_TAP_MAX_RTP];
} sv_tap_packet;

typedef struct sv_tap sv_tap;

/* A new, empty tap with one reference (the caller's). Can't fail (aborts on
 * out of memory, as GLib does). */
sv_tap *sv_tap_new(void);
sv_tap *sv_tap_ref(sv_tap *tap);
/* Drops a reference; the last one frees. NULL is fine. */
void sv_tap_unref(sv_tap *tap);

/* Producer: copies one RTP packet in. Returns false (and counts a drop)
 * when the ring is full, the packet is too big or the tap is closed. */
bool sv_tap_push(sv_tap *tap, sv_tap_codec codec, uint8_t pt, const uint8_t *rtp, size_t len,
                 uint64_t arrival_us);
/* Consumer: copies the oldest packet out; false when the ring is empty. */
bool sv_tap_pop(sv_tap *tap, sv_tap_packet *out);

/* Marks the tap closed: pushes are refused from now on. Any thread. */
void sv_tap_close(sv_tap *tap);
bool sv_tap_is_closed(const sv_tap *tap);
/* Packets dropped because the ring was full (or too big). */
uint64_t sv_tap_dropped(const sv_tap *tap);
uint64_t sv_tap_pushed(const sv_tap *tap);

/* A tap's packets travel to samvei-record (media/recorder.c →
 * media/record_main.c) over a pipe, each as a 16-byte header (arrival time
 * in µs, uint64 host order; RTP length, uint16 host order; sv_tap_codec,
 * uint8; payload type, uint8; 4 bytes zero) followed by the RTP packet. */
#define SV_TAP_FRAME_HEADER 16

/* Writes the header for p. Can't fail. */
void sv_tap_frame_header(const sv_tap_packet *p, uint8_t hdr[SV_TAP_FRAME_HEADER]);
/* Reads a header into out's arrival_us, len, codec and pt (out->data is
 * not touched: the len bytes that follow the header are the packet).
 * Returns false, with out unspecified, for a header sv_tap_frame_header
 * cannot have written: a length of 0 or over SV_TAP_MAX_RTP, an unknown
 * codec, or non-zero padding. */
bool sv_tap_frame_parse(const uint8_t hdr[SV_TAP_FRAME_HEADER], sv_tap_packet *out);

#endif
