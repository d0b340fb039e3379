/*
 * test_resend.c — how the relay answers a subscriber's NACK from a video
 * layer's retransmission buffer (relay/forward.c): as RTX (RFC 4588) on the
 * subscriber's own RTX SSRC and payload type, with the original sequence
 * number the subscriber saw, when it negotiated RTX; as the very packet it
 * first got when it did not. Packets are built, not sent, so no sockets.
 */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "relay/router_int.h"
#include "relay/vp8.h"
#include "tests/unit/check.h"

#define IN_SSRC 0x11111111u
#define FIRST   40000 /* the publisher's first sequence number */
#define COUNT   12

typedef struct fixture {
  sv_router room;
  sv_part pub, rtx_sub, plain_sub;
  sv_track track;
  sv_out *rtx_out, *plain_out;
  /* What each subscriber got first, per packet i. */
  uint8_t sent[2][COUNT][SV_PEER_SCRATCH];
  size_t sent_len[2][COUNT];
} fixture;

/* A VP8 packet from the publisher: 15-bit picture ID i, payload bytes that
 * name the packet. */
static size_t vp8_packet(uint8_t *buf, int i) {
  memset(buf, 0, 12);
  buf[0] = 0x80;
  buf[1] = 96;
  sv_wr16(buf + 2, (uint16_t)(FIRST + i));
  sv_wr32(buf + 4, 3000u * (uint32_t)i);
  sv_wr32(buf + 8, IN_SSRC);
  uint8_t *p = buf + 12;
  p[0] = 0x90;                                /* X, S */
  p[1] = 0x80;                                /* I */
  p[2] = (uint8_t)(0x80 | ((7000 + i) >> 8)); /* M: 15-bit picture ID */
  p[3] = (uint8_t)(7000 + i);
  for (int k = 4; k < 200; k++)
    p[k] = (uint8_t)(i * 31 + k);
  return 12 + 200;
}

static sv_out *add_out(fixture *f, sv_part *sub, uint8_t pt, uint32_t ssrc, uint8_t rtx_pt,
                       uint32_t rtx_ssrc) {
  sv_out *o = &sub->outs[sub->n_outs++];
  sub->room = &f->room;
  o->sub = sub;
  o->kind = SV_KIND_VIDEO;
  o->src = &f->track;
  o->codec = f->track.codec;
  o->codec.pt = pt;
  o->ssrc = ssrc;
  o->layer = 0;
  o->target = 0;
  o->rtx_pt = rtx_pt;
  o->rtx_ssrc = rtx_ssrc;
  o->rtx_seq = 900;
  return o;
}

/* The publisher sends COUNT packets; each is kept for NACKs and forwarded
 * to both subscribers, as forward.c does. */
static fixture *setup(void) {
  fixture *f = calloc(1, sizeof *f);
  f->pub.room = &f->room;
  sv_track *t = &f->track;
  t->owner = &f->pub;
  t->active = true;
  t->kind = SV_KIND_VIDEO;
  t->codec = (sv_sdp_codec){.codec = SV_CODEC_VP8, .pt = 96, .clock_rate = 90000};
  t->rtx_pt = 97;
  t->n_layers = 1;
  t->layers[0].ssrc = IN_SSRC;
  t->layers[0].rtx = calloc(SV_RTX_SLOTS, sizeof(sv_rtx_slot));
  f->rtx_sub.twcc_id = 3; /* the one with RTX also takes transport-cc */
  f->rtx_sub.twcc_seq = 100;
  f->rtx_out = add_out(f, &f->rtx_sub, 100, 0xAAAA0001u, 101, 0xAAAA0002u);
  f->plain_out = add_out(f, &f->plain_sub, 102, 0xBBBB0001u, 0, 0);
  sv_out *outs[2] = {f->rtx_out, f->plain_out};
  for (int i = 0; i < COUNT; i++) {
    uint8_t pkt[SV_RTP_MTU];
    size_t len = vp8_packet(pkt, i);
    sv_rtp_header h;
    CHECK_EQ_INT(sv_rtp_parse(pkt, len, &h), 0);
    sv_rtx_slot *slot = &t->layers[0].rtx[h.seq & (SV_RTX_SLOTS - 1)];
    slot->seq = h.seq;
    slot->len = (uint16_t)len;
    memcpy(slot->data, pkt, len);
    for (int s = 0; s < 2; s++) {
      sv_out *o = outs[s];
      if (i == 0) {
        sv_vp8_desc d;
        CHECK_EQ_INT(sv_vp8_desc_parse(pkt + h.header_len, h.payload_len, &d), 0);
        sv_outmap_switch(&o->map, h.seq, h.ts, &d, 90000, 1000, o->ssrc);
      }
      f->sent_len[s][i] = sv_forward_build(o, pkt, len, &h, o->codec.pt, 1000 + i, f->sent[s][i]);
      CHECK(f->sent_len[s][i] > 0);
    }
  }
  return f;
}

static void teardown(fixture *f) {
  free(f->track.layers[0].rtx);
  free(f);
}

