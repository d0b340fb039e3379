/*
 * beep.js — the audible alert of the on-call page: a short two-tone beep
 * made with WebAudio (no sound file). Browsers let a page make sound only
 * after a click or tap on it, so the page asks once ("Turn sound on") and
 * the AudioContext is kept for later alerts.
 */
let ctx = null;

/* Creates or resumes the AudioContext; call from a click handler. */
export async function enableSound() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return false;
  ctx = ctx || new Ctx();
  if (ctx.state !== 'running') await ctx.resume().catch(() => {});
  return ctx.state === 'running';
}

export function soundEnabled() {
  return ctx?.state === 'running';
}

/* Three rising double tones over about 1.5 s. Returns false when sound is
 * not allowed yet (the visible alert still shows). */
export function beep() {
  if (!soundEnabled()) return false;
  const start = ctx.currentTime + 0.02;
  for (let i = 0; i < 3; i++) {
    for (const [offset, freq] of [[0, 660], [0.18, 880]]) {
      const t0 = start + i * 0.5 + offset;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t0);
      gain.gain.exponentialRampToValueAtTime(0.35, t0 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0);
      osc.stop(t0 + 0.17);
    }
  }
  return true;
}
