// test-stats-page: the statistics page (web/stats.html, 统计分析) and the
// follow-up tab of the supervisor page (整改跟踪) in a real browser
// (Debian's Chromium, driven by playwright-core) against a real vw-server
// after a few real calls between vw-client processes, rated by the clerks
// (vw-client --rate): the page must show, as figures, a table and SVG
// charts, what GET /api/stats says of those calls, and a 不满意 rating must
// appear as a follow-up that a supervisor closes on the page.
//
//   VW_SERVER=build/server/vw-server VW_CLIENT=build/client/vw-client \
//   VW_ADMIN=build/server/vw-admin VW_ARTIFACTS=build/meson-logs/artifacts \
//   node tests/browser/test-stats-page.mjs
//
// Speaks TAP.  Screenshots (stats-page.png, stats-follow-ups.png), the
// server's log and the clients' event lines go to VW_ARTIFACTS.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { harness } from './lib.mjs';

// ------------------------------------------------------------------ setup

const CASES = [
  'vw-admin adds a supervisor of Shanghai (王红, scope province) and two agents (张敏 of 黄浦, 李娜 of 青浦)',
  'vw-server starts and prints its URL',
  'the landing page and the supervisor page link to /stats.html',
  'three real calls, rated by the clerks: 李华 waits for 张敏 (非常满意), 赵强 (不满意, with a comment), 李娜 serves 陈静 (满意)',
  'GET /api/stats agrees with the calls, and a follow-up is open for 赵强\'s case',
  'without signing in, the statistics page asks to sign in',
  'signed in, the page shows the key figures and the table by centre as the API gives them',
  'the charts are drawn: one column per day, one bar per centre, mean and p90 waits, the rating distribution',
  'grouped by agent: 张敏 and 李娜 with their figures; screenshot (stats-page.png)',
  'on a phone-sized screen the page fits the width',
  'the supervisor page shows the follow-up in 整改跟踪 with its due date, rating and comment',
  'the supervisor closes it on the page; stored with who and when, audited, a second close is refused (409)',
  'the statistics page then shows no open follow-up',
  'no script errors or CSP violations in the pages',
  'vw-server stops cleanly',
];

const CALL_SECONDS = '2';
const SUPERVISOR = { username: 'wanghong', password: 'Jiandu-2026-shanghai', name: '王红' };
const AGENTS = [
  { username: 'zhangmin', password: 'Bangban-2026-huangpu', name: '张敏', center: '黄浦区政务服务中心' },
  { username: 'lina', password: 'Bangban-2026-qingpu', name: '李娜', center: '青浦区行政服务中心' },
];
const CALLS = [
  { label: 'clerk-lihua', name: '李华', province: 'zhejiang', center: '嘉善县行政服务中心', item: 'QY-SL-001', rate: '5' },
  { label: 'clerk-zhaoqiang', name: '赵强', province: 'anhui', center: '合肥市政务服务中心', item: 'SP-JY-004',
    rate: '2:材料清单讲解不清楚，跑了两趟' },
  { label: 'clerk-chenjing', name: '陈静', province: 'jiangsu', center: '吴江区政务服务中心', item: 'GJJ-TQ-006', rate: '4' },
];
const RESOLUTION = '已电话回访赵强，重新说明食品经营许可证材料清单并致歉；已提醒张敏按清单逐项讲解。';


const {
  env, artifacts, chromiumPath, state, playwright, diag, bailOut, step, assert, waitFor,
  program, startProcess, serverUrl, runAdmin, startClient, stopChild, http, finish, failed,
} = await harness(CASES);

// ------------------------------------------------------------------ processes


// ------------------------------------------------------------------ HTTP


// ------------------------------------------------------------------ main


console.log(`1..${CASES.length}`);
diag(`artifacts: ${artifacts}`);
state.dataDir = mkdtempSync(join(tmpdir(), 'vw-stats-'));
state.work = state.dataDir;
const dataDir = join(state.dataDir, 'data');

