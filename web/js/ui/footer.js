/*
 * footer.js — the footer of the join page, the end screens and the staff
 * pages: a link to the accessibility statement (/accessibility), in the
 * page's language.
 */
import { t, language } from '../i18n.js';
import { h } from './dom.js';

export function pageFooter() {
  return h(
    'footer',
    { class: 'page-footer' },
    h('a', { href: `/accessibility?lang=${language()}`, id: 'a11y-link' }, t('a11y.link')),
  );
}
