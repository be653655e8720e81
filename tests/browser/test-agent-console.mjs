// test-agent-console: the agent console (web/agent.html, 帮办专员工作台) in a
// real browser (Debian's Chromium with fake camera and microphone, driven by
// playwright-core) against a real vw-server, serving a real native clerk
// (vw-client with a test document camera) through the media hub.
//
//   VW_SERVER=build/server/vw-server VW_CLIENT=build/client/vw-client \
//   VW_ADMIN=build/server/vw-admin VW_ARTIFACTS=build/meson-logs/artifacts \
//   node tests/browser/test-agent-console.mjs
//
// Speaks TAP.  Screenshots (agent-in-call.png, agent-snapshot-marked.png,
// agent-phone.png, agent-three-party.png, agent-transfer.png), the server's
// log, the clerks' and the colleague's event lines and the
// browser's signalling frames go to VW_ARTIFACTS (printed in a comment).
// CHROMIUM overrides the browser (default /usr/bin/chromium);
// VW_TEST_VERBOSE=1 echoes the server's log.

import { createHash } from 'node:crypto';
import { mkdtempSync, createWriteStream, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { harness } from './lib.mjs';

// ------------------------------------------------------------------ setup

const CASES = [
  'vw-admin adds the agents 张敏 (shanghai, 黄浦区政务服务中心) and 李娜 (青浦区行政服务中心) and a supervisor',
  'vw-server starts (wrap-up 5 s) and prints its URL',
  'the landing page links the agent console; the page and its modules are served',
  'a wrong password is refused; signing in shows the desk, 暂离（示忙） as the server says, with the token in memory only',
  '示闲 with nobody waiting: 空闲（示闲） as the server says; 示忙: 暂离 again; the items handled are chosen from the catalogue and said in hello, then all again',
  'clerks ask while the agent is away: the console shows the queue entries by item name, an appointment holder first and marked 预约, the wait counting up',
  'going available takes the clerk automatically: 通话中, 本次服务全程录音录像, the item, the queue empty',
  'the browser decodes the clerk\'s camera and document camera (frames rising, document 1920x1080)',
  'the native clerk decodes the browser agent\'s camera and hears its microphone',
  '高拍仪: the second camera goes out as the document camera and the clerk decodes it; closed, its track ends',
  'mute and camera off toggle; screenshot agent-in-call.png',
  '请求快照: the snapshot arrives checked, with the clerk\'s SHA-256, size and full resolution, as kept by the server',
  'a rectangle drawn with the mouse and a note: the clerk gets the same rectangle and note, annotated PNG written; screenshot agent-snapshot-marked.png',
  'on a phone-sized screen the console fits the width (agent-phone.png)',
  '挂断: the clerk gets ended (peer-hangup) and exits; the console shows 整理中 with a countdown, then 空闲（示闲） by itself; 示忙 is acknowledged',
  '三方通话: in a call with another clerk, the invite dialog lists the colleague 李娜 (示闲); invited, she has her own named tile with her picture; she leaves and it goes (agent-three-party.png)',
  '转办: the transfer dialog lists 李娜 and the catalogue\'s items; transferred to her, the clerk keeps its session with her, the console leaves the call into wrap-up and 结束整理，示闲 makes it available (agent-transfer.png)',
  'invited by 李娜 into her call: the console shows the clerk in its tiles and her as the third participant, named and decoded; she hangs up and the console wraps up (agent-invited.png)',
  'no script errors or CSP violations in the page',
  'vw-server stops cleanly',
];

const AGENT = { username: 'zhangmin', password: 'Bangban-2026-huangpu', name: '张敏', center: '黄浦区政务服务中心' };
const COLLEAGUE = { username: 'lina', password: 'Bangban-2026-qingpu', name: '李娜', center: '青浦区行政服务中心' };
const SUPERVISOR = { username: 'wangfang', password: 'Jiandu-2026-huangpu', name: '王芳' };
const CLERK = { name: '李华', center: '嘉善县行政服务中心', item: '企业设立', code: 'QY-SL-001' };
const HOLDER = { name: '钱伟', center: '吴江区政务服务中心', province: 'jiangsu' };
const CLERK2 = { name: '周杰', center: '合肥市政务服务中心', province: 'anhui' };
const WRAP_UP_S = 5;
const NOTE = '此处缺少法定代表人签名，请补签后重新拍摄';


const {
  env, artifacts, chromiumPath, state, playwright, diag, bailOut, step, assert, waitFor,
  program, startProcess, serverUrl, runAdmin, startClient, stopChild, http, finish, failed,
} = await harness(CASES);

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

// Width and height from a PNG's IHDR.
function pngSize(path) {
  const b = readFileSync(path);
  assert(b.length > 24 && b.toString('latin1', 1, 4) === 'PNG' && b.toString('latin1', 12, 16) === 'IHDR', `${path} is not a PNG`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

// ------------------------------------------------------------------ processes


// ------------------------------------------------------------------ main


console.log(`1..${CASES.length}`);
diag(`artifacts: ${artifacts}`);
state.work = mkdtempSync(join(tmpdir(), 'vw-agent-console-'));
const dataDir = join(state.work, 'data');

// 1
await step([], async () => {
  for (const [acc, role, extra] of [[AGENT, 'agent', []], [COLLEAGUE, 'agent', []],
    [{ ...SUPERVISOR, center: AGENT.center }, 'supervisor', ['--scope', 'center']]]) {
    const a = await runAdmin(['--data-dir', dataDir, 'add-account', '--username', acc.username,
      '--role', role, '--name', acc.name, '--province', 'shanghai', '--center', acc.center, ...extra],
    `${acc.password}\n`);
    assert(a.code === 0, `vw-admin (${acc.username}) exited ${a.code}: ${a.err.trim()}`);
  }
  state.account = true;
});

// 2
await step(['account'], async () => {
  const server = startProcess('agent-console-vw-server', program('VW_SERVER'),
    ['--port', '0', '--address', '127.0.0.1', '--ice-address', '127.0.0.1', '--data-dir', dataDir,
      // A clerk that leaves is kept for the grace period of a drop-out
      // (test-page-reconnect): short here, so that a holder who goes leaves the
      // queue within seconds.
      '--wrap-up-seconds', String(WRAP_UP_S), '--reconnect-grace', '2'], { stdin: 'ignore' });
  state.server = server;
  state.url = await serverUrl(server);
  diag(`  server: ${state.url}`);
});

// 3
await step(['url'], async () => {
  const r = await http('GET', '/');
  assert(r.status === 200 && r.text.includes('/agent.html') && r.text.includes('帮办专员工作台'),
    'the landing page does not link to 帮办专员工作台 (/agent.html)');
  // The console's own modules: every file of web/agent/.
  const modules = readdirSync(new URL('../../web/agent/', import.meta.url)).map((f) => `/agent/${f}`);
  assert(modules.length > 0, 'web/agent/ holds no module');
  for (const path of ['/agent.html', '/agent.js', '/agent.css', '/js/vw-signaling.js', '/js/vw-call.js',
    '/js/vw-transfer.js', '/js/vw-markup.js', '/js/vw-catalogue.js', '/js/vw-dom.js', ...modules]) {
    const f = await http('GET', path);
    assert(f.status === 200, `${path} answered ${f.status}`);
    if (path.endsWith('.js'))
      assert(/javascript/.test(f.headers.get('content-type')), `${path}: ${f.headers.get('content-type')}`);
  }
  state.served = true;
});

// ---- the browser

let browser;
let page;
const pageErrors = [];
const frames = [];   // the console's signalling, both ways: {dir, msg}
const framesLog = createWriteStream(join(artifacts, 'agent-console-ws.jsonl'));

// 4
await step(['served'], async () => {
  browser = await playwright.chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Three fake cameras: the webcam (fake_device_0) and the document camera
    // (高拍仪, fake_device_2: fake_device_1's frames are never encoded).
    args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream=device-count=3',
      '--disable-features=WebRtcHideLocalIpsWithMdns', '--autoplay-policy=no-user-gesture-required'],
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('console', (msg) => {
    if (msg.type() === 'error')
      pageErrors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
  page.on('websocket', (ws) => {
    const keep = (dir) => (f) => {
      let msg;
      try {
        msg = JSON.parse(f.payload);
      } catch (e) {
        return;
      }
      frames.push({ dir, msg });
      // The log leaves out SDP bodies and the token.
      const shown = { ...msg };
      if (typeof shown.sdp === 'string')
        shown.sdp = `${shown.sdp.length} chars`;
      if (shown.token)
        shown.token = '(token)';
      framesLog.write(`${JSON.stringify({ dir, t: Date.now(), msg: shown })}\n`);
    };
    ws.on('framesent', keep('out'));
    ws.on('framereceived', keep('in'));
  });
  await page.goto(new URL('/agent.html', state.url).href);
  await page.locator('#signin-form').waitFor({ state: 'visible' });
  await page.fill('#signin-username', AGENT.username);
  await page.fill('#signin-password', 'wrong-password-123');
  await page.click('#signin-submit');
  await page.waitForFunction(() => /用户名或密码错误/.test(document.querySelector('#signin-message').textContent));
  assert(await page.locator('#desk-view').isHidden(), 'the desk is shown after a wrong password');
  for (let i = pageErrors.length - 1; i >= 0; i--)
    if (/401/.test(pageErrors[i]))
      pageErrors.splice(i, 1);

  await page.fill('#signin-password', AGENT.password);
  await page.click('#signin-submit');
  await page.locator('#desk-view').waitFor({ state: 'visible' });
  const info = await page.textContent('#user-info');
  assert(info.includes(AGENT.name) && info.includes(AGENT.center) && info.includes('上海'), `header: ${info}`);
  // Away, as the server says at once (agent-state).
  await waitFor('agent-state away', () => frames.find((f) => f.dir === 'in' && f.msg.type === 'agent-state' && f.msg.state === 'away'), 5000);
  await waitFor('暂离（示忙）', async () => (await page.textContent('#status-badge')).trim() === '暂离（示忙）', 5000);
  assert((await page.getAttribute('#go-away', 'aria-pressed')) === 'true', '示忙 is not pressed');
  // The hello carried the token (and no items: all of the province); the
  // token is nowhere but in memory.
  const hello = frames.find((f) => f.dir === 'out' && f.msg.type === 'hello');
  assert(hello && hello.msg.role === 'agent' && typeof hello.msg.token === 'string' && hello.msg.token.length > 20,
    `hello: ${hello && JSON.stringify({ ...hello.msg, token: hello.msg.token ? '…' : undefined })}`);
  assert(!('items' in hello.msg), `hello names items: ${JSON.stringify(hello.msg.items)}`);
  const welcome = await waitFor('welcome', () => frames.find((f) => f.dir === 'in' && f.msg.type === 'welcome'), 5000);
  state.agentPeer = welcome.msg.peer_id;
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })
    + location.href + document.cookie);
  assert(!stored.includes(hello.msg.token.slice(0, 16)), 'the token is kept in storage, a readable cookie or the URL');
  // The help text says how pairing works.
  assert(/自动/.test(await page.textContent('#help')), 'the help does not say that pairing is automatic');
  // Camera and microphone are on before any call (fake devices).
  await waitFor('the preview of our camera', () => page.$eval('#local-camera video', (v) => v.videoWidth > 0), 10000);
  state.signedIn = true;
});

// 5
await step(['signedIn'], async () => {
  const stateFrames = () => frames.filter((f) => f.dir === 'in' && f.msg.type === 'agent-state').length;
  let before = stateFrames();
  await page.click('#go-available');
  await waitFor('agent-state available', () => frames.slice(-20).find((f) => f.dir === 'in' && f.msg.type === 'agent-state' && f.msg.state === 'available'), 5000);
  await waitFor('空闲（示闲）', async () => (await page.textContent('#status-badge')).trim() === '空闲（示闲）', 5000);
  assert((await page.getAttribute('#go-available', 'aria-pressed')) === 'true', '示闲 is not pressed');
  assert(stateFrames() > before, 'no agent-state from the server');
  before = stateFrames();
  await page.click('#go-away');
  await waitFor('暂离（示忙） again', async () => (await page.textContent('#status-badge')).trim() === '暂离（示忙）', 5000);
  assert(stateFrames() > before, 'away without the server saying so');
  // The items handled: the catalogue's items of Shanghai, all ticked (hello
  // without items); untick one and save: a new hello names the others.
  await page.click('#items-box summary');
  const boxes = await page.$$eval('#item-choices input[type="checkbox"]', (is) => is.map((i) => ({ code: i.value, checked: i.checked, label: i.parentElement.textContent.trim() })));
  assert(boxes.length >= 5 && boxes.every((b) => b.checked), `item choices: ${JSON.stringify(boxes)}`);
  assert(boxes.some((b) => b.code === 'SP-JY-004' && b.label === '食品经营许可证'), `item choices: ${JSON.stringify(boxes)}`);
  assert(!boxes.some((b) => b.code === 'CS-YJS-007'), 'an item not handled remotely (出生一件事) is offered');
  assert(await page.locator('#items-apply').isDisabled(), 'save is enabled with nothing changed');
  await page.uncheck('#item-choices input[value="SP-JY-004"]');
  const hellos = () => frames.filter((f) => f.dir === 'out' && f.msg.type === 'hello');
  const n = hellos().length;
  await page.click('#items-apply');
  await waitFor('a new hello', () => hellos().length > n, 5000);
  const hello = hellos().pop().msg;
  assert(Array.isArray(hello.items) && hello.items.length === boxes.length - 1 && !hello.items.includes('SP-JY-004') && hello.items.includes(CLERK.code),
    `hello items: ${JSON.stringify(hello.items)}`);
  await waitFor('saved', async () => /已保存/.test(await page.textContent('#items-message')), 5000);
  assert(!(await page.textContent('#items-summary')).includes('食品经营许可证'), 'the summary names the item left out');
  const login = await http('POST', '/api/login', { body: { username: AGENT.username, password: AGENT.password } });
  const desk = await http('GET', '/api/desk/agents', { token: login.json.token });
  const me = desk.json && desk.json.agents.find((a) => a.account === AGENT.username);
  assert(me && Array.isArray(me.items) && !me.items.includes('SP-JY-004') && me.state === 'away', `/api/desk/agents: ${desk.text}`);
  await page.click('#items-all');
  await page.click('#items-apply');
  await waitFor('a third hello', () => hellos().length > n + 1, 5000);
  assert(!('items' in hellos().pop().msg), 'all items ticked, yet hello names them');
  await waitFor('暂离（示忙） after the reconnection', async () => (await page.textContent('#status-badge')).trim() === '暂离（示忙）', 5000);
  const welcome = frames.filter((f) => f.dir === 'in' && f.msg.type === 'welcome').pop();
  state.agentPeer = welcome.msg.peer_id;
  await page.click('#items-box summary');
});

// 6
await step(['signedIn'], async () => {
  const clerk = startClient('agent-console-clerk', ['--role', 'clerk', '--name', CLERK.name,
    '--province', 'zhejiang', '--center', CLERK.center, '--item', CLERK.code, '--handled-in', 'shanghai',
    '--document-camera', 'test']);
  state.clerk = clerk;
  const queued = await clerk.waitEvent('queued', 15000);
  assert(queued.position === 1, `queued at ${queued.position}`);
  assert(queued.wait === undefined || typeof queued.wait === 'string', `queued: ${JSON.stringify(queued)}`);
  const row = page.locator('#queue-table tr[data-position="1"]');
  await row.waitFor({ state: 'visible', timeout: 10000 });
  const text = await row.innerText();
  for (const want of [CLERK.item, CLERK.name, '浙江', CLERK.center])
    assert(text.includes(want), `queue row "${text}" lacks ${want}`);
  assert(!text.includes(CLERK.code) && !text.includes('预约'), `queue row "${text}" shows the code or 预约`);
  assert((await page.textContent('#queue-count')).includes('1'), 'the queue count is not 1');
  // An appointment holder at the booked time goes first, marked 预约.
  const sup = await http('POST', '/api/login', { body: { username: SUPERVISOR.username, password: SUPERVISOR.password } });
  assert(sup.status === 200, `supervisor login: ${sup.status}`);
  const start = Math.ceil(Date.now() / 60000) * 60000 + 120000;
  const slot = await http('POST', '/api/slots', { token: sup.json.token, body: {
    center: AGENT.center, province: 'shanghai', item: CLERK.code, starts_at: start, ends_at: start + 30 * 60000, capacity: 2 } });
  assert(slot.status === 201, `POST /api/slots: ${slot.status} ${slot.text}`);
  const booking = await http('POST', '/api/appointments', { body: { slot: slot.json.id, name: HOLDER.name, kind: 'enterprise' } });
  assert(booking.status === 201 && booking.json.code, `POST /api/appointments: ${booking.status} ${booking.text}`);
  const holder = startClient('agent-console-holder', ['--role', 'clerk', '--name', HOLDER.name,
    '--province', HOLDER.province, '--center', HOLDER.center, '--item', CLERK.code, '--handled-in', 'shanghai',
    '--booking', booking.json.code]);
  await holder.waitEvent('queued', 15000);
  await waitFor('the holder first, marked 预约', async () => {
    const first = await page.locator('#queue-table tr[data-position="1"]').innerText().catch(() => '');
    return first.includes(HOLDER.name) && first.includes('预约') && first.includes(CLERK.item);
  }, 10000);
  assert((await page.getAttribute('#queue-table tr[data-position="1"]', 'data-booked')) === 'true', 'the holder is not marked booked');
  assert((await page.locator('#queue-table tr[data-position="2"]').innerText()).includes(CLERK.name), 'the clerk is not second');
  // The holder leaves again (the test goes on with 李华).
  await stopChild(holder);
  await waitFor('the holder gone', async () => !(await page.textContent('#queue-table')).includes(HOLDER.name), 10000);
  // The server says waiting_s when the queue changes; the console counts on.
  const wait1 = Number(await page.getAttribute('#queue-table .vw-waiting', 'data-seconds'));
  const shown1 = await page.textContent('#queue-table .vw-waiting');
  const wait2 = await waitFor('the wait counting up', async () => {
    const s = Number(await page.getAttribute('#queue-table .vw-waiting', 'data-seconds'));
    return s >= wait1 + 2 ? s : null;
  }, 4000, 200);
  const shown2 = await page.textContent('#queue-table .vw-waiting');
  assert(shown1 !== shown2 && /秒/.test(shown2), `the wait shown went from "${shown1}" to "${shown2}"`);
  diag(`  waited ${wait1} s, then ${wait2} s ("${shown2}")`);
  diag(`  queue: ${text.replace(/\s+/g, ' ')}`);
  state.queued = true;
});

// 7
await step(['queued'], async () => {
  await page.click('#go-available');
  const paired = await state.clerk.waitEvent('paired', 15000);
  assert(paired.peer && paired.peer.name === AGENT.name && paired.peer.center === AGENT.center, `clerk paired with ${JSON.stringify(paired.peer)}`);
  state.session = paired.session;
  await page.locator('#call-view').waitFor({ state: 'visible' });
  assert((await page.textContent('#status-badge')).trim() === '通话中', 'the status is not 通话中');
  assert((await page.textContent('#call-peer')).includes(CLERK.name), 'the call does not name the clerk');
  assert((await page.textContent('#call-item')).includes(CLERK.item), 'the call does not show the item');
  assert((await page.textContent('#call-from')).includes(CLERK.center), 'the call does not show the clerk\'s centre');
  await page.locator('#recording-notice').waitFor({ state: 'visible', timeout: 5000 });
  assert((await page.textContent('#recording-notice')).includes('本次服务全程录音录像'), 'no recording notice');
  assert(paired.case && (await page.textContent('#call-case')).includes(paired.case), 'the case number is not shown');
  await page.waitForSelector('#queue-table td.vw-empty', { timeout: 5000 });
  await state.clerk.waitEvent('connected', 15000);
  await waitFor('the console connected', async () => (await page.textContent('#call-media')).includes('已连通'), 15000);
  state.inCall = true;
});

// 8
await step(['inCall'], async () => {
  const read = () => page.$$eval('#remote-tiles figure', (fs) => Object.fromEntries(fs.map((f) => [f.dataset.kind, {
    live: f.dataset.live, frames: Number(f.dataset.framesDecoded || 0),
    w: Number(f.dataset.frameWidth || 0), h: Number(f.dataset.frameHeight || 0),
    vw: f.querySelector('video').videoWidth, vh: f.querySelector('video').videoHeight,
  }])));
  const first = await waitFor('camera and document frames decoded in the browser', async () => {
    const r = await read();
    return r.camera.frames > 0 && r.document.frames > 0 && r.document.w > 0 ? r : null;
  }, 20000, 250);
  await sleep(1500);
  const second = await read();
  diag(`  browser: camera ${second.camera.w}x${second.camera.h} ${first.camera.frames}->${second.camera.frames} frames; `
    + `document ${second.document.w}x${second.document.h} ${first.document.frames}->${second.document.frames} frames; screen live ${second.screen.live}`);
  assert(second.camera.frames > first.camera.frames, 'the camera\'s framesDecoded does not rise');
  assert(second.document.frames > first.document.frames, 'the document camera\'s framesDecoded does not rise');
  assert(second.camera.live === 'true' && second.document.live === 'true' && second.screen.live === 'false',
    `live flags: camera ${second.camera.live}, document ${second.document.live}, screen ${second.screen.live}`);
  assert(second.camera.w === 640 && second.camera.h === 480, `camera ${second.camera.w}x${second.camera.h}`);
  // The native test document camera: 1920x1080 (pipelines/vw-sources.c).
  assert(second.document.w === 1920 && second.document.h === 1080, `document ${second.document.w}x${second.document.h}`);
  assert(second.document.vw === 1920 && second.document.vh === 1080, `the <video> shows ${second.document.vw}x${second.document.vh}`);
  const tileText = await page.textContent('#remote-document .vw-tile-stats');
  assert(/1920×1080/.test(tileText), `the document tile says "${tileText}"`);
});

// 9
await step(['inCall'], async () => {
  const ff = await state.clerk.waitEvent('first-frame', 20000, (e) => e.track === 'camera');
  assert(ff.peer === state.agentPeer, `first-frame from ${ff.peer}, the console is ${state.agentPeer}`);
  assert(ff.width > 0 && ff.height > 0, `first-frame ${ff.width}x${ff.height}`);
  const fa = await state.clerk.waitEvent('first-audio', 20000, (e) => e.track === 'audio');
  assert(fa.peer === state.agentPeer, `first-audio from ${fa.peer}`);
  diag(`  clerk: camera ${ff.width}x${ff.height} from ${ff.peer}, audio peak ${fa.peak_db} dB`);
});

// 10
await step(['inCall'], async () => {
  const options = await page.$$eval('#document-device option', (os) => os.map((o) => ({ value: o.value, text: o.textContent })));
  const camera = await page.$eval('#camera-device', (s) => s.value);
  const chosen = await page.$eval('#document-device', (s) => s.value);
  assert(options.length >= 3 && options[0].text === '（不使用）', `document camera choices: ${options.map((o) => o.text).join(', ')}`);
  assert(chosen && chosen !== camera, 'the document camera is not preset to the second camera');
  const third = options.find((o) => o.text === 'fake_device_2');
  assert(third, `no fake_device_2 among ${options.map((o) => o.text).join(', ')}`);
  await page.selectOption('#document-device', third.value);
  await page.click('#btn-document');
  const ff = await state.clerk.waitEvent('first-frame', 15000, (e) => e.track === 'document');
  assert(ff.peer === state.agentPeer, `document first-frame from ${ff.peer}`);
  assert((await page.textContent('#btn-document')).trim() === '关闭高拍仪', 'the button does not say 关闭高拍仪');
  await page.locator('#local-document').waitFor({ state: 'visible' });
  diag(`  the clerk decodes the agent's document camera: ${ff.width}x${ff.height}`);
  await page.click('#btn-document');
  await state.clerk.waitEvent('track-ended', 10000, (e) => e.track === 'document' && e.peer === state.agentPeer);
  assert(await page.locator('#local-document').isHidden(), 'the document preview stays');
});

// 11
await step(['inCall'], async () => {
  await page.click('#btn-mute');
  assert((await page.textContent('#btn-mute')).trim() === '取消静音' && await page.getAttribute('#btn-mute', 'aria-pressed') === 'true', 'mute did not toggle');
  await page.click('#btn-mute');
  assert((await page.textContent('#btn-mute')).trim() === '静音', 'unmute did not toggle');
  await page.click('#btn-camera');
  assert((await page.textContent('#btn-camera')).trim() === '打开摄像头', 'camera off did not toggle');
  await page.click('#btn-camera');
  assert((await page.textContent('#btn-camera')).trim() === '关闭摄像头', 'camera on did not toggle');
  const file = join(artifacts, 'agent-in-call.png');
  await page.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
});

// 12
await step(['inCall'], async () => {
  await page.click('#btn-snapshot');
  const sent = await state.clerk.waitEvent('snapshot-sent', 20000);
  await page.locator('#snapshot-panel').waitFor({ state: 'visible', timeout: 20000 });
  await waitFor('the snapshot checked and stored', async () =>
    (await page.getAttribute('#snapshot-info', 'data-verified')) === 'stored', 20000);
  const info = await page.$eval('#snapshot-info', (n) => ({ ...n.dataset }));
  diag(`  snapshot ${info.snapshot}: ${info.width}x${info.height}, ${info.size} bytes, sha256 ${info.sha256}`);
  assert(info.snapshot === sent.snapshot, `browser shows ${info.snapshot}, the clerk sent ${sent.snapshot}`);
  assert(info.sha256 === sent.sha256, `SHA-256 ${info.sha256} in the browser, ${sent.sha256} sent`);
  assert(Number(info.size) === sent.size, `size ${info.size} in the browser, ${sent.size} sent`);
  assert(Number(info.width) === sent.width && Number(info.height) === sent.height,
    `${info.width}x${info.height} in the browser, ${sent.width}x${sent.height} sent`);
  assert(sent.width === 1920 && sent.height === 1080, `the clerk sent ${sent.width}x${sent.height}`);
  // The picture is drawn at full resolution (scaled by CSS only).
  const canvas = await page.$eval('#snapshot-stage canvas.vw-markup-image', (c) => ({ w: c.width, h: c.height }));
  assert(canvas.w === 1920 && canvas.h === 1080, `the canvas is ${canvas.w}x${canvas.h}`);
  // What the browser checked is what the server keeps as evidence.
  const evidence = join(dataDir, 'sessions', state.session, 'snapshots', `${sent.snapshot}.png`);
  assert(sha256(readFileSync(evidence)) === info.sha256, 'the server\'s evidence has another SHA-256');
  assert(/已校验/.test(await page.textContent('#snapshot-verified')), 'no 已校验 badge');
  state.snapshot = sent;
});

// 13
await step(['snapshot'], async () => {
  const overlay = page.locator('#snapshot-stage canvas.vw-markup-overlay');
  await overlay.scrollIntoViewIfNeeded();
  const box = await overlay.boundingBox();
  const image = await page.locator('#snapshot-stage canvas.vw-markup-image').boundingBox();
  assert(Math.abs(box.x - image.x) < 1 && Math.abs(box.width - image.width) < 1 && Math.abs(box.height - image.height) < 1,
    `the overlay (${JSON.stringify(box)}) does not cover the picture (${JSON.stringify(image)})`);
  const { width: W, height: H } = state.snapshot;
  const from = { x: box.x + box.width * 0.2, y: box.y + box.height * 0.3 };
  const to = { x: box.x + box.width * 0.65, y: box.y + box.height * 0.55 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 4 });
  await page.mouse.up();
  // What the drag means in the image's pixels.
  const px = (cx, cy) => ({ x: ((cx - box.x) * W) / box.width, y: ((cy - box.y) * H) / box.height });
  const a = px(from.x, from.y);
  const b = px(to.x, to.y);
  const want = { x: Math.floor(a.x), y: Math.floor(a.y), w: Math.ceil(b.x) - Math.floor(a.x), h: Math.ceil(b.y) - Math.floor(a.y) };
  const got = await page.evaluate(() => ({
    x: Number(document.querySelector('#markup-x').value), y: Number(document.querySelector('#markup-y').value),
    w: Number(document.querySelector('#markup-w').value), h: Number(document.querySelector('#markup-h').value),
  }));
  for (const k of ['x', 'y', 'w', 'h'])
    assert(Math.abs(got[k] - want[k]) <= 2, `rectangle ${JSON.stringify(got)}, the drag was ${JSON.stringify(want)} in image pixels`);
  assert(got.w > 500 && got.h > 200, `rectangle ${JSON.stringify(got)} is too small for a ${W}x${H} image`);
  await page.fill('#markup-note', NOTE);
  assert((await page.textContent('#markup-count')).includes(`${Array.from(NOTE).length}/200`), 'the note counter is wrong');
  await page.click('#btn-annotate');
  const ann = await state.clerk.waitEvent('annotation', 15000);
  diag(`  annotation: ${JSON.stringify({ x: ann.x, y: ann.y, w: ann.w, h: ann.h, note: ann.note })} -> ${ann.path}`);
  assert(ann.snapshot === state.snapshot.snapshot, `annotation on ${ann.snapshot}`);
  assert(ann.x === got.x && ann.y === got.y && ann.w === got.w && ann.h === got.h,
    `the clerk got ${ann.x},${ann.y} ${ann.w}x${ann.h}, the console sent ${JSON.stringify(got)}`);
  assert(ann.note === NOTE, `the clerk got the note "${ann.note}"`);
  assert(ann.path && existsSync(ann.path), `no annotated PNG at ${ann.path}`);
  const size = pngSize(ann.path);
  assert(size.width === W && size.height === H, `the annotated PNG is ${size.width}x${size.height}`);
  await waitFor('the note listed as sent', async () => (await page.textContent('#annotation-list')).includes(NOTE), 5000);
  assert(/已发送/.test(await page.textContent('#annotate-message')), 'no confirmation');
  const file = join(artifacts, 'agent-snapshot-marked.png');
  await page.locator('#snapshot-panel').screenshot({ path: file });
  diag(`  ${file}`);
});

