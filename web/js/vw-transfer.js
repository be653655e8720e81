// vw-transfer.js: files over the hub's `vw` data channel (PROTOCOL.md §7),
// and the snapshots of a document camera (高拍仪) that travel that way (§8).
//
// The file format: a header (string) {"type":"file","id","size","sha256",
// "mime","width","height"}, then the bytes in binary messages of at most
// 16 KiB, then the end (string) {"type":"file-end","id"}.  A receiver keeps a
// file only when exactly `size` bytes arrived and their SHA-256 matches.
//
//   import { sendFile, FileReceiver, SnapshotSender, grabFrame } from '/js/vw-transfer.js';
//
// API
//   CHUNK_SIZE                 16384, the largest binary message
//   sha256Hex(bytes)           lowercase hex SHA-256 (crypto.subtle) of a
//                              Uint8Array / ArrayBuffer
//   sendFile(channel, {id, data, mime?, width?, height?}, {onProgress?})
//                              sends one file (data: Blob, ArrayBuffer or
//                              Uint8Array), waiting on bufferedAmount so the
//                              channel's buffer stays small; resolves
//                              {id, sha256, size} once the end is queued.
//                              Rejects if the channel closes first.
//   new FileReceiver(channel, {maxSize?})   receives files; events:
//       'file'        {id, bytes (Uint8Array), blob, sha256, size, mime, width, height}
//                     (only after size and SHA-256 were checked)
//       'file-error'  {id, reason}: the transfer failed, nothing kept
//     receiver.close() stops listening.
//   grabFrame(track)           one frame of a video track at the track's own
//                              resolution (ImageCapture.grabFrame, or a
//                              <video> drawn on a canvas): {canvas, width, height}
//   encodePng(canvas)          Blob (image/png) of a canvas or OffscreenCanvas
//   new SnapshotSender(signaling, {getTrack, getChannel})
//                              answers `snapshot-requested`: grabs the current
//                              frame of getTrack() (the document camera) at full
//                              resolution, PNG-encodes it and sends it with its
//                              SHA-256, width and height under the snapshot's id;
//                              keeps each image for annotations.  Events:
//       'snapshot-sent'    {snapshot, by, sha256, size, width, height, blob}
//       'snapshot-stored'  {snapshot, sha256, size, width, height, by, from}
//                          (the hub kept ours as evidence)
//       'snapshot-error'   {snapshot, reason}: we could not deliver (the
//                          hub's 20 s timeout then ends the snapshot)
//     sender.get(id) -> {snapshot, blob, width, height, sha256, size, by}
//     sender.close()

export const CHUNK_SIZE = 16384;
export const MAX_FILE_SIZE = 64 * 1024 * 1024;
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const SHA_RE = /^[0-9a-f]{64}$/;
const HIGH_WATER = 1024 * 1024;      // pause sending above this many buffered bytes
const LOW_WATER = 256 * 1024;        // and resume below this

function toBytes(data) {
  if (data instanceof Uint8Array)
    return data;
  if (data instanceof ArrayBuffer)
    return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError('expected bytes (Uint8Array or ArrayBuffer)');
}

export async function sha256Hex(data) {
  const digest = await crypto.subtle.digest('SHA-256', toBytes(data));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function waitDrained(channel) {
  if (channel.bufferedAmount <= HIGH_WATER)
    return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      channel.removeEventListener('bufferedamountlow', onLow);
      channel.removeEventListener('close', onClose);
    };
    const onLow = () => {
      done();
      resolve();
    };
    const onClose = () => {
      done();
      reject(new Error('the data channel closed'));
    };
    channel.bufferedAmountLowThreshold = LOW_WATER;
    channel.addEventListener('bufferedamountlow', onLow);
    channel.addEventListener('close', onClose);
  });
}

