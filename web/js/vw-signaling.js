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
// Nothing is retried: a page that loses its connection has lost its place
// in the queue or its session (the server ends it with peer-disconnected).

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

export class VwSignaling extends EventTarget {
  /**
   * @param {object} [options]
   * @param {string} [options.url]  WebSocket URL (default: /ws of this origin)
   * @param {number} [options.timeoutMs]  how long a request waits for its reply (default 15000)
   * @param {(dir: 'in'|'out', msg: object) => void} [options.log]  called with every message
   */
  constructor({ url, timeoutMs = 15000, log } = {}) {
    super();
    this.url = url || defaultSignalingUrl();
    this.timeoutMs = timeoutMs;
    this.log = log || null;
    this.ws = null;
    this.peerId = null;
    this.nextId = 1;
    this.pending = new Map();   // id -> {resolve, reject, timer, type}
    this.closing = false;
  }

  /** True while the socket is open. */
  get connected() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  /** Opens the socket; resolves once it is open. */
  connect() {
    if (this.ws)
      return Promise.reject(new VwSignalingError('wrong-state', 'already connected'));
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
        opened = true;
        this.dispatchEvent(new CustomEvent('open'));
        resolve();
      });
      ws.addEventListener('message', (ev) => this._onMessage(ev));
      ws.addEventListener('close', (ev) => {
        this._failPending('closed', `the connection closed (${ev.code})`);
        this.ws = null;
        if (!opened)
          reject(new VwSignalingError('connect-failed', `cannot connect to ${this.url} (${ev.code})`));
        this.dispatchEvent(new CustomEvent('close', {
          detail: { code: ev.code, reason: ev.reason, wasClean: ev.wasClean, expected: this.closing },
        }));
      });
    });
  }

  /** Closes the socket.  Pending requests fail with code 'closed'. */
  close(code = 1000, reason = '') {
    this.closing = true;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN)
      this.ws.close(code, reason);
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