const cstDate = (ms = Date.now()) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10);
const formatMs = (ms) => {
  if (ms === null || ms === undefined)
    return '—';
  const s = ms / 1000;
  if (s < 60)
    return `${s.toFixed(1)} 秒`;
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)} 分 ${String(whole % 60).padStart(2, '0')} 秒`;
};
const formatRate = (r) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);

// 1
await step([], async () => {
  const r = await runAdmin(['--data-dir', dataDir, 'add-account', '--username', SUPERVISOR.username,
    '--role', 'supervisor', '--name', SUPERVISOR.name, '--province', 'shanghai',
    '--center', '黄浦区政务服务中心', '--scope', 'province'], `${SUPERVISOR.password}\n`);
  assert(r.code === 0, `vw-admin exited ${r.code}: ${r.err.trim()}`);
  for (const a of AGENTS) {
    const x = await runAdmin(['--data-dir', dataDir, 'add-account', '--username', a.username,
      '--role', 'agent', '--name', a.name, '--province', 'shanghai', '--center', a.center], `${a.password}\n`);
    assert(x.code === 0, `vw-admin (${a.username}) exited ${x.code}: ${x.err.trim()}`);
  }
  state.account = true;
});

// 2
await step(['account'], async () => {
  // Statistics need no recordings: the server records nothing, to spare the CPU.
  const server = startProcess('stats-vw-server', program('VW_SERVER'),
    ['--port', '0', '--address', '127.0.0.1', '--ice-address', '127.0.0.1', '--data-dir', dataDir, '--no-record',
      '--wrap-up-seconds', '0'],
    { stdin: 'ignore' });
  state.server = server;
  state.url = await serverUrl(server);
  diag(`  server: ${state.url}`);
});

// 3
await step(['url'], async () => {
  const index = await http('GET', '/');
  assert(index.status === 200 && index.text.includes('href="/stats.html"') && index.text.includes('统计分析'),
    'the landing page does not link to /stats.html');
  const sup = await http('GET', '/supervisor.html');
  assert(sup.status === 200 && sup.text.includes('href="/stats.html"') && sup.text.includes('整改跟踪'),
    'the supervisor page does not link to /stats.html or has no 整改跟踪 tab');
  for (const f of ['/stats.html', '/stats.js', '/charts.js', '/stats.css']) {
    const r = await http('GET', f);
    assert(r.status === 200, `${f}: ${r.status}`);
  }
});

function startAgent(a, token) {
  return startClient(`stats-agent-${a.username}`, ['--role', 'agent', '--province', 'shanghai',
    '--center', a.center, '--max-sessions', a.username === 'zhangmin' ? '2' : '1'],
    { name: a.name, env: { VW_TOKEN: token } });
}

function startClerk(c) {
  return startClient(`stats-${c.label}`, ['--role', 'clerk', '--province', c.province, '--center', c.center,
    '--item', c.item, '--handled-in', 'shanghai', '--duration', CALL_SECONDS, '--rate', c.rate],
    { name: c.name });
}

async function finishCall(clerk, c) {
  const paired = await clerk.waitEvent('paired', 20000);
  c.session = paired.session;
  c.caseNo = paired.case;
  await clerk.waitEvent('connected', 20000);
  await clerk.waitEvent('ended', 20000);
  await clerk.waitEvent('rated', 10000);
  const code = await Promise.race([clerk.exited.then((r) => r.code), sleep(10000).then(() => 'timeout')]);
  assert(code === 0, `${c.name} exited ${code}`);
  const requested = clerk.events.find((e) => e.event === 'requested');
  c.waitMs = paired.t - requested.t;
  diag(`  ${c.name}: case ${c.caseNo}, waited ${c.waitMs} ms`);
}

// 4
await step(['url'], async () => {
  const tokens = {};
  for (const a of AGENTS) {
    const r = await http('POST', '/api/login', { body: { username: a.username, password: a.password } });
    assert(r.status === 200 && r.json.token, `agent login ${a.username}: ${r.status}`);
    tokens[a.username] = r.json.token;
  }
  // Nobody on duty yet: 李华 waits in the queue.
  const lihua = startClerk(CALLS[0]);
  await lihua.waitEvent('queued', 15000);
  await sleep(1500);
  const zhangmin = startAgent(AGENTS[0], tokens.zhangmin);
  await lihua.waitEvent('paired', 20000);
  // 赵强 asks while 张敏 is busy with 李华, and waits for that call.
  const zhaoqiang = startClerk(CALLS[1]);
  await zhaoqiang.waitEvent('queued', 15000);
  await finishCall(lihua, CALLS[0]);
  await finishCall(zhaoqiang, CALLS[1]);
  // 李娜 comes on duty and serves 陈静.
  const lina = startAgent(AGENTS[1], tokens.lina);
  await lina.waitEvent('registered', 15000);
  await sleep(300);
  const chenjing = startClerk(CALLS[2]);
  await finishCall(chenjing, CALLS[2]);
  for (const agent of [zhangmin, lina]) {
    const code = await Promise.race([agent.exited.then((r) => r.code), sleep(10000).then(() => 'timeout')]);
    assert(code === 0, `an agent exited ${code}`);
  }
  assert(CALLS[0].waitMs >= 1000, `李华 waited only ${CALLS[0].waitMs} ms`);
  const login = await http('POST', '/api/login', { body: { username: SUPERVISOR.username, password: SUPERVISOR.password } });
  assert(login.status === 200 && login.json.token, `supervisor login: ${login.status}`);
  state.token = login.json.token;
  state.calls = true;
});

// 5
await step(['calls'], async () => {
  const today = cstDate();
  const r = await http('GET', `/api/stats?from=${today}&to=${today}&group=center`, { token: state.token });
  assert(r.status === 200, `GET /api/stats: ${r.status} ${r.text}`);
  const s = r.json;
  assert(s.total.connections === 3 && s.total.served === 3 && s.total.rated === 3, `total: ${JSON.stringify(s.total)}`);
  assert(s.total.ratings['5'] === 1 && s.total.ratings['4'] === 1 && s.total.ratings['2'] === 1, `ratings: ${JSON.stringify(s.total.ratings)}`);
  assert(Math.abs(s.total.good_rate - 2 / 3) < 1e-9, `good rate ${s.total.good_rate}`);
  assert(s.total.follow_ups_open === 1, `follow-ups open: ${s.total.follow_ups_open}`);
  const huangpu = s.groups.find((g) => g.key === AGENTS[0].center);
  assert(huangpu && huangpu.connections === 2, `黄浦: ${JSON.stringify(huangpu)}`);
  // Of two waits, p90 (nearest rank) is the longer one, as the clerks measured it.
  const longest = Math.max(CALLS[0].waitMs, CALLS[1].waitMs);
  assert(Math.abs(huangpu.wait_p90_ms - longest) < 1000, `p90 ${huangpu.wait_p90_ms}, the longest wait was ${longest} ms`);
  const f = await http('GET', '/api/follow-ups', { token: state.token });
  assert(f.status === 200 && f.json.follow_ups.length === 1, `follow-ups: ${f.text}`);
  state.followUp = f.json.follow_ups[0];
  assert(state.followUp.case_no === CALLS[1].caseNo && state.followUp.rating.level === 2, `follow-up: ${f.text}`);
  state.api = true;
});

let browser;
let page;
const pageErrors = [];
// 6
await step(['url'], async () => {
  browser = await playwright.chromium.launch({ executablePath: chromiumPath, headless: true });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('console', (msg) => {
    if (msg.type() === 'error')
      pageErrors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
  await page.goto(new URL('/stats.html', state.url).href);
  await page.locator('#signin-form').waitFor({ state: 'visible' });
  assert(await page.locator('#app-view').isHidden(), 'the statistics are shown before signing in');
  state.page = true;
});

async function tableRows() {
  return page.$$eval('#stats-table tbody tr[data-key]', (rows) => rows.map((tr) => {
    const cell = (c) => tr.querySelector(`.${c}`).textContent.trim();
    return {
      key: tr.dataset.key, name: cell('stats-name'), connections: cell('stats-connections'), served: cell('stats-served'),
      wait: cell('stats-wait-mean'), p90: cell('stats-wait-p90'), handling: cell('stats-handling'),
      ratings: cell('stats-ratings'), good: cell('stats-good'), followUps: cell('stats-follow-ups'),
    };
  }));
}

function expectRow(row, g, name) {
  const ratings = [5, 4, 3, 2, 1].map((l) => g.ratings[l]).join(' / ');
  const want = {
    key: g.key, name, connections: String(g.connections), served: String(g.served), wait: formatMs(g.wait_mean_ms),
    p90: formatMs(g.wait_p90_ms), handling: formatMs(g.handling_mean_ms), ratings, good: formatRate(g.good_rate),
    followUps: String(g.follow_ups_open),
  };
  for (const [k, v] of Object.entries(want))
    assert(row[k] === v, `row ${name}: ${k} is "${row[k]}", the API says "${v}"`);
}

async function apiStats(group) {
  const from = await page.inputValue('#q-from');
  const to = await page.inputValue('#q-to');
  const r = await http('GET', `/api/stats?from=${from}&to=${to}&group=${group}`, { token: state.token });
  assert(r.status === 200, `GET /api/stats: ${r.status}`);
  return r.json;
}

// 7
await step(['page', 'api'], async () => {
  await page.fill('#signin-username', SUPERVISOR.username);
  await page.fill('#signin-password', SUPERVISOR.password);
  await page.click('#signin-submit');
  await page.waitForFunction(() => (document.body.dataset.rendered || '').endsWith('/center'));
  assert((await page.textContent('#user-info')).includes(SUPERVISOR.name), 'the header does not name the supervisor');
  // The default period: the 30 days up to today.
  assert(await page.inputValue('#q-to') === cstDate(), `to: ${await page.inputValue('#q-to')}`);
  const s = await apiStats('center');
  state.center = s;
  const kpi = async (id) => (await page.textContent(`#${id} .vw-kpi-value`)).trim();
  assert(await kpi('kpi-connections') === '3', `连线次数 ${await kpi('kpi-connections')}`);
  assert(await kpi('kpi-served') === '3', `服务企业群众 ${await kpi('kpi-served')}`);
  assert(await kpi('kpi-wait') === formatMs(s.total.wait_mean_ms), `平均等候 ${await kpi('kpi-wait')}`);
  assert(await kpi('kpi-good') === '66.7%', `好评率 ${await kpi('kpi-good')}`);
  assert(await kpi('kpi-follow-ups') === '1', `待整改 ${await kpi('kpi-follow-ups')}`);
  const rows = await tableRows();
  assert(rows.length === s.groups.length && rows.length === 2, `${rows.length} rows, the API has ${s.groups.length} groups`);
  s.groups.forEach((g, i) => expectRow(rows[i], g, g.name));
  assert(rows[0].name === AGENTS[0].center && rows[0].connections === '2', `first row: ${JSON.stringify(rows[0])}`);
  const total = await page.$eval('#stats-table tfoot tr', (tr) => tr.querySelector('.stats-connections').textContent);
  assert(total === '3', `合计 ${total}`);
  state.signedIn = true;
});

