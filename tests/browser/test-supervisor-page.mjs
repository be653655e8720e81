// test-supervisor-page: the supervisors' page (web/supervisor.html) in a real
// browser (Debian's Chromium, driven by playwright-core) against a real
// vw-server that recorded a real call between two vw-client processes.
//
//   VW_SERVER=build/server/vw-server VW_CLIENT=build/client/vw-client \
//   VW_ADMIN=build/server/vw-admin VW_ARTIFACTS=build/meson-logs/artifacts \
//   node tests/browser/test-supervisor-page.mjs
//
// Speaks TAP.  Screenshots, the server's log and the clients' event lines go
// to VW_ARTIFACTS (printed in a comment).  CHROMIUM overrides the browser
// (default /usr/bin/chromium); VW_TEST_VERBOSE=1 echoes the server's log.

import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { harness } from './lib.mjs';

// ------------------------------------------------------------------ setup

const CASES = [
  'vw-admin adds a supervisor (王芳, 黄浦区政务服务中心, scope center) and an agent (张敏)',
  'vw-server starts and prints its URL',
  '/ serves the Chinese landing page with CSP, nosniff and no-cache',
  'a real call: agent and clerk connected, frames both ways, a document camera shared mid-call, a snapshot, hung up, recorded',
  'a wrong password shows the error message',
  'signing in shows the session list with the call\'s case number',
  'the session detail shows participants, timeline, the snapshot and one media element per recorded track',
  'before its offset, a later track is blank and paused',
  'play: every video has frames and advances, audio advances, all in step',
  'screenshot of the playing session (supervisor-page.png)',
  'a review is written and stored',
  'a sample draw is shown with its seed',
  'on a phone-sized screen the list fits the width (supervisor-phone.png)',
  'an expired sign-in returns to the sign-in form with a message',
  'no script errors or CSP violations in the page',
  'vw-server stops cleanly',
];

const CALL_SECONDS = 5;          // hang up this long after "connected"
const DOCUMENT_AFTER_MS = 1500;  // the clerk shares the document camera then
const SUPERVISOR = { username: 'wangfang', password: 'Jiandu-2026-huangpu', name: '王芳' };
const AGENT_ACCOUNT = { username: 'zhangmin', password: 'Bangban-2026-huangpu', name: '张敏' };
const AGENT = ['--role', 'agent', '--province', 'shanghai', '--center', '黄浦区政务服务中心'];
const CLERK = ['--role', 'clerk', '--province', 'zhejiang', '--center', '嘉善县行政服务中心',
  '--item', 'QY-SL-001', '--handled-in', 'shanghai'];   // 企业设立


const {
  env, artifacts, chromiumPath, state, playwright, diag, bailOut, step, assert, waitFor,
  program, startProcess, serverUrl, runAdmin, startClient, stopChild, http, finish, failed,
} = await harness(CASES);

// ------------------------------------------------------------------ processes


// ------------------------------------------------------------------ HTTP

// ------------------------------------------------------------------ main


console.log(`1..${CASES.length}`);
diag(`artifacts: ${artifacts}`);
state.dataDir = mkdtempSync(join(tmpdir(), 'vw-browser-'));
state.work = state.dataDir;
const dataDir = join(state.dataDir, 'data');

// 1
await step([], async () => {
  const r = await runAdmin(['--data-dir', dataDir, 'add-account', '--username', SUPERVISOR.username,
    '--role', 'supervisor', '--name', SUPERVISOR.name, '--province', 'shanghai',
    '--center', '黄浦区政务服务中心', '--scope', 'center'], `${SUPERVISOR.password}\n`);
  assert(r.code === 0, `vw-admin exited ${r.code}: ${r.err.trim()}`);
  const a = await runAdmin(['--data-dir', dataDir, 'add-account', '--username', AGENT_ACCOUNT.username,
    '--role', 'agent', '--name', AGENT_ACCOUNT.name, '--province', 'shanghai',
    '--center', '黄浦区政务服务中心'], `${AGENT_ACCOUNT.password}\n`);
  assert(a.code === 0, `vw-admin (agent) exited ${a.code}: ${a.err.trim()}`);
  state.account = true;
});

// 2
await step(['account'], async () => {
  const server = startProcess('vw-server', program('VW_SERVER'),
    ['--port', '0', '--address', '127.0.0.1', '--ice-address', '127.0.0.1', '--data-dir', dataDir], { stdin: 'ignore' });
  state.server = server;
  state.url = await serverUrl(server);
  diag(`  server: ${state.url}`);
});

