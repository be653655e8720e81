// agent/call.js: one call with the hub: `paired` starts it (VwCall, the
// snapshot sender and receiver on its data channel), the call buttons act
// on it, and endCall() takes everything down.

import { VwCall } from '/js/vw-call.js';
import { itemName } from '/js/vw-catalogue.js';
import { FileReceiver, SnapshotSender } from '/js/vw-transfer.js';
import { setStatus } from '/agent.js';
import { $, ENDED, NETWORK_TEXT, app, errorText, province, setMessage } from '/agent/common.js';
import { checkSent, setLocal, startDocument } from '/agent/media.js';
import { updateItemsApply } from '/agent/queue.js';
import { renderMembers, renderRemote } from '/agent/remote.js';
import { onSnapshotFile } from '/agent/snapshots.js';

export function onPaired(msg) {
  if (app.session && app.session.id === msg.session)
    return;   // the same session (never restarted)
  setStatus('busy');
  const peer = msg.peer || {};
  // 事项: from `paired` if the server says it, else from the queue (a clerk
  // paired at once, or an invited agent, was never seen there).
  const waiting = app.queue.waiting.find((w) => w.name === peer.name && w.province === peer.province
    && w.center === peer.center);
  app.session = {
    id: msg.session, case: msg.case || '', peer,
    item: msg.item || (waiting ? waiting.item : ''), booked: !!(msg.booked || (waiting && waiting.booked)),
    startedAt: performance.now(), members: new Map(), invited: new Set(),
  };
  app.snapshots.clear();
  app.current = null;
  app.annotations = [];

  $('#idle-view').hidden = true;
  $('#call-view').hidden = false;
  $('#snapshot-panel').hidden = true;
  $('#recording-notice').hidden = true;
  $('#call-peer').textContent = peer.name || '（未署名）';
  $('#call-from').textContent = `${province(peer.province)} · ${peer.center || '（企业）'}`;
  $('#call-item').textContent = app.session.item ? `${itemName(app.session.item)}${app.session.booked ? '（预约）' : ''}` : '—';
  renderMembers();
  // An invited third party neither transfers nor invites (the server says
  // which one we are).
  $('#btn-transfer').hidden = !!msg.invited;
  $('#btn-invite').hidden = !!msg.invited;
  $('#call-case').textContent = app.session.case || '—';
  $('#call-media').textContent = '正在连接…';
  $('#call-elapsed').textContent = '00:00';
  setMessage($('#call-message'), '');
  setMessage($('#annotate-message'), '');
  setMessage($('#status-message'), `已自动接入：${peer.name || '来访者'}（${province(peer.province)}）。`, 'is-ok');
  renderRemote();

  const call = new VwCall(app.sig, {
    session: msg.session,
    iceServers: Array.isArray(msg['ice-servers']) ? msg['ice-servers'] : [],
    sources: { audio: app.local.audio, camera: app.local.camera, document: app.local.document },
  });
  app.call = call;
  call.addEventListener('remote-track', () => renderRemote());
  call.addEventListener('remote-track-ended', () => renderRemote());
  call.addEventListener('connection-state', (e) => onConnectionState(e.detail.state));
  call.addEventListener('channel', (e) => onChannel(e.detail.channel));
  call.addEventListener('source-ended', (e) => {
    if (e.detail.kind === 'screen')
      setLocal('screen', null);
    updateControls();
  });
  call.addEventListener('failed', (e) => setMessage($('#call-message'), `协商失败：${errorText(e.detail.error)}`));
  call.addEventListener('ended', (e) => endCall(e.detail.reason));
  call.addEventListener('restarting', (e) => {
    app.network.push({ what: `restart-${e.detail.cause}`, at: Date.now() });
    renderRemote();
  });
  app.sender = new SnapshotSender(app.sig, { getTrack: () => app.local.document, getChannel: () => call.channel });
  app.sender.addEventListener('snapshot-sent', () => setMessage($('#call-message'), '已按对方请求发送高拍仪快照。', 'is-ok'));
  app.sender.addEventListener('snapshot-error', (e) => setMessage($('#call-message'), `对方请求的高拍仪快照未能发送：${e.detail.reason}`));
  updateControls();
  call.start().catch((err) => setMessage($('#call-message'), `无法开始通话：${errorText(err)}`));
}

// The other side's connection dropped (`peer-network`): shown until restored.
export function onPeerNetwork(msg) {
  if (!app.session || msg.session !== app.session.id)
    return;
  if (msg.state === 'reconnecting') {
    app.reconnectingPeers.add(msg.peer);
    app.network.push({ what: 'peer-reconnecting', at: Date.now() });
    setMessage($('#peer-network-notice'), NETWORK_TEXT.peerReconnecting, 'is-warn');
  } else if (msg.state === 'restored') {
    app.reconnectingPeers.delete(msg.peer);
    app.network.push({ what: 'peer-restored', at: Date.now() });
    if (!app.reconnectingPeers.size)
      setMessage($('#peer-network-notice'), '');
  }
}