// 8
await step(['signedIn'], async () => {
  const s = state.center;
  const rects = (sel) => page.$$eval(`${sel} svg rect[data-value]`, (rs) => rs.map((r) => ({
    label: r.dataset.label, value: Number(r.dataset.value), part: r.dataset.part || null, width: Number(r.getAttribute('width')),
    height: Number(r.getAttribute('height')), cls: r.getAttribute('class'),
  })));
  // Days: one column per day of the period, today's the three calls.
  const days = await rects('#chart-days');
  assert(days.length === s.days.length && days.length === 30, `${days.length} day columns, ${s.days.length} days`);
  const today = days.find((d) => d.label === cstDate());
  assert(today && today.value === 3 && today.height > 0, `today's column: ${JSON.stringify(today)}`);
  assert(days.filter((d) => d.value === 0).every((d) => d.height === 0), 'an empty day has a column');
  // Connections per centre: bar lengths in proportion.
  const bars = await rects('#chart-connections');
  assert(bars.length === 2, `${bars.length} connection bars`);
  const [two, one] = [bars.find((b) => b.value === 2), bars.find((b) => b.value === 1)];
  assert(two && one && Math.abs(two.width - 2 * one.width) < 1, `bars ${two && two.width} and ${one && one.width} are not 2:1`);
  // Waits: mean and p90 per centre, in seconds.
  const waits = await rects('#chart-wait');
  assert(waits.length === 4, `${waits.length} wait bars`);
  for (const g of s.groups) {
    const mine = waits.filter((b) => b.label === g.name);
    assert(mine.length === 2, `${g.name}: ${mine.length} wait bars`);
    assert(Math.abs(mine[0].value - g.wait_mean_ms / 1000) < 1e-6 && Math.abs(mine[1].value - g.wait_p90_ms / 1000) < 1e-6,
      `${g.name}: wait bars ${mine.map((b) => b.value)}, API ${g.wait_mean_ms} ${g.wait_p90_ms}`);
  }
  // Ratings: the parts add up to the rated sessions of each centre.
  const parts = await rects('#chart-ratings');
  for (const g of s.groups) {
    const mine = parts.filter((p) => p.label === g.name);
    assert(mine.reduce((a, p) => a + p.value, 0) === g.rated, `${g.name}: rating parts ${JSON.stringify(mine)}`);
  }
  assert(parts.some((p) => p.part === '不满意' && p.value === 1 && /level-2/.test(p.cls)), 'no 不满意 part');
  const labels = await page.$$eval('svg.vw-chart', (svgs) => svgs.map((x) => x.getAttribute('aria-label')));
  assert(labels.length === 4 && labels.every(Boolean), `chart labels: ${labels}`);
});

