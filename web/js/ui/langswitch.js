/*
 * langswitch.js — the language switch shown at the top of the join page
 * and the end screens: a link to the same page in the other language. The
 * choice is remembered (i18n.js rememberLanguage), and the link keeps the
 * invitation in the URL fragment. Following it reloads the page, so it is
 * not offered in the waiting room or the call, where that would drop the
 * person out.
 */
import { t, language, rememberLanguage, LANGUAGES } from '../i18n.js';
import { h } from './dom.js';

export function langSwitch() {
  const other = LANGUAGES.find((l) => l !== language()) ?? 'en';
  const url = new URL(location.href);
  url.searchParams.set('lang', other);
  return h(
    'nav',
    { class: 'lang-switch', 'aria-label': t('lang.switch') },
    h('a', { href: url.href, lang: other, hreflang: other, id: 'lang-switch', onclick: () => rememberLanguage(other) }, t('lang.other')),
  );
}
