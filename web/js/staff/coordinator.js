/*
 * coordinator.js — the coordinator page (coordinator.html): enter the API
 * key, see a day's or a week's consultations (by team and status), book
 * one, issue invitation links (copy) and calendar files (.ics), move or
 * cancel, and read the session log with a CSV download. Each new link
 * comes with an e-mail-ready invitation text and the person's own .ics. Everything goes
 * through the REST API (api.js); nothing is kept but the key, in this tab.
 */
import { h } from '../ui/dom.js';
import { langSwitch } from '../ui/langswitch.js';
import { pageFooter } from '../ui/footer.js';
import { ApiError, apiKey, setApiKey, call, download } from './api.js';
import { initLanguage, st, eventName } from './text.js';

initLanguage();
document.title = `${st('coord.title')} – samvei`;
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const KINDS = ['guidance', 'follow-up', 'group-teaching', 'urgent'];
const ROLES = ['patient', 'municipal', 'specialist', 'relative', 'interpreter', 'observer'];
let teams = [];

const pad = (n) => String(n).padStart(2, '0');
const localDate = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const localDateTime = (d) => `${localDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
function isoWeek(d) {
  const t = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  t.setUTCDate(t.getUTCDate() + 4 - (t.getUTCDay() || 7));
  const y = t.getUTCFullYear();
  return `${y}-W${pad(Math.ceil(((t - Date.UTC(y, 0, 1)) / 86400000 + 1) / 7))}`;
}
const fmt = (iso, withDate = true) =>
  new Date(iso).toLocaleString(document.documentElement.lang, {
    ...(withDate ? { weekday: 'short', day: 'numeric', month: 'short' } : {}),
    hour: '2-digit',
    minute: '2-digit',
  });
const teamName = (id) => teams.find((t) => t.id === id)?.name ?? '';

/* Builds <label>text <control></label>. */
const field = (text, control) => h('label', {}, text, control);
const select = (attrs, options) => h('select', attrs, ...options.map(([v, text]) => h('option', { value: v }, text)));
const message = h('p', { class: 'staff-error', id: 'coord-error', role: 'alert' });

function showError(err) {
  message.textContent = st('coord.error', { detail: err instanceof ApiError ? `${err.message} (${err.code})` : String(err) });
}
function clearError() {
  message.textContent = '';
}
async function guarded(fn) {
  clearError();
  try {
    return await fn();
  } catch (err) {
    showError(err);
    return undefined;
  }
}

/* ---- the key ---- */
const keyInput = h('input', { type: 'password', id: 'api-key', autocomplete: 'off', value: apiKey() });
const keyPanel = h(
  'section',
  { class: 'staff-panel', id: 'key-panel' },
  h('form', { class: 'staff-row', onsubmit: (e) => (e.preventDefault(), useKey()) },
    field(st('coord.key'), keyInput),
    h('button', { type: 'submit', class: 'btn btn-primary' }, st('coord.key.use')),
    h('button', { type: 'button', class: 'btn', onclick: forgetKey }, st('coord.key.forget'))),
  h('p', { class: 'staff-note' }, st('coord.key.hint')),
);

/* ---- the list ---- */
const mode = select({ id: 'list-mode' }, [['day', st('coord.day')], ['week', st('coord.week')]]);
const dayInput = h('input', { type: 'date', id: 'list-day', value: localDate(new Date()) });
const weekInput = h('input', { type: 'week', id: 'list-week', value: isoWeek(new Date()), hidden: true });
const teamFilter = select({ id: 'list-team' }, [['', st('coord.all-teams')]]);
const statusFilter = select({ id: 'list-status' }, [['', st('coord.all-status')], ...['booked', 'held', 'cancelled'].map((s) => [s, st(`coord.status.${s}`)])]);
const listBox = h('div', { id: 'consultations' });
mode.addEventListener('change', () => {
  dayInput.hidden = mode.value !== 'day';
  weekInput.hidden = mode.value !== 'week';
});
const listPanel = h(
  'section',
  { class: 'staff-panel' },
  h('h2', {}, st('coord.list')),
  h('form', { class: 'staff-row', onsubmit: (e) => (e.preventDefault(), refresh()) },
    field(st('coord.day') + ' / ' + st('coord.week'), mode),
    field(st('coord.date'), h('span', {}, dayInput, weekInput)),
    field(st('coord.team'), teamFilter),
    field(st('coord.status'), statusFilter),
    h('button', { type: 'submit', class: 'btn btn-primary' }, st('coord.show'))),
  listBox,
);

/* ---- booking ---- */
const bTitle = h('input', { type: 'text', id: 'book-title', maxlength: 199, required: true });
const bKind = select({ id: 'book-kind' }, KINDS.map((k) => [k, st(`coord.kind.${k}`)]));
const bStart = h('input', { type: 'datetime-local', id: 'book-start', required: true, value: localDateTime(new Date()) });
const bMinutes = h('input', { type: 'number', id: 'book-minutes', min: 5, max: 1440, step: 5, value: 30, required: true });
const bHost = select({ id: 'book-host' }, []);
const bGuest = select({ id: 'book-guest' }, []);
const bookNote = h('p', { class: 'staff-note', role: 'status', id: 'book-note' });
const bookPanel = h(
  'section',
  { class: 'staff-panel' },
  h('h2', {}, st('coord.book')),
  h('form', { class: 'staff-row', id: 'book-form', onsubmit: (e) => (e.preventDefault(), book()) },
    field(st('coord.f.title'), bTitle),
    field(st('coord.f.kind'), bKind),
    field(st('coord.f.start'), bStart),
    field(st('coord.f.minutes'), bMinutes),
    field(st('coord.f.host'), bHost),
    field(st('coord.f.guest'), bGuest),
    h('button', { type: 'submit', class: 'btn btn-primary' }, st('coord.f.submit'))),
  bookNote,
);

/* ---- session log ---- */
const logCons = h('input', { type: 'text', id: 'log-consultation', placeholder: 'id' });
const logFrom = h('input', { type: 'date', id: 'log-from' });
const logTo = h('input', { type: 'date', id: 'log-to' });
const logBox = h('div', { id: 'log' });
const logPanel = h(
  'section',
  { class: 'staff-panel', id: 'log-panel' },
  h('h2', {}, st('coord.log')),
  h('form', { class: 'staff-row', onsubmit: (e) => (e.preventDefault(), showLog()) },
    field('ID', logCons),
    field(st('coord.log.from'), logFrom),
    field(st('coord.log.to'), logTo),
    h('button', { type: 'submit', class: 'btn btn-primary' }, st('coord.log.show')),
    h('button', { type: 'button', class: 'btn', onclick: () => guarded(() => download(`/api/audit?${logQuery()}&format=csv`, 'samvei-log.csv')) }, st('coord.log.csv'))),
  logBox,
);

/* ---- teams and urgent-guidance links ---- */
const tName = h('input', { type: 'text', id: 'team-name', maxlength: 64, required: true });
const tKind = select({ id: 'team-kind' }, ['specialist', 'municipal'].map((k) => [k, st(`coord.t.kind.${k}`)]));
const tOrg = h('input', { type: 'text', id: 'team-org', maxlength: 64 });
const tOnCall = h('input', { type: 'checkbox', id: 'team-oncall' });
const tDistance = h('input', { type: 'number', id: 'team-distance', min: 0, max: 5000, value: 0 });
const teamList = h('div', { id: 'team-list' });
const teamsPanel = h(
  'section',
  { class: 'staff-panel', id: 'teams-panel' },
  h('h2', {}, st('coord.teams')),
  h('form', { class: 'staff-row', onsubmit: (e) => (e.preventDefault(), addTeam()) },
    field(st('coord.t.name'), tName),
    field(st('coord.t.kind'), tKind),
    field(st('coord.t.org'), tOrg),
    field(st('coord.t.distance'), tDistance),
    h('label', { class: 'check' }, tOnCall, st('coord.t.oncall')),
    h('button', { type: 'submit', class: 'btn btn-primary' }, st('coord.t.add'))),
  teamList,
);

const main = h('div', { id: 'coordinator', hidden: true }, listPanel, bookPanel, logPanel, teamsPanel);
document.getElementById('app').replaceChildren(
  h('header', { class: 'staff-header' }, h('h1', {}, st('coord.title')), langSwitch()),
  keyPanel,
  message,
  main,
  pageFooter(),
);

async function addTeam() {
  const body = { name: tName.value, kind: tKind.value, onCall: tOnCall.checked, distanceKm: Number(tDistance.value) || 0 };
  if (tOrg.value.trim()) body.organisation = tOrg.value.trim();
  if (!(await guarded(() => call('POST', '/api/teams', body)))) return;
  tName.value = '';
  await useKey();
}

/* One row per team; on-call specialist teams and municipal teams get a
 * form that makes the urgent-guidance link of a person. */
function teamRow(team) {
  const onCallTeams = teams.filter((t) => t.kind === 'specialist' && t.onCall);
  const canLink = team.kind === 'municipal' ? onCallTeams.length > 0 : team.onCall;
  const person = h('input', { type: 'text', maxlength: 64, required: true, 'aria-label': `${st('coord.t.person')} (${team.name})`, placeholder: st('coord.t.person') });
  const to = team.kind === 'municipal' && select({ 'aria-label': `${st('coord.t.to')} (${team.name})` }, onCallTeams.map((t) => [t.id, t.name]));
  const out = h('div', {});
  async function make() {
    const body = team.kind === 'municipal' ? { role: 'requester', name: person.value, to: to.value } : { role: 'on-call', name: person.value };
    const r = await guarded(() => call('POST', `/api/teams/${team.id}/urgent-links`, body));
    if (!r) return;
    const label = st(team.kind === 'municipal' ? 'coord.t.urgent-link' : 'coord.t.oncall-link', { name: r.name });
    out.replaceChildren(h('label', {}, label, h('input', { type: 'text', readonly: true, class: 'inv-link', value: r.link })));
  }
  const meta = [st(`coord.t.kind.${team.kind}`), team.organisation, team.onCall ? st('coord.t.oncall') : '', team.distanceKm ? `${team.distanceKm} km` : '']
    .filter(Boolean)
    .join(' · ');
  return h(
    'article',
    { class: 'cons-card', 'data-team': team.id },
    h('div', { class: 'cons-title' }, team.name),
    h('div', { class: 'cons-meta' }, meta),
    canLink && h('form', { class: 'staff-row', onsubmit: (e) => (e.preventDefault(), make()) },
      person, to, h('button', { type: 'submit', class: 'btn btn-small' }, st('coord.t.make'))),
    out,
  );
}

async function useKey() {
  setApiKey(keyInput.value.trim());
  try {
    teams = (await call('GET', '/api/teams')).teams;
  } catch (err) {
    main.hidden = true;
    message.textContent = st('coord.key.bad', { detail: err.message });
    return;
  }
  clearError();
  const options = (kind) => [['', st('coord.f.none')], ...teams.filter((t) => !kind || t.kind === kind).map((t) => [t.id, t.name])];
  const fill = (sel, opts) => sel.replaceChildren(...opts.map(([v, text]) => h('option', { value: v }, text)));
  fill(teamFilter, [['', st('coord.all-teams')], ...teams.map((t) => [t.id, t.name])]);
  fill(bHost, options('specialist'));
  fill(bGuest, options('municipal'));
  teamList.replaceChildren(...teams.map(teamRow));
  main.hidden = false;
  document.body.dataset.ready = '1';
  await refresh();
}

function forgetKey() {
  setApiKey('');
  keyInput.value = '';
  main.hidden = true;
}

async function refresh() {
  const q = new URLSearchParams({ tz: ZONE });
  if (mode.value === 'day') q.set('day', dayInput.value);
  else q.set('week', weekInput.value);
  if (teamFilter.value) q.set('team', teamFilter.value);
  if (statusFilter.value) q.set('status', statusFilter.value);
  const doc = await guarded(() => call('GET', `/api/consultations?${q}`));
  if (!doc) return;
  listBox.replaceChildren(
    ...(doc.consultations.length ? doc.consultations.map(card) : [h('p', { class: 'staff-empty' }, st('coord.none'))]),
  );
}

function card(c) {
  const invBox = h('ul', { class: 'inv-list' });
  const linkBox = h('div', {});
  const role = select({ 'aria-label': st('coord.i.role') }, ROLES.map((r) => [r, st(`role.${r}`)]));
  const name = h('input', { type: 'text', maxlength: 64, 'aria-label': st('coord.i.name'), placeholder: st('coord.i.name'), required: true });
  const moveTo = h('input', { type: 'datetime-local', 'aria-label': st('coord.f.start'), value: localDateTime(new Date(c.start)) });
  const cancelled = c.status === 'cancelled';
  const teamsText = [teamName(c.hostTeam), teamName(c.guestTeam)].filter(Boolean).join(' ↔ ');

  async function loadInvitations() {
    const doc = await guarded(() => call('GET', `/api/consultations/${c.id}/invitations`));
    if (!doc) return;
    invBox.replaceChildren(
      ...doc.invitations.map((i) =>
        h('li', {}, `${i.name} (${st(`role.${i.role}`)})`, i.revoked ? ` – ${st('coord.revoked')}` : ' ',
          !i.revoked && h('button', { type: 'button', class: 'btn btn-small', onclick: () => revoke(i) }, st('coord.revoke'))),
      ),
    );
  }
  async function revoke(i) {
    if ((await guarded(() => call('DELETE', `/api/invitations/${i.id}`))) !== undefined) loadInvitations();
  }
  async function invite() {
    const inv = await guarded(() => call('POST', `/api/consultations/${c.id}/invitations`, { role: role.value, name: name.value }));
    if (!inv) return;
    const out = h('input', { type: 'text', readonly: true, class: 'inv-link', value: inv.link, 'aria-label': st('coord.link', { name: inv.name }) });
    const copy = h('button', { type: 'button', class: 'btn btn-small' }, st('coord.copy'));
    copy.addEventListener('click', async () => {
      out.select();
      try {
        await navigator.clipboard.writeText(inv.link);
      } catch {
        document.execCommand('copy');
      }
      copy.textContent = st('coord.copied');
    });
    linkBox.replaceChildren(h('label', {}, st('coord.link', { name: inv.name }), out), copy, ...invitationExtras(c, inv));
    name.value = '';
    loadInvitations();
  }
  async function move() {
    const start = new Date(moveTo.value);
    if (Number.isNaN(start.getTime())) return;
    const moved = await guarded(() => call('PATCH', `/api/consultations/${c.id}`, { start: start.toISOString() }));
    if (!moved) return;
    await refresh();
    if (moved.staleInvitations) message.textContent = st('coord.stale', { n: moved.staleInvitations });
  }
  async function cancel() {
    if (!confirm(st('coord.cancel-confirm', { title: c.title }))) return;
    if (await guarded(() => call('DELETE', `/api/consultations/${c.id}`))) refresh();
  }

  loadInvitations();
  return h(
    'article',
    { class: 'cons-card', 'data-id': c.id, 'data-status': c.status },
    h('div', { class: 'cons-title' }, c.title),
    h('div', { class: 'cons-meta' },
      `${fmt(c.start)}–${fmt(c.end, false)} · ${st(`coord.kind.${c.kind}`)} · ${st(`coord.status.${c.status}`)}${teamsText ? ' · ' + teamsText : ''}`),
    h('div', { class: 'cons-actions' },
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => guarded(() => download(`/api/consultations/${c.id}.ics?lang=${document.documentElement.lang === 'en' ? 'en' : 'nb'}`, 'consultation.ics')) }, st('coord.ics')),
      h('button', { type: 'button', class: 'btn btn-small', onclick: () => { logCons.value = c.id; showLog(); logPanel.scrollIntoView(); } }, st('coord.log')),
      !cancelled && h('button', { type: 'button', class: 'btn btn-small', onclick: cancel }, st('coord.cancel'))),
    !cancelled && h('form', { class: 'staff-row', onsubmit: (e) => (e.preventDefault(), move()) },
      moveTo, h('button', { type: 'submit', class: 'btn btn-small' }, st('coord.move'))),
    !cancelled && h('form', { class: 'staff-row', onsubmit: (e) => (e.preventDefault(), invite()) },
      role, name, h('button', { type: 'submit', class: 'btn btn-small btn-primary' }, st('coord.i.issue'))),
    linkBox,
    invBox,
  );
}

/* The text a coordinator pastes into an e-mail: title, time in the
 * reader's zone, the link and what to have ready. */
function invitationText(c, inv) {
  const time = new Date(c.start).toLocaleString(document.documentElement.lang, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  return st('coord.inv-text', { title: c.title, time, link: inv.link });
}

/* "Copy invitation text" and "Calendar file" next to a new link. */
function invitationExtras(c, inv) {
  const text = invitationText(c, inv);
  const area = h('textarea', { class: 'inv-text', readonly: true, rows: 6 });
  area.value = text;
  const copy = h('button', { type: 'button', class: 'btn btn-small', 'data-copy': 'text' }, st('coord.copy-text'));
  copy.addEventListener('click', async () => {
    area.select();
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      document.execCommand('copy');
    }
    copy.textContent = st('coord.copied-text');
  });
  const lang = document.documentElement.lang === 'en' ? 'en' : 'nb';
  const ics = h('button', { type: 'button', class: 'btn btn-small', 'data-download': 'invitation-ics', 'aria-label': st('coord.inv-ics-for', { name: inv.name }) }, st('coord.inv-ics'));
  ics.addEventListener('click', () => guarded(() => download(`/api/invitations/${inv.id}.ics?lang=${lang}`, 'invitation.ics')));
  return [copy, ics, h('label', { class: 'inv-text-label' }, st('coord.inv-text-label', { name: inv.name }), area)];
}

async function book() {
  const start = new Date(bStart.value);
  const body = { title: bTitle.value, kind: bKind.value, start: start.toISOString(), durationMin: Number(bMinutes.value) };
  if (bHost.value) body.hostTeam = bHost.value;
  if (bGuest.value) body.guestTeam = bGuest.value;
  const c = await guarded(() => call('POST', '/api/consultations', body));
  if (!c) return;
  bookNote.textContent = st('coord.booked', { title: c.title });
  bTitle.value = '';
  mode.value = 'day';
  mode.dispatchEvent(new Event('change'));
  dayInput.value = localDate(start);
  refresh();
}

function logQuery() {
  const q = new URLSearchParams();
  if (logCons.value.trim()) q.set('consultation', logCons.value.trim());
  if (logFrom.value) q.set('from', logFrom.value);
  if (logTo.value) q.set('to', logTo.value);
  return q.toString();
}

async function showLog() {
  const doc = await guarded(() => call('GET', `/api/audit?${logQuery()}`));
  if (!doc) return;
  if (!doc.events.length) {
    logBox.replaceChildren(h('p', { class: 'staff-empty' }, st('coord.log.none')));
    return;
  }
  logBox.replaceChildren(
    h('table', { class: 'staff-table', id: 'log-table' },
      h('thead', {}, h('tr', {}, ...['coord.log.time', 'coord.log.event', 'coord.log.who', 'coord.log.role'].map((k) => h('th', {}, st(k))))),
      h('tbody', {}, ...doc.events.map((e) =>
        h('tr', { 'data-event': e.event }, h('td', {}, fmt(e.time)), h('td', { class: 'log-event' }, eventName(e.event)), h('td', {}, e.name || e.actor), h('td', {}, e.role))))),
  );
}

if (apiKey()) useKey();
