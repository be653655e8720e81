// test-page-reconnect: drop-outs in the pages (issue 12): the join page
// (web/join.html) and the agent console (web/agent.html), each in its own
// Debian Chromium (fake camera and microphone, playwright-core), in a call
// through a real vw-server.  Each page reaches the server through a TCP relay
// of its own (relay.mjs) that the test can cut, shut or stall; the media go
// straight to the hub (UDP on 127.0.0.1), where an nftables table of this
// test (vwt-<pid>) can black out one page's media path.
//
//   VW_SERVER=build/server/vw-server VW_CLIENT=build/client/vw-client \
//   VW_ADMIN=build/server/vw-admin VW_ARTIFACTS=build/meson-logs/artifacts \
//   node tests/browser/test-page-reconnect.mjs
//
// Speaks TAP.  Screenshots (page-reconnect-clerk.png, page-reconnect-agent.png,
// page-reconnect-lost.png) and the server's log go to VW_ARTIFACTS.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { harness } from './lib.mjs';
import { startRelay } from './relay.mjs';

const GRACE_S = 8;        // [desk] reconnect-grace of this test's server
const TURN_SECRET = 'vwt-turn-secret-for-the-pages-test';
// Nothing answers there: the pages only have to be given it.
const TURN_URLS = ['turn:127.0.0.1:9?transport=udp', 'turn:127.0.0.1:9?transport=tcp'];
const CAP_BYTES_S = 30000;   // the agent's thinned downlink: 240 kbit/s

const CASES = [
  'vw-admin adds an agent; vw-server starts (reconnect grace 8 s, a [turn] server); a relay for each page',
  'the agent console signs in and goes 示闲; the join page calls and is paired: each decodes the other\'s camera; the welcome carries a resume token',
  'both RTCPeerConnections have the TURN server of `paired` (getConfiguration) with its REST username and credential',
  'the agent\'s downlink thinned to 240 kbit/s (an nftables policer): the server\'s `bitrate` cap for the camera is applied (getParameters: encodings[0].maxBitrate; the camera balanced, the document camera maintain-resolution) and the page sends no more than it; lifted, the sender keeps to the latest cap',
  'the clerk\'s WebSocket is reset and the network stays down 3 s: the page shows 网络中断，正在重连… (page-reconnect-clerk.png), the console 对方网络不稳定，正在重连… (page-reconnect-agent.png); the page resumes into the same session and case with a new media connection and no new getUserMedia; the console decodes the clerk\'s camera again; both notices go, in that order',
  'the clerk\'s connection stalls (nothing passes, nothing closes): the page finds it dead by its pings (silence), resumes, and the console decodes the clerk again',
  'the clerk\'s media path is blacked out (UDP to its hub port dropped) while the WebSocket is fine: a new media connection (media-lost -> resume, or the hub\'s media-restart); same session; the console decodes the clerk again',
  'the agent\'s WebSocket drops for 3 s: the join page shows 对方网络不稳定，正在重连… and clears it when restored; the page decodes the agent\'s camera again',
  'the clerk stays away past the grace period: the console shows the end (对方网络中断…) in Chinese; back, the page is told bad-resume and queues again, saying so (已为您重新排队), and is served in a new session',
  'the agent stays away past the grace period: the join page shows 对方网络中断，…本次服务已结束 (page-reconnect-lost.png) and can still rate; the console, back, says the call is over',
  '挂断 while the page reconnects: said once the connection is back; the console gets peer-hangup (not connection-lost), the page 您已挂断',
  'no script errors or CSP violations in the pages',
  'vw-server stops cleanly',
];

const AGENT = { username: 'zhangmin', password: 'Bangban-2026-huangpu', name: '张敏', center: '黄浦区政务服务中心' };
const CLERK = { name: '王强', province: 'jiangsu', handledIn: 'shanghai', item: '企业设立' };

const {
  artifacts, chromiumPath, state, playwright, diag, step, assert, waitFor,
  program, startProcess, serverUrl, runAdmin, stopChild, finish, env,
} = await harness(CASES, { logPrefix: 'page-reconnect-' });

