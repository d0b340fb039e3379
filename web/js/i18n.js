/*
 * i18n.js — the choice between Norwegian bokmål and English, and the
 * lookup of every user-visible sentence of the web client (the sentences
 * themselves are in text/nb.js and text/en.js).
 *
 * The language comes from `?lang=nb|en` when given, else from the choice
 * the person made with the language switch (kept in localStorage), else
 * from the browser's languages (any Norwegian variant → bokmål), else
 * English. Text is looked up
 * with t('key', {param}) so that no other module holds a visible string.
 */

import en from './text/en.js';
import nb from './text/nb.js';

const STRINGS = { nb, en };

export const LANGUAGES = Object.keys(STRINGS);

const STORE_KEY = 'samvei.lang';

/* The language the person chose with the switch, or null. */
function storedLanguage() {
  try {
    return globalThis.localStorage?.getItem(STORE_KEY) ?? null;
  } catch {
    return null; /* storage blocked: the browser's languages decide */
  }
}

/* Remembers the person's choice for the next page and the next visit. */
export function rememberLanguage(lang) {
  try {
    if (STRINGS[lang]) globalThis.localStorage?.setItem(STORE_KEY, lang);
  } catch {
    /* storage blocked: the ?lang= of the link still carries it */
  }
}

/* Picks the language: an explicit ?lang= wins, then the one the person
 * chose with the language switch, then the browser's list. */
export function pickLanguage(search = location.search, languages = navigator.languages, stored = storedLanguage()) {
  const asked = new URLSearchParams(search).get('lang');
  if (asked && STRINGS[asked]) return asked;
  if (stored && STRINGS[stored]) return stored;
  const list = languages && languages.length ? languages : [navigator.language || 'en'];
  for (const tag of list) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (base === 'nb' || base === 'no' || base === 'nn') return 'nb';
    if (base === 'en') return 'en';
  }
  return 'en';
}

let current = 'en';

export function setLanguage(lang) {
  current = STRINGS[lang] ? lang : 'en';
  document.documentElement.lang = current;
  return current;
}

export function language() {
  return current;
}

/* Looks up key in the current language (falling back to English, then to
 * the key itself) and fills {name} placeholders from params. */
export function t(key, params = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/* A time (ISO 8601 or a Date) as a person reads it: in the page's
 * language and the browser's time zone, with the zone named. */
export function formatTime(when) {
  const d = when instanceof Date ? when : new Date(when);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(current === 'nb' ? 'nb-NO' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(d);
}

/* The text for an error from the server (or the connection) by its code
 * and, for a refused link, its `reason` (and `opensAt`): always in the
 * page's language. The server's English sentence (detail) is shown only
 * for a code this client does not know. */
export function errorText(code, detail = '', { reason, opensAt } = {}) {
  if (reason === 'too-early' && opensAt) return t('link.too-early.text', { time: formatTime(opensAt) });
  if (reason && reason !== 'too-early' && STRINGS.en[`link.${reason}.text`])
    return `${t(`link.${reason}.text`)} ${t(`link.${reason}.next`)}`;
  const key = `error.${code}`;
  if (STRINGS.en[key]) return t(key);
  return t('error.generic', { detail: detail || code });
}