// 9
await step(['signedIn'], async () => {
  await page.selectOption('#q-group', 'agent');
  await page.waitForFunction(() => (document.body.dataset.rendered || '').endsWith('/agent'));
  const s = await apiStats('agent');
  const rows = await tableRows();
  assert(rows.length === 2, `${rows.length} agent rows`);
  s.groups.forEach((g, i) => expectRow(rows[i], g, g.name));
  assert(rows[0].name === '张敏' && rows[0].ratings === '1 / 0 / 0 / 1 / 0' && rows[0].good === '50.0%', `张敏: ${JSON.stringify(rows[0])}`);
  assert(rows[1].name === '李娜' && rows[1].ratings === '0 / 1 / 0 / 0 / 0', `李娜: ${JSON.stringify(rows[1])}`);
  assert((await page.textContent('#group-heading')) === '帮办专员', 'the table is not headed 帮办专员');
  const bars = await page.$$eval('#chart-connections svg rect[data-value]', (rs) => rs.map((r) => r.dataset.label));
  assert(bars.includes('张敏') && bars.includes('李娜'), `bars: ${bars}`);
  const file = join(artifacts, 'stats-page.png');
  await page.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
});

// 10
await step(['signedIn'], async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await sleep(200);
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert(scroll <= width + 1, `the page is ${scroll} px wide on a ${width} px screen`);
  const file = join(artifacts, 'stats-phone.png');
  await page.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
  await page.setViewportSize({ width: 1366, height: 900 });
});