const NFT_TABLE = `vwt-${process.pid}-media`;
function nft(args) {
  return execFileSync('nft', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}
function dropNft() {
  try {
    nft(['delete', 'table', 'inet', NFT_TABLE]);
  } catch (e) {
    // not there
  }
}
process.on('exit', dropNft);

// ------------------------------------------------------------------ pages

const pageErrors = [];
const FAKE_ARGS = [
  // Three fake cameras: the third (fake_device_2) is the clerk's 高拍仪.
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream=device-count=3',
  '--disable-features=WebRtcHideLocalIpsWithMdns', '--autoplay-policy=no-user-gesture-required',
];

async function newPage(browser, label) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  // Every getUserMedia is counted: a resume must not ask again.
  await context.addInitScript(() => {
    window.vwGumCount = 0;
    const md = navigator.mediaDevices;
    if (md && md.getUserMedia) {
      const orig = md.getUserMedia.bind(md);
      md.getUserMedia = (c) => {
        window.vwGumCount++;
        return orig(c);
      };
    }
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.sent = [];
  page.received = [];
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => {
      try {
        page.sent.push({ t: Date.now(), msg: JSON.parse(f.payload) });
      } catch (e) {
        // not JSON
      }
    });
    ws.on('framereceived', (f) => {
      try {
        page.received.push({ t: Date.now(), msg: JSON.parse(f.payload) });
      } catch (e) {
        // not JSON
      }
    });
  });
  page.on('console', (msg) => {
    if (env.VW_TEST_VERBOSE)
      process.stderr.write(`[${label}] ${msg.type()}: ${msg.text()}\n`);
    // Requests cut off by a dropped connection say so in the console.
    if (msg.type() === 'error' && !/ERR_CONNECTION|WebSocket connection|net::ERR|Failed to load resource/.test(msg.text()))
      pageErrors.push(`${label}: console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => pageErrors.push(`${label}: pageerror: ${err.message}`));
  return page;
}

// Inbound video/audio of a page's call by kind: {packets, framesDecoded, …}.
async function inbound(page, which) {
  const stats = await page.evaluate((w) => {
    const c = w === 'clerk' ? window.vwJoin.call : window.vwAgent.call;
    return c && !c.closed ? c.receiveStats() : [];
  }, which);
  // A resumed sender comes back on the same m-line with a new SSRC, and
  // Chrome keeps the old SSRC's counters: the counters of a kind are summed.
  const by = {};
  for (const s of stats) {
    if (!s.kind)
      continue;
    const b = by[s.kind] || (by[s.kind] = { kind: s.kind, packets: 0, framesDecoded: 0, streams: 0 });
    b.packets += s.packets || 0;
    b.framesDecoded += s.framesDecoded || 0;
    b.streams++;
    if (s.frameWidth)
      [b.frameWidth, b.frameHeight] = [s.frameWidth, s.frameHeight];
  }
  return by;
}

// The camera of the other side decodes now: framesDecoded grows by more
// than 5 within 1.5 s on the call's current connection (sampled until it
// does, or the time is up).
async function decodesCamera(page, which, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let a = null;
  let b = null;
  for (;;) {
    a = (await inbound(page, which)).camera;
    await sleep(1500);
    b = (await inbound(page, which)).camera;
    if (a && b && b.framesDecoded > a.framesDecoded + 5)
      return b;
    if (Date.now() > deadline)
      throw new Error(`${which}: no camera decoded: framesDecoded ${a && a.framesDecoded} -> ${b && b.framesDecoded} in 1.5 s`);
  }
}

const network = (page, which) => page.evaluate((w) => (w === 'clerk' ? window.vwJoin : window.vwAgent).network.map((n) => ({ ...n })), which);
const text = (page, sel) => page.$eval(sel, (el) => el.textContent.trim());
const visible = (page, sel) => page.$eval(sel, (el) => !el.hidden && getComputedStyle(el).display !== 'none' && el.textContent.trim() !== '');

// The hub's port of a page's media connection (the selected pair's remote end).
function hubPort(page, which = 'clerk') {
  return page.evaluate(async (w) => {
    const r = await (w === 'clerk' ? window.vwJoin : window.vwAgent).call.pc.getStats();
    let pair = null;
    r.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId)
        pair = r.get(s.selectedCandidatePairId);
    });
    return pair ? r.get(pair.remoteCandidateId).port : null;
  }, which);
}

// The camera sender of the join page: its parameters and bytes sent.
function cameraSender(page) {
  return page.evaluate(async () => {
    const call = window.vwJoin.call;
    const t = call.pc.getTransceivers().find((x) => x.mid === call.sendMids.camera);
    if (!t)
      return null;
    const p = t.sender.getParameters();
    let bytes = 0;
    (await t.sender.getStats()).forEach((s) => {
      if (s.type === 'outbound-rtp')
        bytes += s.bytesSent + (s.headerBytesSent || 0);
    });
    return { maxBitrate: p.encodings[0] && p.encodings[0].maxBitrate, degradation: p.degradationPreference, bytes, at: Date.now() };
  });
}

function firstAt(list, what, after = 0) {
  const e = list.find((n) => n.what === what && n.at >= after);
  return e ? e.at : null;
}

// ------------------------------------------------------------------ main

console.log(`1..${CASES.length}`);
diag(`artifacts: ${artifacts}`);
state.work = mkdtempSync(join(tmpdir(), 'vw-reconnect-'));
const dataDir = join(state.work, 'data');
let browser;

// 1
await step([], async () => {
  const r = await runAdmin(['--data-dir', dataDir, 'add-account', '--username', AGENT.username,
    '--role', 'agent', '--name', AGENT.name, '--province', 'shanghai', '--center', AGENT.center], `${AGENT.password}\n`);
  assert(r.code === 0, `vw-admin exited ${r.code}: ${r.err.trim()}`);
  const config = join(state.work, 'vw-server.conf');
  writeFileSync(config, [
    '[desk]', 'wrap-up-seconds=0', `reconnect-grace=${GRACE_S}`,
    // No ICE-TCP: a blacked-out UDP path must fail, not move to TCP.
    '[media]', 'ice-tcp=false',
    '[turn]', `urls=${TURN_URLS.join(',')}`, `secret=${TURN_SECRET}`, '',
  ].join('\n'));
  const server = startProcess('vw-server', program('VW_SERVER'),
    ['--config', config, '--port', '0', '--address', '127.0.0.1', '--ice-address', '127.0.0.1', '--data-dir', dataDir],
    { stdin: 'ignore' });
  state.server = server;
  state.url = await serverUrl(server);
  const port = Number(new URL(state.url).port);
  state.clerkRelay = await startRelay(port);
  state.agentRelay = await startRelay(port);
  diag(`  server ${state.url}; relays: clerk ${state.clerkRelay.url}, agent ${state.agentRelay.url}`);
});

// 2
await step(['url'], async () => {
  browser = await playwright.chromium.launch({ executablePath: chromiumPath, headless: true, args: FAKE_ARGS });
  const agent = await newPage(browser, 'agent');
  state.agentPage = agent;
  await agent.goto(new URL('/agent.html', state.agentRelay.url).href);
  // The console's script has run (a form sent before it would reload the page).
  await agent.locator('#status-badge[data-state="offline"]').waitFor({ state: 'attached' });
  await agent.fill('#signin-username', AGENT.username);
  await agent.fill('#signin-password', AGENT.password);
  await agent.click('#signin-submit');
  await agent.locator('#desk-view').waitFor({ state: 'visible', timeout: 30000 }).catch(async (err) => {
    throw new Error(`${err.message.split('\n')[0]}; the page says "${await text(agent, '#signin-message')}"`);
  });
  await waitFor('the agent\'s camera', () => agent.$eval('#local-camera video', (v) => v.videoWidth > 0), 10000);
  await agent.click('#go-available');
  await waitFor('空闲（示闲）', async () => (await text(agent, '#status-badge')) === '空闲（示闲）', 5000);

  const clerk = await newPage(browser, 'clerk');
  state.clerkPage = clerk;
  await clerk.goto(new URL('/join.html', state.clerkRelay.url).href);
  await clerk.waitForFunction(() => window.vwJoin && Array.isArray(window.vwJoin.catalogue));
  await clerk.selectOption('#handled-in', CLERK.handledIn);
  await clerk.selectOption('#item', CLERK.item);
  await clerk.fill('#name', CLERK.name);
  await clerk.selectOption('#province', CLERK.province);
  await clerk.click('#media-button');
  await clerk.waitForFunction(() => document.querySelector('#document-device').options.length >= 4);
  const doc = (await clerk.$$eval('#document-device option', (os) => os.map((o) => ({ value: o.value, text: o.textContent }))))
    .find((o) => o.value && /fake_device_2/.test(o.text));
  assert(doc, 'no third camera for the 高拍仪');
  await clerk.selectOption('#document-device', doc.value);
  await clerk.click('#call-button');
  await clerk.locator('#call-view').waitFor({ state: 'visible', timeout: 15000 });
  await agent.locator('#call-view').waitFor({ state: 'visible', timeout: 15000 });
  state.session = await clerk.evaluate(() => window.vwJoin.session);
  state.caseNo = await text(clerk, '#case-no');
  state.clerkPeer = await clerk.evaluate(() => window.vwJoin.signaling.peerId);
  assert(/^案件编号 VW-/.test(state.caseNo), `case: ${state.caseNo}`);
  assert(await agent.evaluate(() => window.vwAgent.session && window.vwAgent.session.id) === state.session, 'the console is in another session');
  const welcome = clerk.received.find((f) => f.msg.type === 'welcome');
  assert(welcome && typeof welcome.msg['resume-token'] === 'string' && welcome.msg['resume-token'].length >= 22,
    `welcome: ${JSON.stringify(welcome && welcome.msg)}`);
  await decodesCamera(clerk, 'clerk');
  await decodesCamera(agent, 'agent');
  state.gum = await clerk.evaluate(() => window.vwGumCount);
  state.inCall = true;
});

// 3
await step(['inCall'], async () => {
  const clerk = state.clerkPage;
  const agent = state.agentPage;
  // TURN: the ice-servers of `paired` are the RTCPeerConnection's.
  for (const [page, which] of [[clerk, 'clerk'], [agent, 'agent']]) {
    const paired = page.received.find((f) => f.msg.type === 'paired');
    const sent = paired && paired.msg['ice-servers'];
    assert(Array.isArray(sent) && sent.length > 0, `${which}: paired without ice-servers: ${JSON.stringify(paired && paired.msg)}`);
    const conf = await page.evaluate((w) => {
      const c = (w === 'clerk' ? window.vwJoin : window.vwAgent).call;
      return c.pc.getConfiguration().iceServers;
    }, which);
    const urls = conf.flatMap((s) => [].concat(s.urls));
    for (const u of TURN_URLS)
      assert(urls.includes(u), `${which}: the connection's iceServers lack ${u}: ${JSON.stringify(conf)}`);
    const turn = conf.find((s) => [].concat(s.urls).some((u) => u.startsWith('turn:')));
    assert(/^\d{10,}:\S+$/.test(turn.username) && turn.credential === sent[0].credential,
      `${which}: username ${turn.username}, credential as sent: ${turn.credential === sent[0].credential}`);
    diag(`  ${which}: iceServers ${urls.join(' ')} user ${turn.username}`);
  }
});