export function onRecording(msg) {
  if (app.session && msg.session === app.session.id)
    $('#recording-notice').hidden = !msg.active;
}

function onConnectionState(state) {
  const texts = {
    new: '正在连接…', connecting: '正在连接…', connected: '已连通',
    disconnected: '连接中断，正在恢复…', failed: '连接失败', closed: '已关闭',
  };
  $('#call-media').textContent = texts[state] || state;
}

function onChannel(channel) {
  if (app.receiver)
    app.receiver.close();
  const receiver = new FileReceiver(channel);
  app.receiver = receiver;
  receiver.addEventListener('file', (e) => onSnapshotFile(e.detail));
  receiver.addEventListener('file-error', (e) => {
    setMessage($('#call-message'), `快照未能完整接收（${e.detail.reason}），已丢弃。请重新请求快照。`);
    $('#btn-snapshot').disabled = false;
  });
}

export function endCall(reason) {
  const call = app.call;
  const session = app.session;
  if (!call && !session)
    return;
  // Both cleared first: closing the call reports 'ended' again.
  app.call = null;
  app.session = null;
  app.reconnectingPeers.clear();
  setMessage($('#peer-network-notice'), '');
  if (call)
    call.close();
  if (app.receiver)
    app.receiver.close();
  app.receiver = null;
  if (app.sender)
    app.sender.close();
  app.sender = null;
  // Our shares end with the call; camera and microphone stay for the next one.
  if (app.local.screen)
    setLocal('screen', null);
  if (app.local.document)
    setLocal('document', null);
  renderRemote();   // app.call is gone: every remote tile is emptied
  for (const dialog of [$('#transfer-dialog'), $('#invite-dialog')])
    if (dialog.open)
      dialog.close();
  const peer = session && session.peer;
  $('#call-view').hidden = true;
  $('#idle-view').hidden = false;
  // The snapshot stays on screen until the next call (the evidence is on the server).
  $('#btn-annotate').disabled = true;
  if (reason === null)
    return;
  const text = reason === 'transferred' && app.transferText ? app.transferText : (ENDED[reason] || ENDED.hangup);
  app.transferText = '';
  setMessage($('#status-message'), `${peer && peer.name ? `与 ${peer.name} 的通话：` : ''}${text}`,
    reason === 'hangup' || reason === 'peer-hangup' || reason === 'transferred' ? 'is-ok' : 'is-warn');
  // The server says what comes next (`agent-state`: wrap-up, then available).
  updateItemsApply();
}

export function updateControls() {
  const inCall = !!app.call;
  const mute = $('#btn-mute');
  const camera = $('#btn-camera');
  const screen = $('#btn-screen');
  const doc = $('#btn-document');
  const muted = inCall && app.call.muted;
  const camOff = inCall && app.call.cameraOff;
  mute.textContent = muted ? '取消静音' : '静音';
  mute.setAttribute('aria-pressed', String(muted));
  mute.disabled = !app.local.audio;
  camera.textContent = camOff ? '打开摄像头' : '关闭摄像头';
  camera.setAttribute('aria-pressed', String(camOff));
  camera.disabled = !app.local.camera;
  screen.textContent = app.local.screen ? '停止共享' : '共享屏幕';
  screen.setAttribute('aria-pressed', String(!!app.local.screen));
  doc.textContent = app.local.document ? '关闭高拍仪' : '高拍仪';
  doc.setAttribute('aria-pressed', String(!!app.local.document));
}

export async function onMute() {
  if (!app.call)
    return;
  app.call.setMuted(!app.call.muted);
  updateControls();
}

export async function onCamera() {
  if (!app.call)
    return;
  app.call.setCameraOff(!app.call.cameraOff);
  $('#local-camera').classList.toggle('is-off', app.call.cameraOff);
  updateControls();
}

export async function onScreen() {
  const call = app.call;
  if (!call)
    return;
  const button = $('#btn-screen');
  button.disabled = true;
  try {
    if (app.local.screen) {
      await call.stopScreenShare();
      setLocal('screen', null);
    } else {
      const track = await call.startScreenShare();
      setLocal('screen', track);
      checkSent('screen', track);
    }
    setMessage($('#call-message'), '');
  } catch (err) {
    setMessage($('#call-message'), `屏幕共享：${errorText(err)}`);
  } finally {
    button.disabled = false;
    updateControls();
  }
}

export async function onDocument() {
  if (!app.call)
    return;
  const button = $('#btn-document');
  button.disabled = true;
  try {
    if (app.local.document)
      setLocal('document', null);
    else
      await startDocument();
    setMessage($('#call-message'), '');
  } catch (err) {
    setMessage($('#call-message'), `高拍仪：${errorText(err)}`);
  } finally {
    button.disabled = false;
    updateControls();
  }
}

export async function onHangup() {
  if (!app.call)
    return;
  $('#btn-hangup').disabled = true;
  try {
    await app.call.hangup();
  } catch (err) {
    setMessage($('#call-message'), errorText(err));
  } finally {
    $('#btn-hangup').disabled = false;
  }
}
