// vw-signaling.js: the signalling WebSocket of virtual-window
// (signaling/PROTOCOL.md), for the browser pages.
//
// One VwSignaling per participant: it opens the WebSocket at /ws of the page's
// own origin (ws: or wss: as the page), gives every request an `id` and
// resolves the promise of that request with the server's reply to it (the
// message whose `ref` is that id), and dispatches every message the server
// sends as a DOM event.
//
//   import { VwSignaling, VwSignalingError } from '/js/vw-signaling.js';
//   const sig = new VwSignaling();
//   sig.addEventListener('queued', (e) => show(e.detail.position));
//   await sig.connect();
//   const welcome = await sig.hello({ role: 'clerk', name: '李华', province: 'zhejiang', center: '' });
//   await sig.request({ province: 'shanghai', item: 'QY-SL-001' });   // an item code
//
// Requests (each returns a Promise of the reply; a refusal rejects it with a
// VwSignalingError whose `code` is the wire code, e.g. 'wrong-state'):
//   connect()                          -> resolves when the socket is open
//   hello({role, name, province, center, token?, items?})   -> `welcome` (sets peerId)
//                                         items: agents, the item codes handled (absent: all)
//   request({province, item, booking?}) -> `ok`        (clerks; item: a catalogue code,
//                                         booking: an appointment's code at its time)
//   status(available)                  -> `ok`         (agents; ends wrap-up early)
//   transfer({session, agent} | {session, item, province?})
//                                      -> `ended` {reason: 'transferred'} (agents, 转办)
//   invite(session, agent)             -> `ok`         (agents, 三方通话: an account)
//   hangup(session)                    -> `ended` {reason: 'hangup'}
//   publish(session, kinds)            -> `ok`   kinds: ['audio', 'camera', …]
//   answer(session, sdp)               -> `ok`
//   ice(session, mline, candidate)     -> `ok`   ('' = end of candidates)
//   snapshotRequest(session)           -> `ok`
//   annotate({session, snapshot, x, y, w, h, note}) -> `ok`
//   rate(session, level, comment?)     -> `ok`         (clerks, after `ended`)
//   monitor(session)                   -> `ok`         (supervisors)
//   send(type, fields)                 -> any other message, same rules
//   notify(type, fields)               -> sends without an id: no reply, no promise
//   close()                            -> closes the socket (pending requests fail with 'closed')
//
// Events (CustomEvent, the message object as `detail`):
//   'message'   every message from the server, before its own event
//   one event per message type: 'welcome', 'queued', 'paired', 'recording',
//     'offer', 'tracks', 'keyframe', 'ice', 'snapshot-requested',
//     'snapshot-stored', 'annotation', 'ended' (also the reply to our own
//     hangup and transfer), 'queue', 'agent-state', 'transferred', 'joined',
//     'left', 'ok', and any type a later server adds;
//   'error'     an `error` that is NOT the reply to one of our requests
//               (no `ref`, or an unknown one): snapshot-failed,
//               no-document-camera, unknown-snapshot, …  Errors that answer a
//               request reject that request's promise and are not dispatched
//               as 'error' (they are still dispatched as 'message');
//   'open'      the socket opened;
//   'close'     the socket closed: detail {code, reason, wasClean, expected}
//               (`expected` when close() was called).
//
// Drop-outs (issue 12, PROTOCOL.md "Resuming"): with `resume: true` the
// connection keeps the `resume-token` of every `welcome`, sends `ping` every
// 5 s and counts the socket as lost when nothing at all (no message, no
// `pong`) arrived for 15 s.  A socket that closes other than by close(), or
// is found dead, is opened again with backoff (0.5, 1, 2, 4 s, then every
// 4 s) and says `hello` with `resume`; meanwhile the pages see
//   'reconnecting'  {attempt, delayMs, cause}   (no 'close': the call goes on)
//   'resumed'       {welcome}   the server took us back (same peer id);
//                               `paired` {resumed: true} follows in a session
//   'resume-failed' {code}      `bad-resume` (grace period over, …): the
//                               socket is open but we are nobody; the page
//                               starts over with a plain hello()
//   'close'         only when it gives up (after `giveUpMs`, default 120 s)
// dropAndResume(cause) closes a socket that looks fine (the media connection
// failed) and resumes: one recovery path for every kind of drop-out.
// Without `resume` nothing is retried: a page that loses its connection has
// lost its place in the queue or its session.