// 4
await step(['inCall'], async () => {
  const clerk = state.clerkPage;
  const port = await hubPort(state.agentPage, 'agent');
  assert(port, 'no selected candidate pair');
  const t0 = Date.now();
  // Before any media connection is rebuilt: the hub announces a cap only
  // when it moves, and does not say it again to a rebuilt connection (the
  // page starts a new one without caps).
  // What the hub sends the agent beyond 240 kbit/s is dropped: the
  // receiver's thin link, which only the hub's cap can tell the clerk's
  // browser about (its own uplink is fine).
  nft(['add', 'table', 'inet', NFT_TABLE]);
  nft(['add', 'chain', 'inet', NFT_TABLE, 'in', '{ type filter hook input priority -10 ; }']);
  nft(['add', 'rule', 'inet', NFT_TABLE, 'in', 'udp', 'sport', String(port), 'limit', 'rate', 'over',
    `${CAP_BYTES_S / 1000}`, 'kbytes/second', 'burst', '30', 'kbytes', 'counter', 'drop']);
  let cap;
  let applied;
  let sent;
  let caps = [];
  let dropped = null;
  try {
    // The cap in force: the latest `bitrate` for the camera since the
    // clerk's media connection was last built (the page keeps it as
    // call.caps; a new connection starts without).
    cap = await waitFor('a bitrate cap for the camera', async () => {
      const inForce = await clerk.evaluate(() => window.vwJoin.call.caps.camera || 0);
      if (!inForce || inForce >= 1000000)
        return null;
      const last = clerk.received.filter((f) => f.msg.type === 'bitrate' && f.msg.session === state.session && f.msg.kind === 'camera').pop();
      return last && last.msg['max-bitrate'] === inForce ? last : null;
    }, 30000, 200).catch(async (err) => {
      const got = clerk.received.filter((f) => f.msg.type === 'bitrate').map((f) => `${f.t - t0}:${f.msg.kind}:${f.msg['max-bitrate']}`);
      const net = (await network(clerk, 'clerk')).filter((n) => n.at >= t0).map((n) => `${n.at - t0}:${n.what}`);
      throw new Error(`${err.message}; bitrate (ms since the policer): ${got.join(' ') || 'none'}; events: ${net.join(' ') || 'none'}; agent's port ${port} now ${await hubPort(state.agentPage, 'agent')}; policer: ${(/packets \d+ bytes \d+/.exec(nft(['list', 'table', 'inet', NFT_TABLE])) || ['?'])[0]} dropped`);
    });
    // The latest cap (more may follow while the estimate settles) is the
    // sender's maxBitrate.
    applied = await waitFor('the cap applied', async () => {
      const want = await clerk.evaluate(() => window.vwJoin.call.caps.camera);
      const p = await cameraSender(clerk);
      return p && p.maxBitrate === want ? { ...p, want } : null;
    }, 5000, 100);
    // And the page keeps to it: once the encoder has had 2 s to follow, over
    // 4 s it sends no more than the highest cap in force meanwhile (30 %
    // leeway for keyframes and headers; uncapped, it would send 1 Mbit/s).
    await sleep(2000);
    const capAt = (t) => {
      const before = clerk.received.filter((f) => f.t <= t && f.msg.type === 'bitrate' && f.msg.kind === 'camera');
      return before.length ? before[before.length - 1].msg['max-bitrate'] : 1000000;
    };
    const a = await cameraSender(clerk);
    await sleep(4000);
    const b = await cameraSender(clerk);
    sent = ((b.bytes - a.bytes) * 8 * 1000) / (b.at - a.at);
    const inForce = Math.max(capAt(a.at), ...clerk.received.filter((f) => f.t > a.at && f.t <= b.at
      && f.msg.type === 'bitrate' && f.msg.kind === 'camera').map((f) => f.msg['max-bitrate']));
    caps = clerk.received.filter((f) => f.t >= cap.t && f.msg.type === 'bitrate' && f.msg.kind === 'camera').map((f) => f.msg['max-bitrate']);
    assert(sent <= inForce * 1.3, `sent ${Math.round(sent)} bit/s under a cap of ${inForce} (caps: ${caps.join(', ')})`);
    dropped = /packets (\d+)/.exec(nft(['list', 'table', 'inet', NFT_TABLE]));
  } finally {
    dropNft();
  }
  // How each track gives way: the camera balances, the document camera
  // keeps its resolution (its text stays legible; the frame rate drops).
  const prefs = await clerk.evaluate(() => {
    const call = window.vwJoin.call;
    const out = {};
    for (const kind of ['camera', 'document']) {
      const t = call.pc.getTransceivers().find((x) => x.mid === call.sendMids[kind]);
      out[kind] = t ? t.sender.getParameters().degradationPreference : 'no sender';
    }
    return out;
  });
  assert(prefs.camera === 'balanced' && prefs.document === 'maintain-resolution', `degradationPreference: ${JSON.stringify(prefs)}`);
  // Lifted: whatever the hub says next (the cap climbs back as its
  // estimate grows), the sender keeps to the latest cap, never above the
  // profile's 1 Mbit/s.
  const t1 = Date.now();
  await sleep(3000);
  const after = await waitFor('the sender at the latest cap', async () => {
    const latest = await clerk.evaluate(() => window.vwJoin.call.caps.camera || 1000000);
    const p = await cameraSender(clerk);
    return p && p.maxBitrate === Math.min(latest, 1000000) ? p : null;
  }, 5000, 100);
  const up = `${after.maxBitrate} (${clerk.received.filter((f) => f.t >= t1 && f.msg.type === 'bitrate' && f.msg.kind === 'camera').length} caps since)`;
  diag(`  cap ${cap.msg['max-bitrate']} bit/s (${cap.t - t0} ms after the policer); applied ${applied.want} (${applied.degradation || 'no degradationPreference reported'}); sent ${Math.round(sent)} bit/s (policer dropped ${dropped ? dropped[1] : '?'} packets; caps ${caps.join(', ')}); sender at ${up} 3 s after the policer went`);
});

