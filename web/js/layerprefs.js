/*
 * layerprefs.js — asks the server for no more video than a tile can show.
 * A remote tile narrower than SMALL_PX (a grid of many, a thumbnail) needs
 * only the lowest simulcast layer: `layer` with max "low" for that
 * participant; when it grows again, "auto" (as much as the link carries).
 *
 *   const prefs = new LayerPrefs({ send: (participant, max) => promise });
 *   prefs.observe(id, tileElement); prefs.unobserve(id);
 *   prefs.reset();   // after a rejoin: the server has forgotten, ask again
 *   prefs.refresh(id);   // id's video is new: ask again for that one
 *
 * Sizes settle for DEBOUNCE_MS before anything is sent (a window being
 * dragged, the grid reflowing when someone joins), and only changes are
 * sent: every tile starts as "auto", which is also the server's default.
 */

export const SMALL_PX = 320;
const DEBOUNCE_MS = 600;

export class LayerPrefs {
  constructor({ send, smallPx = SMALL_PX, debounceMs = DEBOUNCE_MS }) {
    this.send = send;
    this.smallPx = smallPx;
    this.debounceMs = debounceMs;
    this.tiles = new Map(); /* id → { el, width, sent } */
    this.timer = null;
    this.observer = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const tile = [...this.tiles.values()].find((t) => t.el === entry.target);
        if (tile) tile.width = entry.contentRect.width;
      }
      this.schedule();
    });
  }

  observe(id, el) {
    const old = this.tiles.get(id);
    if (old?.el === el) return;
    if (old) this.observer.unobserve(old.el);
    this.tiles.set(id, { el, width: el.getBoundingClientRect().width, sent: 'auto' });
    this.observer.observe(el);
    this.schedule();
  }

  unobserve(id) {
    const tile = this.tiles.get(id);
    if (!tile) return;
    this.observer.unobserve(tile.el);
    this.tiles.delete(id);
  }

  /* The server has forgotten our preferences (we joined again): every tile
   * counts as "auto" there now, so whatever is smaller is sent again. */
  reset() {
    for (const tile of this.tiles.values()) tile.sent = 'auto';
    this.schedule();
  }

  /* The participant's video is new to us (first published, or again):
   * a preference sent before the server forwarded it may have found
   * nothing to apply to, so it is sent again. */
  refresh(id) {
    const tile = this.tiles.get(id);
    if (!tile || tile.sent === 'auto') return;
    tile.sent = 'auto';
    this.schedule();
  }

  /* id → what each tile asks for now ("low" or "auto"). */
  wanted() {
    return Object.fromEntries([...this.tiles].map(([id, t]) => [id, t.sent]));
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
  }

  flush() {
    for (const [id, tile] of this.tiles) {
      /* A hidden tile (width 0) shows nothing: the lowest is plenty. */
      const want = tile.width < this.smallPx ? 'low' : 'auto';
      if (want === tile.sent) continue;
      tile.sent = want;
      Promise.resolve(this.send(id, want)).catch((err) => {
        /* Gone meanwhile (not-found), or the connection dropped: a rejoin
         * resets everything anyway. Try again on the next change. */
        if (this.tiles.get(id) === tile && tile.sent === want) tile.sent = 'unknown';
        console.info(`samvei: layer preference for ${id} not taken: ${err?.message ?? err}`);
      });
    }
  }

  destroy() {
    clearTimeout(this.timer);
    this.observer.disconnect();
    this.tiles.clear();
  }
}
