/*
 * consultation.test.mjs — invitation links, the waiting room and roles,
 * with tokens minted by `samvei token` (run.sh starts the server with the
 * secret it exports to us).
 *
 * A patient with a valid link acknowledges the privacy notice, waits and
 * sees the waiting screen (screenshot at tablet size); the specialist sends
 * the waiting room a message and admits them; both decode each other's
 * video. A forged token, an expired token and a token for another room are
 * each shown as such when the page opens, and a join with them is refused
 * with `unauthorized` and the reason word. An observer
 * on a raw WebSocket is listed to the others, and its publish is refused
 * with `forbidden`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { protocolClient } from './wsclient.mjs';
import {
  VIEWPORTS,
  WS_URL,
  launchBrowser,
  newParticipant,
  waitFor,
  waitForMediaFrom,
  shot,
  roomName,
  pageUrl,
} from './lib.mjs';

const BIN = process.env.SAMVEI_E2E_BIN;
const DATA_DIR = process.env.SAMVEI_E2E_DATA_DIR;
const SECRET = process.env.SAMVEI_E2E_TOKEN_SECRET;

let browser;
const opened = [];
const sockets = [];

before(async () => {
  assert.ok(BIN && DATA_DIR && SECRET, 'run.sh exports SAMVEI_E2E_BIN, _DATA_DIR and _TOKEN_SECRET');
  browser = await launchBrowser();
});

after(async () => {
  for (const ws of sockets) ws.terminate();
  for (const p of opened) await p.context.close().catch(() => {});
  await browser?.close();
});

/* A join token from `samvei token`, signed with the server's secret. */
function mint(room, role, name, extra = []) {
  const out = execFileSync(
    BIN,
    ['token', '--room', room, '--role', role, '--name', name, '--data-dir', DATA_DIR, '--token-secret', SECRET, ...extra],
    { encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } },
  );
  const token = out.trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'samvei token prints a JWT');
  return token;
}

function inviteUrl(room, token) {
  return `${pageUrl({ room })}#token=${token}`;
}

async function participant(label, viewport) {
  const p = await newParticipant(browser, label, viewport);
  opened.push(p);
  return p;
}

/* Opens an invitation link, acknowledges the notice and clicks Join. */
async function joinWithLink(p, room, token) {
  await p.page.goto(inviteUrl(room, token), { waitUntil: 'load' });
  await p.page.getByLabel('I have read this and want to join').check();
  await p.page.getByRole('button', { name: 'Join' }).click();
}

/* Waits until every row of the pre-call check has its answer. */
async function checksDone(p) {
  await waitFor(
    async () => (await p.page.locator('.check-value[data-state="checking"]').count()) === 0,
    { timeoutMs: 20000, what: `${p.label}'s pre-call check to finish` },
  );
}

const rawClient = () => protocolClient(WS_URL, 'raw', sockets);

