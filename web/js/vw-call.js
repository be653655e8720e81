// vw-call.js: one participant's media connection with the hub of vw-server
// (signaling/PROTOCOL.md sections 2 and 6), for the browser pages.
//
// The hub always offers and the page answers; there is one RTCPeerConnection
// per session.  The `tracks` table of the hub's `offer` and `tracks` messages
// says what every m-line carries (mid -> kind, direction from our point of
// view, owner, live); it is the only source of that knowledge.
//
//   import { VwCall } from '/js/vw-call.js';
//   const call = new VwCall(signaling, { session: paired.session,
//       sources: { audio: micTrack, camera: camTrack } });
//   call.addEventListener('remote-track', (e) => show(e.detail));   // {mid, kind, peer, track, stream}
//   call.addEventListener('remote-track-ended', (e) => hide(e.detail.mid));
//   call.addEventListener('ended', (e) => done(e.detail.reason));
//   await call.start();                 // the first publish
//   await call.startScreenShare();      // 共享屏幕: getDisplayMedia + publish
//   call.setMuted(true);                // 静音 (track.enabled = false: still sent)
//   await call.hangup();
//
// API
//   new VwCall(signaling, {session, sources?, iceServers?, bitrates?, startBitrateKbps?, log?})
//       sources: {audio?, camera?, screen?, document?} MediaStreamTracks to send
//   start()                    sends the first `publish` (the kinds with a source)
//   setSource(kind, track|null)   starts, replaces or stops the source of a
//                              kind mid-call (replaceTrack on its m-line, then
//                              `publish`: no renegotiation).  The caller owns
//                              the tracks (stop them yourself).
//   publish()                  sends `publish` with the kinds that have a live source
//   startScreenShare(constraints?) / stopScreenShare()   screen via getDisplayMedia
//   setMuted(bool), muted      the microphone: enabled = !muted, still published
//   setCameraOff(bool), cameraOff   the camera: black frames, still published
//   hangup()                   `hangup`; resolves when the server said `ended`
//                              (while the signalling resumes: once it is back)
//   close()                    closes the connection (no message to the server)
//   table                      the latest tracks table (array of entries)
//   remoteTracks()             live received tracks: [{mid, kind, peer, track, stream}]
//   receiveStats()             [{mid, kind, peer, type, packets, bytes, framesDecoded,
//                               frameWidth, frameHeight, audioLevel}] from getStats()
//   sendStats()                [{mid, kind, packets, bytes, framesEncoded, frameWidth, frameHeight}]
//   pc                         the RTCPeerConnection (for getStats and diagnostics)
//   channel                    the hub's `vw` RTCDataChannel once announced (or null)
//   recording                  true once the server said the session is recorded
//
// Also exported, the SDP rewrites the call applies for Chrome (see each):
//   withStartBitrate(sdp, tracks), sendLinesAsSendrecv(sdp, tracks),
//   answerForHub(sdp, tracks); TRACK_KINDS,
//   DEFAULT_BITRATES, MAX_VIDEO_SIDE.
//
// Events (CustomEvent):
//   'remote-track'        a received track is live: {mid, kind, peer, track, stream}
//   'remote-track-ended'  it is not any more: {mid, kind, peer}
//   'tracks'              the table changed: {tracks}
//   'connection-state'    {state} of the RTCPeerConnection
//   'channel'             {channel}: the `vw` data channel was announced
//   'channel-open'        {channel}: and is open
//   'recording'           {active}: 本次服务全程录音录像 must be shown
//   'source-ended'        {kind}: a source ended on its own (e.g. the browser's
//                         "stop sharing" button); it has been unpublished
//   'ended'               {reason}: the session is over (connection closed)
//   'failed'              {error}: a negotiation step failed (the hub will end the session)
//   'restarting'          {cause}: the media connection is being built anew
//                         ('resumed': the signalling connection came back,
//                         `paired` {resumed}; 'media-restart': the hub asked);
//                         the remote tracks end and come back on the new one
//   'media-lost'          {state}: our RTCPeerConnection failed (or stayed
//                         disconnected for 5 s) while the WebSocket was fine:
//                         the signalling connection is dropped and resumed
//   'bitrate'             {kind, maxBitrate, applied}: the server's `bitrate` cap
//
// Drop-outs (issue 12): the call survives its signalling connection being
// resumed (VwSignaling `resume`): on `paired` {resumed: true} for our session
// and on `media-restart`, the RTCPeerConnection is closed and a new one made
// exactly as after the first `paired` (same sources, `publish`, answer the
// hub's new offer), with the `ice-servers` of the latest `paired`.  A
// `bitrate` {kind, max-bitrate} caps the sender of that kind
// (encodings[0].maxBitrate, never above the profile's; the document camera
// and the screen keep their resolution, the camera is 'balanced').