// 14
await step(['inCall'], async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await sleep(300);
  const file = join(artifacts, 'agent-phone.png');
  await page.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert(scroll <= width + 1, `the console is ${scroll} px wide on a ${width} px screen`);
  const hangup = await page.locator('#btn-hangup').boundingBox();
  assert(hangup && hangup.x >= 0 && hangup.x + hangup.width <= width + 1 && hangup.height >= 32, `挂断 at ${JSON.stringify(hangup)}`);
  const doc = await page.locator('#remote-document').boundingBox();
  assert(doc && doc.width >= 140, `the document tile is ${doc && doc.width} px wide`);
  await page.setViewportSize({ width: 1366, height: 900 });
});

// 15
await step(['inCall'], async () => {
  await page.click('#btn-hangup');
  const ended = await state.clerk.waitEvent('ended', 10000);
  assert(ended.reason === 'peer-hangup', `the clerk's session ended with ${ended.reason}`);
  const code = await Promise.race([state.clerk.exited.then((r) => r.code), sleep(10000).then(() => 'timeout')]);
  assert(code === 0, `the clerk exited ${code}`);
  await page.locator('#call-view').waitFor({ state: 'hidden', timeout: 5000 });
  assert(await page.locator('#idle-view').isVisible(), 'the idle view is not back');
  assert(/结束/.test(await page.textContent('#status-message')), 'no end-of-service message');
  // Wrap-up: a countdown from the server's remaining_s, going down.
  const wrap = await waitFor('agent-state wrap-up', () => frames.find((f) => f.dir === 'in' && f.msg.type === 'agent-state' && f.msg.state === 'wrap-up'), 5000);
  assert(wrap.msg.remaining_s > 0 && wrap.msg.remaining_s <= WRAP_UP_S, `wrap-up: ${JSON.stringify(wrap.msg)}`);
  const shown = [];
  const first = await waitFor('整理中 N 秒', async () => {
    const m = /^整理中 (\d) 秒$/.exec((await page.textContent('#status-badge')).trim());
    return m ? Number(m[1]) : null;
  }, 3000, 100);
  shown.push(first);
  assert(first >= 1 && first <= WRAP_UP_S, `countdown starts at ${first}`);
  assert((await page.textContent('#go-available')).includes('结束整理'), 'the available button does not offer to end wrap-up');
  const lower = await waitFor('the countdown going down', async () => {
    const m = /^整理中 (\d) 秒$/.exec((await page.textContent('#status-badge')).trim());
    return m && Number(m[1]) < first ? Number(m[1]) : null;
  }, 3000, 100);
  shown.push(lower);
  // Then available by itself (the server ends wrap-up).
  await waitFor('空闲（示闲） after the wrap-up', async () => (await page.textContent('#status-badge')).trim() === '空闲（示闲）', (WRAP_UP_S + 3) * 1000, 200);
  const avail = frames.find((f) => f.dir === 'in' && f.msg.type === 'agent-state' && f.msg.state === 'available' && frames.indexOf(f) > frames.indexOf(wrap));
  assert(avail, 'no agent-state available after the wrap-up');
  assert(!frames.some((f) => f.dir === 'out' && f.msg.type === 'status' && frames.indexOf(f) > frames.indexOf(wrap)), 'the console ended the wrap-up itself');
  diag(`  wrap-up shown: ${shown.map((n) => `整理中 ${n} 秒`).join(', ')} … then 空闲（示闲）`);
  // Away again: the server accepts the status after the session.
  await page.click('#go-away');
  await waitFor('away', async () => (await page.textContent('#status-badge')).trim() === '暂离（示忙）', 5000);
  const ok = frames.filter((f) => f.dir === 'out' && f.msg.type === 'status' && f.msg.available === false).pop();
  assert(ok && frames.some((f) => f.dir === 'in' && f.msg.type === 'ok' && f.msg.ref === ok.msg.id), 'status away not acknowledged');
  state.afterFirst = true;
});