test('a patient waits, is admitted by the specialist, and both see each other', { timeout: 300000 }, async () => {
  const room = roomName('cons');
  const patient = await participant('cons-patient-tablet', VIEWPORTS.tablet);
  await patient.page.goto(inviteUrl(room, mint(room, 'patient', 'Kari Nordmann')), { waitUntil: 'load' });

  /* The join page shows who the link is for, the pre-call check and the
   * notice; joining without ticking the notice is refused on the page. */
  await patient.page.locator('#join-invite').getByText('Kari Nordmann').waitFor();
  for (const item of ['server', 'camera', 'mic']) {
    await waitFor(async () => (await patient.page.locator(`#check-${item}-value`).getAttribute('data-state')) === 'ok', {
      timeoutMs: 20000,
      what: `the pre-call check of the ${item} to say it works`,
    });
  }
  /* The fake microphone's tone moves the level meter. */
  await waitFor(async () => Number(await patient.page.locator('#mic-meter').getAttribute('aria-valuenow')) > 0, {
    timeoutMs: 10000,
    what: 'the microphone level meter to move',
  });
  await patient.page.getByRole('button', { name: 'Join' }).click();
  await patient.page.locator('#notice-ack-error').waitFor({ state: 'visible' });
  await patient.page.getByLabel('I have read this and want to join').check();
  await patient.page.getByRole('button', { name: 'Join' }).click();

  /* The waiting screen, and no host there yet. */
  await patient.page.locator('#waiting').waitFor({ state: 'visible', timeout: 20000 });
  await patient.page.locator('#waiting-host-away').waitFor({ state: 'visible' });
  const patientId = (await patient.page.evaluate(() => window.samvei.self())).id;
  assert.equal((await patient.page.evaluate(() => window.samvei.self())).role, 'patient');

  /* The specialist joins: the patient is on the host's waiting list. */
  const specialist = await participant('cons-specialist-laptop', VIEWPORTS.laptop);
  await joinWithLink(specialist, room, mint(room, 'specialist', 'Dr. Berg'));
  await specialist.page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
  const specialistId = (await specialist.page.evaluate(() => window.samvei.self())).id;
  const entry = specialist.page.locator(`#host-waiting [data-participant="${patientId}"]`);
  await entry.waitFor({ timeout: 10000 });
  assert.match(await entry.innerText(), /Kari Nordmann/);
  await patient.page.locator('#waiting-host-away').waitFor({ state: 'hidden', timeout: 10000 });

  /* A message to the waiting room reaches the patient. */
  await specialist.page.getByLabel('Message to those waiting').fill('Running 5 minutes late');
  await specialist.page.locator('#host-message-send').click();
  await patient.page.locator('#waiting-messages').getByText('Running 5 minutes late').waitFor({ timeout: 10000 });
  assert.match(await patient.page.locator('#waiting-messages').innerText(), /Dr\. Berg/);
  await shot(patient.page, 'waiting-tablet.png');

  /* While waiting, the patient gets no media. */
  assert.deepEqual(await patient.page.evaluate(() => window.samvei.participants()), []);

  /* Admit: the patient is in the call, and both decode each other. */
  await specialist.page.getByRole('button', { name: 'Admit Kari Nordmann' }).click();
  await patient.page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
  await entry.waitFor({ state: 'detached', timeout: 10000 });
  await Promise.all([
    waitForMediaFrom(patient.page, [specialistId], 'patient'),
    waitForMediaFrom(specialist.page, [patientId], 'specialist'),
  ]);

  /* An observer joins on a raw WebSocket: listed to both, publish forbidden. */
  const observer = await rawClient();
  observer.send({ type: 'join', id: 1, room, name: 'x', token: mint(room, 'observer', 'Student Lie'), noticeAck: true });
  const joined = await observer.next((m) => m.id === 1, 'the observer to be let in');
  assert.equal(joined.type, 'ok', JSON.stringify(joined));
  assert.equal(joined.role, 'observer');
  assert.equal(joined.state, 'joined');
  assert.deepEqual(joined.participants.map((p) => p.id).sort(), [patientId, specialistId].sort(), 'the observer sees who is there');
  for (const p of [patient, specialist]) {
    await waitFor(
      async () => (await p.page.evaluate(() => window.samvei.participants())).some((x) => x.id === joined.self && x.role === 'observer' && x.name === 'Student Lie'),
      { timeoutMs: 10000, what: `${p.label} to list the observer` },
    );
  }
  observer.send({ type: 'publish', id: 2, sdp: 'v=0\r\n' });
  const refused = await observer.next((m) => m.id === 2, 'the reply to the observer publish');
  assert.equal(refused.type, 'error');
  assert.equal(refused.code, 'forbidden');

  /* An observer through the web client: no camera check, straight in,
   * sees and hears both, sends nothing, and says it is connected. */
  const watcher = await participant('cons-observer-laptop', VIEWPORTS.laptop);
  await watcher.page.goto(inviteUrl(room, mint(room, 'observer', 'Hospitant Aa')), { waitUntil: 'load' });
  assert.equal(await watcher.page.locator('#check-camera-value').getAttribute('data-state'), 'skipped');
  await watcher.page.getByLabel('I have read this and want to join').check();
  await watcher.page.getByRole('button', { name: 'Join' }).click();
  await watcher.page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
  await waitForMediaFrom(watcher.page, [patientId, specialistId], 'observer');
  await waitFor(async () => (await watcher.page.evaluate(() => window.samvei.state().connection)) === 'connected', {
    timeoutMs: 20000,
    what: 'the observer to show connected',
  });
  const watcherId = (await watcher.page.evaluate(() => window.samvei.self())).id;
  const seenBySpecialist = await specialist.page.evaluate(() => window.samvei.stats());
  assert.equal(seenBySpecialist[watcherId], undefined, 'nobody receives media from an observer');

  /* Host messages from anyone but a host are forbidden too. */
  observer.send({ type: 'end', id: 3 });
  const notHost = await observer.next((m) => m.id === 3, 'the reply to the observer end');
  assert.equal(notHost.code, 'forbidden');
  assert.equal(await specialist.page.evaluate(() => window.samvei.state().view), 'call');
});