// 5
await step(['inCall'], async () => {
  const clerk = state.clerkPage;
  const agent = state.agentPage;
  const t0 = Date.now();
  state.clerkRelay.refuse(true);
  state.clerkRelay.cut();
  await waitFor('网络中断，正在重连…', async () => (await visible(clerk, '#network-notice'))
    && (await text(clerk, '#network-notice')) === '网络中断，正在重连…', 5000, 50);
  await clerk.screenshot({ path: join(artifacts, 'page-reconnect-clerk.png'), fullPage: true });
  assert(await clerk.locator('#call-view').isVisible(), 'the call view went away');
  await waitFor('对方网络不稳定 on the console', async () => (await visible(agent, '#peer-network-notice'))
    && (await text(agent, '#peer-network-notice')).startsWith('对方网络不稳定，正在重连'), 10000, 50);
  await agent.screenshot({ path: join(artifacts, 'page-reconnect-agent.png'), fullPage: true });
  assert(await agent.locator('#call-view').isVisible(), 'the console left the call');
  await sleep(Math.max(0, 3000 - (Date.now() - t0)));
  state.clerkRelay.refuse(false);
  // Back: the same session and case, a new media connection.
  await waitFor('the notice gone', async () => !(await visible(clerk, '#network-notice')), 15000);
  await waitFor('the clerk\'s restart', () => clerk.evaluate(() => window.vwJoin.call.restarts >= 1), 10000);
  assert(await clerk.evaluate(() => window.vwJoin.session) === state.session, 'another session');
  assert(await text(clerk, '#case-no') === state.caseNo, `case ${await text(clerk, '#case-no')}`);
  assert(await clerk.evaluate(() => window.vwJoin.signaling.peerId) === state.clerkPeer, 'another peer id');
  const resumeHello = clerk.sent.find((f) => f.t >= t0 && f.msg.type === 'hello');
  assert(resumeHello && typeof resumeHello.msg.resume === 'string', `hello: ${JSON.stringify(resumeHello && resumeHello.msg)}`);
  const resumed = clerk.received.find((f) => f.t >= t0 && f.msg.type === 'paired');
  assert(resumed && resumed.msg.resumed === true && resumed.msg.session === state.session, `paired: ${JSON.stringify(resumed && resumed.msg)}`);
  await decodesCamera(agent, 'agent');
  await decodesCamera(clerk, 'clerk');
  await waitFor('对方网络不稳定 cleared', async () => !(await visible(agent, '#peer-network-notice')), 10000);
  assert(await clerk.evaluate(() => window.vwGumCount) === state.gum, 'getUserMedia was called again');
  // In order: the clerk's reconnecting, resumed, new connection; the
  // console's reconnecting, then restored after the clerk was back.
  const c = await network(clerk, 'clerk');
  const a = await network(agent, 'agent');
  const cr = firstAt(c, 'reconnecting', t0);
  const cb = firstAt(c, 'resumed', t0);
  const cn = firstAt(c, 'restart-resumed', t0);
  const ar = firstAt(a, 'peer-reconnecting', t0);
  const ab = firstAt(a, 'peer-restored', t0);
  assert(cr && cb && cn && ar && ab, `events: clerk ${JSON.stringify(c)}, agent ${JSON.stringify(a)}`);
  assert(cr <= cb && cb <= cn && ar < ab && cb <= ab, `order: clerk reconnecting ${cr - t0}, resumed ${cb - t0}, new connection ${cn - t0}; console reconnecting ${ar - t0}, restored ${ab - t0} ms`);
  diag(`  clerk: reconnecting +${cr - t0}, resumed +${cb - t0} ms; console: 对方网络不稳定 +${ar - t0}, restored +${ab - t0} ms`);
  state.resumed = true;
});

