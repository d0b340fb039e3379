/*
 * statement/text.js — the accessibility statement's template in Norwegian
 * bokmål and English: what samvei itself does for WCAG 2.1 AA, what it
 * does not do, and how to give feedback. A deployment replaces all of it
 * with its own statement (--accessibility-statement FILE). The language is
 * the page's (i18n.js).
 */
import { language } from '../i18n.js';

const STRINGS = {
  nb: {
    title: 'Tilgjengelighetserklæring',
    home: 'Til forsiden',
    'status.h': 'Hvor tilgjengelig tjenesten er',
    'status.1': 'samvei skal oppfylle WCAG 2.1 nivå AA, kravet i forskrift om universell utforming av IKT. Alle sidene og tilstandene i tjenesten (innlogging med lenke, sjekken før samtalen, venterommet, samtalen, sluttsidene og sidene for ansatte) sjekkes automatisk mot WCAG 2.1 AA ved hver endring.',
    'status.2': 'Denne teksten er malen som følger med samvei. Den som driver tjenesten, skal erstatte den med sin egen erklæring.',
    'does.h': 'Dette gjør samvei',
    'does.keyboard': 'Alt kan brukes med tastatur, med synlig fokus.',
    'does.names': 'Alle knapper og felt har navn som skjermlesere leser opp, og navnet begynner med teksten du ser.',
    'does.status': 'Skjermlesere får beskjed når noen kommer eller går, når forbindelsen blir dårlig, og når noe går galt.',
    'does.contrast': 'Tekst og knapper har kontrast på minst 4,5:1 (store tekster og ikoner 3:1).',
    'does.zoom': 'Sidene kan forstørres til 200 % uten at noe forsvinner eller må rulles sidelengs, og de virker på nettbrett i stående format.',
    'does.language': 'Tjenesten finnes på norsk (bokmål) og engelsk, og språket du velger, huskes.',
    'does.devices': 'Du kan bli med uten kamera, bare med lyd, eller uten både kamera og mikrofon.',
    'limits.h': 'Kjente begrensninger',
    'limits.captions': 'Samtalen har ingen automatisk teksting. Trenger du tolk, også tegnspråktolk, kan den som bestiller konsultasjonen invitere tolken som deltaker.',
    'limits.screen': 'Skjermdeling er et bilde av en annens skjerm: en skjermleser kan ikke lese innholdet.',
    'limits.video': 'Det som vises i video, beskrives ikke automatisk.',
    'feedback.h': 'Tilbakemelding og kontakt',
    'feedback.1': 'Møter du hindringer, kontakt den som sendte deg invitasjonen, eller den som driver tjenesten. Fortell hvilken side du var på og hva som ikke virket.',
    'feedback.2': 'Får du ikke svar, kan du klage til Tilsynet for universell utforming av IKT (uutilsynet.no).',
  },
  en: {
    title: 'Accessibility statement',
    home: 'To the front page',
    'status.h': 'How accessible the service is',
    'status.1': 'samvei aims to meet WCAG 2.1 level AA, the requirement of the Norwegian regulation on universal design of ICT. Every page and state of the service (joining with a link, the check before the call, the waiting room, the call, the end screens and the staff pages) is checked automatically against WCAG 2.1 AA on every change.',
    'status.2': 'This text is the template that comes with samvei. Whoever runs the service should replace it with their own statement.',
    'does.h': 'What samvei does',
    'does.keyboard': 'Everything can be used with a keyboard, with a visible focus.',
    'does.names': 'Every button and field has a name that screen readers read out, and the name starts with the text you see.',
    'does.status': 'Screen readers are told when someone joins or leaves, when the connection gets weak, and when something goes wrong.',
    'does.contrast': 'Text and buttons have a contrast of at least 4.5:1 (large text and icons 3:1).',
    'does.zoom': 'The pages can be zoomed to 200 % without anything disappearing or scrolling sideways, and they work on a tablet held upright.',
    'does.language': 'The service is in Norwegian (bokmål) and English, and the language you choose is remembered.',
    'does.devices': 'You can join without a camera, with sound only, or without camera and microphone.',
    'limits.h': 'Known limitations',
    'limits.captions': 'The call has no automatic captions. If you need an interpreter, also a sign-language interpreter, whoever books the consultation can invite the interpreter as a participant.',
    'limits.screen': 'A shared screen is a picture of someone else’s screen: a screen reader cannot read its content.',
    'limits.video': 'What is shown on video is not described automatically.',
    'feedback.h': 'Feedback and contact',
    'feedback.1': 'If something stands in your way, contact whoever sent you the invitation or whoever runs the service. Say which page you were on and what did not work.',
    'feedback.2': 'If you get no answer, you can complain to the Norwegian Authority for Universal Design of ICT (uutilsynet.no).',
  },
};

/* The template's sections, in order: heading key, paragraph keys, list keys. */
export const TEMPLATE = [
  { heading: 'status.h', text: ['status.1', 'status.2'] },
  { heading: 'does.h', items: ['does.keyboard', 'does.names', 'does.status', 'does.contrast', 'does.zoom', 'does.language', 'does.devices'] },
  { heading: 'limits.h', items: ['limits.captions', 'limits.screen', 'limits.video'] },
  { heading: 'feedback.h', text: ['feedback.1', 'feedback.2'] },
];

export function sv(key) {
  return STRINGS[language()]?.[key] ?? STRINGS.en[key] ?? key;
}