// 3
await step(['url'], async () => {
  const r = await http('GET', '/');
  assert(r.status === 200, `GET / answered ${r.status}`);
  assert(/text\/html/.test(r.headers.get('content-type')), `content-type ${r.headers.get('content-type')}`);
  assert(r.text.includes('监督抽查') && r.text.includes('/supervisor.html'), 'the landing page does not link to 监督抽查');
  const csp = r.headers.get('content-security-policy') || '';
  assert(/default-src 'self'/.test(csp) && /media-src 'self' blob:/.test(csp) && !/unsafe|\*/.test(csp), `CSP: ${csp}`);
  assert(r.headers.get('x-content-type-options') === 'nosniff', 'no nosniff');
  assert(r.headers.get('cache-control') === 'no-cache', 'no Cache-Control: no-cache');
  // The page and its own modules: every file of web/supervisor/.
  const modules = readdirSync(new URL('../../web/supervisor/', import.meta.url)).map((f) => `/supervisor/${f}`);
  assert(modules.length > 0, 'web/supervisor/ holds no module');
  for (const path of ['/supervisor.js', '/playback.js', ...modules]) {
    const js = await http('GET', path);
    assert(js.status === 200 && /javascript/.test(js.headers.get('content-type')), `${path}: ${js.status} ${js.headers.get('content-type')}`);
  }
  const api = await http('GET', '/api/status');
  assert(api.status === 200 && api.json && 'connections' in api.json, `/api/status still answers: ${api.status}`);
  const escape = await http('GET', '/%2e%2e/meson.build');
  assert(escape.status === 404 || escape.status === 400, `/%2e%2e/meson.build answered ${escape.status}`);
});

// 4
await step(['url'], async () => {
  // The agent signs in (its token through the environment, off the command line).
  const agentLogin = await http('POST', '/api/login', { body: { username: AGENT_ACCOUNT.username, password: AGENT_ACCOUNT.password } });
  assert(agentLogin.status === 200 && agentLogin.json && agentLogin.json.token, `agent login answered ${agentLogin.status}: ${agentLogin.text}`);
  const agent = startClient('agent', [...AGENT, '--max-sessions', '1'],
    { name: AGENT_ACCOUNT.name, env: { VW_TOKEN: agentLogin.json.token } });
  await agent.waitEvent('registered', 15000);
  const clerk = startClient('clerk', CLERK, { name: '李华' });
  const paired = await clerk.waitEvent('paired', 15000);
  state.sessionId = paired.session;
  await clerk.waitEvent('connected', 15000);
  await agent.waitEvent('connected', 15000);
  await clerk.waitEvent('first-frame', 20000, (e) => e.track === 'camera');
  await agent.waitEvent('first-frame', 20000, (e) => e.track === 'camera');
  // The call's length counts from the first frames both ways (a loaded
  // machine can take seconds to get there).
  const connectedAt = Date.now();
  await sleep(DOCUMENT_AFTER_MS);
  // A track that starts later than the others, for the page to offset.
  clerk.command({ command: 'share', kind: 'document', source: 'test' });
  await agent.waitEvent('first-frame', 20000, (e) => e.track === 'document');
  // A full-resolution snapshot of the page, kept by the server as evidence.
  agent.command({ command: 'snapshot' });
  await agent.waitEvent('snapshot-saved', 20000);
  await sleep(Math.max(0, CALL_SECONDS * 1000 - (Date.now() - connectedAt)));
  clerk.command({ command: 'hangup' });
  await clerk.waitEvent('ended', 10000);
  await agent.waitEvent('ended', 10000);
  const clerkCode = await Promise.race([clerk.exited.then((r) => r.code), sleep(10000).then(() => 'timeout')]);
  const agentCode = await Promise.race([agent.exited.then((r) => r.code), sleep(10000).then(() => 'timeout')]);
  assert(clerkCode === 0 && agentCode === 0, `clients exited ${clerkCode} (clerk) and ${agentCode} (agent)`);
  // Frames both ways (how many is a matter for the benchmarks, not here).
  for (const [c, who, tracks] of [[agent, 'agent', ['camera', 'document', 'audio']], [clerk, 'clerk', ['camera', 'audio']]]) {
    const stats = c.events.filter((e) => e.event === 'stats').pop();
    for (const track of tracks) {
      const t = stats && (stats.tracks || []).find((x) => x.track === track);
      assert(t && t.frames > 0, `${who} received no ${track} frames`);
    }
  }
  assert(paired.case, 'the paired event carries no case number');

  // The server's view: signed in through the API as the supervisor.
  const login = await http('POST', '/api/login', { body: { username: SUPERVISOR.username, password: SUPERVISOR.password } });
  assert(login.status === 200 && login.json && login.json.token, `POST /api/login answered ${login.status}: ${login.text}`);
  state.token = login.json.token;
  const detail = await waitFor('the session ended with every track finished', async () => {
    const r = await http('GET', `/api/sessions/${encodeURIComponent(state.sessionId)}`, { token: state.token });
    if (r.status !== 200)
      throw new Error(`GET /api/sessions/ID answered ${r.status}: ${r.text}`);
    const s = r.json;
    const tracks = s.tracks || [];
    const done = s.state === 'ended' && tracks.length > 0 && tracks.every((t) => t.duration_ms > 0);
    return done ? s : null;
  }, 15000, 300);
  state.detail = detail;
  state.caseNo = detail.case_no;
  assert(state.caseNo === paired.case, `case ${detail.case_no} in the API, ${paired.case} told to the clerk`);
  const kinds = detail.tracks.map((t) => `${t.role}:${t.kind}@${t.offset_ms}ms/${t.duration_ms}ms`).join(', ');
  diag(`  session ${state.sessionId}, case ${state.caseNo}; tracks: ${kinds}`);
  assert(state.caseNo, 'the session has no case number');
  const need = ['agent:camera', 'agent:audio', 'clerk:camera', 'clerk:audio', 'clerk:document'];
  for (const k of need)
    assert(detail.tracks.some((t) => `${t.role}:${t.kind}` === k), `no recorded ${k} track (have ${kinds})`);
  const doc = detail.tracks.find((t) => t.kind === 'document');
  const cam = detail.tracks.find((t) => t.role === 'clerk' && t.kind === 'camera');
  assert(doc.offset_ms >= cam.offset_ms + 1000, `the document track starts at ${doc.offset_ms} ms, the camera at ${cam.offset_ms} ms`);
  state.call = true;
});