// 6
await step(['resumed'], async () => {
  const clerk = state.clerkPage;
  const agent = state.agentPage;
  const t0 = Date.now();
  const restarts = await clerk.evaluate(() => window.vwJoin.call.restarts);
  state.clerkRelay.stall();
  const seen = await waitFor('the page finds the connection dead', async () => {
    const c = await network(clerk, 'clerk');
    return c.find((n) => n.what === 'reconnecting' && n.at >= t0);
  }, 30000, 200);
  const took = seen.at - t0;
  assert(seen.cause === 'silence', `cause ${seen.cause}`);
  assert(took >= 14000, `dead after ${took} ms: sooner than 15 s of silence`);
  await waitFor('resumed', async () => firstAt(await network(clerk, 'clerk'), 'resumed', t0), 15000);
  await waitFor('a new connection', () => clerk.evaluate((n) => window.vwJoin.call.restarts > n, restarts), 10000);
  assert(await clerk.evaluate(() => window.vwJoin.session) === state.session, 'another session');
  await decodesCamera(agent, 'agent');
  diag(`  dead after ${took} ms of silence; resumed +${firstAt(await network(clerk, 'clerk'), 'resumed', t0) - t0} ms`);
});

// 7
await step(['resumed'], async () => {
  const clerk = state.clerkPage;
  const agent = state.agentPage;
  const port = await hubPort(clerk);
  assert(port, 'no selected candidate pair');
  const restarts = await clerk.evaluate(() => window.vwJoin.call.restarts);
  const t0 = Date.now();
  nft(['add', 'table', 'inet', NFT_TABLE]);
  nft(['add', 'chain', 'inet', NFT_TABLE, 'in', '{ type filter hook input priority -10 ; }']);
  nft(['add', 'rule', 'inet', NFT_TABLE, 'in', 'udp', 'dport', String(port), 'drop']);
  nft(['add', 'rule', 'inet', NFT_TABLE, 'in', 'udp', 'sport', String(port), 'drop']);
  try {
    await waitFor('a new media connection', () => clerk.evaluate((n) => window.vwJoin.call.restarts > n, restarts), 40000, 200);
  } finally {
    dropNft();
  }
  const took = Date.now() - t0;
  assert(await clerk.evaluate(() => window.vwJoin.session) === state.session, 'another session');
  assert(await clerk.locator('#call-view').isVisible(), 'the call view went away');
  await decodesCamera(agent, 'agent');
  await decodesCamera(clerk, 'clerk');
  const c = (await network(clerk, 'clerk')).filter((n) => n.at >= t0).map((n) => `${n.what}${n.cause ? ` (${n.cause})` : ''} +${n.at - t0}`);
  diag(`  port ${port} blacked out: a new connection after ${took} ms (${c.join(', ')})`);
});