static void test_rtx_for_rtx_subscriber(void) {
  fixture *f = setup();
  const int i = 5;
  sv_rtp_header first, h;
  CHECK_EQ_INT(sv_rtp_parse(f->sent[0][i], f->sent_len[0][i], &first), 0);
  uint16_t twcc_before = f->rtx_sub.twcc_seq;
  uint8_t out[SV_PEER_SCRATCH];
  size_t n = sv_forward_build_resend(f->rtx_out, first.seq, false, 2000, out);
  CHECK(n > 0);
  CHECK_EQ_INT(sv_rtp_parse(out, n, &h), 0);
  CHECK_EQ_INT(h.pt, 101);                              /* the subscriber's RTX payload type */
  CHECK_EQ_INT(h.ssrc, 0xAAAA0002u);                    /* and RTX SSRC */
  CHECK_EQ_INT(h.seq, 900);                             /* the RTX stream's own numbering */
  CHECK_EQ_INT(h.ts, first.ts);                         /* the timestamp it saw */
  CHECK_EQ_INT(sv_rd16(out + h.header_len), first.seq); /* OSN: the number it NACKed */
  /* The payload after the OSN is what the subscriber got the first time,
   * picture ID rewritten the same way. */
  CHECK_EQ_INT(h.payload_len, first.payload_len + 2);
  CHECK(memcmp(out + h.header_len + 2, f->sent[0][i] + first.header_len, first.payload_len) == 0);
  /* The retransmission counts on the transport-cc sequence, and the next
   * one gets the next RTX sequence number. */
  CHECK_EQ_INT(f->rtx_sub.twcc_seq, (uint16_t)(twcc_before + 1));
  n = sv_forward_build_resend(f->rtx_out, (uint16_t)(first.seq + 1), false, 2000, out);
  CHECK(n > 0 && sv_rtp_parse(out, n, &h) == 0);
  CHECK_EQ_INT(h.seq, 901);
  CHECK_EQ_INT(sv_rd16(out + h.header_len), (uint16_t)(first.seq + 1));
  teardown(f);
}

static void test_original_for_plain_subscriber(void) {
  fixture *f = setup();
  const int i = 7;
  sv_rtp_header first;
  CHECK_EQ_INT(sv_rtp_parse(f->sent[1][i], f->sent_len[1][i], &first), 0);
  uint8_t out[SV_PEER_SCRATCH];
  size_t n = sv_forward_build_resend(f->plain_out, first.seq, false, 2000, out);
  /* Byte for byte what it got the first time: its payload type, SSRC,
   * sequence number, timestamp and picture ID. */
  CHECK_EQ_INT(n, f->sent_len[1][i]);
  CHECK(memcmp(out, f->sent[1][i], n) == 0);
  /* Resending did not move its stream on: the next new packet follows the
   * last one sent before. */
  uint8_t pkt[SV_RTP_MTU];
  sv_rtp_header h, last, next;
  CHECK_EQ_INT(sv_rtp_parse(f->sent[1][COUNT - 1], f->sent_len[1][COUNT - 1], &last), 0);
  size_t len = vp8_packet(pkt, COUNT);
  CHECK_EQ_INT(sv_rtp_parse(pkt, len, &h), 0);
  n = sv_forward_build(f->plain_out, pkt, len, &h, 102, 3000, out);
  CHECK(n > 0 && sv_rtp_parse(out, n, &next) == 0);
  CHECK_EQ_INT(next.seq, (uint16_t)(last.seq + 1));
  /* No RTX, so no probing with its packets. */
  CHECK_EQ_INT(sv_forward_build_resend(f->plain_out, first.seq, true, 2000, out), 0);
  teardown(f);
}

static void test_what_cannot_be_answered(void) {
  fixture *f = setup();
  sv_rtp_header last;
  CHECK_EQ_INT(sv_rtp_parse(f->sent[0][COUNT - 1], f->sent_len[0][COUNT - 1], &last), 0);
  uint8_t out[SV_PEER_SCRATCH];
  uint16_t rtx_seq = f->rtx_out->rtx_seq;
  /* A number never sent, and one from before the stream started. */
  CHECK_EQ_INT(sv_forward_build_resend(f->rtx_out, (uint16_t)(last.seq + 1), false, 2000, out), 0);
  CHECK_EQ_INT(sv_forward_build_resend(f->rtx_out, (uint16_t)(last.seq - COUNT), false, 2000, out),
               0);
  /* A packet the buffer has overwritten since. */
  sv_rtx_slot *slot = &f->track.layers[0].rtx[(FIRST + 3) & (SV_RTX_SLOTS - 1)];
  slot->seq = (uint16_t)(FIRST + 3 + SV_RTX_SLOTS);
  CHECK_EQ_INT(
      sv_forward_build_resend(f->rtx_out, (uint16_t)(last.seq - (COUNT - 1) + 3), false, 2000, out),
      0);
  /* A paused subscriber. */
  f->plain_out->layer = -1;
  CHECK_EQ_INT(sv_forward_build_resend(f->plain_out, last.seq, false, 2000, out), 0);
  /* Nothing answered, no RTX sequence number used. */
  CHECK_EQ_INT(f->rtx_out->rtx_seq, rtx_seq);
  teardown(f);
}

int main(void) {
  RUN(test_rtx_for_rtx_subscriber);
  RUN(test_original_for_plain_subscriber);
  RUN(test_what_cannot_be_answered);
  return check_summary();
}