export const TRACK_KINDS = ['audio', 'camera', 'screen', 'document'];

/** Bits per second per kind, as the native client's profiles (PROTOCOL.md §6). */
export const DEFAULT_BITRATES = { camera: 1000000, screen: 1500000, document: 2000000 };

/** How each kind gives way when the bitrate is capped: documents and
 * screens stay sharp (the frame rate drops), the camera balances both. */
export const DEGRADATION = { camera: 'balanced', screen: 'maintain-resolution', document: 'maintain-resolution' };

/** How long a media connection may stay 'disconnected' before it counts as lost. */
export const MEDIA_DISCONNECTED_MS = 5000;

/** The longest side of a screen or document camera track as sent. */
export const MAX_VIDEO_SIDE = 1920;

/**
 * The hub sends no bandwidth feedback (no transport-cc, no REMB), so a
 * browser would start at 300 kbit/s for everything and grow slowly: the
 * camera blurs and the document camera crawls for the first minute.  Chrome
 * takes its start (and floor) from `x-google-start-bitrate` /
 * `x-google-min-bitrate` on the video codecs it sends, read from the remote
 * description: they are added to the VP8 format lines of our own (send)
 * m-lines.  Other browsers ignore them.
 */
export function withStartBitrate(sdp, tracks, startKbps = 1500, minKbps = 100) {
  if (!startKbps)
    return sdp;
  const sendMids = new Set(tracks.filter((t) => t.direction === 'send' && t.kind !== 'audio').map((t) => t.mid));
  const sections = sdp.split(/(?=\r\nm=)/);
  return sections.map((sec) => {
    const mid = /\r\na=mid:(\S+)/.exec(sec);
    if (!mid || !sendMids.has(mid[1]))
      return sec;
    const pts = [...sec.matchAll(/\r\na=rtpmap:(\d+) VP8\/90000/g)].map((m) => m[1]);
    for (const pt of pts) {
      const extra = `x-google-start-bitrate=${startKbps};x-google-min-bitrate=${minKbps}`;
      const fmtp = new RegExp(`\\r\\na=fmtp:${pt} ([^\\r]*)`);
      if (fmtp.test(sec))
        sec = sec.replace(fmtp, (m0, params) => `\r\na=fmtp:${pt} ${params};${extra}`);
      else
        sec = sec.replace(new RegExp(`(\\r\\na=rtpmap:${pt} [^\\r]*)`), `$1\r\na=fmtp:${pt} ${extra}`);
    }
    return sec;
  }).join('');
}

/**
 * Chrome (seen in 156) stops demuxing RTP by payload type in a BUNDLE as soon
 * as one audio/video m-line of its answer does not receive; the hub's SDP
 * carries neither a=ssrc nor the MID header extension, so every forwarded
 * stream was then dropped ("Failed to demux RTP packet": no inbound-rtp, no
 * frames).  Our own (send) m-lines, recvonly at the hub, are therefore shown
 * to the browser as sendrecv (every m-line receives, payload types stay
 * unique, the hub never sends on them) ...
 */