// 8
await step(['inCall'], async () => {
  const clerk = state.clerkPage;
  const agent = state.agentPage;
  const t0 = Date.now();
  state.agentRelay.refuse(true);
  state.agentRelay.cut();
  await waitFor('对方网络不稳定 on the join page', async () => (await visible(clerk, '#peer-network-notice'))
    && (await text(clerk, '#peer-network-notice')).startsWith('对方网络不稳定，正在重连'), 10000, 50);
  await waitFor('网络中断 on the console', async () => (await text(agent, '#network-notice')) === '网络中断，正在重连…', 5000, 50);
  await sleep(Math.max(0, 3000 - (Date.now() - t0)));
  state.agentRelay.refuse(false);
  await waitFor('the join page\'s notice cleared', async () => !(await visible(clerk, '#peer-network-notice')), 20000);
  await waitFor('the console\'s notice cleared', async () => !(await visible(agent, '#network-notice')), 5000);
  assert(await agent.evaluate(() => window.vwAgent.session && window.vwAgent.session.id) === state.session, 'the console left the session');
  await decodesCamera(clerk, 'clerk');
  await decodesCamera(agent, 'agent');
  const c = await network(clerk, 'clerk');
  const r = firstAt(c, 'peer-reconnecting', t0);
  const b = firstAt(c, 'peer-restored', t0);
  assert(r && b && r < b, `events ${JSON.stringify(c)}`);
  diag(`  join page: 对方网络不稳定 +${r - t0}, restored +${b - t0} ms`);
});