export async function sendFile(channel, { id, data, mime = 'image/png', width = 0, height = 0 }, { onProgress } = {}) {
  if (!channel || channel.readyState !== 'open')
    throw new Error('the data channel is not open');
  if (!ID_RE.test(id))
    throw new Error(`bad file id ${id}`);
  const bytes = data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : toBytes(data);
  if (bytes.length < 1 || bytes.length > MAX_FILE_SIZE)
    throw new Error(`a file of ${bytes.length} bytes cannot be sent`);
  const sha256 = await sha256Hex(bytes);
  const header = { type: 'file', id, size: bytes.length, sha256, mime };
  if (width)
    header.width = width;
  if (height)
    header.height = height;
  channel.send(JSON.stringify(header));
  for (let offset = 0; offset < bytes.length; offset += CHUNK_SIZE) {
    await waitDrained(channel);
    if (channel.readyState !== 'open')
      throw new Error('the data channel closed');
    channel.send(bytes.subarray(offset, Math.min(offset + CHUNK_SIZE, bytes.length)));
    if (onProgress)
      onProgress(Math.min(offset + CHUNK_SIZE, bytes.length), bytes.length);
  }
  if (channel.readyState !== 'open')
    throw new Error('the data channel closed');
  channel.send(JSON.stringify({ type: 'file-end', id }));
  return { id, sha256, size: bytes.length };
}

export class FileReceiver extends EventTarget {
  constructor(channel, { maxSize = MAX_FILE_SIZE } = {}) {
    super();
    this.channel = channel;
    this.maxSize = maxSize;
    this.current = null;   // {header, chunks, received}
    this.dropping = null;  // id of a failed transfer whose rest is dropped
    this._onMessage = (e) => this._message(e.data);
    this._onClose = () => {
      if (this.current)
        this._fail('the data channel closed mid-transfer');
    };
    channel.binaryType = 'arraybuffer';
    channel.addEventListener('message', this._onMessage);
    channel.addEventListener('close', this._onClose);
  }

  close() {
    this.channel.removeEventListener('message', this._onMessage);
    this.channel.removeEventListener('close', this._onClose);
    this.current = null;
  }

  _fail(reason) {
    const id = this.current ? this.current.header.id : null;
    this.dropping = id;
    this.current = null;
    this.dispatchEvent(new CustomEvent('file-error', { detail: { id, reason } }));
  }

  async _message(data) {
    if (typeof data === 'string') {
      let msg;
      try {
        msg = JSON.parse(data);
      } catch (err) {
        return;   // strings that are not ours are ignored
      }
      if (!msg || typeof msg !== 'object')
        return;
      if (msg.type === 'file') {
        if (this.current)
          this._fail('a new file began before the end of the last one');
        this.dropping = null;
        const ok = ID_RE.test(msg.id) && Number.isInteger(msg.size) && msg.size >= 1
          && msg.size <= this.maxSize && SHA_RE.test(msg.sha256);
        if (!ok) {
          this.current = { header: { id: typeof msg.id === 'string' ? msg.id : null } };
          this._fail('malformed file header');
          return;
        }
        this.current = { header: msg, chunks: [], received: 0 };
      } else if (msg.type === 'file-end') {
        if (!this.current) {
          if (msg.id !== this.dropping)
            this.dispatchEvent(new CustomEvent('file-error', { detail: { id: msg.id, reason: 'an end outside a transfer' } }));
          this.dropping = null;
          return;
        }
        const cur = this.current;
        this.current = null;
        const h = cur.header;
        if (msg.id !== h.id || cur.received !== h.size) {
          this.current = cur;
          this._fail(msg.id !== h.id ? `an end for ${msg.id}` : `${cur.received} of ${h.size} bytes`);
          return;
        }
        const bytes = new Uint8Array(h.size);
        let at = 0;
        for (const c of cur.chunks) {
          bytes.set(c, at);
          at += c.length;
        }
        const sha256 = await sha256Hex(bytes);
        if (sha256 !== h.sha256) {
          this.current = cur;
          this._fail('SHA-256 mismatch');
          return;
        }
        const mime = h.mime || 'image/png';
        this.dispatchEvent(new CustomEvent('file', {
          detail: {
            id: h.id, bytes, blob: new Blob([bytes], { type: mime }), sha256, size: h.size, mime,
            width: h.width || 0, height: h.height || 0,
          },
        }));
      }
      return;
    }
    // binary
    if (!this.current) {
      if (!this.dropping)
        this.dispatchEvent(new CustomEvent('file-error', { detail: { id: null, reason: 'data outside a transfer' } }));
      return;
    }
    const chunk = new Uint8Array(data instanceof ArrayBuffer ? data : await data.arrayBuffer());
    this.current.received += chunk.length;
    if (chunk.length > CHUNK_SIZE || this.current.received > this.current.header.size) {
      this._fail('more bytes than announced');
      return;
    }
    this.current.chunks.push(chunk);
  }
}

