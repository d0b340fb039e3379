/*
 * dom.js — the two helpers every ui/ module builds its markup with: h() for
 * elements and icon() for the inline SVG icons. No HTML strings are parsed,
 * so names from other participants can never become markup.
 */

/* h('button', {class: 'x', type: 'button', onclick: fn}, child, 'text', …)
 * Attributes whose value is false/null/undefined are left out; `on…`
 * functions become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/* Outline icons on a 24×24 grid; each is a list of path/shape elements. */
const ICONS = {
  mic: [
    ['rect', { x: 9, y: 3, width: 6, height: 11, rx: 3 }],
    ['path', { d: 'M5.5 11a6.5 6.5 0 0 0 13 0' }],
    ['path', { d: 'M12 17.5V21' }],
  ],
  'mic-off': [
    ['rect', { x: 9, y: 3, width: 6, height: 11, rx: 3 }],
    ['path', { d: 'M5.5 11a6.5 6.5 0 0 0 13 0' }],
    ['path', { d: 'M12 17.5V21' }],
    ['path', { d: 'M4 4l16 16' }],
  ],
  camera: [
    ['rect', { x: 2.5, y: 6, width: 13, height: 12, rx: 2 }],
    ['path', { d: 'M15.5 10.5l6-3.5v10l-6-3.5z' }],
  ],
  'camera-off': [
    ['rect', { x: 2.5, y: 6, width: 13, height: 12, rx: 2 }],
    ['path', { d: 'M15.5 10.5l6-3.5v10l-6-3.5z' }],
    ['path', { d: 'M3 3l18 18' }],
  ],
  switch: [
    ['path', { d: 'M4.5 11a7.5 7.5 0 0 1 13.3-4.3' }],
    ['path', { d: 'M18.5 3v4h-4' }],
    ['path', { d: 'M19.5 13a7.5 7.5 0 0 1-13.3 4.3' }],
    ['path', { d: 'M5.5 21v-4h4' }],
  ],
  leave: [
    ['path', { d: 'M2.5 14.2c5.2-5 13.8-5 19 0l-2.4 2.9-3.9-1.5V13a10.5 10.5 0 0 0-6.4 0v2.6l-3.9 1.5z' }],
  ],
  retry: [
    ['path', { d: 'M4 12a8 8 0 1 0 2.3-5.7' }],
    ['path', { d: 'M4 4v4h4' }],
  ],
  headphones: [
    ['path', { d: 'M4 16v-4a8 8 0 0 1 16 0v4' }],
    ['rect', { x: 3, y: 14, width: 4.5, height: 7, rx: 1.5 }],
    ['rect', { x: 16.5, y: 14, width: 4.5, height: 7, rx: 1.5 }],
  ],
  'video-paused': [
    ['rect', { x: 2.5, y: 6, width: 13, height: 12, rx: 2 }],
    ['path', { d: 'M15.5 10.5l6-3.5v10l-6-3.5z' }],
    ['path', { d: 'M7.5 9.5v5M10.5 9.5v5' }],
  ],
  /* A raised hand (group teaching). */
  hand: [
    ['path', { d: 'M8 13V5.5a1.5 1.5 0 0 1 3 0V11M11 10V4a1.5 1.5 0 0 1 3 0v6M14 10V5.5a1.5 1.5 0 0 1 3 0V14' }],
    ['path', { d: 'M17 9.5a1.5 1.5 0 0 1 3 0V15a7 7 0 0 1-7 7h-.5a7 7 0 0 1-5.6-2.8L4.3 15.8a1.5 1.5 0 0 1 2.4-1.8L8 15.5' }],
  ],
  screen: [
    ['rect', { x: 2.5, y: 4, width: 19, height: 13, rx: 1.5 }],
    ['path', { d: 'M8 21h8M12 17v4' }],
    ['path', { d: 'M12 14V8M9.5 10.5L12 8l2.5 2.5' }],
  ],
  /* A pin (a tile shown large), full screen, minimise, move (the self-view). */
  pin: [['path', { d: 'M9 3h6l-1 6 3.5 4h-11L10 9z' }], ['path', { d: 'M12 13v8' }]],
  fullscreen: [['path', { d: 'M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5' }]],
  minimise: [['path', { d: 'M5 18h14' }]],
  move: [
    ['path', { d: 'M12 3v18M3 12h18' }],
    ['path', { d: 'M9 6l3-3 3 3M9 18l3 3 3-3M6 9l-3 3 3 3M18 9l3 3-3 3' }],
  ],
  chat: [['path', { d: 'M4 5.5h16v10.5H9.5L5 20v-4H4z' }], ['path', { d: 'M8 9.5h8M8 12.5h5' }]],
  /* Signal bars: CSS fills those the quality level earns (.bar-1 … .bar-3). */
  signal: [
    ['rect', { x: 3, y: 15, width: 4, height: 6, rx: 1, class: 'bar bar-1' }],
    ['rect', { x: 10, y: 10, width: 4, height: 11, rx: 1, class: 'bar bar-2' }],
    ['rect', { x: 17, y: 4, width: 4, height: 17, rx: 1, class: 'bar bar-3' }],
  ],
};

export function icon(name, cls = 'icon') {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', cls);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const [tag, attrs] of ICONS[name] ?? []) {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    svg.append(el);
  }
  return svg;
}

/* Up to two initials of a display name, for a tile without video. */
export function initials(name) {
  const words = String(name || '').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return '?';
  const first = Array.from(words[0])[0] ?? '';
  const last = words.length > 1 ? Array.from(words[words.length - 1])[0] ?? '' : '';
  return (first + last).toLocaleUpperCase();
}