// 16
await step(['afterFirst'], async () => {
  await page.click('#go-available');
  await waitFor('空闲（示闲）', async () => (await page.textContent('#status-badge')).trim() === '空闲（示闲）', 5000);
  const clerk = startClient('agent-console-clerk2', ['--role', 'clerk', '--name', CLERK2.name,
    '--province', CLERK2.province, '--center', CLERK2.center, '--item', CLERK.code, '--handled-in', 'shanghai']);
  state.clerk2 = clerk;
  const paired = await clerk.waitEvent('paired', 15000);
  assert(paired.peer.name === AGENT.name, `the clerk is paired with ${paired.peer.name}`);
  state.session2 = paired.session;
  state.clerk2Peer = (clerk.events.find((e) => e.event === 'registered') || {}).peer_id;
  await page.locator('#call-view').waitFor({ state: 'visible' });
  await waitFor('the clerk\'s camera', () => page.$eval('#remote-camera video', (v) => v.videoWidth > 0), 15000);
  // 李娜 (青浦区行政服务中心) signs in with the native client: available.
  const passwordFile = join(state.work, 'lina-password');
  writeFileSync(passwordFile, `${COLLEAGUE.password}\n`, { mode: 0o600 });
  const lina = startClient('agent-console-lina', ['--role', 'agent', '--user', COLLEAGUE.username,
    '--password-file', passwordFile, '--province', 'shanghai', '--center', COLLEAGUE.center], { name: COLLEAGUE.name });
  state.lina = lina;
  state.linaPeer = (await lina.waitEvent('registered', 15000)).peer_id;
  await lina.waitEvent('agent-state', 10000, (e) => e.state === 'available');
  await page.click('#btn-invite');
  await page.locator('#invite-dialog').waitFor({ state: 'visible' });
  const choice = page.locator('#invite-agents li[data-account="lina"]');
  await choice.waitFor({ state: 'visible', timeout: 5000 });
  const text = await choice.innerText();
  assert(text.includes(COLLEAGUE.name) && text.includes(COLLEAGUE.center) && text.includes('示闲'), `invite choice: ${text}`);
  assert(await page.locator('#invite-agents li[data-account="zhangmin"]').count() === 0, 'the agent can invite himself');
  await choice.locator('input').check();
  await page.click('#invite-submit');
  await page.locator('#invite-dialog').waitFor({ state: 'hidden', timeout: 5000 });
  const guest = await lina.waitEvent('paired', 10000, (e) => e.session === state.session2);
  assert(guest.peer.name === CLERK2.name, `李娜 sees ${JSON.stringify(guest.peer)}`);
  await clerk.waitEvent('joined', 10000, (e) => e.peer && e.peer.name === COLLEAGUE.name);
  // Her own tile, named, with her picture decoded.
  const tileSel = `#remote-m-${state.linaPeer}-camera`;
  await page.locator(tileSel).waitFor({ state: 'visible', timeout: 15000 });
  const head = await page.textContent(`${tileSel} header`);
  assert(head.includes(COLLEAGUE.name) && head.includes(COLLEAGUE.center), `her tile: ${head}`);
  await waitFor('her frames decoded', () => page.$eval(tileSel, (t) => Number(t.dataset.framesDecoded || 0) > 0 && t.querySelector('video').videoWidth > 0), 15000, 250);
  assert((await page.textContent('#call-members')).includes(COLLEAGUE.name), 'the call facts do not name her');
  await waitFor('her voice', () => page.$eval(`#remote-audio-${state.linaPeer}`, (a) => !!a.srcObject), 5000);
  // The clerk stays in the clerk's tiles.
  assert((await page.textContent('#call-peer')).includes(CLERK2.name), 'the clerk is no longer named');
  await lina.waitEvent('first-frame', 15000, (e) => e.peer === state.agentPeer && e.track === 'camera');
  const file = join(artifacts, 'agent-three-party.png');
  await page.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
  // She leaves: her tile goes, the call goes on.
  const since = lina.events.length;
  lina.command({ command: 'hangup' });
  await lina.waitEvent('ended', 10000, () => true, since);
  await page.locator(tileSel).waitFor({ state: 'detached', timeout: 10000 });
  assert((await page.textContent('#call-members')).trim() === '—', 'she is still listed');
  assert(/已离开/.test(await page.textContent('#call-message')), 'no message that she left');
  assert(await page.locator('#call-view').isVisible(), 'the call ended with her');
  state.threeParty = true;
});