// ---- snapshots

function makeCanvas(width, height) {
  if (typeof OffscreenCanvas !== 'undefined')
    return new OffscreenCanvas(width, height);
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return c;
}

export async function encodePng(canvas) {
  if (canvas.convertToBlob)
    return canvas.convertToBlob({ type: 'image/png' });
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
}

async function grabWithVideo(track) {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([track]);
  try {
    await video.play();
    await new Promise((resolve) => {
      if (video.requestVideoFrameCallback)
        video.requestVideoFrameCallback(() => resolve());
      else
        setTimeout(resolve, 200);
    });
    const width = video.videoWidth;
    const height = video.videoHeight;
    const canvas = makeCanvas(width, height);
    canvas.getContext('2d').drawImage(video, 0, 0, width, height);
    return { canvas, width, height };
  } finally {
    video.pause();
    video.srcObject = null;
  }
}

export async function grabFrame(track) {
  if (!track || track.kind !== 'video' || track.readyState !== 'live')
    throw new Error('no live video track to grab');
  if (typeof ImageCapture !== 'undefined') {
    try {
      const bitmap = await new ImageCapture(track).grabFrame();
      const canvas = makeCanvas(bitmap.width, bitmap.height);
      canvas.getContext('2d').drawImage(bitmap, 0, 0);
      const out = { canvas, width: bitmap.width, height: bitmap.height };
      bitmap.close();
      return out;
    } catch (err) {
      console.warn('vw-transfer: ImageCapture failed, grabbing from a <video>', err);
    }
  }
  return grabWithVideo(track);
}

export class SnapshotSender extends EventTarget {
  constructor(signaling, { getTrack, getChannel }) {
    super();
    this.signaling = signaling;
    this.getTrack = getTrack;
    this.getChannel = getChannel;
    this.snapshots = new Map();
    this.queue = Promise.resolve();   // one transfer at a time on the channel
    this._onRequested = (e) => {
      this.queue = this.queue.then(() => this._send(e.detail));
    };
    this._onStored = (e) => {
      const m = e.detail;
      if (m.from !== this.signaling.peerId)
        return;
      const s = this.snapshots.get(m.snapshot);
      if (s)
        s.stored = true;
      this.dispatchEvent(new CustomEvent('snapshot-stored', { detail: m }));
    };
    signaling.addEventListener('snapshot-requested', this._onRequested);
    signaling.addEventListener('snapshot-stored', this._onStored);
  }

  get(id) {
    return this.snapshots.get(id) || null;
  }

  close() {
    this.signaling.removeEventListener('snapshot-requested', this._onRequested);
    this.signaling.removeEventListener('snapshot-stored', this._onStored);
  }

  async _send({ snapshot, by }) {
    try {
      const track = this.getTrack();
      const channel = this.getChannel();
      if (!track)
        throw new Error('the document camera is off');
      if (!channel || channel.readyState !== 'open')
        throw new Error('the data channel is not open');
      const { canvas, width, height } = await grabFrame(track);
      const blob = await encodePng(canvas);
      const { sha256, size } = await sendFile(channel, { id: snapshot, data: blob, mime: 'image/png', width, height });
      const record = { snapshot, by, blob, width, height, sha256, size, stored: false };
      this.snapshots.set(snapshot, record);
      this.dispatchEvent(new CustomEvent('snapshot-sent', { detail: record }));
    } catch (err) {
      console.warn('vw-transfer: snapshot', snapshot, 'not sent:', err);
      this.dispatchEvent(new CustomEvent('snapshot-error', { detail: { snapshot, reason: err.message } }));
    }
  }
}
