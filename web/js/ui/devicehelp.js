/*
 * devicehelp.js — what to do when the browser refused the camera or the
 * microphone, for the device in the person's hands: iPad and iPhone
 * (Settings, as Safari remembers a refusal there), Android Chrome (the
 * site settings behind the address bar), and desktop browsers. The
 * platform is read from the user agent; the text is in i18n.js.
 */
import { t } from '../i18n.js';
import { h } from './dom.js';

/* 'ios', 'android', 'firefox', 'safari' (macOS) or 'desktop' (Chrome,
 * Edge and the rest). iPadOS reports itself as a Mac: touch tells them
 * apart. */
export function platformOf(ua = navigator.userAgent, touchPoints = navigator.maxTouchPoints ?? 0) {
  if (/iPad|iPhone|iPod/.test(ua) || (/Macintosh/.test(ua) && touchPoints > 1)) return 'ios';
  if (/Android/.test(ua)) return 'android';
  if (/Firefox\//.test(ua)) return 'firefox';
  if (/Safari\//.test(ua) && !/Chrome\/|Chromium\/|Edg\//.test(ua)) return 'safari';
  return 'desktop';
}

/* The help box: a heading, the steps for this platform, and a button that
 * runs the check again (onRetry). */
export function deviceHelp({ onRetry, platform = platformOf() }) {
  const steps = t(`help.denied.${platform}`).split('\n');
  return h(
    'div',
    { class: 'device-help', id: 'device-help', 'data-platform': platform, role: 'note', 'aria-labelledby': 'device-help-title' },
    h('h3', { id: 'device-help-title' }, t('help.denied.title')),
    h('ol', { class: 'device-help-steps' }, ...steps.map((s) => h('li', {}, s))),
    h('p', { class: 'field-hint' }, t('help.denied.anyway')),
    h('button', { type: 'button', class: 'btn btn-small', id: 'device-help-retry', onclick: () => onRetry() }, t('help.denied.retry')),
  );
}
