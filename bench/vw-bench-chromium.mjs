// vw-bench-chromium.mjs: a clerk on the join page in headless Chromium, for
// vw-bench-network's Chromium rows.  It speaks like vw-client: JSON event
// lines on stdout ("paired", "first-frame", "stats", "freeze", "ended"),
// commands on stdin ({"command":"hangup"}), so that the benchmark reads
// both kinds of participant the same way.
//
//   node vw-bench-chromium.mjs --server URL --name NAME [--netns NAME]
//        [--stats-interval MS]
//
// --netns: Chromium runs inside that network namespace (ip netns exec),
// behind the impaired link; node itself stays outside (it talks to the
// browser over a pipe).  Counts come from getStats(): video inbound-rtp
// framesDecoded, bytesReceived, freezeCount and totalFreezesDuration
// (Chromium's freeze: a frame later than max(3 x the mean frame interval,
// the mean + 150 ms)); outbound-rtp framesEncoded and keyFramesEncoded.
// The fake camera sends 640x480 at 30 frames a second.
// playwright-core comes from tests/browser/node_modules (npm ci there), or
// from $VW_NODE_MODULES.

import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// VW_NODE_MODULES: another node_modules holding playwright-core.
const require = createRequire(new URL('../tests/browser/package.json', import.meta.url));
const playwright = process.env.VW_NODE_MODULES
  ? require(join(process.env.VW_NODE_MODULES, 'playwright-core'))
  : require('playwright-core');

const opts = { statsInterval: 100 };
for (let i = 2; i < process.argv.length; i += 2) {
  const [k, v] = [process.argv[i], process.argv[i + 1]];
  if (k === '--server') opts.server = v;
  else if (k === '--name') opts.name = v;
  else if (k === '--netns') opts.netns = v;
  else if (k === '--stats-interval') opts.statsInterval = Number(v);
  else {
    process.stderr.write(`vw-bench-chromium: unknown option ${k}\n`);
    process.exit(2);
  }
}
if (!opts.server || !opts.name) {
  process.stderr.write('usage: vw-bench-chromium.mjs --server URL --name NAME [--netns NAME]\n');
  process.exit(2);
}

function emit(event, fields = {}) {
  process.stdout.write(JSON.stringify({ event, t: Date.now(), ...fields }) + '\n');
}

const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const work = mkdtempSync(join(tmpdir(), 'vw-bench-chromium-'));
let executablePath = chromium;
if (opts.netns) {
  executablePath = join(work, 'chromium-in-netns');
  writeFileSync(executablePath,
    `#!/bin/sh\nexec ip netns exec '${opts.netns}' '${chromium}' "$@"\n`, { mode: 0o755 });
}

let browser;
let done = false;
async function finish(code) {
  if (done)
    return;
  done = true;
  try {
    if (browser)
      await browser.close();
  } catch (e) {
    // gone already
  }
  rmSync(work, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGTERM', () => finish(0));
process.on('SIGINT', () => finish(0));

try {
  browser = await playwright.chromium.launch({
    executablePath, headless: true,
    args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream=fps=30',
      '--disable-features=WebRtcHideLocalIpsWithMdns', '--autoplay-policy=no-user-gesture-required',
      // The server is on the link's host end, not loopback: a camera needs
      // a secure context.
      `--unsafely-treat-insecure-origin-as-secure=${new URL(opts.server).origin}`],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (err) => process.stderr.write(`pageerror: ${err.message}\n`));

  await page.goto(new URL('/join.html', opts.server).href);
  await page.selectOption('#handled-in', 'shanghai');
  await page.selectOption('#item', 'QY-SL-001');
  await page.fill('#name', opts.name);
  await page.selectOption('#province', 'zhejiang');
  await page.fill('#center', '嘉善县行政服务中心');
  await page.click('#call-button');
  try {
    await page.locator('#call-view').waitFor({ state: 'visible', timeout: 30000 });
  } catch (err) {
    const why = await page.evaluate(() => `phase ${window.vwJoin && window.vwJoin.phase}: `
      + (document.querySelector('#join-message') || {}).textContent).catch(() => '');
    throw new Error(`no call view (${why}): ${err.message}`);
  }
  emit('paired');

  createInterface({ input: process.stdin }).on('line', async (line) => {
    let cmd;
    try {
      cmd = JSON.parse(line).command;
    } catch (e) {
      return;
    }
    if (cmd === 'hangup') {
      try {
        await page.click('#hangup-button');
        await page.locator('#ended-view').waitFor({ state: 'visible', timeout: 10000 });
      } catch (e) {
        process.stderr.write(`hangup: ${e.message}\n`);
      }
      emit('ended', { reason: 'hangup' });
      await finish(0);
    }
  });

  let firstFrame = false;
  let freezes = 0;
  let freezeSeconds = 0;
  while (!done) {
    const s = await page.evaluate(async () => {
      const call = window.vwJoin && window.vwJoin.call;
      if (!call || !call.pc)
        return null;
      const out = { tracks: [], sent: [] };
      const report = await call.pc.getStats();
      // The camera is the video stream with the most frames (the page
      // also has a document camera's sender, idle here); one entry each.
      const best = {};
      const keep = (list, key, entry) => {
        if (!best[key] || entry.frames > best[key].frames) {
          if (best[key])
            list.splice(list.indexOf(best[key]), 1);
          best[key] = entry;
          list.push(entry);
        }
      };
      report.forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video')
          keep(out.tracks, 'in-video', { track: 'camera', frames: r.framesDecoded || 0, bytes: r.bytesReceived || 0,
            width: r.frameWidth || 0, height: r.frameHeight || 0,
            freezeCount: r.freezeCount || 0, totalFreezesDuration: r.totalFreezesDuration || 0 });
        else if (r.type === 'inbound-rtp' && r.kind === 'audio')
          keep(out.tracks, 'in-audio', { track: 'audio', frames: r.packetsReceived || 0, bytes: r.bytesReceived || 0,
            concealedSamples: r.concealedSamples || 0, totalSamplesReceived: r.totalSamplesReceived || 0 });
        else if (r.type === 'outbound-rtp' && r.kind === 'video')
          keep(out.sent, 'out-video', { track: 'camera', frames: r.framesEncoded || 0, keyframes: r.keyFramesEncoded || 0 });
        else if (r.type === 'outbound-rtp' && r.kind === 'audio')
          keep(out.sent, 'out-audio', { track: 'audio', frames: r.packetsSent || 0 });
      });
      return out;
    }).catch(() => null);
    if (s) {
      const cam = s.tracks.find((t) => t.track === 'camera');
      if (cam && cam.frames > 0 && !firstFrame) {
        firstFrame = true;
        emit('first-frame', { track: 'camera', width: cam.width, height: cam.height });
      }
      if (cam && cam.freezeCount > freezes) {
        const ms = Math.round((cam.totalFreezesDuration - freezeSeconds) * 1000);
        emit('freeze', { track: 'camera', ms, count: cam.freezeCount - freezes });
        freezes = cam.freezeCount;
        freezeSeconds = cam.totalFreezesDuration;
      }
      emit('stats', s);
    }
    await sleep(opts.statsInterval);
  }
} catch (err) {
  process.stderr.write(`vw-bench-chromium: ${err && err.stack ? err.stack : err}\n`);
  emit('error', { code: 'chromium', message: String(err && err.message) });
  await finish(1);
}
