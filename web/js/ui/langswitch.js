/*
 * langswitch.js — the language switch shown at the top of every page: on
 * the join page, the end screens and the staff pages a link to the same
 * page in the other language (the link keeps the invitation in the URL
 * fragment); in the call, where a reload would drop the person out, a
 * button that changes the language in place (onSwitch redraws the view).
 * Either way the choice is remembered (i18n.js rememberLanguage) for the
 * next page and the next visit (in the call by onSwitch, which may refuse
 * while a recording or a screen share runs).
 */
import { t, language, rememberLanguage, LANGUAGES } from '../i18n.js';
import { h } from './dom.js';

/* onSwitch(lang): given, the switch is a button that calls it (it sets and
 * remembers the language); else a link that reloads the page in the other
 * language. */
export function langSwitch({ onSwitch = null } = {}) {
  const other = LANGUAGES.find((l) => l !== language()) ?? 'en';
  if (onSwitch) {
    const choose = () => onSwitch(other);
    /* The visible text is the other language's name; the accessible name
     * starts with it too (WCAG 2.5.3). */
    return h('div', { class: 'lang-switch' }, h('button', { type: 'button', class: 'lang-switch-button', id: 'lang-switch', lang: other, onclick: choose }, t('lang.other')));
  }
  const url = new URL(location.href);
  url.searchParams.set('lang', other);
  return h(
    'nav',
    { class: 'lang-switch', 'aria-label': t('lang.switch') },
    h('a', { href: url.href, lang: other, hreflang: other, id: 'lang-switch', onclick: () => rememberLanguage(other) }, t('lang.other')),
  );
}
