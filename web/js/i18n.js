/*
 * i18n.js — every user-visible sentence of the web client, in Norwegian
 * bokmål and English, and the choice between them.
 *
 * The language comes from `?lang=nb|en` when given, else from the browser's
 * languages (any Norwegian variant → bokmål), else English. Text is looked up
 * with t('key', {param}) so that no other module holds a visible string.
 */

const STRINGS = {
  nb: {
    'app.name': 'samvei',
    'app.tagline': 'Videokonsultasjon mellom spesialisthelsetjenesten og kommunen',
    'app.noscript': 'samvei trenger JavaScript for å kjøre videokonsultasjonen.',

    'join.title': 'Bli med i en konsultasjon',
    'join.room': 'Rom',
    'join.room.hint': 'Står i invitasjonen. Bokstaver, tall, - og _.',
    'join.name': 'Navnet ditt',
    'join.name.hint': 'Slik vises du for de andre.',
    'join.submit': 'Bli med',
    'join.submitting': 'Kobler til …',
    'join.privacy': 'Kamera og mikrofon brukes bare mens du er i samtalen.',
    'join.left': 'Du har forlatt konsultasjonen.',
    'join.error.room': 'Skriv inn romnavnet fra invitasjonen (1–64 tegn: bokstaver a–z, tall, - og _).',
    'join.error.name': 'Skriv inn navnet ditt (1–64 tegn).',

    'join.invited-as': 'Du blir med som {name} ({role}).',
    'join.error.notice': 'Kryss av for at du har lest personvernerklæringen.',
    'join.removed': 'En vert tok deg ut av konsultasjonen.',
    'join.rejected': 'Verten slapp deg ikke inn denne gangen.',
    'join.ended': 'Verten har avsluttet konsultasjonen.',
    'join.replaced': 'Du ble med fra et annet vindu eller en annen enhet med samme lenke.',

    'notice.title': 'Personvern',
    'notice.default': 'Bare de som står på deltakerlisten kan se og høre deg; også observatører vises på listen. Ingenting tas opp uten at alle samtykker. Øktloggen lagrer hvem som var med og når, aldri hva som ble sagt eller vist.',
    'notice.ack': 'Jeg har lest dette og vil bli med',

    'check.title': 'Sjekk før du blir med',
    'check.camera': 'Kamera',
    'check.mic': 'Mikrofon',
    'check.mic-level': 'Lydnivå fra mikrofonen',
    'check.speaker': 'Spill av en testlyd',
    'check.speaker.hint': 'Hører du en tone, virker høyttaleren.',
    'check.server': 'Forbindelse til serveren',
    'check.checking': 'Sjekker …',
    'check.ok': 'Virker',
    'check.failed': 'Virker ikke',
    'check.skipped': 'Ikke brukt (observatør)',
    'check.preview': 'Forhåndsvisning av kameraet ditt',

    'waiting.title': 'Venterommet',
    'waiting.text': 'Verten slipper deg inn om litt. Du kan la vinduet stå åpent.',
    'waiting.start': 'Starter {time}',
    'waiting.host-away': 'Verten har gått fra en liten stund. Du blir værende i venterommet.',
    'waiting.message-from': 'Melding fra {name}',
    'waiting.leave': 'Forlat venterommet',

    'host.waiting': 'Venterom ({n})',
    'host.none-waiting': 'Ingen venter.',
    'host.admit': 'Slipp inn',
    'host.reject': 'Avvis',
    'host.admit-name': 'Slipp inn {name}',
    'host.reject-name': 'Avvis {name}',
    'host.message': 'Melding til de som venter',
    'host.send': 'Send',
    'host.sent': 'Meldingen er sendt til {n} som venter.',
    'host.end': 'Avslutt for alle',
    'host.end-confirm': 'Avslutte konsultasjonen for alle?',
    'host.remove-name': 'Ta ut {name}',
    'host.arrived': '{name} venter i venterommet.',

    'rec.indicator.on': 'Opptak pågår',
    'rec.indicator.asking': 'Opptak er bedt om – venter på samtykke fra alle ({k} av {n})',
    'rec.withdraw': 'Trekk samtykket',
    'rec.prompt.title': 'Forespørsel om opptak',
    'rec.prompt.text': '{name} ber om å ta opp denne konsultasjonen.',
    'rec.prompt.what': 'Hvis alle samtykker, blir lyd og bilde av deg tatt opp og lagret i sykehusets system etter sykehusets regler for oppbevaring. Opptaket starter først når alle har sagt ja, og du kan trekke samtykket når som helst.',
    'rec.agree': 'Jeg samtykker',
    'rec.decline': 'Jeg samtykker ikke',
    'rec.host.title': 'Opptak',
    'rec.record': 'Ta opp',
    'rec.stop': 'Stopp opptaket',
    'rec.files': 'Opptak og stillbilder i dette rommet',
    'rec.files.none': 'Ingen opptak ennå.',
    'rec.download': 'Last ned {file}',
    'rec.capture': 'Ta stillbilde',
    'rec.capture-name': 'Ta et stillbilde av {name}',
    'rec.capture.asked': 'Tar stillbilde av {name} …',
    'rec.capture.ready': 'Stillbildet av {name} er klart.',
    'rec.capture.open': 'Åpne stillbildet',
    'rec.capture.thumb': 'Stillbilde av {name}',
    'rec.capture.failed': 'Fikk ikke stillbilde av {name}: {detail}',
    'rec.captured': 'Et stillbilde fra kameraet ditt ble tatt av {name}.',
    'rec.close': 'Lukk',
    'rec.you': 'deg',
    'rec.asking.host': 'Ber alle om samtykke til opptak …',
    'rec.started': 'Opptaket har startet: alle har samtykket.',
    'rec.off.stopped': 'Opptaket ble stoppet av {name}.',
    'rec.off.cancelled': 'Forespørselen om opptak ble trukket tilbake av {name}.',
    'rec.off.declined': 'Ikke noe opptak: {name} samtykket ikke.',
    'rec.off.withdrawn': 'Opptaket stoppet: {name} trakk samtykket.',
    'rec.off.participant-joined': 'Opptaket stoppet: {name} ble med og har ikke samtykket. Verten kan spørre på nytt.',
    'rec.off.empty': 'Opptaket stoppet: alle andre har gått.',
    'rec.off.other': 'Opptaket er stoppet.',
    'rec.error.conflict': 'Ikke mulig nå: {detail}',
    'rec.error.consent-missing': 'Ikke alle har samtykket ennå: {detail}',
    'rec.error.unsupported': 'Opptak og stillbilder er ikke tilgjengelig på denne serveren.',
    'rec.error.not-found': 'Deltakeren er ikke lenger med i samtalen.',
    'rec.error.no-video': 'Det kom ikke noe bilde fra kameraet; sjekk at det er på.',

    'call.host-changed': '{name} er nå vert.',
    'call.you-host': 'Du er nå vert.',
    'call.host-away': 'Verten har gått fra.',
    'call.observer': 'Du er observatør: du ser og hører de andre, de ser og hører ikke deg.',
    'error.forbidden': 'Ikke tillatt for din rolle: {detail}',
    'error.ended': 'Konsultasjonen er avsluttet.',
    'error.too-early': 'Konsultasjonen er ikke åpnet ennå: {detail}',

    'error.media-denied': 'Nettleseren fikk ikke bruke kamera eller mikrofon. Gi tillatelse i adressefeltet og prøv igjen.',
    'error.media-notfound': 'Fant verken kamera eller mikrofon. Koble til en enhet og prøv igjen.',
    'error.media-busy': 'Kameraet eller mikrofonen er i bruk av et annet program. Lukk det og prøv igjen.',
    'error.media-insecure': 'Kamera og mikrofon virker bare over en sikker forbindelse (https).',
    'error.media': 'Kamera eller mikrofon kunne ikke startes ({detail}).',
    'error.connect': 'Fikk ikke kontakt med serveren. Sjekk nettverket og prøv igjen.',
    'error.unauthorized': 'Invitasjonslenken kan ikke brukes: {detail}',
    'error.not-found': 'Fant ikke rommet. Sjekk lenken.',
    'error.room-full': 'Rommet er fullt. Prøv igjen senere.',
    'error.conflict': 'Du er allerede med i dette rommet i et annet vindu.',
    'error.bad-request': 'Serveren avviste forespørselen: {detail}',
    'error.timeout': 'Serveren svarte ikke i tide. Prøv igjen.',
    'error.internal': 'Serveren fikk en feil. Prøv igjen; si fra hvis det skjer igjen.',
    'error.generic': 'Noe gikk galt: {detail}',

    'status.connecting': 'Kobler til …',
    'status.connected': 'Tilkoblet',
    'status.reconnecting': 'Kobler til på nytt …',
    'status.failed': 'Forbindelsen brøt',
    'status.retry': 'Prøv igjen',
    'reason.ws-closed': 'Mistet kontakten med serveren (kode {code}).',
    'reason.ws-gave-up': 'Fikk ikke kontakt med serveren igjen.',
    'reason.too-big': 'Serveren lukket forbindelsen: meldingen var for stor.',
    'reason.pc-failed': 'Mediaforbindelsen ({pc}) feilet.',
    'reason.pc-failed-server': 'Mediaforbindelsen feilet: {reason}',
    'reason.publish': 'Kunne ikke sende lyd og bilde: {detail}',
    'reason.rejoin': 'Kunne ikke bli med igjen: {detail}',
    'pc.publish': 'sending',
    'pc.subscribe': 'mottak',

    'call.room': 'Rom {room}',
    'call.count.one': '1 deltaker',
    'call.count.many': '{n} deltakere',
    'call.alone': 'Venter på at andre blir med …',
    'call.alone.hint': 'Del romnavnet «{room}» eller invitasjonslenken.',
    'call.you': 'Deg',
    'call.unknown': 'Deltaker',
    'call.video-of': 'Video fra {name}',
    'call.self-view': 'Ditt eget bilde',
    'call.muted': 'Mikrofonen er dempet',
    'call.camera-off': 'Kameraet er av',
    'call.grid': 'Deltakere i samtalen',
    'call.audio-blocked': 'Trykk for å slå på lyden',

    'controls.label': 'Samtalekontroller',
    'controls.mute': 'Demp mikrofon',
    'controls.camera': 'Slå av kamera',
    'controls.switch': 'Bytt kamera',
    'controls.leave': 'Forlat',
    'controls.no-mic': 'Ingen mikrofon',
    'controls.no-camera': 'Intet kamera',

    'role.specialist': 'spesialist',
    'role.municipal': 'kommune',
    'role.patient': 'pasient',
    'role.relative': 'pårørende',
    'role.interpreter': 'tolk',
    'role.observer': 'observatør',
  },
  en: {
    'app.name': 'samvei',
    'app.tagline': 'Video consultation between hospital specialists and municipal health services',
    'app.noscript': 'samvei needs JavaScript to run the video consultation.',

    'join.title': 'Join a consultation',
    'join.room': 'Room',
    'join.room.hint': 'From your invitation. Letters, digits, - and _.',
    'join.name': 'Your name',
    'join.name.hint': 'How the others see you.',
    'join.submit': 'Join',
    'join.submitting': 'Connecting …',
    'join.privacy': 'Camera and microphone are used only while you are in the call.',
    'join.left': 'You have left the consultation.',
    'join.error.room': 'Enter the room name from the invitation (1–64 characters: letters a–z, digits, - and _).',
    'join.error.name': 'Enter your name (1–64 characters).',

    'join.invited-as': 'You join as {name} ({role}).',
    'join.error.notice': 'Tick the box to confirm that you have read the privacy notice.',
    'join.removed': 'A host removed you from the consultation.',
    'join.rejected': 'The host did not let you in this time.',
    'join.ended': 'The host has ended the consultation.',
    'join.replaced': 'You joined from another window or device with the same link.',

    'notice.title': 'Privacy',
    'notice.default': 'Only the people on the participant list can see and hear you; observers are listed too. Nothing is recorded unless everyone agrees. The session log keeps who took part and when, never what was said or shown.',
    'notice.ack': 'I have read this and want to join',

    'check.title': 'Check before you join',
    'check.camera': 'Camera',
    'check.mic': 'Microphone',
    'check.mic-level': 'Microphone level',
    'check.speaker': 'Play a test sound',
    'check.speaker.hint': 'If you hear a tone, your speaker works.',
    'check.server': 'Connection to the server',
    'check.checking': 'Checking …',
    'check.ok': 'Working',
    'check.failed': 'Not working',
    'check.skipped': 'Not used (observer)',
    'check.preview': 'Preview of your camera',

    'waiting.title': 'Waiting room',
    'waiting.text': 'The host will let you in shortly. You can leave this window open.',
    'waiting.start': 'Starts {time}',
    'waiting.host-away': 'The host has stepped away. You stay in the waiting room.',
    'waiting.message-from': 'Message from {name}',
    'waiting.leave': 'Leave the waiting room',

    'host.waiting': 'Waiting room ({n})',
    'host.none-waiting': 'Nobody is waiting.',
    'host.admit': 'Admit',
    'host.reject': 'Reject',
    'host.admit-name': 'Admit {name}',
    'host.reject-name': 'Reject {name}',
    'host.message': 'Message to those waiting',
    'host.send': 'Send',
    'host.sent': 'The message went to {n} waiting.',
    'host.end': 'End for all',
    'host.end-confirm': 'End the consultation for everyone?',
    'host.remove-name': 'Remove {name}',
    'host.arrived': '{name} is in the waiting room.',

    'rec.indicator.on': 'Recording',
    'rec.indicator.asking': 'Recording requested — waiting for everyone\'s consent ({k} of {n})',
    'rec.withdraw': 'Withdraw consent',
    'rec.prompt.title': 'Request to record',
    'rec.prompt.text': '{name} asks to record this consultation.',
    'rec.prompt.what': 'If everyone agrees, your audio and video are recorded and kept in the hospital\'s system according to its retention policy. Recording starts only when everyone has agreed, and you can withdraw your consent at any time.',
    'rec.agree': 'I agree',
    'rec.decline': 'I do not agree',
    'rec.host.title': 'Recording',
    'rec.record': 'Record',
    'rec.stop': 'Stop recording',
    'rec.files': 'Recordings and stills of this room',
    'rec.files.none': 'No recordings yet.',
    'rec.download': 'Download {file}',
    'rec.capture': 'Take still',
    'rec.capture-name': 'Take a still image of {name}',
    'rec.capture.asked': 'Taking a still of {name} …',
    'rec.capture.ready': 'The still of {name} is ready.',
    'rec.capture.open': 'Open the still',
    'rec.capture.thumb': 'Still of {name}',
    'rec.capture.failed': 'No still of {name}: {detail}',
    'rec.captured': 'A still image of your camera was taken by {name}.',
    'rec.close': 'Close',
    'rec.you': 'you',
    'rec.asking.host': 'Asking everyone for consent to record …',
    'rec.started': 'Recording started: everyone agreed.',
    'rec.off.stopped': 'Recording stopped by {name}.',
    'rec.off.cancelled': 'The request to record was withdrawn by {name}.',
    'rec.off.declined': 'No recording: {name} did not agree.',
    'rec.off.withdrawn': 'Recording stopped: {name} withdrew consent.',
    'rec.off.participant-joined': 'Recording stopped: {name} joined and has not agreed. The host can ask again.',
    'rec.off.empty': 'Recording stopped: everyone else left.',
    'rec.off.other': 'Recording stopped.',
    'rec.error.conflict': 'Not possible now: {detail}',
    'rec.error.consent-missing': 'Not everyone has agreed yet: {detail}',
    'rec.error.unsupported': 'Recording and stills are not available on this server.',
    'rec.error.not-found': 'That participant is no longer in the call.',
    'rec.error.no-video': 'No picture came from their camera; check that it is on.',

    'call.host-changed': '{name} is now the host.',
    'call.you-host': 'You are now the host.',
    'call.host-away': 'The host has stepped away.',
    'call.observer': 'You are an observer: you see and hear the others; they do not see or hear you.',
    'error.forbidden': 'Not allowed for your role: {detail}',
    'error.ended': 'The consultation has ended.',
    'error.too-early': 'The consultation is not open yet: {detail}',

    'error.media-denied': 'The browser was not allowed to use the camera or microphone. Allow it next to the address bar and try again.',
    'error.media-notfound': 'No camera or microphone was found. Connect one and try again.',
    'error.media-busy': 'The camera or microphone is used by another program. Close it and try again.',
    'error.media-insecure': 'Camera and microphone only work over a secure connection (https).',
    'error.media': 'The camera or microphone could not be started ({detail}).',
    'error.connect': 'Could not reach the server. Check the network and try again.',
    'error.unauthorized': 'This invitation link cannot be used: {detail}',
    'error.not-found': 'The room was not found. Check the link.',
    'error.room-full': 'The room is full. Try again later.',
    'error.conflict': 'You are already in this room in another window.',
    'error.bad-request': 'The server refused the request: {detail}',
    'error.timeout': 'The server did not answer in time. Try again.',
    'error.internal': 'The server failed. Try again; report it if it happens again.',
    'error.generic': 'Something went wrong: {detail}',

    'status.connecting': 'Connecting …',
    'status.connected': 'Connected',
    'status.reconnecting': 'Reconnecting …',
    'status.failed': 'Connection failed',
    'status.retry': 'Try again',
    'reason.ws-closed': 'Lost the connection to the server (code {code}).',
    'reason.ws-gave-up': 'Could not reach the server again.',
    'reason.too-big': 'The server closed the connection: a message was too big.',
    'reason.pc-failed': 'The media connection ({pc}) failed.',
    'reason.pc-failed-server': 'The media connection failed: {reason}',
    'reason.publish': 'Could not send audio and video: {detail}',
    'reason.rejoin': 'Could not join again: {detail}',
    'pc.publish': 'sending',
    'pc.subscribe': 'receiving',

    'call.room': 'Room {room}',
    'call.count.one': '1 participant',
    'call.count.many': '{n} participants',
    'call.alone': 'Waiting for others to join …',
    'call.alone.hint': 'Share the room name “{room}” or the invitation link.',
    'call.you': 'You',
    'call.unknown': 'Participant',
    'call.video-of': 'Video from {name}',
    'call.self-view': 'Your own picture',
    'call.muted': 'Microphone is muted',
    'call.camera-off': 'Camera is off',
    'call.grid': 'Participants in the call',
    'call.audio-blocked': 'Tap to turn on sound',

    'controls.label': 'Call controls',
    'controls.mute': 'Mute',
    'controls.camera': 'Stop camera',
    'controls.switch': 'Switch camera',
    'controls.leave': 'Leave',
    'controls.no-mic': 'No microphone',
    'controls.no-camera': 'No camera',

    'role.specialist': 'specialist',
    'role.municipal': 'municipal',
    'role.patient': 'patient',
    'role.relative': 'relative',
    'role.interpreter': 'interpreter',
    'role.observer': 'observer',
  },
};

export const LANGUAGES = Object.keys(STRINGS);

/* Picks the language: an explicit ?lang= wins, then the browser's list. */
export function pickLanguage(search = location.search, languages = navigator.languages) {
  const asked = new URLSearchParams(search).get('lang');
  if (asked && STRINGS[asked]) return asked;
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

/* The text for a server error code, with the server's sentence as detail. */
export function errorText(code, detail = '') {
  const key = `error.${code}`;
  if (STRINGS.en[key]) return t(key, { detail });
  return t('error.generic', { detail: detail || code });
}
