// test-join-page: the join page of enterprises and clerks (web/join.html, with
// web/js/vw-signaling.js, vw-call.js, vw-transfer.js) in a real browser
// (Debian's Chromium with fake camera and microphone, driven by
// playwright-core) against a real vw-server and a native agent (vw-client).
//
//   VW_SERVER=build/server/vw-server VW_CLIENT=build/client/vw-client \
//   VW_ADMIN=build/server/vw-admin VW_ARTIFACTS=build/meson-logs/artifacts \
//   node tests/browser/test-join-page.mjs
//
// Speaks TAP.  Screenshots (join-queued.png, join-in-call.png,
// join-phone.png), the server's log and the agent's event lines go to
// VW_ARTIFACTS.  CHROMIUM overrides the browser (default /usr/bin/chromium);
// VW_TEST_VERBOSE=1 echoes the server's log and the pages' console.

import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync, existsSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { harness } from './lib.mjs';

const CASES = [
  'vw-admin adds an agent (张敏, 黄浦区政务服务中心) and a supervisor; vw-server starts',
  'the landing page links to /join.html; the page, its modules and styles are served',
  'camera and microphone denied: the message is shown and nothing is sent to the server',
  'an enterprise fills in the form, allows camera and microphone, picks a second camera as 高拍仪 and calls: 排队中 第1位 (join-queued.png)',
  'the native agent signs in and is paired with the waiting page: the agent is named, 本次服务全程录音录像 is shown',
  'the page decodes the agent\'s video and hears its audio (getStats rising)',
  'the agent decodes the page\'s camera and document camera and hears its audio (join-in-call.png)',
  'mute and camera off keep the tracks sent (enabled false), and back on',
  'the agent shares its screen: the page shows it in front and decodes it; unshared, it goes',
  'the page shares its screen mid-call (publish, no new offer): the agent decodes it; stopped and shared again',
  'the agent asks for a snapshot of the document camera: full resolution, PNG, hash-checked; its annotation is drawn on the page',
  'the page hangs up: the agent gets ended (peer-hangup), the rating form appears',
  'the rating 好差评 is sent once and stored (rating.level in the API); the form disappears; a second one is refused; every track of the call was recorded',
  'a reload while queued drops the old place: the new page queues again at 第1位',
  'a tab closed mid-call: the agent gets ended (peer-disconnected) within 2 s, and the queue moves on',
  'on a phone-sized screen the call fits the width (join-phone.png)',
  'no script errors or CSP violations in the pages',
  'vw-server stops cleanly',
];

const AGENT = { username: 'zhangmin', password: 'Bangban-2026-huangpu', name: '张敏' };
const SUPERVISOR = { username: 'wangfang', password: 'Jiandu-2026-huangpu', name: '王芳' };
const ENTERPRISE = { name: '王强', province: 'jiangsu', handledIn: 'shanghai', item: '企业设立' };
const NOTE = '此处缺少法定代表人签名';
const SHARE_MS = 1000;   // a screen share lasts this long after its first frame


const {
  env, artifacts, chromiumPath, state, playwright, diag, bailOut, step, assert, waitFor,
  program, startProcess, runAdmin, startClient, stopChild, http, cleanup, failed,
} = await harness(CASES, { logPrefix: 'join-' });

// ------------------------------------------------------------------ processes

function startAgent() {
  const passwordFile = join(state.work, 'agent-password');
  writeFileSync(passwordFile, `${AGENT.password}\n`, { mode: 0o600 });
  return startClient('agent', ['--role', 'agent', '--user', AGENT.username,
    '--password-file', passwordFile, '--province', 'shanghai', '--center', '黄浦区政务服务中心',
    '--stats-interval', '500'], { name: AGENT.name });
}


// ------------------------------------------------------------------ pages

const pageErrors = [];

