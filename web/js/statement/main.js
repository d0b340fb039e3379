/*
 * statement/main.js — the accessibility statement page (/accessibility,
 * accessibility.html). A deployment's own statement, configured with
 * --accessibility-statement FILE and fetched from GET /api/accessibility,
 * is shown as plain text (blank lines part paragraphs; never parsed as
 * markup). Without one the page shows samvei's template (text.js): the
 * WCAG 2.1 AA target, what the client does, its known limitations and
 * where to send feedback. The language switch is at the top, as on the
 * join page.
 */
import { pickLanguage, setLanguage } from '../i18n.js';
import { h } from '../ui/dom.js';
import { langSwitch } from '../ui/langswitch.js';
import { sv, TEMPLATE } from './text.js';

setLanguage(pickLanguage());
document.title = `${sv('title')} – samvei`;

async function deploymentStatement() {
  try {
    const res = await fetch('/api/accessibility', { cache: 'no-store' });
    const body = res.ok ? await res.json() : null;
    return typeof body?.statement === 'string' && body.statement.trim() ? body.statement : null;
  } catch {
    return null;
  }
}

/* Plain text as paragraphs: a blank line parts them, a single line end
 * stays a line break (white-space: pre-line). */
function paragraphs(text) {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => h('p', { class: 'statement-text' }, p));
}

/* The template: sections of a heading and paragraphs or a list. */
function template() {
  return TEMPLATE.map(({ heading, text = [], items = [] }) => {
    const id = `statement-${heading.replace('.', '-')}`;
    return h(
      'section',
      { class: 'statement-section', 'aria-labelledby': id },
      h('h2', { id }, sv(heading)),
      ...text.map((k) => h('p', {}, sv(k))),
      items.length ? h('ul', {}, ...items.map((k) => h('li', {}, sv(k)))) : null,
    );
  });
}

const own = await deploymentStatement();
document.getElementById('app').replaceChildren(
  h(
    'main',
    { class: 'join-page statement-page', id: 'statement', 'data-source': own ? 'deployment' : 'template' },
    h(
      'article',
      { class: 'join-card statement-card', 'aria-labelledby': 'statement-title' },
      h('header', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), h('span', { class: 'brand-name' }, 'samvei'), langSwitch()),
      h('h1', { id: 'statement-title' }, sv('title')),
      ...(own ? paragraphs(own) : template()),
      h('p', { class: 'statement-back' }, h('a', { href: '/', id: 'statement-home' }, sv('home'))),
    ),
  ),
);