export function sendLinesAsSendrecv(sdp, tracks) {
  return rewriteSendLines(sdp, tracks, (sec) => sec.replace(/\r\na=recvonly(?=\r\n|$)/, '\r\na=sendrecv'));
}

/** ... and the answer tells the hub what it offered for: sendonly (inactive
 * where we do not send). */
export function answerForHub(sdp, tracks) {
  return rewriteSendLines(sdp, tracks, (sec) => sec
    .replace(/\r\na=sendrecv(?=\r\n|$)/, '\r\na=sendonly')
    .replace(/\r\na=recvonly(?=\r\n|$)/, '\r\na=inactive'));
}

function rewriteSendLines(sdp, tracks, fn) {
  const sendMids = new Set((tracks || []).filter((t) => t.direction === 'send').map((t) => t.mid));
  return sdp.split(/(?=\r\nm=)/).map((sec) => {
    const mid = /\r\na=mid:(\S+)/.exec(sec);
    return mid && sendMids.has(mid[1]) ? fn(sec) : sec;
  }).join('');
}

export class VwCall extends EventTarget {
  constructor(signaling, { session, sources = {}, iceServers = [], bitrates = DEFAULT_BITRATES, startBitrateKbps = 1500, log } = {}) {
    super();
    if (!signaling || !session)
      throw new TypeError('VwCall needs a signaling connection and a session id');
    this.signaling = signaling;
    this.session = session;
    this.sources = { audio: null, camera: null, screen: null, document: null, ...sources };
    this.bitrates = { ...DEFAULT_BITRATES, ...bitrates };
    this.caps = {};              // kind -> the server's `bitrate` cap (bit/s)
    this.iceServers = Array.isArray(iceServers) ? iceServers : [];
    this.restarts = 0;
    this.disconnectTimer = null;
    this.startBitrateKbps = startBitrateKbps;
    this.log = log || (() => {});
    this.table = [];
    this.sendMids = {};          // kind -> mid of our own m-line
    this.receivers = new Map();  // mid -> MediaStreamTrack from ontrack
    this.shown = new Map();      // mid -> entry announced as 'remote-track'
    this.pendingIce = [];
    this.chain = Promise.resolve();
    this.channel = null;
    this.recording = false;
    this.muted = false;
    this.cameraOff = false;
    this.closed = false;
    this.endedReason = null;
    this.started = false;

    this.pc = this._newPeerConnection();

    this._handlers = {
      // Each step is for the connection of its time: one queued before a
      // restart is dropped.
      offer: (e) => this._mine(e) && this._enqueueFor(() => this._onOffer(e.detail)),
      tracks: (e) => this._mine(e) && this._enqueueFor(() => this._applyTable(e.detail.tracks)),
      ice: (e) => this._mine(e) && this._enqueueFor(() => this._onRemoteCandidate(e.detail)),
      recording: (e) => {
        if (!this._mine(e))
          return;
        this.recording = !!e.detail.active;
        this.dispatchEvent(new CustomEvent('recording', { detail: { active: this.recording } }));
      },
      // A browser cannot force its encoder; the hub's RTCP PLI does it.
      keyframe: () => {},
      ended: (e) => this._mine(e) && this._end(e.detail.reason),
      // Only when the signalling connection is gone for good (not while it
      // resumes).
      close: () => this._end('disconnected'),
      paired: (e) => {
        if (!this._mine(e) || !e.detail.resumed)
          return;
        if (Array.isArray(e.detail['ice-servers']))
          this.iceServers = e.detail['ice-servers'];
        this._restart('resumed');
      },
      'media-restart': (e) => this._mine(e) && this._restart('media-restart'),
      bitrate: (e) => this._mine(e) && this._onBitrate(e.detail),
    };
    for (const [type, fn] of Object.entries(this._handlers))
      signaling.addEventListener(type, fn);

    for (const kind of TRACK_KINDS)
      if (this.sources[kind])
        this._watchSource(kind, this.sources[kind]);
  }