// 9
await step(['inCall'], async () => {
  const clerk = state.clerkPage;
  const agent = state.agentPage;
  const t0 = Date.now();
  state.clerkRelay.refuse(true);
  state.clerkRelay.cut();
  await waitFor('the console shows the end', async () => /对方网络中断/.test(await text(agent, '#status-message')), (GRACE_S + 10) * 1000, 200);
  const ended = agent.received.find((f) => f.t >= t0 && f.msg.type === 'ended');
  assert(ended && ended.msg.reason === 'connection-lost', `ended: ${JSON.stringify(ended && ended.msg)}`);
  assert(await agent.locator('#call-view').isHidden(), 'the console still shows the call');
  const lostAfter = ended.t - t0;
  state.clerkRelay.refuse(false);
  await waitFor('已为您重新排队', async () => (await text(clerk, '#network-notice')).includes('已为您重新排队'), 20000, 100);
  const bad = clerk.received.find((f) => f.t >= t0 && f.msg.type === 'error' && f.msg.code === 'bad-resume');
  assert(bad, 'no bad-resume');
  await clerk.locator('#call-view').waitFor({ state: 'visible', timeout: 20000 });
  const session = await clerk.evaluate(() => window.vwJoin.session);
  assert(session && session !== state.session, `session ${session}`);
  assert(await text(clerk, '#case-no') !== state.caseNo, 'the same case number');
  assert(await clerk.evaluate(() => window.vwGumCount) === state.gum, 'getUserMedia was called again');
  state.session = session;
  await decodesCamera(agent, 'agent');
  diag(`  connection-lost after ${lostAfter} ms; served again in ${session}: "${await text(clerk, '#network-notice')}"`);
  state.second = true;
});