test('forged, expired and other-room tokens are refused on opening, with the reason on the page', { timeout: 120000 }, async () => {
  const room = roomName('bad');
  const other = roomName('other');
  const valid = mint(room, 'patient', 'Ola Hansen');
  const [head, body, sig] = valid.split('.');
  const forgedBody = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), role: 'specialist' }),
  ).toString('base64url');
  /* The page checks the link as it opens (GET /api/link, the join's own
   * checks) and says so in its own words; joining is refused the same. */
  const cases = [
    ['forged', `${head}.${forgedBody}.${sig}`, 'invalid', /This link cannot be used/],
    ['expired', mint(room, 'patient', 'Ola Hansen', ['--valid-from', '2020-01-01T08:00:00Z', '--valid-minutes', '30']), 'expired', /This link has expired/],
    ['other-room', mint(other, 'patient', 'Ola Hansen'), 'invalid', /This link cannot be used/],
  ];
  for (const [label, token, kind, heading] of cases) {
    const p = await participant(`refused-${label}`, VIEWPORTS.tablet);
    await p.page.goto(inviteUrl(room, token), { waitUntil: 'load' });
    await p.page.locator(`#link-page[data-kind="${kind}"]`).waitFor({ timeout: 20000 });
    assert.match(await p.page.locator('#link-title').innerText(), heading, `${label}: the page says why`);
    assert.equal(await p.page.locator('#link-state').getAttribute('role'), 'alert');
    assert.equal(await p.page.locator('#join-button').count(), 0, `${label}: nothing to fill in`);
    assert.equal(await p.page.locator('#waiting').count(), 0, `${label}: no waiting screen`);
    const ws = await rawClient();
    ws.send({ type: 'join', id: 1, room, name: 'x', token, noticeAck: true });
    const refused = await ws.next((m) => m.id === 1, `${label}: the join reply`);
    assert.equal(refused.code, 'unauthorized', `${label}: the documented error code`);
    assert.equal(refused.reason, kind, `${label}: the reason word`);
    await p.context.close();
  }
});

