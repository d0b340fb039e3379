/*
 * i18n.js — every user-visible sentence of the web client, in Norwegian
 * bokmål and English, and the choice between them.
 *
 * The language comes from `?lang=nb|en` when given, else from the choice
 * the person made with the language switch (kept in localStorage), else
 * from the browser's languages (any Norwegian variant → bokmål), else
 * English. Text is looked up
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
    'join.error.room': 'Skriv inn romnavnet fra invitasjonen (1–64 tegn: bokstaver a–z, tall, - og _).',
    'join.error.name': 'Skriv inn navnet ditt (1–64 tegn).',

    'join.invited-as': 'Du blir med som {name} ({role}).',
    'join.error.notice': 'Kryss av for at du har lest personvernerklæringen.',

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

    'lang.switch': 'Språk',
    'lang.other': 'English',
    'check.denied': 'Ikke tillatt',
    'check.missing': 'Ikke funnet',
    'check.busy': 'I bruk av et annet program',
    'check.summary.both': 'Du blir med med lyd og bilde.',
    'check.summary.audio': 'Du blir med bare med lyd: de andre hører deg og ser initialene dine.',
    'check.summary.video': 'Du blir med med bilde, men uten mikrofon: de andre ser deg, men hører deg ikke.',
    'check.summary.none': 'Du blir med uten kamera og mikrofon: du ser og hører de andre, men de ser og hører ikke deg.',
    'check.pick.camera': 'Kamera',
    'check.pick.mic': 'Mikrofon',
    'check.pick.speaker': 'Høyttaler',
    'check.device.camera': 'Kamera {n}',
    'check.device.mic': 'Mikrofon {n}',
    'check.device.speaker': 'Høyttaler {n}',
    'check.choice.camera-off': 'Bli med med kameraet av',
    'check.choice.muted': 'Bli med med mikrofonen dempet',

    'help.denied.title': 'Slik gir du tilgang til kamera og mikrofon',
    'help.denied.ios': 'Åpne Innstillinger-appen på iPad eller iPhone.\nVelg Safari (eller Chrome, om du bruker den), så Kamera og Mikrofon, og velg «Spør» eller «Tillat».\nGå tilbake hit og trykk «Prøv igjen».',
    'help.denied.android': 'Trykk på ikonet til venstre for adressen øverst i Chrome, og velg Tillatelser.\nSlå på Kamera og Mikrofon.\nEr de sperret for hele Chrome: åpne Innstillinger → Apper → Chrome → Tillatelser og tillat dem der.\nTrykk «Prøv igjen».',
    'help.denied.firefox': 'Klikk på kamera- eller mikrofonikonet med strek over, til venstre i adressefeltet.\nFjern blokkeringen for kamera og mikrofon.\nKlikk «Prøv igjen».',
    'help.denied.safari': 'Velg Safari → Innstillinger → Nettsteder i menyen.\nVelg Kamera og Mikrofon, og sett dette nettstedet til «Tillat».\nKlikk «Prøv igjen».',
    'help.denied.desktop': 'Klikk på ikonet til venstre for adressen (en lås eller innstillinger).\nSlå på Kamera og Mikrofon for dette nettstedet.\nKlikk «Prøv igjen». Er valget sperret på en jobb-PC, spør IT-avdelingen.',
    'help.denied.anyway': 'Du kan også bli med uten: du ser og hører de andre.',
    'help.denied.retry': 'Prøv igjen',

    'call.joined-audio': 'Du er med bare med lyd: kameraet er ikke tilgjengelig.',
    'call.joined-none': 'Du er med uten kamera og mikrofon: du ser og hører de andre, de ser og hører ikke deg.',
    'call.left-name': '{name} har gått.',
    'call.removed-name': '{name} ble tatt ut av samtalen.',
    'controls.unmute': 'Slå på mikrofon',
    'controls.camera-on': 'Slå på kamera',
    'tile.speaking': 'Snakker',
    'host.remove-confirm': 'Ta {name} ut av konsultasjonen? Lenken deres virker ikke lenger i dette rommet.',
    'reason.ws-retrying': 'Mistet kontakten med serveren. Prøver igjen av seg selv (forsøk {n}).',

    'end.devices-off': 'Kameraet og mikrofonen er slått av.',
    'end.rejoin': 'Bli med igjen',
    'end.left.title': 'Du har forlatt konsultasjonen',
    'end.left.text': 'De andre kan fortsette uten deg.',
    'end.left.next': 'Gikk du ut ved en feil, kan du bli med igjen med samme lenke. Ellers kan du lukke vinduet.',
    'end.rejected.title': 'Du ble ikke sluppet inn',
    'end.rejected.text': 'Verten slapp deg ikke inn denne gangen.',
    'end.rejected.next': 'Tror du det er en feil, ta kontakt med den som inviterte deg. Du kan også prøve igjen.',
    'end.removed.title': 'Du er tatt ut av konsultasjonen',
    'end.removed.text': 'En vert tok deg ut av konsultasjonen. Lenken din virker ikke lenger i dette rommet.',
    'end.removed.next': 'Ta kontakt med den som inviterte deg om du trenger å komme tilbake. Du kan lukke vinduet.',
    'end.ended.title': 'Konsultasjonen er avsluttet',
    'end.ended.text': 'Verten har avsluttet konsultasjonen for alle. Lenkene virker ikke lenger.',
    'end.ended.next': 'Du trenger ikke gjøre noe mer, og du kan lukke vinduet. Har du spørsmål, ta kontakt med den som inviterte deg.',
    'end.cancelled.title': 'Konsultasjonen er avlyst',
    'end.cancelled.text': 'Den som ordnet konsultasjonen, har avlyst den. Lenkene virker ikke lenger.',
    'end.cancelled.next': 'Ta kontakt med den som inviterte deg for en ny tid. Du kan lukke vinduet.',
    'end.revoked.title': 'Invitasjonen din er trukket tilbake',
    'end.revoked.text': 'Den som ordnet konsultasjonen, har trukket tilbake invitasjonen din.',
    'end.revoked.next': 'Ta kontakt med den som inviterte deg om du skal være med. Du kan lukke vinduet.',
    'end.replaced.title': 'Du er med fra et annet sted',
    'end.replaced.text': 'Samme lenke ble åpnet i et annet vindu eller på en annen enhet, og samtalen fortsetter der.',
    'end.replaced.next': 'Du kan lukke dette vinduet, eller bli med her igjen (da går det andre vinduet ut).',

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
    'host.end-confirm': 'Avslutte konsultasjonen for alle? Alle blir koblet fra, og invitasjonslenkene slutter å virke: ingen kan bli med igjen.',
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
    'error.forbidden': 'Dette er ikke tillatt for rollen din.',
    'error.ended': 'Konsultasjonen er avsluttet.',
    'error.too-early': 'Konsultasjonen er ikke åpnet ennå. Prøv igjen litt senere.',

    'error.media-denied': 'Nettleseren fikk ikke bruke kameraet eller mikrofonen. Tillatelsen gis i nettleserens innstillinger for dette nettstedet (på iPad og iPhone: Innstillinger-appen → Safari).',
    'error.media-notfound': 'Fant verken kamera eller mikrofon. Koble til en enhet og prøv igjen.',
    'error.media-busy': 'Kameraet eller mikrofonen er i bruk av et annet program. Lukk det og prøv igjen.',
    'error.media-insecure': 'Kamera og mikrofon virker bare over en sikker forbindelse (https).',
    'error.media': 'Kamera eller mikrofon kunne ikke startes ({detail}).',
    'error.connect': 'Fikk ikke kontakt med serveren. Sjekk nettverket og prøv igjen.',
    'error.unauthorized': 'Invitasjonslenken kan ikke brukes. Be den som inviterte deg om en ny lenke.',
    'error.not-found': 'Fant ikke rommet eller deltakeren. Sjekk lenken.',
    'error.room-full': 'Rommet er fullt. Prøv igjen senere.',
    'error.conflict': 'Det går ikke akkurat nå, fordi noe har endret seg. Prøv igjen.',
    'error.bad-request': 'Serveren kunne ikke bruke forespørselen. Last inn siden på nytt og prøv igjen.',
    'error.unknown-type': 'Denne siden er eldre enn serveren. Last inn siden på nytt.',
    'error.restarting': 'Serveren starter på nytt. Prøv igjen om noen sekunder.',
    'error.consent-missing': 'Ikke alle har samtykket til opptak ennå.',
    'error.unsupported': 'Dette er ikke tilgjengelig på denne serveren.',
    'error.too-big': 'Meldingen var for stor til å sendes.',
    'error.disconnected': 'Mistet kontakten med serveren. Prøv igjen.',
    'error.timeout': 'Serveren svarte ikke i tide. Prøv igjen.',
    'error.internal': 'Serveren fikk en feil. Prøv igjen; si fra hvis det skjer igjen.',
    'error.unavailable': 'Serveren kan ikke sjekke invitasjonen akkurat nå. Prøv igjen om et minutt.',
    'error.rate-limited': 'Du sender for fort. Vent litt og prøv igjen.',
    'error.too-long': 'Teksten er for lang. Gjør den kortere og prøv igjen.',
    'error.generic': 'Noe gikk galt: {detail}',

    'link.too-early.title': 'Det er ikke tid ennå',
    'link.too-early.text': 'Du kan bli med fra {time}.',
    'link.too-early.next': 'La siden stå åpen: den åpner av seg selv da. Du kan også lukke den og åpne lenken igjen senere.',
    'link.expired.title': 'Lenken er utløpt',
    'link.expired.text': 'Konsultasjonen som denne lenken gjelder, er over.',
    'link.expired.next': 'Skal du være med i en ny konsultasjon, får du en ny lenke fra den som inviterer deg.',
    'link.revoked.title': 'Invitasjonen er trukket tilbake',
    'link.revoked.text': 'Den som ordnet konsultasjonen, har trukket tilbake denne invitasjonen. Lenken virker ikke lenger.',
    'link.revoked.next': 'Ta kontakt med den som inviterte deg om du skal være med.',
    'link.ended.title': 'Konsultasjonen er avsluttet',
    'link.ended.text': 'Verten har avsluttet konsultasjonen. Lenken virker ikke lenger.',
    'link.ended.next': 'Du trenger ikke gjøre noe mer. Har du spørsmål, ta kontakt med den som inviterte deg.',
    'link.cancelled.title': 'Konsultasjonen er avlyst',
    'link.cancelled.text': 'Den som ordnet konsultasjonen, har avlyst den. Lenken virker ikke lenger.',
    'link.cancelled.next': 'Ta kontakt med den som inviterte deg for en ny tid.',
    'link.removed.title': 'Du er tatt ut av konsultasjonen',
    'link.removed.text': 'En vert tok deg ut av konsultasjonen. Lenken din virker ikke lenger i dette rommet.',
    'link.removed.next': 'Ta kontakt med verten eller den som inviterte deg om du skal komme tilbake.',
    'link.invalid.title': 'Lenken kan ikke brukes',
    'link.invalid.text': 'Denne invitasjonslenken er ikke gyldig. Kanskje ble den kuttet eller endret da den ble kopiert.',
    'link.invalid.next': 'Åpne lenken nøyaktig slik den står i invitasjonen, eller be den som inviterte deg om en ny.',
    'join.consultation': 'Konsultasjon: {title}',
    'call.consultation': 'Videokonsultasjon',

    'status.connecting': 'Kobler til …',
    'status.connected': 'Tilkoblet',
    'status.reconnecting': 'Kobler til på nytt …',
    'status.failed': 'Forbindelsen brøt',
    'status.retry': 'Prøv igjen',
    'reason.ws-closed': 'Mistet kontakten med serveren (kode {code}).',
    'reason.ws-gave-up': 'Fikk ikke kontakt med serveren igjen.',
    'reason.too-big': 'Serveren lukket forbindelsen: meldingen var for stor.',
    'reason.pc-failed': 'Mediaforbindelsen ({pc}) feilet.',
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
    'controls.audio-only': 'Bare lyd',
    'controls.video-again': 'Vis video',
    'controls.chat': 'Chat',

    'chat.title': 'Chat',
    'chat.close': 'Lukk chatten',
    'chat.empty': 'Ingen meldinger ennå. Det du skriver her, ser bare de som er i samtalen nå, og det lagres ikke.',
    'chat.label': 'Melding til alle i samtalen',
    'chat.hint': 'Enter sender, Shift+Enter gir ny linje.',
    'chat.count': '{n} av {max} tegn',
    'chat.send': 'Send',
    'chat.you': 'Du',
    'chat.new-from': 'Ny melding fra {name}.',
    'chat.unread.one': '1 ulest melding',
    'chat.unread.many': '{n} uleste meldinger',
    'chat.error.too-long': 'Meldingen er for lang: den kan ha høyst {max} tegn. Gjør den kortere og send igjen.',
    'chat.error.rate-limited': 'Du sender meldinger for fort. Vent litt og send igjen.',
    'chat.error.off': 'Chat er slått av på denne serveren.',
    'chat.error.send': 'Meldingen ble ikke sendt. {detail}',

    'audio-only.on': 'Bare lyd er på: du hører alle, men tar ikke imot video. Det hjelper på en svak forbindelse.',
    'audio-only.off': 'Du tar imot video igjen.',
    'audio-only.stop-camera': 'Slå også av kameraet mitt',
    'audio-only.failed': 'Kunne ikke bytte til bare lyd: {detail}',

    'tile.paused.bandwidth': 'Video satt på pause: svak forbindelse',
    'tile.paused.audio-only': 'Bare lyd: video satt på pause',
    'tile.audio-only': 'Bare lyd',
    'tile.audio-only.title': '{name} har valgt bare lyd',
    'tile.audio-only.state': 'Har valgt bare lyd',

    'quality.good': 'God',
    'quality.fair': 'Middels',
    'quality.poor': 'Dårlig',
    'quality.label.good': 'Forbindelseskvalitet: god',
    'quality.label.fair': 'Forbindelseskvalitet: middels',
    'quality.label.poor': 'Forbindelseskvalitet: dårlig',
    'quality.self.good': 'Din forbindelse: god',
    'quality.self.fair': 'Din forbindelse: middels',
    'quality.self.poor': 'Din forbindelse: dårlig',

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
    'join.error.room': 'Enter the room name from the invitation (1–64 characters: letters a–z, digits, - and _).',
    'join.error.name': 'Enter your name (1–64 characters).',

    'join.invited-as': 'You join as {name} ({role}).',
    'join.error.notice': 'Tick the box to confirm that you have read the privacy notice.',

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

    'lang.switch': 'Language',
    'lang.other': 'Norsk (bokmål)',
    'check.denied': 'Not allowed',
    'check.missing': 'Not found',
    'check.busy': 'Used by another program',
    'check.summary.both': 'You join with sound and picture.',
    'check.summary.audio': 'You join with sound only: the others hear you and see your initials.',
    'check.summary.video': 'You join with your picture but no microphone: the others see you but cannot hear you.',
    'check.summary.none': 'You join without camera and microphone: you see and hear the others, but they do not see or hear you.',
    'check.pick.camera': 'Camera',
    'check.pick.mic': 'Microphone',
    'check.pick.speaker': 'Speaker',
    'check.device.camera': 'Camera {n}',
    'check.device.mic': 'Microphone {n}',
    'check.device.speaker': 'Speaker {n}',
    'check.choice.camera-off': 'Join with my camera off',
    'check.choice.muted': 'Join with my microphone muted',

    'help.denied.title': 'How to allow the camera and microphone',
    'help.denied.ios': 'Open the Settings app on your iPad or iPhone.\nChoose Safari (or Chrome, if you use it), then Camera and Microphone, and choose “Ask” or “Allow”.\nCome back here and tap “Try again”.',
    'help.denied.android': 'Tap the icon to the left of the address at the top of Chrome and choose Permissions.\nTurn on Camera and Microphone.\nIf they are blocked for all of Chrome: open Settings → Apps → Chrome → Permissions and allow them there.\nTap “Try again”.',
    'help.denied.firefox': 'Click the crossed-out camera or microphone icon at the left of the address bar.\nRemove the block for the camera and microphone.\nClick “Try again”.',
    'help.denied.safari': 'In the menu, choose Safari → Settings → Websites.\nChoose Camera and Microphone and set this website to “Allow”.\nClick “Try again”.',
    'help.denied.desktop': 'Click the icon to the left of the address (a padlock or settings icon).\nTurn on Camera and Microphone for this site.\nClick “Try again”. If the choice is locked on a work computer, ask your IT department.',
    'help.denied.anyway': 'You can also join without them: you see and hear the others.',
    'help.denied.retry': 'Try again',

    'call.joined-audio': 'You are in with sound only: the camera is not available.',
    'call.joined-none': 'You are in without camera and microphone: you see and hear the others; they do not see or hear you.',
    'call.left-name': '{name} has left.',
    'call.removed-name': '{name} was removed from the call.',
    'controls.unmute': 'Unmute',
    'controls.camera-on': 'Start camera',
    'tile.speaking': 'Speaking',
    'host.remove-confirm': 'Remove {name} from the consultation? Their link will stop working in this room.',
    'reason.ws-retrying': 'Lost the connection to the server. Trying again by itself (attempt {n}).',

    'end.devices-off': 'Your camera and microphone are off.',
    'end.rejoin': 'Join again',
    'end.left.title': 'You have left the consultation',
    'end.left.text': 'The others can carry on without you.',
    'end.left.next': 'If you left by mistake, you can join again with the same link. Otherwise you can close this window.',
    'end.rejected.title': 'You were not let in',
    'end.rejected.text': 'The host did not let you in this time.',
    'end.rejected.next': 'If you think this is a mistake, contact the person who invited you. You can also try again.',
    'end.removed.title': 'You were removed from the consultation',
    'end.removed.text': 'A host removed you from the consultation. Your link no longer works in this room.',
    'end.removed.next': 'Contact the person who invited you if you need to come back. You can close this window.',
    'end.ended.title': 'The consultation has ended',
    'end.ended.text': 'The host has ended the consultation for everyone. The links no longer work.',
    'end.ended.next': 'There is nothing more you need to do, and you can close this window. If you have questions, contact the person who invited you.',
    'end.cancelled.title': 'The consultation was cancelled',
    'end.cancelled.text': 'The organiser has cancelled the consultation. The links no longer work.',
    'end.cancelled.next': 'Contact the person who invited you for a new time. You can close this window.',
    'end.revoked.title': 'Your invitation was withdrawn',
    'end.revoked.text': 'The organiser has withdrawn your invitation.',
    'end.revoked.next': 'Contact the person who invited you if you should take part. You can close this window.',
    'end.replaced.title': 'You are in from somewhere else',
    'end.replaced.text': 'The same link was opened in another window or on another device, and the call goes on there.',
    'end.replaced.next': 'You can close this window, or join here again (the other window then leaves).',

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
    'host.end-confirm': 'End the consultation for everyone? Everyone is disconnected and the invitation links stop working: nobody can join again.',
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
    'error.forbidden': 'This is not allowed for your role.',
    'error.ended': 'The consultation has ended.',
    'error.too-early': 'The consultation is not open yet. Try again a little later.',

    'error.media-denied': 'The browser was not allowed to use the camera or microphone. Allow it in the browser’s settings for this site (on iPad and iPhone: the Settings app → Safari).',
    'error.media-notfound': 'No camera or microphone was found. Connect one and try again.',
    'error.media-busy': 'The camera or microphone is used by another program. Close it and try again.',
    'error.media-insecure': 'Camera and microphone only work over a secure connection (https).',
    'error.media': 'The camera or microphone could not be started ({detail}).',
    'error.connect': 'Could not reach the server. Check the network and try again.',
    'error.unauthorized': 'This invitation link cannot be used. Ask the person who invited you for a new link.',
    'error.not-found': 'The room or participant was not found. Check the link.',
    'error.room-full': 'The room is full. Try again later.',
    'error.conflict': 'Not possible just now, because something changed. Try again.',
    'error.bad-request': 'The server could not use the request. Reload the page and try again.',
    'error.unknown-type': 'This page is older than the server. Reload the page.',
    'error.restarting': 'The server is restarting. Try again in a few seconds.',
    'error.consent-missing': 'Not everyone has agreed to recording yet.',
    'error.unsupported': 'This is not available on this server.',
    'error.too-big': 'The message was too big to send.',
    'error.disconnected': 'Lost the connection to the server. Try again.',
    'error.timeout': 'The server did not answer in time. Try again.',
    'error.internal': 'The server failed. Try again; report it if it happens again.',
    'error.unavailable': 'The server cannot check the invitation just now. Try again in a minute.',
    'error.rate-limited': 'You are sending too fast. Wait a moment and try again.',
    'error.too-long': 'The text is too long. Shorten it and try again.',
    'error.generic': 'Something went wrong: {detail}',

    'link.too-early.title': 'It is not time yet',
    'link.too-early.text': 'You can join from {time}.',
    'link.too-early.next': 'Keep this page open: it opens by itself then. You can also close it and open the link again later.',
    'link.expired.title': 'This link has expired',
    'link.expired.text': 'The consultation this link is for is over.',
    'link.expired.next': 'If you are to take part in a new consultation, the person who invites you will send a new link.',
    'link.revoked.title': 'The invitation was withdrawn',
    'link.revoked.text': 'The organiser of the consultation has withdrawn this invitation. The link no longer works.',
    'link.revoked.next': 'Contact the person who invited you if you should take part.',
    'link.ended.title': 'The consultation has ended',
    'link.ended.text': 'The host has ended the consultation. The link no longer works.',
    'link.ended.next': 'There is nothing more you need to do. If you have questions, contact the person who invited you.',
    'link.cancelled.title': 'The consultation was cancelled',
    'link.cancelled.text': 'The organiser has cancelled the consultation. The link no longer works.',
    'link.cancelled.next': 'Contact the person who invited you for a new time.',
    'link.removed.title': 'You were removed from the consultation',
    'link.removed.text': 'A host removed you from the consultation. Your link no longer works in this room.',
    'link.removed.next': 'Contact the host or the person who invited you if you should come back.',
    'link.invalid.title': 'This link cannot be used',
    'link.invalid.text': 'This invitation link is not valid. It may have been cut short or changed when it was copied.',
    'link.invalid.next': 'Open the link exactly as it is in your invitation, or ask the person who invited you for a new one.',
    'join.consultation': 'Consultation: {title}',
    'call.consultation': 'Video consultation',

    'status.connecting': 'Connecting …',
    'status.connected': 'Connected',
    'status.reconnecting': 'Reconnecting …',
    'status.failed': 'Connection failed',
    'status.retry': 'Try again',
    'reason.ws-closed': 'Lost the connection to the server (code {code}).',
    'reason.ws-gave-up': 'Could not reach the server again.',
    'reason.too-big': 'The server closed the connection: a message was too big.',
    'reason.pc-failed': 'The media connection ({pc}) failed.',
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
    'controls.audio-only': 'Audio only',
    'controls.video-again': 'Show video',
    'controls.chat': 'Chat',

    'chat.title': 'Chat',
    'chat.close': 'Close chat',
    'chat.empty': 'No messages yet. What you write here is seen only by those in the call now, and it is not stored.',
    'chat.label': 'Message to everyone in the call',
    'chat.hint': 'Enter sends, Shift+Enter starts a new line.',
    'chat.count': '{n} of {max} characters',
    'chat.send': 'Send',
    'chat.you': 'You',
    'chat.new-from': 'New message from {name}.',
    'chat.unread.one': '1 unread message',
    'chat.unread.many': '{n} unread messages',
    'chat.error.too-long': 'The message is too long: it may have at most {max} characters. Shorten it and send again.',
    'chat.error.rate-limited': 'You are sending messages too fast. Wait a moment and send again.',
    'chat.error.off': 'Chat is turned off on this server.',
    'chat.error.send': 'The message was not sent. {detail}',

    'audio-only.on': 'Audio only is on: you hear everyone but receive no video. This helps on a weak connection.',
    'audio-only.off': 'You receive video again.',
    'audio-only.stop-camera': 'Also stop my camera',
    'audio-only.failed': 'Could not switch to audio only: {detail}',

    'tile.paused.bandwidth': 'Video paused: weak connection',
    'tile.paused.audio-only': 'Audio only: video paused',
    'tile.audio-only': 'Audio only',
    'tile.audio-only.title': '{name} chose audio only',
    'tile.audio-only.state': 'Has chosen audio only',

    'quality.good': 'Good',
    'quality.fair': 'Fair',
    'quality.poor': 'Poor',
    'quality.label.good': 'Connection quality: good',
    'quality.label.fair': 'Connection quality: fair',
    'quality.label.poor': 'Connection quality: poor',
    'quality.self.good': 'Your connection: good',
    'quality.self.fair': 'Your connection: fair',
    'quality.self.poor': 'Your connection: poor',

    'role.specialist': 'specialist',
    'role.municipal': 'municipal',
    'role.patient': 'patient',
    'role.relative': 'relative',
    'role.interpreter': 'interpreter',
    'role.observer': 'observer',
  },
};

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