// 17
await step(['threeParty'], async () => {
  const lina = state.lina;
  const clerk = state.clerk2;
  // She wraps up after her leg, then is available again.
  await lina.waitEvent('agent-state', (WRAP_UP_S + 5) * 1000, (e) => e.state === 'available', lina.events.findLastIndex((e) => e.event === 'ended'));
  await page.click('#btn-transfer');
  await page.locator('#transfer-dialog').waitFor({ state: 'visible' });
  const choice = page.locator('#transfer-agents li[data-account="lina"]');
  await waitFor('李娜 selectable', async () => {
    if (await choice.count() && !(await choice.locator('input').isDisabled()))
      return true;
    await page.click('#transfer-refresh');
    return false;
  }, 8000, 500);
  const text = await choice.innerText();
  assert(text.includes(COLLEAGUE.name) && text.includes(COLLEAGUE.center) && text.includes('示闲'), `transfer choice: ${text}`);
  assert(await page.locator('#transfer-agents li[data-account="zhangmin"]').count() === 0, 'the agent is offered himself');
  // The other way: an item's queue, from the catalogue.
  await page.check('#transfer-form input[name="transfer-to"][value="item"]');
  await page.locator('#transfer-item').waitFor({ state: 'visible' });
  const items = await page.$$eval('#transfer-item option', (os) => os.map((o) => ({ code: o.value, name: o.textContent })));
  assert(items.some((i) => i.code === 'QY-BG-002' && i.name === '企业变更'), `transfer items: ${JSON.stringify(items)}`);
  await page.check('#transfer-form input[name="transfer-to"][value="agent"]');
  await choice.locator('input').check();
  const file = join(artifacts, 'agent-transfer.png');
  await page.screenshot({ path: file });
  diag(`  ${file}`);
  const linaSince = lina.events.length;
  const clerkSince = clerk.events.length;
  await page.click('#transfer-submit');
  await page.locator('#call-view').waitFor({ state: 'hidden', timeout: 10000 });
  assert(await page.locator('#transfer-dialog').isHidden(), 'the dialog stays open');
  const message = await page.textContent('#status-message');
  assert(message.includes('已转办给帮办专员') && message.includes(COLLEAGUE.name), `status message: ${message}`);
  const told = await clerk.waitEvent('transferred', 10000, (e) => e.session === state.session2, clerkSince);
  assert(told.agent && told.agent.name === COLLEAGUE.name, `transferred: ${JSON.stringify(told)}`);
  const again = await clerk.waitEvent('paired', 10000, (e) => e.session === state.session2, clerkSince);
  assert(again.peer.name === COLLEAGUE.name, `the clerk is paired with ${JSON.stringify(again.peer)}`);
  await lina.waitEvent('paired', 10000, (e) => e.session === state.session2, linaSince);
  // The console wraps up; 结束整理，示闲 ends it early.
  await waitFor('整理中', async () => /^整理中/.test((await page.textContent('#status-badge')).trim()), 5000);
  const wrapAt = Date.now();
  assert((await page.textContent('#go-available')).trim() === '结束整理，示闲', `button: ${await page.textContent('#go-available')}`);
  await page.click('#go-available');
  await waitFor('空闲（示闲）', async () => (await page.textContent('#status-badge')).trim() === '空闲（示闲）', 5000);
  assert(Date.now() - wrapAt < (WRAP_UP_S - 1) * 1000, 'available only when the wrap-up ran out');
  // 李娜 finishes the call.
  lina.command({ command: 'hangup' });
  const ended = await clerk.waitEvent('ended', 10000, (e) => e.session === state.session2, clerkSince);
  assert(ended.reason === 'peer-hangup', `the clerk's end: ${ended.reason}`);
  await page.click('#go-away');
  await waitFor('away', async () => (await page.textContent('#status-badge')).trim() === '暂离（示忙）', 5000);
});

