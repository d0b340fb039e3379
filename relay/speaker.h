/*
 * speaker.h — who is speaking, from the audio level publishers put in each
 * audio packet (RFC 6464, urn:ietf:params:rtp-hdrext:ssrc-audio-level).
 *
 * When a subscriber's link cannot carry every video, the one it keeps is
 * the speaker's (adapt.c): in a consultation the person talking is the one
 * to see. Each packet at least as loud as SV_SPEECH_MAX_DBOV counts as
 * speech; every tick a participant's speech score decays (time constant
 * SV_SPEECH_DECAY_S) and takes the new count. The room's speaker is the
 * highest score, and changes only when another has spoken clearly more for
 * a while (SV_SPEAKER_HOLD_US), so two people taking turns do not make the
 * video jump between them at every word.
 *
 * Time is an input: nothing here reads a clock, sends or allocates.
 */
#ifndef SV_SPEAKER_H
#define SV_SPEAKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SV_SPEECH_MAX_DBOV 40      /* -40 dBov or louder: speech, not room noise */
#define SV_SPEECH_DECAY_S  2.0     /* a score halves in about 1.4 s of silence */
#define SV_SPEECH_MIN      10.0f   /* below this nobody is speaking (score, packets) */
#define SV_SPEAKER_MARGIN  1.5f    /* a new speaker must have this much more ... */
#define SV_SPEAKER_HOLD_US 1000000 /* ... for this long */

typedef struct sv_speech {
  uint32_t loud; /* speech packets since the last update */
  float score;   /* decayed count of speech packets */
} sv_speech;

/* One audio packet's level element (its one byte: V flag and -dBov). */
static inline void sv_speech_packet(sv_speech *s, uint8_t level) {
  if ((level & 0x7f) <= SV_SPEECH_MAX_DBOV) s->loud++;
}

/* Takes the packets counted since the last call, dt_s seconds ago. */
void sv_speech_update(sv_speech *s, double dt_s);

/* The room's speaker, by identity of its sv_speech. */
typedef struct sv_speaker {
  const sv_speech *current;    /* NULL = nobody yet */
  const sv_speech *challenger; /* who has been clearly ahead of current ... */
  uint64_t challenged_us;      /* ... since then */
} sv_speaker;

/* Picks the speaker among all[0..n) at now_us, after their updates, and
 * returns it (or NULL). */
const sv_speech *sv_speaker_choose(sv_speaker *sp, const sv_speech *const *all, size_t n,
                                   uint64_t now_us);
/* gone is about to be freed. */
void sv_speaker_forget(sv_speaker *sp, const sv_speech *gone);

#endif
