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
// join-phone.png, join-booking.png, join-three-party.png,
// join-transferred.png), the server's log and the agents' event lines go to
// VW_ARTIFACTS.  CHROMIUM overrides the browser (default /usr/bin/chromium);
// VW_TEST_VERBOSE=1 echoes the server's log and the pages' console.

import { mkdtempSync, existsSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { harness } from './lib.mjs';

const CASES = [
  'vw-admin adds an agent (张敏, 黄浦区政务服务中心) and a supervisor; vw-server starts',
  'the landing page links to /join.html; the page, its modules and styles are served',
  'camera and microphone denied: the message is shown and nothing is sent to the server',
  'an enterprise fills in the form, allows camera and microphone, picks a second camera as 高拍仪 and calls: the request names the item by its code, 排队中 第1位 and, on a fresh server, 暂无历史数据，无法估算等待时间 (join-queued.png)',
  'the native agent signs in and is paired with the waiting page: the agent is named, 本次服务全程录音录像 is shown',
  'the page decodes the agent\'s video and hears its audio (getStats rising)',
  'the agent decodes the page\'s camera and document camera and hears its audio (join-in-call.png)',
  'mute and camera off keep the tracks sent (enabled false), and back on',
  'the agent shares its screen: the page shows it in front and decodes it; unshared, it goes',
  'the page shares its screen mid-call (publish, no new offer): the agent decodes it; stopped and shared again',
  'the agent asks for a snapshot of the document camera: full resolution, PNG, hash-checked; its annotation is drawn on the page',
  'the page hangs up: the agent gets ended (peer-hangup), the rating form appears',
  'the rating 好差评 is sent once and stored (rating.level in the API); the form disappears; a second one is refused; every track of the call was recorded',
  'a clerk queued for an item served before is shown the server\'s estimate (预计等待约 N 分钟); a reload while queued: the old place is kept for the grace period of a drop-out (3 s here), then dropped: the new page is 第1位',
  'a tab closed mid-call hangs up as it goes: the agent gets ended (peer-hangup) within 2 s, and the queue moves on',
  'on a phone-sized screen the call fits the width (join-phone.png)',
  '我要约: slots created by a supervisor are listed with their places; a slot taken meanwhile says 已约满; a booking shows its code, kept in localStorage and listed as 已预约 with 按预约办理; a later one is cancelled (已取消), an unknown code is said so; it fits a phone (join-booking.png, join-booking-phone.png)',
  '按预约办理: the request carries the booking\'s code, the agent serves the holder, the booking is arrived with the session, the page lists it as 已按预约办理',
  '三方通话: the agent invites a colleague of another centre (she handles 企业设立 only): the page shows her own tile, named, decoded, and plays her voice (join-three-party.png)',
  'the third participant leaves: her tile and her voice go, the call with the agent goes on',
  '转办 to a colleague: the page says 已为您转接, the same call (same session, case and connection) goes on with the new agent\'s picture; the first agent\'s tracks are gone (join-transferred.png)',
  '转办 to an item\'s queue: the page, still in the call, shows the queue place and the honest no-estimate text; the next agent takes over the same session',
  'no script errors or CSP violations in the pages',
  'vw-server stops cleanly',
];

const AGENT = { username: 'zhangmin', password: 'Bangban-2026-huangpu', name: '张敏' };
const COLLEAGUE = { username: 'lina', password: 'Bangban-2026-qingpu', name: '李娜', center: '青浦区行政服务中心' };
const SUPERVISOR = { username: 'wangfang', password: 'Jiandu-2026-huangpu', name: '王芳' };
const ENTERPRISE = { name: '王强', province: 'jiangsu', handledIn: 'shanghai', item: '企业设立' };
const CODES = { 企业设立: 'QY-SL-001', 企业变更: 'QY-BG-002', 食品经营许可证: 'SP-JY-004', 公积金跨省提取: 'GJJ-TQ-006' };
const NO_HISTORY = '暂无历史数据，无法估算等待时间';
const BOOKING_CODE = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{16}$/;   // 79 bits (server/API.md)
const NOTE = '此处缺少法定代表人签名';
const SHARE_MS = 1000;   // a screen share lasts this long after its first frame
const GRACE_S = 3;       // the server keeps a lost connection this long (drop-outs: test-page-reconnect)


const {
  env, artifacts, chromiumPath, state, playwright, diag, bailOut, step, assert, waitFor,
  program, startProcess, serverUrl, runAdmin, startClient, stopChild, http, finish, failed,
} = await harness(CASES, { logPrefix: 'join-' });

// ------------------------------------------------------------------ processes

function startAgent(acc = AGENT, label = 'agent', center = '黄浦区政务服务中心', extra = []) {
  const passwordFile = join(state.work, `${label}-password`);
  writeFileSync(passwordFile, `${acc.password}\n`, { mode: 0o600 });
  return startClient(label, ['--role', 'agent', '--user', acc.username,
    '--password-file', passwordFile, '--province', 'shanghai', '--center', center,
    '--stats-interval', '500', ...extra], { name: acc.name });
}


// ------------------------------------------------------------------ pages

const pageErrors = [];

async function newPage(context, label) {
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.label = label;
  page.sockets = [];
  page.sent = [];   // the messages the page sent on its WebSocket
  page.on('websocket', (ws) => {
    page.sockets.push(ws.url());
    ws.on('framesent', (f) => {
      try {
        page.sent.push(JSON.parse(f.payload));
      } catch (e) {
        // not JSON
      }
    });
  });
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
state.work = mkdtempSync(join(tmpdir(), 'vw-join-'));
const dataDir = join(state.work, 'data');

// 1
await step([], async () => {
  for (const [acc, role, extra] of [[AGENT, 'agent', []], [SUPERVISOR, 'supervisor', ['--scope', 'center']],
    [COLLEAGUE, 'agent', []]]) {
    const r = await runAdmin(['--data-dir', dataDir, 'add-account', '--username', acc.username,
      '--role', role, '--name', acc.name, '--province', 'shanghai', '--center', acc.center || '黄浦区政务服务中心', ...extra],
    `${acc.password}\n`);
    assert(r.code === 0, `vw-admin (${role}) exited ${r.code}: ${r.err.trim()}`);
  }
  // No wrap-up: the native agent takes the next page at once.
  const server = startProcess('vw-server', program('VW_SERVER'),
    ['--port', '0', '--address', '127.0.0.1', '--ice-address', '127.0.0.1', '--data-dir', dataDir,
      '--wrap-up-seconds', '0', '--reconnect-grace', String(GRACE_S)], { stdin: 'ignore' });
  state.server = server;
  state.url = await serverUrl(server);
  diag(`  server: ${state.url}`);
});

// 2
await step(['url'], async () => {
  const index = await http('GET', '/');
  assert(index.status === 200 && index.text.includes('href="/join.html"'), 'the landing page does not link to /join.html');
  // The page's own modules: every file of web/join/.
  const modules = readdirSync(new URL('../../web/join/', import.meta.url)).map((f) => [`/join/${f}`, /javascript/]);
  assert(modules.length > 0, 'web/join/ holds no module');
  for (const [path, type] of [['/join.html', /text\/html/], ['/join.js', /javascript/], ['/js/vw-signaling.js', /javascript/],
    ['/js/vw-call.js', /javascript/], ['/js/vw-transfer.js', /javascript/], ['/js/vw-annotate.js', /javascript/], ['/call.css', /text\/css/],
    ...modules]) {
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
    return page.$$eval('#item option', (os) => os.map((o) => ({ name: o.textContent, code: o.value })));
  };
  const anhui = await itemsIn('anhui');
  assert(anhui.length > 0 && anhui.every((o) => /^[A-Z][A-Z0-9-]+$/.test(o.code)), `anhui items: ${JSON.stringify(anhui)}`);
  assert(!anhui.some((o) => o.name === '食品经营许可证' || o.name === '不动产登记'), `anhui items: ${JSON.stringify(anhui)}`);
  const shanghai = await itemsIn('shanghai');
  assert(shanghai.some((o) => o.name === '食品经营许可证' && o.code === 'SP-JY-004'), `shanghai items: ${JSON.stringify(shanghai)}`);
  // 出生一件事 is handled online (网上办), not at the remote window.
  assert(!shanghai.some((o) => o.name === '出生一件事'), `shanghai items: ${JSON.stringify(shanghai)}`);
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
  const request = page.sent.find((m) => m.type === 'request');
  assert(request && request.item === CODES[ENTERPRISE.item] && request.province === 'shanghai' && !('booking' in request),
    `the request: ${JSON.stringify(request)}`);
  // A fresh server has no history: no number is made up.
  const wait = (await page.textContent('#queue-wait')).trim();
  assert(wait === NO_HISTORY, `the wait shown: "${wait}"`);
  assert(!/分钟/.test(await page.innerText('#queue-view')), 'a wait in minutes is shown without an estimate');
  assert((await page.textContent('#queue-detail')).includes(ENTERPRISE.item), 'the queue does not name the item');
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
  // 企业设立 was served once (the first page): the server has a handling
  // time for it, and the agent is on duty (busy), so it estimates.
  const third = { name: '赵磊', province: 'anhui', handledIn: 'shanghai', item: '企业设立', center: '合肥市政务服务中心' };
  state.third = third;
  await c.goto(new URL('/join.html', state.url).href);
  await fillForm(c, third);
  await c.click('#call-button');
  await waitFor('排队中 第1位', async () => (await queuePosition(c)) === '排队中第1位');
  const queued = await c.evaluate(() => window.vwJoin.queued);
  assert(queued && Number.isInteger(queued.wait_s) && queued.wait_s > 0 && queued.wait_samples >= 1,
    `queued: ${JSON.stringify(queued)}`);
  const minutes = Math.max(1, Math.ceil(queued.wait_s / 60));
  const shown = (await c.textContent('#queue-wait')).trim();
  assert(shown.startsWith(`预计等待约 ${minutes} 分钟`) && shown.includes(`最近 ${queued.wait_samples} 次`),
    `the wait shown: "${shown}" for ${JSON.stringify(queued)}`);
  diag(`  estimate: ${queued.wait_s} s from ${queued.wait_samples} session(s): "${shown}"`);
  await c.reload();
  await fillForm(c, third);
  await c.click('#call-button');
  await c.locator('#queue-view').waitFor({ state: 'visible' });
  // The old connection's place is kept while it might come back (a reload
  // looks like a drop-out to the server), then dropped: first again.
  const reloadedAt = Date.now();
  const seen = new Set();
  await waitFor('排队中 第1位 after the reload', async () => {
    const p = await queuePosition(c);
    seen.add(p);
    return p === '排队中第1位';
  }, (GRACE_S + 5) * 1000);
  assert([...seen].every((p) => /^排队中第[12]位$|^正在呼叫/.test(p)), `after the reload: ${[...seen].join(', ')}`);
  await sleep(500);
  assert((await queuePosition(c)) === '排队中第1位', `after the reload: ${await queuePosition(c)}`);
  diag(`  after the reload: ${[...seen].join(' -> ')} in ${Date.now() - reloadedAt} ms`);
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
  assert(ended.reason === 'peer-hangup', `reason ${ended.reason}`);
  assert(took <= 2000, `ended after ${took} ms`);
  diag(`  ended (peer-hangup) ${took} ms after the tab closed`);
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

// ---- 我要约

const MINUTE = 60000;

async function supervisorToken() {
  if (state.supToken)
    return state.supToken;
  const login = await http('POST', '/api/login', { body: { username: SUPERVISOR.username, password: SUPERVISOR.password } });
  assert(login.status === 200, `supervisor login: ${login.status} ${login.text}`);
  state.supToken = login.json.token;
  return state.supToken;
}

async function createSlot(startsAt, minutes, capacity) {
  const r = await http('POST', '/api/slots', {
    token: await supervisorToken(),
    body: { center: '黄浦区政务服务中心', province: 'shanghai', item: CODES.企业设立, starts_at: startsAt, ends_at: startsAt + minutes * MINUTE, capacity },
  });
  assert(r.status === 201 && r.json && r.json.id, `POST /api/slots: ${r.status} ${r.text}`);
  return r.json;
}

const slotRow = (page, slot) => page.locator(`#slot-table tr[data-slot="${slot.id}"]`);
const bookingItem = (page, code) => page.locator(`#my-bookings li[data-code="${code}"]`);

async function bookOnPage(page, slot, { name, kind = 'enterprise', contact = '' }) {
  await slotRow(page, slot).locator('button').click();
  await page.locator('#book-form').waitFor({ state: 'visible' });
  await page.fill('#book-name', name);
  await page.check(`#book-form input[name="kind"][value="${kind}"]`);
  await page.fill('#book-contact', contact);
}

// 17
await step(['cInCall'], async () => {
  // Slots of 黄浦区政务服务中心 for 企业设立: two due now (check-in opens 15
  // minutes before the start), one tomorrow.
  const start = Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
  const s1 = await createSlot(start, 30, 1);
  const s2 = await createSlot(start + MINUTE, 30, 3);
  const s3 = await createSlot(start + 24 * 60 * MINUTE, 30, 2);
  state.slots = { s1, s2, s3 };
  const page = await newPage(context, 'booking');
  state.pageE = page;
  await page.goto(new URL('/join.html', state.url).href);
  await page.waitForFunction(() => Array.isArray(window.vwJoin.catalogue));
  assert((await page.textContent('#my-bookings-empty')).includes('还没有预约'), 'a fresh browser lists bookings');
  await page.selectOption('#slot-province', 'shanghai');
  await page.selectOption('#slot-item', CODES.企业设立);
  await page.selectOption('#slot-center', '黄浦区政务服务中心');
  await page.click('#slot-search');
  await slotRow(page, s3).waitFor({ state: 'visible' });
  for (const [sl, places] of [[s1, '1 / 1'], [s2, '3 / 3'], [s3, '2 / 2']]) {
    const text = await slotRow(page, sl).innerText();
    assert(text.includes(places) && text.includes('黄浦区政务服务中心') && text.includes('企业设立'), `slot ${sl.id}: ${text}`);
  }
  // The last place of s1 goes to someone else while this page fills in the form.
  await bookOnPage(page, s1, { name: ENTERPRISE.name });
  const other = await http('POST', '/api/appointments', { body: { slot: s1.id, name: '赵磊', kind: 'citizen' } });
  assert(other.status === 201, `booking s1 from elsewhere: ${other.status} ${other.text}`);
  await page.click('#book-submit');
  await page.waitForFunction(() => /已约满/.test(document.querySelector('#book-message').textContent));
  // The browser logs the 409 of the full slot as a failed resource: expected.
  for (let i = pageErrors.length - 1; i >= 0; i--)
    if (/^booking: console: .*409/.test(pageErrors[i]))
      pageErrors.splice(i, 1);
  await waitFor('s1 shown full', async () => (await slotRow(page, s1).innerText()).includes('0 / 1'), 5000);
  assert(await slotRow(page, s1).locator('button').isDisabled(), 'a full slot can still be booked');
  assert((await slotRow(page, s1).locator('button').textContent()).includes('已约满'), 'a full slot does not say 已约满');
  // s2: booked.
  await bookOnPage(page, s2, { name: ENTERPRISE.name, kind: 'enterprise', contact: '13800001234' });
  await page.click('#book-submit');
  await page.locator('#book-result').waitFor({ state: 'visible' });
  const code = (await page.textContent('#book-code')).trim();
  assert(BOOKING_CODE.test(code), `the code shown: "${code}"`);
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('vw.bookings') || '[]'));
  assert(kept.includes(code), `localStorage keeps ${JSON.stringify(kept)}`);
  await bookingItem(page, code).waitFor({ state: 'visible' });
  const li = await bookingItem(page, code).innerText();
  assert(li.includes('已预约') && li.includes('企业设立') && li.includes('黄浦区政务服务中心') && li.includes(ENTERPRISE.name), `my booking: ${li}`);
  assert(await bookingItem(page, code).locator('.vw-use-booking').isVisible(), 'no 按预约办理 while the booking is due');
  await waitFor('s2 shown with a place less', async () => (await slotRow(page, s2).innerText()).includes('2 / 3'), 5000);
  const api = await http('GET', `/api/appointments?codes=${code}`);
  const b = api.json && api.json.appointments && api.json.appointments[0];
  assert(b && b.state === 'booked' && b.name === ENTERPRISE.name && b.kind === 'enterprise' && b.contact === '138****1234' /* masked: a code shows little */ && b.slot === s2.id,
    `GET /api/appointments: ${api.status} ${api.text}`);
  state.bookingCode = code;
  // s3 (tomorrow): not due yet, and cancelled.
  await bookOnPage(page, s3, { name: ENTERPRISE.name, kind: 'citizen' });
  await page.click('#book-submit');
  await page.waitForFunction((c) => {
    const code3 = document.querySelector('#book-code').textContent.trim();
    return code3 && code3 !== c && document.querySelector(`#my-bookings li[data-code="${code3}"]`);
  }, code);
  const code3 = (await page.textContent('#book-code')).trim();
  const later = bookingItem(page, code3);
  assert((await later.innerText()).includes('预约开始前 15 分钟起可按预约办理'), `tomorrow's booking: ${await later.innerText()}`);
  assert(await later.locator('.vw-use-booking').count() === 0, '按预约办理 offered a day early');
  await later.locator('.vw-cancel-booking').click();
  await later.locator('.vw-cancel-confirm').click();
  await waitFor('已取消', async () => (await bookingItem(page, code3).getAttribute('data-state')) === 'cancelled', 5000);
  assert((await bookingItem(page, code3).innerText()).includes('已取消'), 'the cancelled booking does not say 已取消');
  const cancelled = await http('GET', `/api/appointments/${code3}`);
  assert(cancelled.status === 200 && cancelled.json.state === 'cancelled', `GET /api/appointments/${code3}: ${cancelled.text}`);
  // Kept across a reload; a code the server does not know is said so.
  await page.evaluate(() => {
    const list = JSON.parse(localStorage.getItem('vw.bookings'));
    list.unshift('ZZZZ2345');
    localStorage.setItem('vw.bookings', JSON.stringify(list));
  });
  await page.reload();
  await bookingItem(page, code).waitFor({ state: 'visible' });
  await bookingItem(page, 'ZZZZ2345').waitFor({ state: 'visible' });
  assert((await bookingItem(page, 'ZZZZ2345').innerText()).includes('未找到'), 'an unknown code is not said so');
  assert((await bookingItem(page, code3).getAttribute('data-state')) === 'cancelled', 'the cancelled booking is gone after a reload');
  const file = join(artifacts, 'join-booking.png');
  await page.locator('#booking-panel').screenshot({ path: file });
  // On a phone: the slots and bookings fit the width.
  await page.selectOption('#slot-province', 'shanghai');
  await page.selectOption('#slot-item', CODES.企业设立);
  await page.selectOption('#slot-center', '黄浦区政务服务中心');
  await page.click('#slot-search');
  await slotRow(page, s2).waitFor({ state: 'visible' });
  await page.setViewportSize({ width: 390, height: 844 });
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  const phone = join(artifacts, 'join-booking-phone.png');
  await page.locator('#booking-panel').screenshot({ path: phone });
  assert(scroll <= width + 1, `the booking panel is ${scroll} px wide on a ${width} px screen`);
  await page.setViewportSize({ width: 1366, height: 900 });
  diag(`  booked ${code} (slot ${s2.id}), cancelled ${code3}; ${file}, ${phone}`);
  state.booked = true;
});

// 18
await step(['booked'], async () => {
  const page = state.pageE;
  const agent = state.agent;
  const since = agent.events.length;
  await bookingItem(page, state.bookingCode).locator('.vw-use-booking').click();
  await page.locator('#call-view').waitFor({ state: 'visible', timeout: 20000 });
  const request = page.sent.find((m) => m.type === 'request');
  assert(request && request.booking === state.bookingCode && request.item === CODES.企业设立 && request.province === 'shanghai',
    `the request: ${JSON.stringify(request)}`);
  const paired = await agent.waitEvent('paired', 10000, (e) => e.peer && e.peer.name === ENTERPRISE.name, since);
  const session = await page.evaluate(() => window.vwJoin.session);
  assert(session === paired.session, `the page is in ${session}, the agent in ${paired.session}`);
  const b = await http('GET', `/api/appointments/${state.bookingCode}`);
  assert(b.status === 200 && b.json.state === 'arrived' && b.json.arrived_at > 0, `the booking after check-in: ${b.text}`);
  assert(b.json.session_id === session, `the booking's session is ${b.json.session_id}, the call's ${session}`);
  await page.click('#hangup-button');
  await page.locator('#ended-view').waitFor({ state: 'visible' });
  await agent.waitEvent('ended', 5000, (e) => e.session === session, since);
  await page.reload();
  await waitFor('已按预约办理', async () => (await bookingItem(page, state.bookingCode).getAttribute('data-state')) === 'arrived', 5000);
  assert((await bookingItem(page, state.bookingCode).innerText()).includes('已按预约办理'), 'the used booking does not say so');
  assert(await bookingItem(page, state.bookingCode).locator('.vw-use-booking').count() === 0, 'a used booking offers 按预约办理 again');
  await page.close();
});

// 19: the page D, in a call with 张敏; 李娜 (another centre, 企业设立 only) signs in and is invited.
await step(['cInCall'], async () => {
  const d = await newPage(context, 'transferred');
  state.pageD = d;
  const who = { name: '孙丽', province: 'zhejiang', handledIn: 'shanghai', item: '企业设立', center: '嘉善县行政服务中心' };
  const r = await callToPaired(d, who, state.agent);
  state.sessionD = r.paired.session;
  state.dPeer = r.peerId;
  state.caseD = r.paired.case;
  state.zmPeer = state.agent.events.find((e) => e.event === 'registered').peer_id;
  const lina = startAgent(COLLEAGUE, 'agent-lina', COLLEAGUE.center, ['--items', CODES.企业设立]);
  state.lina = lina;
  state.linaPeer = (await lina.waitEvent('registered', 15000)).peer_id;
  await lina.waitEvent('agent-state', 10000, (e) => e.state === 'available');
  await waitFor('the agent\'s camera on the page', () => d.$eval('#remote-camera', (v) => v.videoWidth > 0), 15000);
  await d.evaluate(() => { window.vwJoin.call.testMark = 'the first call'; });
  const since = state.agent.events.length;
  state.agent.command({ command: 'invite', agent: COLLEAGUE.username });
  const guestPaired = await lina.waitEvent('paired', 10000, (e) => e.session === state.sessionD);
  assert(guestPaired.peer.name === who.name, `李娜 joins with ${JSON.stringify(guestPaired.peer)}`);
  const joined = await state.agent.waitEvent('joined', 10000, (e) => e.peer_id === state.linaPeer, since);
  assert(joined.peer.name === COLLEAGUE.name, `joined: ${JSON.stringify(joined)}`);
  // The page: 李娜's own tile, named, with her pictures; her voice too.
  const tileId = `#remote-m-${state.linaPeer}-camera-tile`;
  await d.locator(tileId).waitFor({ state: 'visible', timeout: 15000 });
  const head = await d.textContent(`${tileId} header`);
  assert(head.includes(COLLEAGUE.name) && head.includes(COLLEAGUE.center), `her tile says "${head}"`);
  await waitFor('her picture', () => d.$eval(`${tileId} video`, (v) => v.videoWidth > 0 && v.readyState >= 2), 15000);
  const members = await d.textContent('#call-members');
  assert(members.includes('三方通话') && members.includes(COLLEAGUE.name), `members: ${members}`);
  await waitFor('her voice', () => d.$eval(`#remote-audio-${state.linaPeer}`, (a) => !!a.srcObject && !a.paused), 10000);
  // 张敏 is still in his tile.
  assert(await d.getAttribute('#remote-camera-tile', 'data-peer') === state.zmPeer, 'the agent\'s tile lost him');
  // And she decodes the page.
  await lina.waitEvent('first-frame', 15000, (e) => e.peer === state.dPeer && e.track === 'camera');
  const file = join(artifacts, 'join-three-party.png');
  await d.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
  state.threeParty = true;
});

// 20
await step(['threeParty'], async () => {
  const d = state.pageD;
  const since = state.lina.events.length;
  state.lina.command({ command: 'hangup' });
  const ended = await state.lina.waitEvent('ended', 10000, (e) => e.session === state.sessionD, since);
  assert(ended.reason === 'hangup', `李娜's reason: ${ended.reason}`);
  await d.locator(`#remote-m-${state.linaPeer}-camera-tile`).waitFor({ state: 'detached', timeout: 10000 });
  await d.locator('#call-members').waitFor({ state: 'hidden', timeout: 5000 });
  assert((await d.textContent('#call-message')).includes('已离开'), 'no message that she left');
  assert(await d.locator('#call-view').isVisible(), 'the call ended when the third party left');
  assert(await d.$(`#remote-audio-${state.linaPeer}`) === null, 'her audio element stays');
  await state.lina.waitEvent('agent-state', 10000, (e) => e.state === 'available', since);
});

// 21
await step(['threeParty'], async () => {
  const d = state.pageD;
  const zm = state.agent;
  const since = zm.events.length;
  const linaSince = state.lina.events.length;
  zm.command({ command: 'transfer', agent: COLLEAGUE.username });
  const ended = await zm.waitEvent('ended', 10000, (e) => e.session === state.sessionD, since);
  assert(ended.reason === 'transferred', `张敏's reason: ${ended.reason}`);
  const paired = await state.lina.waitEvent('paired', 10000, (e) => e.session === state.sessionD, linaSince);
  assert(paired.peer.name === '孙丽' && paired.case === state.caseD, `李娜 paired: ${JSON.stringify(paired)}`);
  await waitFor('the new agent named', async () => (await d.textContent('#peer-name')).includes(COLLEAGUE.name), 10000);
  const notice = await d.textContent('#transfer-notice');
  assert(notice.includes('已转接至帮办专员') && notice.includes(COLLEAGUE.name), `notice: ${notice}`);
  assert(await d.evaluate(() => window.vwJoin.call.testMark) === 'the first call', 'the call was restarted');
  assert(await d.evaluate(() => window.vwJoin.session) === state.sessionD, 'another session');
  assert((await d.textContent('#case-no')).includes(state.caseD), 'another case number');
  assert(await d.locator('#call-view').isVisible(), 'the call view went away');
  await waitFor('her camera in the agent tile', async () =>
    (await d.getAttribute('#remote-camera-tile', 'data-peer')) === state.linaPeer
    && d.$eval('#remote-camera', (v) => v.videoWidth > 0), 15000).catch(async (err) => {
    const seen = await d.evaluate(async () => {
      const call = window.vwJoin.call;
      const cam = call.remoteTracks().find((t) => t.kind === 'camera');
      const section = (sdp) => (cam ? sdp.split(/(?=\r\nm=)/).find((x) => x.includes(`a=mid:${cam.mid}\r\n`)) : '') || '';
      return {
        table: call.table, shown: call.remoteTracks().map((t) => `${t.peer}:${t.kind}:${t.mid}:${t.track.readyState}:${t.track.muted}`),
        tile: { ...document.querySelector('#remote-camera-tile').dataset }, width: document.querySelector('#remote-camera').videoWidth,
        stats: (await call.receiveStats()).map((x) => `${x.mid}:${x.kind}:${x.packets}/${x.framesDecoded}`),
        remote: section(call.pc.remoteDescription.sdp).replace(/\r\na=(candidate|ice|fingerprint|setup|rtcp-fb|extmap|ssrc)[^\r]*/g, ''),
        local: section(call.pc.localDescription.sdp).replace(/\r\na=(candidate|ice|fingerprint|setup|rtcp-fb|extmap|ssrc)[^\r]*/g, ''),
        lines: call.pc.remoteDescription.sdp.split(/(?=\r\nm=)/).slice(1).map((x) => {
          const mid = (/a=mid:(\S+)/.exec(x) || [])[1];
          const dir = (/a=(sendonly|recvonly|sendrecv|inactive)/.exec(x) || [])[1];
          const m = /m=(\S+) (\d+) \S+ ([\d ]+)/.exec(x);
          const ssrc = [...new Set([...x.matchAll(/a=ssrc:(\d+)/g)].map((y) => y[1]))].join(',');
          return `${mid}:${dir}:${m && m[2]}:${m && m[3]}${ssrc ? `:ssrc ${ssrc}` : ''}`;
        }),
        transceivers: call.pc.getTransceivers().map((t) => `${t.mid}:${t.direction}/${t.currentDirection}`),
      };
    });
    throw new Error(`${err.message}; the page: ${JSON.stringify(seen)}`);
  });
  const left = await d.evaluate((zmPeer) => ({
    tiles: document.querySelectorAll(`[data-peer="${zmPeer}"]`).length,
    tracks: window.vwJoin.call.remoteTracks().filter((t) => t.peer === zmPeer).length,
  }), state.zmPeer);
  assert(left.tiles === 0 && left.tracks === 0, `张敏 still shown: ${JSON.stringify(left)}`);
  await state.lina.waitEvent('first-frame', 15000, (e) => e.peer === state.dPeer && e.track === 'camera', linaSince);
  const file = join(artifacts, 'join-transferred.png');
  await d.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
  state.transferred = true;
});

// 22
await step(['transferred'], async () => {
  const d = state.pageD;
  const zm = state.agent;
  let since = zm.events.length;
  zm.command({ command: 'status', available: false });
  await zm.waitEvent('agent-state', 5000, (e) => e.state === 'away', since);
  // 李娜 handles 企业设立 only: nobody on duty serves 企业变更, so the page waits.
  const linaSince = state.lina.events.length;
  state.lina.command({ command: 'transfer', item: CODES.企业变更 });
  await state.lina.waitEvent('ended', 10000, (e) => e.reason === 'transferred', linaSince);
  await waitFor('the queue in the call', async () => (await d.getAttribute('#transfer-notice', 'data-position')) === '1', 10000);
  const notice = await d.textContent('#transfer-notice');
  // Nobody on duty handles 企业变更 (张敏 is away, 李娜 handles 企业设立
  // only): no estimate, and the page says why.
  const queued = await d.evaluate(() => window.vwJoin.queued);
  assert(queued && queued.item === CODES.企业变更 && queued.position === 1 && queued.wait_s === undefined, `queued: ${JSON.stringify(queued)}`);
  const why = queued.wait_samples ? '目前没有帮办专员在岗，暂时无法估算等待时间' : NO_HISTORY;
  assert(notice.includes('企业变更') && notice.includes('排队中 第1位') && notice.includes(why), `notice: ${notice}`);
  assert(!/约 \d+ 分钟/.test(notice), `a made-up wait: ${notice}`);
  diag(`  in the call, queued for 企业变更: "${notice}" (wait_samples ${queued.wait_samples})`);
  assert(await d.locator('#call-view').isVisible(), 'the call view went away while waiting');
  await waitFor('her tracks gone', () => d.evaluate((p) => window.vwJoin.call.remoteTracks().every((t) => t.peer !== p), state.linaPeer), 10000);
  assert((await d.textContent('#remote-camera-tile .vw-media-state')).includes('正在为您转接'), 'the agent tile does not say 正在为您转接');
  since = zm.events.length;
  zm.command({ command: 'status', available: true });
  const paired = await zm.waitEvent('paired', 10000, (e) => e.session === state.sessionD, since);
  assert(paired.peer.name === '孙丽', `张敏 paired with ${JSON.stringify(paired.peer)}`);
  await waitFor('张敏 named again', async () => (await d.textContent('#peer-name')).includes(AGENT.name), 10000);
  assert((await d.textContent('#peer-detail')).includes('企业变更'), `detail: ${await d.textContent('#peer-detail')}`);
  await waitFor('his camera', async () => (await d.getAttribute('#remote-camera-tile', 'data-peer')) === state.zmPeer
    && d.$eval('#remote-camera', (v) => v.videoWidth > 0), 15000);
  assert(await d.evaluate(() => window.vwJoin.call.testMark) === 'the first call', 'the call was restarted');
  since = zm.events.length;
  await d.click('#hangup-button');
  await d.locator('#ended-view').waitFor({ state: 'visible' });
  const ended = await zm.waitEvent('ended', 5000, (e) => e.session === state.sessionD, since);
  assert(ended.reason === 'peer-hangup', `张敏's reason: ${ended.reason}`);
  assert(await d.locator('#rating-form').isVisible(), 'no rating after a transferred call');
});

// 23
await step(['served'], async () => {
  assert(pageErrors.length === 0, pageErrors.join('\n'));
});

if (browser)
  await browser.close().catch(() => {});

// 24
await step(['url'], async () => {
  if (state.lina)
    await stopChild(state.lina);
  if (state.agent)
    await stopChild(state.agent);
  const code = await stopChild(state.server, 15000);
  assert(code === 0, `vw-server exited ${code}`);
});

finish(state.work, null);