  // ---- public API

  /** Sends the first `publish`: the hub then offers. */
  async start() {
    this.started = true;
    await this.publish();
  }

  /** The kinds this page sends now. */
  publishedKinds() {
    return TRACK_KINDS.filter((k) => this.sources[k] && this.sources[k].readyState === 'live');
  }

  async publish() {
    if (this.closed)
      return;
    await this.signaling.publish(this.session, this.publishedKinds());
  }

  async setSource(kind, track) {
    if (!TRACK_KINDS.includes(kind))
      throw new TypeError(`unknown track kind ${kind}`);
    this.sources[kind] = track || null;
    if (track)
      this._watchSource(kind, track);
    if (kind === 'audio' && track)
      track.enabled = !this.muted;
    if (kind === 'camera' && track)
      track.enabled = !this.cameraOff;
    const t = this._transceiver(this.sendMids[kind]);
    if (t)
      await t.sender.replaceTrack(track || null);
    if (this.started)
      await this.publish();
  }

  async startScreenShare(constraints = { video: { frameRate: { ideal: 10, max: 15 } }, audio: false }) {
    const stream = await navigator.mediaDevices.getDisplayMedia(constraints);
    const track = stream.getVideoTracks()[0];
    if ('contentHint' in track)
      track.contentHint = 'detail';   // text stays sharp: the frame rate gives way
    const old = this.sources.screen;
    await this.setSource('screen', track);
    if (old)
      old.stop();
    return track;
  }

  async stopScreenShare() {
    const track = this.sources.screen;
    if (!track)
      return;
    await this.setSource('screen', null);
    track.stop();
  }

  get sharingScreen() {
    return !!this.sources.screen;
  }

  setMuted(muted) {
    this.muted = !!muted;
    if (this.sources.audio)
      this.sources.audio.enabled = !this.muted;
  }

  setCameraOff(off) {
    this.cameraOff = !!off;
    if (this.sources.camera)
      this.sources.camera.enabled = !this.cameraOff;
  }

  async hangup() {
    if (this.closed)
      return { reason: this.endedReason };
    // 挂断 while the connection is being resumed: said once it is back (a
    // WebSocket closed without hangup would leave the others waiting out
    // the grace period).
    if (this.signaling.reconnecting)
      await this._whenReconnected(15000);
    const ended = await this.signaling.hangup(this.session);
    this._end(ended.reason || 'hangup');
    return ended;
  }

  close() {
    this._end(this.endedReason || 'closed');
  }

  remoteTracks() {
    return [...this.shown.values()];
  }

  async receiveStats() {
    return this._stats('inbound-rtp');
  }

  async sendStats() {
    return this._stats('outbound-rtp');
  }

  // ---- internals

