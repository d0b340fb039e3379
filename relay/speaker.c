/*
 * speaker.c — who is speaking (relay/speaker.h).
 */
#include "relay/speaker.h"

#include <math.h>

void sv_speech_update(sv_speech *s, double dt_s) {
  double decay = dt_s > 0 ? exp(-dt_s / SV_SPEECH_DECAY_S) : 1.0;
  s->score = (float)(s->score * decay + s->loud);
  s->loud = 0;
}

const sv_speech *sv_speaker_choose(sv_speaker *sp, const sv_speech *const *all, size_t n,
                                   uint64_t now_us) {
  const sv_speech *best = NULL;
  for (size_t i = 0; i < n; i++)
    if (all[i]->score >= SV_SPEECH_MIN && (!best || all[i]->score > best->score)) best = all[i];
  const sv_speech *cur = sp->current;
  /* Nobody yet, or the speaker fell silent and someone else speaks: that
   * one, at once. A speaker nobody follows stays the speaker. */
  if (!cur || (cur->score < SV_SPEECH_MIN && best)) {
    if (best) sp->current = best;
    sp->challenger = NULL;
    return sp->current;
  }
  if (!best || best == cur || best->score < cur->score * SV_SPEAKER_MARGIN) {
    sp->challenger = NULL;
    return cur;
  }
  if (sp->challenger != best) {
    sp->challenger = best;
    sp->challenged_us = now_us;
  } else if (now_us - sp->challenged_us >= SV_SPEAKER_HOLD_US) {
    sp->current = best;
    sp->challenger = NULL;
  }
  return sp->current;
}

void sv_speaker_forget(sv_speaker *sp, const sv_speech *gone) {
  if (sp->current == gone) sp->current = NULL;
  if (sp->challenger == gone) sp->challenger = NULL;
}