// 18
await step(['threeParty'], async () => {
  const lina = state.lina;
  // 李娜 serves a third clerk while the console is away ...
  await lina.waitEvent('agent-state', (WRAP_UP_S + 5) * 1000, (e) => e.state === 'available', lina.events.findLastIndex((e) => e.event === 'ended'));
  const clerk = startClient('agent-console-clerk3', ['--role', 'clerk', '--name', '吴芳',
    '--province', 'zhejiang', '--center', '杭州市民中心', '--item', CLERK.code, '--handled-in', 'shanghai']);
  state.clerk3 = clerk;
  const paired = await clerk.waitEvent('paired', 15000);
  assert(paired.peer.name === COLLEAGUE.name, `the third clerk is paired with ${paired.peer.name}`);
  // ... then the console goes available and she invites it.
  await page.click('#go-available');
  await waitFor('空闲（示闲）', async () => (await page.textContent('#status-badge')).trim() === '空闲（示闲）', 5000);
  await clerk.waitEvent('connected', 15000);
  lina.command({ command: 'invite', agent: AGENT.username });
  await page.locator('#call-view').waitFor({ state: 'visible', timeout: 10000 });
  assert((await page.textContent('#call-peer')).includes('吴芳'), `the console's call names ${await page.textContent('#call-peer')}`);
  assert((await page.textContent('#status-badge')).trim() === '通话中', 'not 通话中 as a third participant');
  // Invited (paired.invited): no 转办 or 邀请三方 of its own.
  assert(await page.locator('#btn-transfer').isHidden(), '转办 offered to an invited agent');
  assert(await page.locator('#btn-invite').isHidden(), '邀请三方 offered to an invited agent');
  await waitFor('李娜 listed', async () => (await page.textContent('#call-members')).includes(COLLEAGUE.name), 5000);
  // The clerk in the clerk's tiles, 李娜 in her own.
  await waitFor('the clerk\'s camera', () => page.$eval('#remote-camera', (t) => t.dataset.live === 'true' && t.querySelector('video').videoWidth > 0), 15000);
  const tileSel = `#remote-m-${state.linaPeer}-camera`;
  await page.locator(tileSel).waitFor({ state: 'visible', timeout: 15000 });
  assert((await page.textContent(`${tileSel} header`)).includes(COLLEAGUE.name), 'her tile is not named');
  await waitFor('her frames decoded', () => page.$eval(tileSel, (t) => Number(t.dataset.framesDecoded || 0) > 0), 15000, 250);
  const file = join(artifacts, 'agent-invited.png');
  await page.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
  lina.command({ command: 'hangup' });
  const ended = await clerk.waitEvent('ended', 10000);
  assert(ended.reason === 'peer-hangup', `the clerk's end: ${ended.reason}`);
  await page.locator('#call-view').waitFor({ state: 'hidden', timeout: 10000 });
  await waitFor('整理中', async () => /^整理中/.test((await page.textContent('#status-badge')).trim()), 5000);
  await page.click('#go-away');
  await waitFor('away', async () => (await page.textContent('#status-badge')).trim() === '暂离（示忙）', 5000);
});

// 19
await step(['signedIn'], async () => {
  assert(pageErrors.length === 0, pageErrors.join('\n'));
});

if (browser)
  await browser.close().catch(() => {});
framesLog.end();

// 20
await step(['url'], async () => {
  for (const c of [state.lina, state.clerk2, state.clerk3])
    if (c)
      await stopChild(c);
  const code = await stopChild(state.server, 15000);
  assert(code === 0, `vw-server exited ${code}`);
});

finish(state.work, null);