// ---- the browser

let browser;
let page;
const pageErrors = [];
await step(['url'], async () => {
  browser = await playwright.chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('console', (msg) => {
    if (msg.type() === 'error')
      pageErrors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
  await page.goto(new URL('/supervisor.html', state.url).href);
  await page.locator('#signin-form').waitFor({ state: 'visible' });
  await page.fill('#signin-username', SUPERVISOR.username);
  await page.fill('#signin-password', 'wrong-password-123');
  await page.click('#signin-submit');
  await page.waitForFunction(() => /用户名或密码错误/.test(document.querySelector('#signin-message').textContent));
  assert(await page.locator('#app-view').isHidden(), 'the app is shown after a wrong password');
  // A 401 for the wrong password is expected on the console; not an error of the page.
  for (let i = pageErrors.length - 1; i >= 0; i--)
    if (/401/.test(pageErrors[i]))
      pageErrors.splice(i, 1);
  state.page = true;
});

// 6
await step(['page', 'call'], async () => {
  await page.fill('#signin-username', SUPERVISOR.username);
  await page.fill('#signin-password', SUPERVISOR.password);
  await page.click('#signin-submit');
  await page.locator('#app-view').waitFor({ state: 'visible' });
  const token = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href);
  assert(!token.includes(state.token.slice(0, 20)) && !/v1\.[A-Za-z0-9_-]{20,}/.test(token), 'the token is kept in storage or the URL');
  const userInfo = await page.textContent('#user-info');
  assert(userInfo.includes(SUPERVISOR.name), `header shows "${userInfo}"`);
  const row = page.locator(`#session-table tr[data-session-id="${state.sessionId}"]`);
  await row.waitFor({ state: 'visible' });
  const text = await row.innerText();
  assert(text.includes(state.caseNo), `row shows "${text}", not the case number ${state.caseNo}`);
  assert(text.includes('张敏') && text.includes('李华') && text.includes('企业设立'), `row: ${text}`);
  state.signedIn = true;
});

// 7
await step(['signedIn'], async () => {
  await page.click(`#session-table tr[data-session-id="${state.sessionId}"] a.case-no`);
  await page.locator('#detail-body').waitFor({ state: 'visible' });
  assert((await page.textContent('#detail-case')).includes(state.caseNo), 'the detail does not show the case number');
  const participants = await page.innerText('#participants-table');
  assert(participants.includes('张敏') && participants.includes('李华') && participants.includes('帮办专员'), `participants: ${participants}`);
  assert((await page.locator('#events li').count()) > 0, 'no timeline events');
  const snapshots = await page.innerText('#snapshots');
  assert(/张敏 请求/.test(snapshots) && /李华 提供/.test(snapshots) && /SHA-256/.test(snapshots), `snapshots: ${snapshots}`);
  const videos = state.detail.tracks.filter((t) => t.kind !== 'audio').length;
  const audios = state.detail.tracks.filter((t) => t.kind === 'audio').length;
  assert(await page.locator('#tracks video').count() === videos, `expected ${videos} <video>`);
  assert(await page.locator('#tracks audio').count() === audios, `expected ${audios} <audio>`);
  const srcs = await page.$$eval('#tracks video, #tracks audio', (els) => els.map((e) => e.getAttribute('src')));
  for (const t of state.detail.tracks) {
    const want = `/api/sessions/${encodeURIComponent(state.sessionId)}/tracks/${encodeURIComponent(t.id)}.webm`;
    assert(srcs.includes(want), `no element plays ${want} (have ${srcs.join(' ')})`);
  }
  state.detailShown = true;
});

// 8
await step(['detailShown'], async () => {
  // Seek to a moment when every track but the document camera has begun.
  const doc = state.detail.tracks.find((t) => t.kind === 'document');
  const others = state.detail.tracks.filter((t) => t !== doc);
  const lastOther = Math.max(...others.map((t) => t.offset_ms));
  assert(doc.offset_ms - lastOther > 500, `the document starts ${doc.offset_ms - lastOther} ms after the others`);
  const at = Math.round((doc.offset_ms + lastOther) / 2);
  await page.$eval('#seek', (s, v) => {
    s.value = String(v);
    s.dispatchEvent(new Event('input', { bubbles: true }));
  }, at);
  const tile = (t) => page.locator(`#tracks figure[data-track-id="${t.id}"]`);
  assert(await tile(doc).evaluate((e) => e.classList.contains('is-waiting') && e.dataset.phase === 'before'),
    `the document tile is not blank at ${at} ms`);
  assert(await tile(doc).locator('video').evaluate((v) => v.paused), 'the document video plays before its offset');
  const note = await tile(doc).locator('.vw-media-state').textContent();
  assert(/后开始/.test(note), `the document tile says "${note}"`);
  for (const t of others)
    assert(await tile(t).evaluate((e) => e.dataset.phase === 'active' && !e.classList.contains('is-waiting')), `${t.role} ${t.kind} is not shown at ${at} ms`);
  // The pictures of the tracks that have begun are there, paused.
  await waitFor('a picture in every begun video', () => page.$$eval('#tracks figure[data-phase="active"] video',
    (vs) => vs.length > 0 && vs.every((v) => v.videoWidth > 0 && v.readyState >= 2)), 10000);
  diag(`  at ${at} ms: document blank (${note}), ${others.length} other tracks shown`);
});

// 9
await step(['detailShown'], async () => {
  await page.click('#play-toggle');
  const lastOffset = Math.max(...state.detail.tracks.map((t) => t.offset_ms));
  // Every track has begun: position past the last offset.
  await waitFor('the playback position past the last track\'s offset', () => page.$eval('#seek', (s, min) => Number(s.value) > min, lastOffset + 400), 15000, 100);
  const read = () => page.$$eval('#tracks video, #tracks audio', (els) => els.map((e) => ({
    id: e.dataset.trackId, kind: e.dataset.kind, tag: e.tagName, t: e.currentTime, paused: e.paused,
    w: e.videoWidth || 0, h: e.videoHeight || 0, ready: e.readyState, error: e.error && e.error.code,
    pos: Number(document.querySelector('#seek').value),
  })));
  const a = await read();
  const start = (x) => a.find((y) => y.id === x.id).t;
  // A track that has just begun may hold the clock for a moment while it
  // buffers (the player waits for it), so allow a few seconds, not exactly one.
  const b = await waitFor('every track to advance by 0.3 s', async () => {
    const now = await read();
    const behind = now.filter((x) => !(x.t > start(x) + 0.3));
    if (behind.length > 0)
      throw new Error(behind.map((x) => `${x.kind} ${x.id} ${start(x).toFixed(2)} -> ${x.t.toFixed(2)}`).join('; '));
    return now;
  }, 10000, 250);
  diag(`  ${b.map((x) => `${x.kind} ${x.tag === 'VIDEO' ? `${x.w}x${x.h} ` : ''}t=${x.t.toFixed(2)}`).join('; ')}`);
  for (const x of b) {
    assert(!x.error, `${x.kind} ${x.id}: media error ${x.error}`);
    if (x.tag === 'VIDEO')
      assert(x.w > 0 && x.h > 0, `${x.kind} ${x.id}: videoWidth ${x.w}`);
  }
  // In step: each element's time plus its offset is the same session position.
  const positions = b.map((x) => x.t * 1000 + state.detail.tracks.find((t) => String(t.id) === x.id).offset_ms);
  const spread = Math.max(...positions) - Math.min(...positions);
  assert(spread < 600, `tracks out of step by ${Math.round(spread)} ms (${positions.map(Math.round).join(', ')})`);
  state.played = true;
});

// 10
await step(['detailShown'], async () => {
  const file = join(artifacts, 'supervisor-page.png');
  await page.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
  await page.click('#play-toggle');   // pause
});

// 11
await step(['detailShown'], async () => {
  const comment = '核验营业执照和登记申请表到位，答复准确；开场未提示全程录音录像。';
  await page.check('#review-form input[name="score"][value="4"]');
  await page.fill('#review-comment', comment);
  await page.click('#review-form button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('#review-message').textContent.includes('评审已保存'));
  const shown = await page.innerText('#reviews');
  assert(shown.includes(comment), `the review list shows "${shown}"`);
  // Stored: read back by the page itself (its cookie) and by the API.
  const fromPage = await page.evaluate(async (id) => {
    const r = await fetch(`/api/sessions/${encodeURIComponent(id)}`);
    return r.json();
  }, state.sessionId);
  const review = (fromPage.reviews || []).find((r) => r.comment === comment);
  assert(review && review.score === 4 && review.author === SUPERVISOR.username, `stored reviews: ${JSON.stringify(fromPage.reviews)}`);
  const r = await http('GET', `/api/sessions/${encodeURIComponent(state.sessionId)}`, { token: state.token });
  assert(r.json && r.json.reviews.some((x) => x.comment === comment && x.score === 4), 'the API does not return the review');
});

// 12
await step(['signedIn'], async () => {
  await page.click('#tab-sample');
  await page.locator('#sample-form').waitFor({ state: 'visible' });
  await page.fill('#s-per-agent', '1');
  await page.fill('#s-seed', '20261122');
  await page.click('#sample-form button[type="submit"]');
  await page.locator('#sample-result').waitFor({ state: 'visible' });
  const seed = await page.textContent('#sample-seed');
  assert(seed.trim() === '20261122', `seed shown: ${seed}`);
  const rows = await page.locator('#sample-table tr[data-session-id]').count();
  assert(rows === 1, `${rows} sessions drawn, expected 1`);
  const text = await page.innerText('#sample-table');
  assert(text.includes(state.caseNo), `the draw does not show case ${state.caseNo}`);
});

// 13
await step(['signedIn'], async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click('#tab-list');
  await page.locator(`#session-table tr[data-session-id="${state.sessionId}"]`).waitFor({ state: 'visible' });
  const file = join(artifacts, 'supervisor-phone.png');
  await page.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert(scroll <= width + 1, `the page is ${scroll} px wide on a ${width} px screen`);
  const fontSize = await page.$eval('#session-table td', (td) => parseFloat(getComputedStyle(td).fontSize));
  assert(fontSize >= 13, `table text is ${fontSize} px`);
  await page.setViewportSize({ width: 1366, height: 900 });
});

// 14
await step(['signedIn'], async () => {
  await page.context().clearCookies();
  await page.click('#filter-form button[type="submit"]');
  await page.locator('#signin-view').waitFor({ state: 'visible' });
  const msg = await page.textContent('#signin-message');
  assert(/登录已过期/.test(msg), `sign-in message: "${msg}"`);
  assert(await page.locator('#app-view').isHidden(), 'the app stays visible');
  for (let i = pageErrors.length - 1; i >= 0; i--)
    if (/401/.test(pageErrors[i]))
      pageErrors.splice(i, 1);
});

// 15
await step(['page'], async () => {
  assert(pageErrors.length === 0, pageErrors.join('\n'));
});

if (browser)
  await browser.close().catch(() => {});

// 16
await step(['url'], async () => {
  const code = await stopChild(state.server, 15000);
  assert(code === 0, `vw-server exited ${code}`);
});

finish(state.work, 'supervisor-page.done');