// 10
await step(['second'], async () => {
  const clerk = state.clerkPage;
  const agent = state.agentPage;
  const t0 = Date.now();
  state.agentRelay.refuse(true);
  state.agentRelay.cut();
  await clerk.locator('#ended-view').waitFor({ state: 'visible', timeout: (GRACE_S + 10) * 1000 });
  const reason = await text(clerk, '#ended-reason');
  assert(reason.startsWith('对方网络中断') && reason.includes('本次服务已结束'), `ended: ${reason}`);
  const ended = clerk.received.find((f) => f.t >= t0 && f.msg.type === 'ended');
  assert(ended && ended.msg.reason === 'connection-lost', `ended: ${JSON.stringify(ended && ended.msg)}`);
  assert(await clerk.locator('#rating-form').isVisible(), 'no rating form');
  assert(!(await visible(clerk, '#peer-network-notice')), 'the 对方网络不稳定 notice stayed');
  await clerk.screenshot({ path: join(artifacts, 'page-reconnect-lost.png'), fullPage: true });
  state.agentRelay.refuse(false);
  await waitFor('the console back, the call over', async () => /网络中断时间过长/.test(await text(agent, '#status-message')), 20000, 100);
  assert(await agent.locator('#call-view').isHidden(), 'the console still shows the call');
  diag(`  join page: "${reason}"; console: "${await text(agent, '#status-message')}"`);
});

// 11
await step(['second'], async () => {
  const clerk = state.clerkPage;
  const agent = state.agentPage;
  await agent.click('#go-available');
  await waitFor('空闲（示闲）', async () => (await text(agent, '#status-badge')) === '空闲（示闲）', 10000);
  // A new call from the same page: 再次办理 reloads it.
  await clerk.click('#again-button');
  await clerk.waitForFunction(() => window.vwJoin && Array.isArray(window.vwJoin.catalogue) && window.vwJoin.phase === 'setup');
  await clerk.selectOption('#handled-in', CLERK.handledIn);
  await clerk.selectOption('#item', CLERK.item);
  await clerk.fill('#name', CLERK.name);
  await clerk.selectOption('#province', CLERK.province);
  await clerk.click('#call-button');
  await clerk.locator('#call-view').waitFor({ state: 'visible', timeout: 20000 });
  await agent.locator('#call-view').waitFor({ state: 'visible', timeout: 10000 });
  const session = await clerk.evaluate(() => window.vwJoin.session);
  await decodesCamera(agent, 'agent');
  const t0 = Date.now();
  state.clerkRelay.refuse(true);
  state.clerkRelay.cut();
  await waitFor('网络中断，正在重连…', async () => (await text(clerk, '#network-notice')) === '网络中断，正在重连…', 5000, 50);
  await clerk.click('#hangup-button');
  await sleep(1500);
  assert(await clerk.locator('#call-view').isVisible(), 'the call ended before the connection was back');
  state.clerkRelay.refuse(false);
  await clerk.locator('#ended-view').waitFor({ state: 'visible', timeout: 15000 });
  const reason = await text(clerk, '#ended-reason');
  assert(reason.startsWith('您已挂断'), `the page: ${reason}`);
  const ended = await waitFor('ended on the console', () => agent.received.find((f) => f.t >= t0 && f.msg.type === 'ended' && f.msg.session === session), 5000);
  assert(ended.msg.reason === 'peer-hangup', `the console's ended: ${JSON.stringify(ended.msg)}`);
  const order = clerk.sent.filter((f) => f.t >= t0 && (f.msg.type === 'hello' || f.msg.type === 'hangup')).map((f) => f.msg.type + (f.msg.resume ? '(resume)' : ''));
  assert(order[0] === 'hello(resume)' && order.includes('hangup'), `sent: ${order.join(', ')}`);
  diag(`  sent ${order.join(', ')}; the console's end ${ended.t - t0} ms after the drop`);
});

// 12
await step(['url'], async () => {
  assert(pageErrors.length === 0, pageErrors.join('\n'));
});

if (browser)
  await browser.close().catch(() => {});

// 13
await step(['url'], async () => {
  dropNft();
  state.clerkRelay.close();
  state.agentRelay.close();
  const code = await stopChild(state.server, 15000);
  assert(code === 0, `vw-server exited ${code}`);
});

finish(state.work, null);
