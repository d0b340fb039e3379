/*
 * linkstate.js — the invitation link, checked as the page opens (GET
 * /api/link, docs/api.md), before the person fills in anything.
 *
 * A link that opens now goes straight on to the join page (with the
 * consultation's title). One that is too early says when it opens, in the
 * page's language and the browser's time zone, and the page goes on by
 * itself at that time (checked with the server again then). Expired,
 * revoked, ended, cancelled, removed and broken links each say so plainly
 * and what to do next. If the server cannot be asked (network, database),
 * the join page shows as before: joining checks the link again anyway.
 *
 * The token goes in the Authorization header, never in the URL, so it
 * stays out of access logs.
 */
import { t, formatTime } from '../i18n.js';
import { h } from './dom.js';
import { langSwitch } from './langswitch.js';
import { pageFooter } from './footer.js';

/* What the page shows for each refusal (keys link.<kind>.title/text/next). */
export const LINK_KINDS = ['too-early', 'expired', 'revoked', 'ended', 'cancelled', 'removed', 'invalid'];

const RECHECK_MAX_MS = 60000; /* a long wait is re-measured at least this often */
const RECHECK_MIN_MS = 1000; /* and never hammers the server */

/* The token's claims, read only to show them (the server verifies it). */
export function decodeInvite(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part + '='.repeat((4 - (part.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return { room: String(claims.room ?? ''), role: String(claims.role ?? ''), name: String(claims.name ?? '') };
  } catch {
    return { room: '', role: '', name: '' };
  }
}

/* The server's answer for token (and room), or null when it cannot be had. */
export async function fetchLink(token, room) {
  const q = room ? `?${new URLSearchParams({ room })}` : '';
  try {
    const res = await fetch(`/api/link${q}`, { cache: 'no-store', headers: { authorization: `Bearer ${token}` } });
    const body = res.ok ? await res.json() : null;
    return typeof body?.status === 'string' ? body : null;
  } catch {
    return null;
  }
}

/* The kind of screen for an answer: the status, or "cancelled". */
export function linkKind(link) {
  return link.status === 'ended' && link.reason === 'cancelled' ? 'cancelled' : link.status;
}

export class LinkStateView {
  constructor() {
    this.heading = h('h2', { class: 'link-title', id: 'link-title', tabindex: '-1' });
    this.consultation = h('p', { class: 'link-consultation', id: 'link-consultation', hidden: true });
    this.text = h('p', { class: 'link-text', id: 'link-text' });
    this.next = h('p', { class: 'link-next', id: 'link-next' });
    /* The region screen readers hear; too-early is news, a refusal an alert. */
    this.region = h('div', { class: 'link-state', id: 'link-state', role: 'status' }, this.heading, this.consultation, this.text, this.next);
    this.el = h(
      'main',
      { class: 'join-page link-page', id: 'link-page' },
      h(
        'section',
        { class: 'join-card', 'aria-labelledby': 'join-title' },
        h('header', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), h('span', { class: 'brand-name' }, t('app.name')), langSwitch()),
        h('h1', { id: 'join-title' }, t('join.title')),
        this.region,
        pageFooter(),
      ),
    );
  }

  show(link) {
    const kind = LINK_KINDS.includes(linkKind(link)) ? linkKind(link) : 'invalid';
    this.el.dataset.kind = kind;
    this.region.setAttribute('role', kind === 'too-early' ? 'status' : 'alert');
    this.heading.textContent = t(`link.${kind}.title`);
    this.consultation.textContent = link.title ?? '';
    this.consultation.hidden = !link.title;
    const time = link.opensAt ? formatTime(link.opensAt) : '';
    this.text.textContent = t(`link.${kind}.text`, { time });
    if (link.opensAt) this.text.dataset.opensAt = link.opensAt;
    this.next.textContent = t(`link.${kind}.next`);
  }

  focus() {
    this.heading.focus();
  }
}

/* Shows the link's state in root until it opens, then calls onOpen(link)
 * (link: the server's answer, or null when there was none to be had). */
export async function gateLink({ token, room, root, onOpen }) {
  if (!token) return onOpen(null);
  let view = null;
  let link = await fetchLink(token, room);
  while (link?.status === 'too-early') {
    if (!view || view.el.dataset.opensAt !== link.opensAt) {
      view = view ?? new LinkStateView();
      if (!view.el.isConnected) root.replaceChildren(view.el);
      view.show(link);
      view.el.dataset.opensAt = link.opensAt;
      view.focus();
    }
    await untilOpen(link);
    link = await fetchLink(token, room);
  }
  if (!link || link.status === 'ok') return onOpen(link);
  view = view ?? new LinkStateView();
  if (!view.el.isConnected) root.replaceChildren(view.el);
  view.show(link);
  view.focus();
}

/* Resolves at link.opensAt by the server's clock (link.now says how far
 * ours is off), re-measuring long waits (a sleeping tablet's timers run
 * late, never early). */
function untilOpen(link) {
  const offset = Date.parse(link.now) - Date.now() || 0;
  const opens = Date.parse(link.opensAt) || Date.now() + RECHECK_MAX_MS; /* no time given: ask again in a minute */
  return new Promise((resolve) => {
    const tick = () => {
      const left = opens - (Date.now() + offset);
      if (left <= 0) return resolve();
      setTimeout(tick, Math.min(left, RECHECK_MAX_MS));
    };
    /* Never sooner than a second: an answer a moment early asks again. */
    setTimeout(tick, RECHECK_MIN_MS);
  });
}
