// lib.mjs: what every browser test needs: TAP steps, waiting, the real
// programs (vw-server, vw-client, vw-admin) as child processes with their
// logs in the artifacts directory, HTTP to the server, and Chromium through
// playwright-core.
//
//   const t = await harness(CASES, { logPrefix: 'join-' });
//   await t.step([], async () => { ... t.state.url = ...; });
//   ...
//   process.exit(t.failed() ? 1 : 0);
//
// Environment: VW_SERVER, VW_CLIENT, VW_ADMIN (set by tests/meson.build),
// VW_ARTIFACTS (screenshots and logs), CHROMIUM (default /usr/bin/chromium),
// VW_TEST_VERBOSE=1 (echo the children's stderr and the pages' console).

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export async function harness(cases, { logPrefix = '' } = {}) {
  const startedAt = Date.now();
  const env = process.env;
  const artifacts = resolve(env.VW_ARTIFACTS || join(tmpdir(), 'vw-browser-artifacts'));
  mkdirSync(artifacts, { recursive: true });
  const chromiumPath = env.CHROMIUM || '/usr/bin/chromium';
  const state = {};
  const children = new Set();
  let caseNo = 0;
  let failures = 0;

  function diag(text) {
    for (const line of String(text).split('\n'))
      console.log(`# ${line}`);
  }

  function bailOut(reason) {
    console.log(`Bail out! ${reason}`);
    process.exit(1);
  }

  // Runs the next case: ok when @fn resolves, not ok (with the reason) when
  // it throws or when a case it needs (a key of state) failed.
  async function step(needs, fn) {
    const name = cases[caseNo++];
    const missing = needs.filter((k) => !state[k]);
    if (missing.length) {
      failures++;
      console.log(`not ok ${caseNo} - ${name}`);
      diag(`  skipped: needs ${missing.join(', ')}, which failed`);
      return;
    }
    const started = Date.now();
    try {
      await fn();
      console.log(`ok ${caseNo} - ${name} (${Date.now() - started} ms)`);
    } catch (err) {
      failures++;
      console.log(`not ok ${caseNo} - ${name}`);
      diag(`  ${err && err.stack ? err.stack : err}`);
    }
  }

  function assert(cond, message) {
    if (!cond)
      throw new Error(message);
  }

  async function waitFor(what, fn, timeoutMs = 10000, intervalMs = 100) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      try {
        const v = await fn();
        if (v)
          return v;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
      await sleep(intervalMs);
    }
  }

  function program(name) {
    const path = env[name];
    if (!path || !existsSync(path))
      bailOut(`${name} is not set to a built program (got ${path || 'nothing'}); run through meson test`);
    return path;
  }

  // A child whose stderr goes to ARTIFACTS/PREFIXlabel.log.
  function startProcess(label, cmd, args, { stdin = 'pipe', env: extraEnv = {} } = {}) {
    const child = spawn(cmd, args, { stdio: [stdin, 'pipe', 'pipe'], env: { ...env, ...extraEnv } });
    children.add(child);
    const log = createWriteStream(join(artifacts, `${logPrefix}${label}.log`));
    child.stderr.on('data', (d) => {
      log.write(d);
      if (env.VW_TEST_VERBOSE)
        process.stderr.write(d);
    });
    child.exited = new Promise((res) => {
      child.on('exit', (code, signal) => {
        children.delete(child);
        child.exitCode_ = code;
        child.exitSignal_ = signal;
        res({ code, signal });
      });
      // A program that could not be started (e.g. being rebuilt) never
      // exits: it counts as exited with -1, so nothing waits for it.
      child.on('error', (err) => {
        diag(`${label}: ${err.message}`);
        if (child.pid === undefined && child.exitCode_ === undefined) {
          children.delete(child);
          child.exitCode_ = -1;
          res({ code: -1, signal: null });
        }
      });
    });
    return child;
  }

  // vw-admin with @input on its stdin (a password): {code, out, err}.
  function runAdmin(args, input) {
    return new Promise((res, rej) => {
      const child = spawn(program('VW_ADMIN'), args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      child.on('error', rej);
      child.on('exit', (code) => res({ code, out, err }));
      child.stdin.end(input);
    });
  }

  // A headless vw-client on state.url whose JSON event lines are kept (each
  // with receivedAt) and copied to ARTIFACTS/PREFIXlabel.jsonl.
  // waitEvent(event, timeoutMs, pred, since) looks from index @since on.
  function startClient(label, args, { name, env: extraEnv = {} } = {}) {
    const child = startProcess(label, program('VW_CLIENT'), [
      '--server', state.url, '--headless', '--ice-address', '127.0.0.1',
      ...(name ? ['--name', name] : []),
      '--save-dir', join(state.work, `${label}-snapshots`), ...args,
    ], { env: extraEnv });
    child.events = [];
    const events = createWriteStream(join(artifacts, `${logPrefix}${label}.jsonl`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      events.write(`${line}\n`);
      try {
        const e = JSON.parse(line);
        e.receivedAt = Date.now();
        child.events.push(e);
      } catch (e) {
        // not an event line
      }
    });
    child.command = (obj) => child.stdin.write(`${JSON.stringify(obj)}\n`);
    child.waitEvent = (event, timeoutMs = 10000, pred = () => true, since = 0) =>
      waitFor(`${label}: event ${event}`, () => {
        const e = child.events.slice(since).find((x) => x.event === event && pred(x));
        if (!e && child.exitCode_ !== undefined)
          throw new Error(`${label} exited (${child.exitCode_}) without ${event}; last: ${JSON.stringify(child.events.slice(-3))}`);
        return e;
      }, timeoutMs, 50);
    return child;
  }

  // SIGTERM, then SIGKILL after @timeoutMs: the exit code, -1 if killed.
  async function stopChild(child, timeoutMs = 5000) {
    if (child.exitCode_ !== undefined)
      return child.exitCode_;
    child.kill('SIGTERM');
    const r = await Promise.race([child.exited, sleep(timeoutMs).then(() => null)]);
    if (!r) {
      child.kill('SIGKILL');
      await child.exited;
      return -1;
    }
    return r.code;
  }

  function cleanup() {
    for (const child of children)
      child.kill('SIGKILL');
  }
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      cleanup();
      process.exit(1);
    });
  }

  // The end of every program: the children stopped, its data directory
  // @work removed unless something failed (then kept, and said where), a
  // stamp file @done in the artifacts (nullable), the tally, the exit.
  function finish(work, done) {
    cleanup();
    if (failures === 0)
      rmSync(work, { recursive: true, force: true });
    else
      diag(`data kept in ${work}`);
    if (done)
      writeFileSync(join(artifacts, done), `${new Date().toISOString()} ${failures} failed\n`);
    diag(`${cases.length - failures} of ${cases.length} passed in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    process.exit(failures ? 1 : 0);
  }

  // One request to state.url: {status, headers, text, json (or null)}.
  async function http(method, path, { body, token, headers = {} } = {}) {
    const h = { ...headers };
    if (token)
      h.Authorization = `Bearer ${token}`;
    if (body !== undefined)
      h['Content-Type'] = 'application/json';
    const r = await fetch(new URL(path, state.url), {
      method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20000),
    });
    const text = await r.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch (e) {
      // not JSON
    }
    return { status: r.status, headers: r.headers, text, json };
  }

  let playwright;
  try {
    playwright = await import('playwright-core');
  } catch (err) {
    bailOut(`playwright-core is not installed (${err.code || err.message}): run npm ci --prefix tests/browser (scripts/install-deps.sh does)`);
  }
  if (!existsSync(chromiumPath))
    bailOut(`no browser at ${chromiumPath}: install Debian's chromium (scripts/install-deps.sh does)`);

  // The address a started vw-server listens on (its "listening on URL"
  // line), with a trailing slash.
  function serverUrl(server) {
    const lines = createInterface({ input: server.stdout });
    return new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error('no "listening on" line within 20 s')), 20000);
      lines.on('line', (line) => {
        const m = /^listening on (\S+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          res(m[1].endsWith('/') ? m[1] : `${m[1]}/`);
        }
      });
      server.exited.then(({ code }) => rej(new Error(`vw-server exited ${code} before listening`)));
    });
  }

  return {
    env, artifacts, chromiumPath, state, playwright,
    diag, bailOut, step, assert, waitFor, program,
    startProcess, serverUrl, runAdmin, startClient, stopChild, http,
    cleanup, finish, failed: () => failures,
  };
}