/** The error of a refused or failed request.  `code` is the protocol's wire
 * code ('bad-field', 'wrong-state', …) or one of this module's own:
 * 'timeout' (no reply in time), 'closed' (the socket closed first),
 * 'not-connected' (sent while the socket was not open), 'connect-failed'. */
export class VwSignalingError extends Error {
  constructor(code, message, reply = null) {
    super(message || code);
    this.name = 'VwSignalingError';
    this.code = code;
    this.reply = reply;
  }
}

/** The default WebSocket URL: /ws on the page's own origin. */
export function defaultSignalingUrl(loc = window.location) {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/ws`;
}

export const PROTOCOL_VERSION = 1;

/** `ping` every 5 s; 15 s without a word from the server is a dead socket. */
export const PING_MS = 5000;
export const DEAD_MS = 15000;
/** The waits before each reconnection attempt (the last one repeats). */
export const RETRY_MS = [500, 1000, 2000, 4000];

export class VwSignaling extends EventTarget {
  /**
   * @param {object} [options]
   * @param {string} [options.url]  WebSocket URL (default: /ws of this origin)
   * @param {number} [options.timeoutMs]  how long a request waits for its reply (default 15000)
   * @param {(dir: 'in'|'out', msg: object) => void} [options.log]  called with every message
   * @param {boolean} [options.resume]  reconnect and resume after a drop-out (see above)
   * @param {number} [options.pingMs]  `ping` interval (default 5000)
   * @param {number} [options.deadMs]  silence that counts as a dead socket (default 15000)
   * @param {number} [options.giveUpMs]  stop reconnecting after this long (default 120000)
   */
  constructor({ url, timeoutMs = 15000, log, resume = false, pingMs = PING_MS, deadMs = DEAD_MS, giveUpMs = 120000 } = {}) {
    super();
    this.url = url || defaultSignalingUrl();
    this.timeoutMs = timeoutMs;
    this.log = log || null;
    this.ws = null;
    this.peerId = null;
    this.nextId = 1;
    this.pending = new Map();   // id -> {resolve, reject, timer, type}
    this.closing = false;
    this.resume = !!resume;
    this.pingMs = pingMs;
    this.deadMs = deadMs;
    this.giveUpMs = giveUpMs;
    this.resumeToken = null;    // from the latest welcome
    this.helloFields = null;    // the hello that registered us (resent with `resume`)
    this.reconnecting = false;
    this.lostAt = 0;
    this.attempt = 0;
    this.lastHeard = 0;
    this.pingTimer = null;
    this.retryTimer = null;
  }

  /** True while the socket is open. */
  get connected() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  /** Opens the socket; resolves once it is open. */
  connect() {
    if (this.ws)
      return Promise.reject(new VwSignalingError('wrong-state', 'already connected'));
    this.closing = false;
    return this._open();
  }

  _open() {
    return new Promise((resolve, reject) => {
      let opened = false;
      let ws;
      try {
        ws = new WebSocket(this.url);
      } catch (err) {
        reject(new VwSignalingError('connect-failed', `cannot open ${this.url}: ${err.message}`));
        return;
      }
      this.ws = ws;
      ws.addEventListener('open', () => {
        if (this.ws !== ws)
          return;
        opened = true;
        this.lastHeard = Date.now();
        this._startPing();
        this.dispatchEvent(new CustomEvent('open'));
        resolve();
      });
      ws.addEventListener('message', (ev) => {
        if (this.ws === ws)
          this._onMessage(ev);
      });
      ws.addEventListener('close', (ev) => {
        if (this.ws !== ws)
          return;   // given up on already (found dead)
        if (!opened)
          reject(new VwSignalingError('connect-failed', `cannot connect to ${this.url} (${ev.code})`));
        this._lost({ code: ev.code, reason: ev.reason, wasClean: ev.wasClean }, opened);
      });
    });
  }

  // The socket is gone (closed, or found dead): fail what waits for a
  // reply, then either resume or tell the page.
  _lost(detail, opened = true) {
    const ws = this.ws;
    this.ws = null;
    this._stopPing();
    this._failPending('closed', `the connection closed (${detail.code})`);
    if (ws && ws.readyState <= WebSocket.OPEN) {
      try {
        ws.close(4000, 'dead');
      } catch (err) {
        // closing anyway
      }
    }
    if (this.reconnecting) {
      // Lost again while resuming; a socket that never opened is retried
      // by _tryResume() itself.
      if (opened)
        this._scheduleRetry(detail.cause || 'closed');
      return;
    }
    if (!this.closing && this.resume && this.resumeToken && opened) {
      this.reconnecting = true;
      this.lostAt = Date.now();
      this.attempt = 0;
      this._scheduleRetry(detail.cause || 'closed');
      return;
    }
    this.dispatchEvent(new CustomEvent('close', {
      detail: { code: detail.code, reason: detail.reason, wasClean: !!detail.wasClean, expected: this.closing },
    }));
  }

  _scheduleRetry(cause) {
    clearTimeout(this.retryTimer);
    if (this.closing)
      return;
    if (Date.now() - this.lostAt > this.giveUpMs) {
      this.reconnecting = false;
      this.retryTimer = null;
      this.dispatchEvent(new CustomEvent('close', {
        detail: { code: 1006, reason: 'gave up reconnecting', wasClean: false, expected: false },
      }));
      return;
    }
    const delayMs = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)];
    this.attempt++;
    this.dispatchEvent(new CustomEvent('reconnecting', { detail: { attempt: this.attempt, delayMs, cause } }));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this._tryResume();
    }, delayMs);
  }

  async _tryResume() {
    if (this.closing || !this.reconnecting)
      return;
    try {
      await this._open();
    } catch (err) {
      this._scheduleRetry('connect-failed');
      return;
    }
    const fields = { ...this.helloFields, resume: this.resumeToken };
    let welcome;
    try {
      welcome = await this.send('hello', fields);
    } catch (err) {
      if (err.code === 'bad-resume') {
        // Nobody to take over: the socket stays open for a plain hello.
        this.reconnecting = false;
        this.resumeToken = null;
        this.dispatchEvent(new CustomEvent('resume-failed', { detail: { code: err.code, message: err.message } }));
      } else if (this.ws && err.code !== 'closed') {
        this._lost({ code: 4000, reason: err.code, cause: err.code });
      }
      // 'closed': _lost() has scheduled the next attempt already.
      return;
    }
    this.reconnecting = false;
    this.attempt = 0;
    this.peerId = welcome.peer_id || this.peerId;
    this.dispatchEvent(new CustomEvent('resumed', { detail: { welcome } }));
  }

  /** Drops a socket that still looks open and resumes (a media connection
   * that failed, or silence): the same path as a closed socket. */
  dropAndResume(cause = 'dropped') {
    if (!this.resume || !this.resumeToken || this.reconnecting || !this.ws)
      return false;
    this._lost({ code: 4000, reason: cause, cause });
    return true;
  }

  _startPing() {
    this._stopPing();
    if (!this.resume)
      return;
    this.pingTimer = setInterval(() => {
      if (!this.connected)
        return;
      if (Date.now() - this.lastHeard > this.deadMs) {
        this._lost({ code: 4000, reason: 'no reply from the server', cause: 'silence' });
        return;
      }
      // The pong (or any message) is what counts; a server without `ping`
      // answers an error, which is as good a sign of life.
      this.send('ping', {}).catch(() => {});
    }, this.pingMs);
  }

  _stopPing() {
    clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  /** Closes the socket.  Pending requests fail with code 'closed'. */
  close(code = 1000, reason = '') {
    this.closing = true;
    this._stopPing();
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN)
      this.ws.close(code, reason);
    else if (this.reconnecting) {
      this.reconnecting = false;
      this.dispatchEvent(new CustomEvent('close', { detail: { code, reason, wasClean: true, expected: true } }));
    }
  }

  // ---- requests

  hello({ role, name, province, center = '', token, items } = {}) {
    const fields = { protocol: PROTOCOL_VERSION, role, name, province, center };
    if (token)
      fields.token = token;
    if (Array.isArray(items))
      fields.items = items;
    return this.send('hello', fields).then((welcome) => {
      this.peerId = welcome.peer_id;
      this.helloFields = fields;
      return welcome;
    });
  }

  request({ province, item, booking }) {
    const fields = { province, item };
    if (booking)
      fields.booking = booking;
    return this.send('request', fields);
  }

  /** 转办: to a colleague ({session, agent: account}) or to an item's queue
   * ({session, item: code, province?}).  Resolves with our `ended`
   * (reason 'transferred'). */
  transfer({ session, agent, item, province }) {
    const fields = { session };
    if (agent)
      fields.agent = agent;
    else {
      fields.item = item;
      if (province)
        fields.province = province;
    }
    return this.send('transfer', fields);
  }

  /** 三方通话: the available agent @agent (an account) joins @session. */
  invite(session, agent) {
    return this.send('invite', { session, agent });
  }

  status(available) {
    return this.send('status', { available: !!available });
  }

  hangup(session) {
    return this.send('hangup', { session });
  }

  /** @param {string[]} kinds  e.g. ['audio', 'camera', 'screen'] */
  publish(session, kinds) {
    return this.send('publish', { session, tracks: kinds.map((kind) => ({ kind })) });
  }

  answer(session, sdp) {
    return this.send('answer', { session, sdp });
  }

  ice(session, mline, candidate) {
    return this.send('ice', { session, mline, candidate });
  }

  snapshotRequest(session) {
    return this.send('snapshot-request', { session });
  }

  annotate({ session, snapshot, x, y, w, h, note = '' }) {
    return this.send('annotate', { session, snapshot, x, y, w, h, note });
  }

  /** 好差评: level 5 非常满意 … 1 非常不满意. */
  rate(session, level, comment) {
    const fields = { session, level };
    if (comment)
      fields.comment = comment;
    return this.send('rate', fields);
  }

  monitor(session) {
    return this.send('monitor', { session });
  }

  /** Sends @type with @fields and an id; resolves with the reply (ok,
   * welcome, ended), rejects with a VwSignalingError. */
  send(type, fields = {}) {
    if (!this.connected)
      return Promise.reject(new VwSignalingError('not-connected', `cannot send '${type}': not connected`));
    const id = `c${this.nextId++}`;
    const msg = { type, id, ...fields };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new VwSignalingError('timeout', `no reply to '${type}' within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer, type });
      this._write(msg);
    });
  }

  /** Sends @type with @fields and no id (the server sends no `ok`). */
  notify(type, fields = {}) {
    if (!this.connected)
      throw new VwSignalingError('not-connected', `cannot send '${type}': not connected`);
    this._write({ type, ...fields });
  }

  // ---- internals

  _write(msg) {
    if (this.log)
      this.log('out', msg);
    this.ws.send(JSON.stringify(msg));
  }

  _failPending(code, message) {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new VwSignalingError(code, `'${p.type}': ${message}`));
      this.pending.delete(id);
    }
  }

  _onMessage(ev) {
    if (typeof ev.data !== 'string')
      return;   // the server never sends binary frames
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch (err) {
      console.warn('vw-signaling: not JSON from the server', err);
      return;
    }
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string')
      return;
    if (this.log)
      this.log('in', msg);
    this.lastHeard = Date.now();
    if (msg.type === 'welcome' && typeof msg['resume-token'] === 'string')
      this.resumeToken = msg['resume-token'];
    this.dispatchEvent(new CustomEvent('message', { detail: msg }));

    const pending = msg.ref !== undefined ? this.pending.get(String(msg.ref)) : undefined;
    if (pending) {
      this.pending.delete(String(msg.ref));
      clearTimeout(pending.timer);
      if (msg.type === 'error')
        pending.reject(new VwSignalingError(msg.code || 'internal', msg.message, msg));
      else
        pending.resolve(msg);
      // A reply that is also news (welcome, ended) is dispatched as well.
      if (msg.type !== 'error' && msg.type !== 'ok')
        this.dispatchEvent(new CustomEvent(msg.type, { detail: msg }));
      return;
    }
    this.dispatchEvent(new CustomEvent(msg.type, { detail: msg }));
  }
}