test('host hand-over, host away, reject, remove (for good) and end for all', { timeout: 300000 }, async () => {
  const room = roomName('host');
  const lead = await participant('host-lead-laptop', VIEWPORTS.laptop);
  await lead.page.goto(inviteUrl(room, mint(room, 'specialist', 'Dr. Berg')), { waitUntil: 'load' });
  await checksDone(lead);
  await shot(lead.page, 'join-invite-laptop.png');
  await lead.page.getByLabel('I have read this and want to join').check();
  await lead.page.getByRole('button', { name: 'Join' }).click();
  await lead.page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });

  const second = await participant('host-second-tablet', VIEWPORTS.tablet);
  await joinWithLink(second, room, mint(room, 'specialist', 'Dr. Lie'));
  await second.page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });

  const relative = await participant('host-relative-tablet', VIEWPORTS.tablet);
  await relative.page.goto(inviteUrl(room, mint(room, 'relative', 'Per Hansen')), { waitUntil: 'load' });
  await checksDone(relative);
  await shot(relative.page, 'join-invite-tablet.png');
  await relative.page.getByLabel('I have read this and want to join').check();
  await relative.page.getByRole('button', { name: 'Join' }).click();
  await relative.page.locator('#waiting').waitFor({ state: 'visible', timeout: 20000 });
  await lead.page.getByRole('button', { name: 'Admit Per Hansen' }).waitFor({ timeout: 10000 });
  await shot(lead.page, 'host-panel-laptop.png');

  /* The lead host leaves: the other specialist takes over, the relative
   * keeps waiting and is on the new host's list. */
  await lead.page.getByRole('button', { name: 'Leave' }).click();
  await second.page.getByText('You are now the host.').waitFor({ timeout: 10000 });
  await second.page.getByRole('button', { name: 'Admit Per Hansen' }).waitFor({ timeout: 10000 });
  assert.equal(await relative.page.locator('#waiting-host-away').isVisible(), false, 'a host is still there');

  /* The last specialist leaves: the relative is told, and keeps waiting. */
  await second.page.getByRole('button', { name: 'Leave' }).click();
  await relative.page.locator('#waiting-host-away').waitFor({ state: 'visible', timeout: 10000 });
  assert.match(await relative.page.locator('#waiting-host-away').innerText(), /stepped away/);
  assert.equal(await relative.page.locator('#waiting').isVisible(), true);

  /* A specialist comes back and rejects: the relative is back on the join
   * page with the reason. */
  const back = await participant('host-back-laptop', VIEWPORTS.laptop);
  await joinWithLink(back, room, mint(room, 'specialist', 'Dr. Berg'));
  await back.page.getByRole('button', { name: 'Reject Per Hansen' }).click();
  await relative.page.locator('#end').getByText('The host did not let you in this time.').waitFor({ timeout: 10000 });

  /* A municipal nurse joins straight in; the host removes her with the
   * tile's Remove button. */
  const nurse = await participant('host-nurse-tablet', VIEWPORTS.tablet);
  await joinWithLink(nurse, room, mint(room, 'municipal', 'Sykepleier Aas'));
  await nurse.page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
  back.page.once('dialog', (d) => d.accept()); /* "Remove …? Their link will stop working" */
  await back.page.getByRole('button', { name: 'Remove Sykepleier Aas' }).click();
  await nurse.page.locator('#end').getByText('A host removed you from the consultation.').waitFor({ timeout: 10000 });

  /* Her link no longer opens the room: the page says so as it opens. */
  await nurse.page.reload({ waitUntil: 'load' });
  await nurse.page.locator('#link-page[data-kind="removed"]').waitFor({ timeout: 10000 });
  assert.match(await nurse.page.locator('#link-text').innerText(), /removed you/);
  assert.equal(await nurse.page.getByLabel('I have read this and want to join').count(), 0);

  /* Another nurse joins; the host ends the consultation for all. */
  const nurse2 = await participant('host-nurse2-tablet', VIEWPORTS.tablet);
  await joinWithLink(nurse2, room, mint(room, 'municipal', 'Sykepleier Bø'));
  await nurse2.page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
  back.page.once('dialog', (d) => d.accept());
  await back.page.getByRole('button', { name: 'End for all' }).click();
  for (const p of [back, nurse2])
    await p.page.locator('#end').getByText('The host has ended the consultation', { exact: false }).waitFor({ timeout: 10000 });

  /* The ended consultation cannot be joined again: said as the page opens. */
  await nurse2.page.reload({ waitUntil: 'load' });
  await nurse2.page.locator('#link-page[data-kind="ended"]').waitFor({ timeout: 10000 });
  assert.equal(await nurse2.page.getByLabel('I have read this and want to join').count(), 0);
});