  _whenReconnected(timeoutMs) {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const t of ['resumed', 'resume-failed', 'close'])
          this.signaling.removeEventListener(t, done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      for (const t of ['resumed', 'resume-failed', 'close'])
        this.signaling.addEventListener(t, done);
    });
  }

  _newPeerConnection() {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    pc.addEventListener('icecandidate', (e) => pc === this.pc && this._onLocalCandidate(e));
    pc.addEventListener('track', (e) => pc === this.pc && this._onTrack(e));
    pc.addEventListener('datachannel', (e) => pc === this.pc && this._onDataChannel(e));
    pc.addEventListener('connectionstatechange', () => {
      if (pc !== this.pc || this.closed)
        return;
      this._watchConnection(pc.connectionState);
      this.dispatchEvent(new CustomEvent('connection-state', { detail: { state: pc.connectionState } }));
    });
    return pc;
  }

  // failed, or disconnected for MEDIA_DISCONNECTED_MS: the media path is
  // lost while the WebSocket may look fine; the one recovery path is to
  // drop the WebSocket and resume (the server then rebuilds our connection).
  _watchConnection(state) {
    clearTimeout(this.disconnectTimer);
    this.disconnectTimer = null;
    if (state === 'failed')
      this._mediaLost(state);
    else if (state === 'disconnected')
      this.disconnectTimer = setTimeout(() => {
        this.disconnectTimer = null;
        if (!this.closed && this.pc.connectionState === 'disconnected')
          this._mediaLost('disconnected');
      }, MEDIA_DISCONNECTED_MS);
  }

  _mediaLost(state) {
    this.dispatchEvent(new CustomEvent('media-lost', { detail: { state } }));
    if (typeof this.signaling.dropAndResume === 'function')
      this.signaling.dropAndResume(`media-${state}`);
  }

  /** A new media connection, exactly as after the first `paired`: the old
   * one is closed (its tracks end), the same sources are published again and
   * the hub's next offer is answered on the new one. */
  _restart(cause) {
    if (this.closed)
      return;
    clearTimeout(this.disconnectTimer);
    this.disconnectTimer = null;
    this.restarts++;
    // A new connection is a new estimate at the hub: the old caps go (the
    // hub sends new ones if the link still needs them).
    this.caps = {};
    const old = this.pc;
    this.pc = this._newPeerConnection();
    try {
      old.close();
    } catch (err) {
      // already closed
    }
    this.table = [];
    this.sendMids = {};
    this.receivers.clear();
    this.pendingIce = [];
    this.channel = null;
    for (const [mid, shown] of this.shown)
      this.dispatchEvent(new CustomEvent('remote-track-ended', { detail: { mid, kind: shown.kind, peer: shown.peer } }));
    this.shown.clear();
    this.dispatchEvent(new CustomEvent('restarting', { detail: { cause } }));
    if (this.started)
      this.publish().catch((err) => console.warn('vw-call: publish after restart', err));
  }

  async _onBitrate(msg) {
    const kind = msg.kind;
    const bps = Number(msg['max-bitrate']);
    if (kind === 'audio' || !TRACK_KINDS.includes(kind) || !Number.isFinite(bps) || bps <= 0)
      return;   // audio is never capped; nonsense is ignored
    this.caps[kind] = Math.round(bps);
    const applied = await this._applyBitrate(kind);
    this.dispatchEvent(new CustomEvent('bitrate', { detail: { kind, maxBitrate: this.caps[kind], applied } }));
  }

  _mine(e) {
    return !this.closed && e.detail && e.detail.session === this.session;
  }

  _enqueue(fn) {
    this.chain = this.chain.then(fn).catch((error) => {
      console.error('vw-call:', error);
      this.dispatchEvent(new CustomEvent('failed', { detail: { error } }));
    });
    return this.chain;
  }

  _enqueueFor(fn) {
    const pc = this.pc;
    return this._enqueue(() => (pc === this.pc ? fn() : undefined));
  }

  _transceiver(mid) {
    if (!mid || this.closed)
      return null;
    return this.pc.getTransceivers().find((t) => t.mid === mid) || null;
  }

  _watchSource(kind, track) {
    if (track._vwWatched)
      return;
    track._vwWatched = true;
    track.addEventListener('ended', () => {
      if (this.sources[kind] !== track || this.closed)
        return;
      this.setSource(kind, null).catch((err) => console.warn('vw-call: unpublishing', kind, err));
      this.dispatchEvent(new CustomEvent('source-ended', { detail: { kind } }));
    });
  }

  async _onOffer(msg) {
    this.log('offer', msg);
    const pc = this.pc;
    const offered = withStartBitrate(msg.sdp, msg.tracks || [], this.startBitrateKbps);
    await this.pc.setRemoteDescription({ type: 'offer', sdp: sendLinesAsSendrecv(offered, msg.tracks) });
    this.table = msg.tracks || [];
    // Our own m-lines: a sender on each, from the first offer on, so a share
    // started later needs no new negotiation.
    for (const entry of this.table) {
      if (entry.direction !== 'send')
        continue;
      this.sendMids[entry.kind] = entry.mid;
      const t = this._transceiver(entry.mid);
      if (!t)
        continue;
      t.direction = 'sendrecv';   // sendonly to the hub: see sendLinesAsSendrecv()
      const track = this.sources[entry.kind] || null;
      if (t.sender.track !== track)
        await t.sender.replaceTrack(track);
    }
    for (const t of this.pc.getTransceivers()) {
      const entry = this.table.find((x) => x.mid === t.mid);
      if (entry && entry.direction === 'recv')
        t.direction = 'recvonly';
    }
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    if (pc !== this.pc || this.closed)
      return;   // restarted meanwhile: the hub offers again
    await this.signaling.answer(this.session, answerForHub(this.pc.localDescription.sdp, this.table));
    for (const c of this.pendingIce.splice(0))
      await this._addCandidate(c);
    await this._applyBitrates();
    this._applyTable(this.table);
  }

  async _applyBitrates() {
    for (const kind of TRACK_KINDS)
      if (kind !== 'audio')
        await this._applyBitrate(kind);
  }

  /** The most @kind may send: the profile's, or the server's cap if lower. */
  maxBitrate(kind) {
    const profile = this.bitrates[kind] || 0;
    const cap = this.caps[kind] || 0;
    return profile && cap ? Math.min(profile, cap) : (cap || profile);
  }

  // encodings[0].maxBitrate and the degradation preference of the sender of
  // @kind; true when set (false: no sender for it yet; applied with the offer).
  async _applyBitrate(kind) {
    const t = this._transceiver(this.sendMids[kind]);
    const bps = this.maxBitrate(kind);
    if (!t || !bps)
      return false;
    try {
      const params = t.sender.getParameters();
      if (!params.encodings || !params.encodings.length)
        return false;
      params.encodings[0].maxBitrate = bps;
      // Screen and document camera: at most 1920 px on the long side
      // (PROTOCOL.md §6); the full resolution travels as a snapshot.
      const track = this.sources[kind];
      const st = track && track.getSettings ? track.getSettings() : {};
      const long = Math.max(st.width || 0, st.height || 0);
      if (kind !== 'camera')
        params.encodings[0].scaleResolutionDownBy = long > MAX_VIDEO_SIDE ? long / MAX_VIDEO_SIDE : 1;
      params.degradationPreference = DEGRADATION[kind];
      try {
        await t.sender.setParameters(params);
      } catch (err) {
        // A browser without degradationPreference: the cap alone.
        delete params.degradationPreference;
        await t.sender.setParameters(params);
      }
      return true;
    } catch (err) {
      console.warn('vw-call: cannot set the bitrate of', kind, err);
      return false;
    }
  }

  _applyTable(tracks) {
    this.table = tracks || [];
    for (const e of this.table)
      if (e.direction === 'send')
        this.sendMids[e.kind] = e.mid;
    const liveRecv = new Map();
    for (const e of this.table)
      if (e.direction === 'recv' && e.live !== false)
        liveRecv.set(e.mid, e);
    for (const [mid, shown] of [...this.shown]) {
      const e = liveRecv.get(mid);
      if (!e || e.peer !== shown.peer || e.kind !== shown.kind) {
        this.shown.delete(mid);
        this.dispatchEvent(new CustomEvent('remote-track-ended', { detail: { mid, kind: shown.kind, peer: shown.peer } }));
      }
    }
    for (const [mid, e] of liveRecv) {
      const track = this.receivers.get(mid);
      if (!track || this.shown.has(mid))
        continue;
      const shown = { mid, kind: e.kind, peer: e.peer, track, stream: new MediaStream([track]) };
      this.shown.set(mid, shown);
      this.dispatchEvent(new CustomEvent('remote-track', { detail: shown }));
    }
    this.dispatchEvent(new CustomEvent('tracks', { detail: { tracks: this.table } }));
  }

  _onTrack(e) {
    const mid = e.transceiver && e.transceiver.mid;
    if (!mid)
      return;
    this.receivers.set(mid, e.track);
    // The table of the offer being applied arrives right after; a track
    // announced by an offer already applied is shown now.
    if (this.table.some((x) => x.mid === mid))
      this._applyTable(this.table);
  }

  _onDataChannel(e) {
    const ch = e.channel;
    if (ch.label !== 'vw' || this.channel)
      return;   // the hub uses only `vw`
    ch.binaryType = 'arraybuffer';
    this.channel = ch;
    this.dispatchEvent(new CustomEvent('channel', { detail: { channel: ch } }));
    const opened = () => this.dispatchEvent(new CustomEvent('channel-open', { detail: { channel: ch } }));
    if (ch.readyState === 'open')
      opened();
    else
      ch.addEventListener('open', opened, { once: true });
  }

  _onLocalCandidate(e) {
    if (this.closed)
      return;
    const c = e.candidate;
    // With BUNDLE every candidate is for m-line 0; null ends the list.
    const mline = c && c.sdpMLineIndex != null ? c.sdpMLineIndex : 0;
    const text = c ? c.candidate : '';
    if (c && !text)
      return;   // Chrome's per-transport end marker; the null event follows
    this.signaling.ice(this.session, mline, text).catch((err) => {
      if (!this.closed)
        console.warn('vw-call: ice refused', err);
    });
  }

  async _onRemoteCandidate(msg) {
    if (!this.pc.remoteDescription) {
      this.pendingIce.push(msg);
      return;
    }
    await this._addCandidate(msg);
  }

  async _addCandidate(msg) {
    try {
      if (!msg.candidate)
        await this.pc.addIceCandidate({ candidate: '', sdpMLineIndex: msg.mline });
      else
        await this.pc.addIceCandidate({ candidate: msg.candidate, sdpMLineIndex: msg.mline });
    } catch (err) {
      // A candidate we cannot use (another address family, …) is no failure.
      console.warn('vw-call: candidate not added', msg.candidate, err.message);
    }
  }

  async _stats(type) {
    if (this.closed)
      return [];
    const report = await this.pc.getStats();
    const out = [];
    report.forEach((s) => {
      if (s.type !== type)
        return;
      const mid = s.mid || (this.pc.getTransceivers().find((t) => t.receiver && t.receiver.track && t.receiver.track.id === s.trackIdentifier) || {}).mid;
      const entry = this.table.find((x) => x.mid === mid) || {};
      out.push({
        mid, kind: entry.kind || s.kind, peer: entry.peer, mediaType: s.kind,
        packets: s.packetsReceived ?? s.packetsSent ?? 0,
        bytes: s.bytesReceived ?? s.bytesSent ?? 0,
        framesDecoded: s.framesDecoded, framesEncoded: s.framesEncoded,
        frameWidth: s.frameWidth, frameHeight: s.frameHeight,
        audioLevel: s.audioLevel, totalSamplesReceived: s.totalSamplesReceived,
      });
    });
    return out;
  }

  _end(reason) {
    if (this.closed)
      return;
    this.closed = true;
    this.endedReason = reason;
    clearTimeout(this.disconnectTimer);
    for (const [type, fn] of Object.entries(this._handlers))
      this.signaling.removeEventListener(type, fn);
    for (const [mid, shown] of this.shown)
      this.dispatchEvent(new CustomEvent('remote-track-ended', { detail: { mid, kind: shown.kind, peer: shown.peer } }));
    this.shown.clear();
    try {
      this.pc.close();
    } catch (err) {
      // already closed
    }
    this.dispatchEvent(new CustomEvent('ended', { detail: { reason } }));
  }
}