// 11
await step(['signedIn', 'api'], async () => {
  // The same tab: the supervisor page knows the account.
  await page.click('a[href="/supervisor.html#/follow-ups"]');
  await page.locator('#follow-ups-view').waitFor({ state: 'visible' });
  assert(await page.getAttribute('#tab-follow-ups', 'aria-selected') === 'true', 'the 整改跟踪 tab is not selected');
  const f = state.followUp;
  const row = page.locator(`#follow-ups-table tr[data-follow-up-id="${f.id}"]`);
  await row.waitFor({ state: 'visible' });
  const text = await row.innerText();
  for (const want of [CALLS[1].caseNo, '不满意', '材料清单讲解不清楚', '食品经营许可证', '张敏', '赵强', f.due_date, '待整改', '剩余'])
    assert(text.includes(want), `the row lacks "${want}": ${text}`);
  assert((await page.textContent('#follow-ups-open-count')).trim() === '1', 'the tab does not count 1 open');
  assert((await page.textContent('#follow-ups-summary')).includes('待整改 1 件'), 'no summary');
  // Only the 不满意 one: the satisfied cases are not there.
  assert(await page.locator('#follow-ups-table tr[data-follow-up-id]').count() === 1, 'more than one follow-up shown');
});

// 12
await step(['signedIn', 'api'], async () => {
  const f = state.followUp;
  const before = Date.now();
  await page.click(`#follow-ups-table tr[data-follow-up-id="${f.id}"] .follow-up-close-button`);
  await page.locator('#follow-up-close').waitFor({ state: 'visible' });
  assert((await page.textContent('#follow-up-close-case')).includes(CALLS[1].caseNo), 'the form does not name the case');
  // An empty resolution is refused by the page.
  await page.fill('#follow-up-resolution', '   ');
  await page.click('#follow-up-close-submit');
  await page.waitForFunction(() => /请填写整改情况/.test(document.querySelector('#follow-up-close-message').textContent));
  await page.fill('#follow-up-resolution', RESOLUTION);
  await page.click('#follow-up-close-submit');
  await page.waitForFunction(() => /整改已办结/.test(document.querySelector('#follow-ups-message').textContent));
  const row = page.locator(`#follow-ups-table tr[data-follow-up-id="${f.id}"]`);
  const text = await row.innerText();
  assert(text.includes('已办结') && text.includes(SUPERVISOR.name) && text.includes(RESOLUTION), `closed row: ${text}`);
  assert(await page.locator('#follow-ups-open-count').isHidden(), 'the tab still counts open follow-ups');
  const file = join(artifacts, 'stats-follow-ups.png');
  await page.screenshot({ path: file, fullPage: true });
  diag(`  ${file}`);
  // Stored, with who and when; audited; once only.
  const r = await http('GET', `/api/follow-ups/${f.id}`, { token: state.token });
  assert(r.status === 200 && r.json.state === 'closed' && r.json.closed_by === SUPERVISOR.username
    && r.json.resolution === RESOLUTION && r.json.closed_at >= before - 5000, `stored: ${r.text}`);
  const audit = await http('GET', `/api/audit?session=${encodeURIComponent(CALLS[1].session)}`, { token: state.token });
  assert(audit.json.entries.filter((e) => e.action === 'close-follow-up' && e.actor === SUPERVISOR.username).length === 1,
    `audit: ${audit.text}`);
  const again = await http('POST', `/api/follow-ups/${f.id}`, { token: state.token, body: { resolution: '再次办结' } });
  assert(again.status === 409 && again.json.error === 'conflict', `a second close answered ${again.status}`);
  // Listed among the closed ones.
  await page.selectOption('#fu-state', 'closed');
  await page.locator(`#follow-ups-table tr[data-follow-up-id="${f.id}"][data-state="closed"]`).waitFor({ state: 'visible' });
});

// 13
await step(['signedIn'], async () => {
  await page.click('#stats-link');
  await page.waitForFunction(() => (document.body.dataset.rendered || '').length > 0);
  assert((await page.textContent('#kpi-follow-ups .vw-kpi-value')).trim() === '0', 'the page still shows an open follow-up');
});

// 14
await step(['page'], async () => {
  assert(pageErrors.length === 0, pageErrors.join('\n'));
});

if (browser)
  await browser.close().catch(() => {});

// 15
await step(['url'], async () => {
  const code = await stopChild(state.server, 15000);
  assert(code === 0, `vw-server exited ${code}`);
});

finish(state.work, 'stats-page.done');