async function newPage(context, label) {
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.label = label;
  page.sockets = [];
  page.on('websocket', (ws) => page.sockets.push(ws.url()));
  page.on('console', (msg) => {
    if (env.VW_TEST_VERBOSE)
      process.stderr.write(`[${label}] ${msg.type()}: ${msg.text()}\n`);
    if (msg.type() === 'error')
      pageErrors.push(`${label}: console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => pageErrors.push(`${label}: pageerror: ${err.message}`));
  return page;
}

async function fillForm(page, { name, province, handledIn, item, center = '' }) {
  await page.selectOption('#handled-in', handledIn);
  await page.selectOption('#item', item);
  await page.fill('#name', name);
  await page.selectOption('#province', province);
  await page.fill('#center', center);
}

async function queuePosition(page) {
  return page.$eval('#queue-position', (el) => el.textContent.replace(/\s+/g, ''));
}

// Inbound RTP of the page's call, by kind (packets, bytes, framesDecoded).
async function inbound(page) {
  const stats = await page.evaluate(() => window.vwJoin.call.receiveStats());
  const by = {};
  for (const s of stats)
    if (s.kind)
      by[s.kind] = s;
  return by;
}

async function callToPaired(page, who, agent) {
  await page.goto(new URL('/join.html', state.url).href);
  await fillForm(page, who);
  const since = agent.events.length;
  await page.click('#call-button');
  await page.locator('#call-view').waitFor({ state: 'visible', timeout: 15000 });
  const paired = await agent.waitEvent('paired', 10000, (e) => e.peer && e.peer.name === who.name, since);
  const peerId = await page.evaluate(() => window.vwJoin.signaling.peerId);
  await agent.waitEvent('first-frame', 15000, (e) => e.track === 'camera' && e.peer === peerId, since);
  return { paired, peerId, since };
}

// ------------------------------------------------------------------ main


console.log(`1..${CASES.length}`);
diag(`artifacts: ${artifacts}`);
const t0 = Date.now();
state.work = mkdtempSync(join(tmpdir(), 'vw-join-'));
const dataDir = join(state.work, 'data');

// 1
await step([], async () => {
  for (const [acc, role, extra] of [[AGENT, 'agent', []], [SUPERVISOR, 'supervisor', ['--scope', 'center']]]) {
    const r = await runAdmin(['--data-dir', dataDir, 'add-account', '--username', acc.username,
      '--role', role, '--name', acc.name, '--province', 'shanghai', '--center', '黄浦区政务服务中心', ...extra],
    `${acc.password}\n`);
    assert(r.code === 0, `vw-admin (${role}) exited ${r.code}: ${r.err.trim()}`);
  }
  const server = startProcess('vw-server', program('VW_SERVER'),
    ['--port', '0', '--address', '127.0.0.1', '--ice-address', '127.0.0.1', '--data-dir', dataDir], { stdin: 'ignore' });
  state.server = server;
  const lines = createInterface({ input: server.stdout });
  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('no "listening on" line within 20 s')), 20000);
    lines.on('line', (line) => {
      const m = /^listening on (\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    server.exited.then(({ code }) => rej(new Error(`vw-server exited ${code} before listening`)));
  });
  state.url = url.endsWith('/') ? url : `${url}/`;
  diag(`  server: ${state.url}`);
});

// 2
await step(['url'], async () => {
  const index = await http('GET', '/');
  assert(index.status === 200 && index.text.includes('href="/join.html"'), 'the landing page does not link to /join.html');
  for (const [path, type] of [['/join.html', /text\/html/], ['/join.js', /javascript/], ['/js/vw-signaling.js', /javascript/],
    ['/js/vw-call.js', /javascript/], ['/js/vw-transfer.js', /javascript/], ['/js/vw-annotate.js', /javascript/], ['/call.css', /text\/css/]]) {
    const r = await http('GET', path);
    assert(r.status === 200 && type.test(r.headers.get('content-type')), `${path}: ${r.status} ${r.headers.get('content-type')}`);
  }
  const page = await http('GET', '/join.html');
  for (const word of ['远程虚拟窗口', '呼叫', '办理地', '事项', '高拍仪', '挂断', '静音', '共享屏幕', '好差评', '非常满意', '非常不满意'])
    assert(page.text.includes(word), `join.html lacks ${word}`);
  assert(!/https?:\/\/(?!www\.w3\.org)/.test(page.text), 'join.html refers to another site');
  state.served = true;
});

// ---- the browsers: one without camera permission, one with fake devices

const FAKE_ARGS = [
  '--use-fake-ui-for-media-stream',
  // Three fake cameras: the second is a Y16 depth camera, which WebRTC
  // cannot send; the third is an ordinary one, the 高拍仪 here.
  '--use-fake-device-for-media-stream=device-count=3',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];
let browser;
let context;

// 3
await step(['served'], async () => {
  // No fake UI: the permission prompt is refused (headless), so getUserMedia fails.
  const denied = await playwright.chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: ['--use-fake-device-for-media-stream', '--disable-features=WebRtcHideLocalIpsWithMdns'],
  });
  try {
    const ctx = await denied.newContext({ permissions: [], locale: 'zh-CN' });
    const page = await newPage(ctx, 'denied');
    const before = await http('GET', '/api/status');
    await page.goto(new URL('/join.html', state.url).href);
    await fillForm(page, ENTERPRISE);
    await page.click('#call-button');
    await page.waitForFunction(() => /无法使用摄像头或麦克风/.test(document.querySelector('#join-message').textContent), null, { timeout: 10000 });
    const msg = await page.textContent('#join-message');
    assert(await page.locator('#setup-view').isVisible() && await page.locator('#queue-view').isHidden(), 'the page left the form');
    await sleep(300);
    assert(page.sockets.length === 0, `the page opened ${page.sockets.join(', ')}`);
    const after = await http('GET', '/api/status');
    assert(after.json.connections === before.json.connections, `server connections ${before.json.connections} -> ${after.json.connections}`);
    diag(`  "${msg.trim()}"`);
  } finally {
    await denied.close();
  }
});

// 4
await step(['served'], async () => {
  browser = await playwright.chromium.launch({ executablePath: chromiumPath, headless: true, args: FAKE_ARGS });
  context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await newPage(context, 'enterprise');
  state.page = page;
  await page.goto(new URL('/join.html', state.url).href);
  // The item choice comes from GET /api/catalogue (the shipped
  // data/catalogue.json): only the chosen province's items, each with its
  // code; 食品经营许可证 is not handled remotely in Anhui, 不动产登记 is on site only.
  await page.waitForFunction(() => Array.isArray(window.vwJoin.catalogue));
  const itemsIn = async (province) => {
    await page.selectOption('#handled-in', province);
    return page.$$eval('#item option', (os) => os.map((o) => ({ name: o.value, code: o.dataset.code })));
  };
  const anhui = await itemsIn('anhui');
  assert(anhui.length > 0 && anhui.every((o) => /^[A-Z][A-Z0-9-]+$/.test(o.code)), `anhui items: ${JSON.stringify(anhui)}`);
  assert(!anhui.some((o) => o.name === '食品经营许可证' || o.name === '不动产登记'), `anhui items: ${JSON.stringify(anhui)}`);
  const shanghai = await itemsIn('shanghai');
  assert(shanghai.some((o) => o.name === '食品经营许可证' && o.code === 'SP-JY-004'), `shanghai items: ${JSON.stringify(shanghai)}`);
  await fillForm(page, ENTERPRISE);
  await page.click('#media-button');
  await page.waitForFunction(() => {
    const v = document.querySelector('#setup-preview');
    return v.videoWidth > 0 && document.querySelector('#document-device').options.length >= 4;
  });
  assert(page.sockets.length === 0, 'a WebSocket before calling');
  // The third fake camera is the 高拍仪.
  const options = await page.$$eval('#document-device option', (os) => os.map((o) => ({ value: o.value, text: o.textContent })));
  const doc = options.find((o) => o.value && /fake_device_2/.test(o.text));
  assert(doc, `no second camera offered: ${JSON.stringify(options)}`);
  await page.selectOption('#document-device', doc.value);
  await page.click('#call-button');
  await page.locator('#queue-view').waitFor({ state: 'visible' });
  await waitFor('排队中 第1位', async () => (await queuePosition(page)) === '排队中第1位');
  const file = join(artifacts, 'join-queued.png');
  await page.screenshot({ path: file, fullPage: true });
  diag(`  ${file}: ${await queuePosition(page)}`);
  state.queued = true;
});

// 5
await step(['queued'], async () => {
  const agent = startAgent();
  state.agent = agent;
  const paired = await agent.waitEvent('paired', 20000);
  const page = state.page;
  assert(paired.peer.name === ENTERPRISE.name && paired.peer.province === ENTERPRISE.province && paired.peer.center === '',
    `the agent sees ${JSON.stringify(paired.peer)}`);
  await page.locator('#call-view').waitFor({ state: 'visible' });
  state.session = paired.session;
  assert(await page.evaluate(() => window.vwJoin.session) === paired.session, 'the page is in another session');
  await page.locator('#recording-notice').waitFor({ state: 'visible' });
  const head = await page.innerText('.vw-call-head');
  assert(head.includes(AGENT.name) && head.includes('本次服务全程录音录像') && head.includes('黄浦区政务服务中心'), `call head: ${head}`);
  assert(/案件编号 VW-\d{8}-\d{6}/.test(head), `no case number in ${head}`);
  state.peerId = await page.evaluate(() => window.vwJoin.signaling.peerId);
  state.paired = true;
});

// 6
await step(['paired'], async () => {
  const page = state.page;
  await waitFor('the agent\'s camera decoded', async () => ((await inbound(page)).camera || {}).framesDecoded > 0, 15000);
  await waitFor('a picture in the agent tile', () => page.$eval('#remote-camera', (v) => v.videoWidth > 0 && v.readyState >= 2), 10000);
  const a = await inbound(page);
  await sleep(1000);
  const b = await inbound(page);
  assert(b.camera.framesDecoded > a.camera.framesDecoded + 5, `framesDecoded ${a.camera.framesDecoded} -> ${b.camera.framesDecoded}`);
  assert(b.audio && b.audio.packets > a.audio.packets + 10 && b.audio.bytes > a.audio.bytes, `audio packets ${a.audio && a.audio.packets} -> ${b.audio && b.audio.packets}`);
  diag(`  camera ${b.camera.frameWidth}x${b.camera.frameHeight}, ${b.camera.framesDecoded - a.camera.framesDecoded} frames/s; audio ${b.audio.packets - a.audio.packets} packets/s`);
  const audioPlaying = await page.$eval('#remote-audio', (el) => !!el.srcObject && !el.paused);
  assert(audioPlaying, 'the agent\'s audio is not played');
  state.media = true;
});

// 7
await step(['paired'], async () => {
  const agent = state.agent;
  const page = state.page;
  const cam = await agent.waitEvent('first-frame', 15000, (e) => e.track === 'camera' && e.peer === state.peerId);
  const doc = await agent.waitEvent('first-frame', 15000, (e) => e.track === 'document' && e.peer === state.peerId);
  const audio = await agent.waitEvent('first-audio', 15000, (e) => e.peer === state.peerId);
  const settings = await page.evaluate(() => window.vwJoin.call.sources.document.getSettings());
  diag(`  agent: camera ${cam.width}x${cam.height}, document ${doc.width}x${doc.height} (source ${settings.width}x${settings.height}), audio ${audio.peak_db} dB`);
  // Frames keep coming (the agent's stats for what the page sends).
  const since = agent.events.length;
  const stat = await agent.waitEvent('stats', 5000, (e) => (e.tracks || []).some((t) => t.peer === state.peerId && t.track === 'camera' && t.frames > 10), since);
  assert(stat, 'no stats');
  await waitFor('the own previews', () => page.$eval('#local-camera', (v) => v.videoWidth > 0), 5000);
  const file = join(artifacts, 'join-in-call.png');
  await page.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
  state.agentMedia = true;
});

// 8
await step(['paired'], async () => {
  const page = state.page;
  await page.click('#mute-button');
  await page.click('#camera-button');
  const s = await page.evaluate(() => {
    const c = window.vwJoin.call;
    return { audio: c.sources.audio.enabled, camera: c.sources.camera.enabled, kinds: c.publishedKinds(),
      mute: document.querySelector('#mute-button').textContent, cam: document.querySelector('#camera-button').textContent };
  });
  assert(!s.audio && !s.camera, `tracks enabled: audio ${s.audio}, camera ${s.camera}`);
  assert(s.kinds.includes('audio') && s.kinds.includes('camera'), `published: ${s.kinds}`);
  assert(s.mute === '取消静音' && s.cam === '开启摄像头', `buttons: ${s.mute}, ${s.cam}`);
  // Still sent: the agent's counters go on.
  const agent = state.agent;
  const since = agent.events.length;
  const one = await agent.waitEvent('stats', 3000, () => true, since);
  const two = await agent.waitEvent('stats', 3000, (e) => e !== one, since);
  const f = (e) => (e.tracks.find((t) => t.peer === state.peerId && t.track === 'camera') || {}).frames || 0;
  assert(f(two) > f(one), `the agent's camera frames stopped (${f(one)} -> ${f(two)})`);
  await page.click('#mute-button');
  await page.click('#camera-button');
  assert(await page.evaluate(() => window.vwJoin.call.sources.audio.enabled && window.vwJoin.call.sources.camera.enabled), 'not back on');
});

// 9
await step(['media'], async () => {
  const page = state.page;
  state.agent.command({ command: 'share', kind: 'screen', source: 'test' });
  await page.locator('#remote-screen-tile').waitFor({ state: 'visible', timeout: 10000 });
  await waitFor('the agent\'s screen decoded', async () => ((await inbound(page)).screen || {}).framesDecoded > 0, 10000);
  await waitFor('a picture in the screen tile', () => page.$eval('#remote-screen-tile video', (v) => v.videoWidth > 0), 5000);
  const first = await page.$eval('#remote-grid', (g) => g.firstElementChild.id);
  assert(first === 'remote-screen-tile', `the first tile is ${first}`);
  const st = (await inbound(page)).screen;
  diag(`  the agent's screen: ${st.frameWidth}x${st.frameHeight}`);
  await sleep(SHARE_MS);   // long enough to be recorded from a keyframe
  state.agent.command({ command: 'unshare', kind: 'screen' });
  await page.locator('#remote-screen-tile').waitFor({ state: 'detached', timeout: 10000 });
});

// 10
await step(['agentMedia'], async () => {
  const page = state.page;
  const agent = state.agent;
  const sdpBefore = await page.evaluate(() => window.vwJoin.call.pc.remoteDescription.sdp);
  let since = agent.events.length;
  await page.click('#screen-button');
  await waitFor('停止共享', () => page.$eval('#screen-button', (b) => b.textContent === '停止共享'), 10000);
  const ff = await agent.waitEvent('first-frame', 15000, (e) => e.track === 'screen' && e.peer === state.peerId, since);
  diag(`  the agent decodes the page's screen: ${ff.width}x${ff.height}`);
  await sleep(SHARE_MS);
  since = agent.events.length;
  await page.click('#screen-button');
  await agent.waitEvent('track-ended', 10000, (e) => e.track === 'screen' && e.peer === state.peerId, since);
  // Again: the same m-line, no renegotiation.
  since = agent.events.length;
  await page.click('#screen-button');
  await agent.waitEvent('first-frame', 15000, (e) => e.track === 'screen' && e.peer === state.peerId, since);
  await sleep(SHARE_MS);
  await page.click('#screen-button');
  await agent.waitEvent('track-ended', 10000, (e) => e.track === 'screen' && e.peer === state.peerId, since);
  const sdpAfter = await page.evaluate(() => window.vwJoin.call.pc.remoteDescription.sdp);
  assert(sdpAfter === sdpBefore, 'a new offer was made for the screen share');
});

// 11
await step(['agentMedia'], async () => {
  const page = state.page;
  const agent = state.agent;
  const since = agent.events.length;
  agent.command({ command: 'snapshot' });
  const saved = await agent.waitEvent('snapshot-saved', 20000, () => true, since);
  const stored = await agent.waitEvent('snapshot-stored', 10000, (e) => e.snapshot === saved.snapshot, since);
  const settings = await page.evaluate(() => window.vwJoin.call.sources.document.getSettings());
  assert(saved.width === settings.width && saved.height === settings.height,
    `snapshot ${saved.width}x${saved.height}, document camera ${settings.width}x${settings.height}`);
  const bytes = readFileSync(saved.path);
  const sha = createHash('sha256').update(bytes).digest('hex');
  assert(sha === saved.sha256 && sha === stored.sha256 && bytes.length === saved.size, 'the hashes differ');
  assert(bytes.subarray(1, 4).toString() === 'PNG', 'not a PNG');
  // The server keeps it as evidence.
  const evidence = join(dataDir, 'sessions', state.session, 'snapshots', `${saved.snapshot}.png`);
  assert(existsSync(evidence), `no evidence at ${evidence} (have ${readdirSync(join(dataDir, 'sessions', state.session)).join(', ')})`);
  const kept = await page.evaluate((id) => {
    const s = window.vwJoin.snapshots.get(id);
    return s && { sha256: s.sha256, width: s.width, height: s.height, stored: s.stored };
  }, saved.snapshot);
  assert(kept && kept.sha256 === sha, `the page keeps ${JSON.stringify(kept)}`);
  diag(`  snapshot ${saved.snapshot}: ${saved.width}x${saved.height}, ${saved.size} bytes, sha256 ${sha.slice(0, 16)}…`);
  // The agent marks a rectangle; the page draws it on its copy.
  const rect = { x: Math.round(saved.width * 0.5), y: Math.round(saved.height * 0.6), w: Math.round(saved.width * 0.3), h: Math.round(saved.height * 0.15) };
  agent.command({ command: 'annotate', snapshot: saved.snapshot, ...rect, note: NOTE });
  await page.locator('#annotation-panel').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('#annotation-panel').dataset.drawn === '1');
  const notes = await page.innerText('#annotation-notes');
  assert(notes.includes(NOTE), `notes: ${notes}`);
  const drawn = await page.evaluate((r) => {
    const c = document.querySelector('#annotation-canvas');
    const ctx = c.getContext('2d');
    // The rectangle's left edge, halfway down: red.
    const px = ctx.getImageData(r.x + 1, r.y + Math.round(r.h / 2), 1, 1).data;
    return { w: c.width, h: c.height, px: [...px] };
  }, rect);
  assert(drawn.w === saved.width && drawn.h === saved.height, `canvas ${drawn.w}x${drawn.h}`);
  assert(drawn.px[0] > 180 && drawn.px[1] < 60 && drawn.px[2] < 60, `the rectangle's edge is rgb(${drawn.px.slice(0, 3)})`);
  await page.locator('#annotation-panel').screenshot({ path: join(artifacts, 'join-annotation.png') });
});

// 12
await step(['paired'], async () => {
  const page = state.page;
  const agent = state.agent;
  const since = agent.events.length;
  await page.click('#hangup-button');
  await page.locator('#ended-view').waitFor({ state: 'visible' });
  const ended = await agent.waitEvent('ended', 5000, (e) => e.session === state.session, since);
  assert(ended.reason === 'peer-hangup', `the agent's reason: ${ended.reason}`);
  assert((await page.textContent('#ended-reason')).includes('您已挂断'), 'the reason is not shown');
  assert(await page.locator('#rating-form').isVisible(), 'no rating form');
  const live = await page.evaluate(() => window.vwJoin.media);
  assert(live === null, 'the camera is still on');
  state.hungUp = true;
});

// 13
await step(['hungUp'], async () => {
  const page = state.page;
  const comment = '专员讲解清楚，材料问题一次说明白。';
  await page.check('#rating-form input[name="level"][value="5"]');
  await page.fill('#rating-comment', comment);
  await page.click('#rating-submit');
  await page.waitForFunction(() => /感谢您的评价/.test(document.querySelector('#rating-message').textContent));
  assert(await page.locator('#rating-form').isHidden(), 'the form is still shown');
  const login = await http('POST', '/api/login', { body: { username: SUPERVISOR.username, password: SUPERVISOR.password } });
  assert(login.status === 200, `supervisor login: ${login.status} ${login.text}`);
  const r = await http('GET', `/api/sessions/${encodeURIComponent(state.session)}`, { token: login.json.token });
  assert(r.status === 200, `GET /api/sessions/ID: ${r.status} ${r.text}`);
  assert(r.json.rating && r.json.rating.level === 5 && r.json.rating.comment === comment, `rating: ${JSON.stringify(r.json.rating)}`);
  // Once only: the server refuses a second rating of the session.
  const again = await page.evaluate((s) => window.vwJoin.signaling.rate(s, 1, '').then(() => 'ok', (e) => e.code), state.session);
  assert(again === 'wrong-state', `a second rating got ${again}`);
  diag(`  stored: ${JSON.stringify(r.json.rating)}`);
  // The whole call is recorded, the browser's tracks too (a screen shared
  // twice is two tracks), each finished with its chunks.
  let seen = [];
  const detail = await waitFor('every recorded track finished', async () => {
    const d = await http('GET', `/api/sessions/${encodeURIComponent(state.session)}`, { token: login.json.token });
    const tracks = (d.json && d.json.tracks) || [];
    seen = tracks.map((t) => `${t.role}:${t.kind} ${t.duration_ms} ms/${t.chunks.length} chunks`);
    return tracks.length >= 8 && tracks.every((t) => t.duration_ms > 0 && t.chunks.length > 0) ? d.json : null;
  }, 15000, 300).catch((err) => {
    throw new Error(`${err.message}; tracks: ${seen.join(', ')}`);
  });
  const kinds = detail.tracks.map((t) => `${t.role}:${t.kind}`).sort();
  const want = ['agent:audio', 'agent:camera', 'agent:screen', 'clerk:audio', 'clerk:camera', 'clerk:document', 'clerk:screen', 'clerk:screen'];
  assert(JSON.stringify(kinds) === JSON.stringify(want.sort()), `recorded tracks: ${kinds.join(', ')}`);
  diag(`  recorded: ${detail.tracks.map((t) => `${t.role}:${t.kind} ${t.duration_ms} ms`).join(', ')}`);
});

// 14: the agent is free again; a second page takes it, a third queues and reloads.
await step(['paired'], async () => {
  const b = await newPage(context, 'second');
  state.pageB = b;
  const who = { name: '陈静', province: 'zhejiang', handledIn: 'shanghai', item: '食品经营许可证', center: '嘉善县行政服务中心' };
  const r = await callToPaired(b, who, state.agent);
  state.sessionB = r.paired.session;
  state.bPaired = true;

  const c = await newPage(context, 'third');
  state.pageC = c;
  const third = { name: '赵磊', province: 'anhui', handledIn: 'shanghai', item: '公积金跨省提取', center: '合肥市政务服务中心' };
  state.third = third;
  await c.goto(new URL('/join.html', state.url).href);
  await fillForm(c, third);
  await c.click('#call-button');
  await waitFor('排队中 第1位', async () => (await queuePosition(c)) === '排队中第1位');
  await c.reload();
  await fillForm(c, third);
  await c.click('#call-button');
  await c.locator('#queue-view').waitFor({ state: 'visible' });
  // The old connection's place is gone: first again, not second.
  await waitFor('排队中 第1位 after the reload', async () => (await queuePosition(c)) === '排队中第1位', 5000);
  await sleep(500);
  assert((await queuePosition(c)) === '排队中第1位', `after the reload: ${await queuePosition(c)}`);
  state.cQueued = true;
});

// 15
await step(['bPaired', 'cQueued'], async () => {
  const agent = state.agent;
  const since = agent.events.length;
  const closedAt = Date.now();
  await state.pageB.close();
  const ended = await agent.waitEvent('ended', 5000, (e) => e.session === state.sessionB, since);
  const took = ended.receivedAt - closedAt;
  assert(ended.reason === 'peer-disconnected', `reason ${ended.reason}`);
  assert(took <= 2000, `ended after ${took} ms`);
  diag(`  ended (peer-disconnected) ${took} ms after the tab closed`);
  // The third page is served next.
  const c = state.pageC;
  await c.locator('#call-view').waitFor({ state: 'visible', timeout: 10000 });
  await agent.waitEvent('paired', 5000, (e) => e.peer && e.peer.name === state.third.name, since);
  state.cInCall = true;
});

// 16
await step(['cInCall'], async () => {
  const c = state.pageC;
  await c.setViewportSize({ width: 390, height: 844 });
  await waitFor('the agent\'s picture on the phone', () => c.$eval('#remote-camera', (v) => v.videoWidth > 0), 10000);
  const { scroll, width } = await c.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  const file = join(artifacts, 'join-phone.png');
  await c.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
  assert(scroll <= width + 1, `the page is ${scroll} px wide on a ${width} px screen`);
  const hangup = await c.locator('#hangup-button').boundingBox();
  assert(hangup && hangup.x >= 0 && hangup.x + hangup.width <= width, `挂断 at ${JSON.stringify(hangup)}`);
  const since = state.agent.events.length;
  await c.click('#hangup-button');
  await state.agent.waitEvent('ended', 5000, () => true, since);
});

// 17
await step(['served'], async () => {
  assert(pageErrors.length === 0, pageErrors.join('\n'));
});

if (browser)
  await browser.close().catch(() => {});

// 18
await step(['url'], async () => {
  if (state.agent)
    await stopChild(state.agent);
  const code = await stopChild(state.server, 15000);
  assert(code === 0, `vw-server exited ${code}`);
});

cleanup();
if (failed() === 0)
  rmSync(state.work, { recursive: true, force: true });
else
  diag(`data kept in ${state.work}`);
diag(`${CASES.length - failed()} of ${CASES.length} passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(failed() ? 1 : 0);
