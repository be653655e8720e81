// join/call.js: the call with the hub (VwCall): `paired`, the call buttons,
// the agent's annotations on a snapshot, the end, and the rating (好差评).

import { drawAnnotated } from '/js/vw-annotate.js';
import { VwCall } from '/js/vw-call.js';
import { SnapshotSender } from '/js/vw-transfer.js';
import { clearBooking, loadMyBookings } from '/join/bookings.js';
import {
  $, ENDED_TEXT, PROVINCES, RATING_ERRORS, message, setConnState, showView, state,
} from '/join/common.js';
import { clearNetwork } from '/join/network.js';
import { onTakenOver, renderMembers, renderRemote } from '/join/remote.js';
import { nameOf, openDocumentCamera } from '/join/setup.js';

export function showPeer(peer) {
  $('peer-name').textContent = peer.name || '';
  $('peer-detail').textContent = [peer.center, PROVINCES[peer.province] || peer.province].filter(Boolean).join(' · ')
    + ` · 办理 ${nameOf(state.form.item)}（${PROVINCES[state.form.handledIn]}规则）`;
  document.title = `与帮办专员${peer.name || ''}通话中 · 远程虚拟窗口`;
}

export function onPaired(msg) {
  if (msg.resumed && state.phase === 'call' && msg.session === state.session) {
    // Our dropped connection resumed: the same session; VwCall builds the
    // new media connection (same camera and microphone).
    state.paired = { ...state.paired, ...msg };
    setConnState('正在恢复音视频…');
    return;
  }
  if (state.phase === 'call' && msg.session === state.session) {
    onTakenOver(msg);   // the same session, the same call: not restarted
    return;
  }
  if (state.phase !== 'queued' && state.phase !== 'connecting')
    return;
  state.session = msg.session;
  state.paired = msg;
  state.members.clear();
  renderMembers();
  message($('transfer-notice'), '');
  const peer = msg.peer || {};
  showPeer(peer);
  if (msg.case) {
    $('case-no').hidden = false;
    $('case-no').textContent = `案件编号 ${msg.case}`;
  }
  $('local-camera').srcObject = new MediaStream(state.media.getVideoTracks());
  showView('call');
  setConnState('正在建立音视频连接…');

  const call = new VwCall(state.signaling, {
    session: msg.session,
    iceServers: Array.isArray(msg['ice-servers']) ? msg['ice-servers'] : [],
    sources: {
      audio: state.media.getAudioTracks()[0] || null,
      camera: state.media.getVideoTracks()[0] || null,
      document: state.documentTrack,
    },
  });
  state.call = call;
  call.addEventListener('remote-track', () => renderRemote());
  call.addEventListener('remote-track-ended', () => renderRemote());
  call.addEventListener('recording', (e) => { $('recording-notice').hidden = !e.detail.active; });
  call.addEventListener('connection-state', (e) => {
    const s = e.detail.state;
    if (s === 'connected')
      setConnState('通话中', 'is-live');
    else if (s === 'disconnected' || s === 'failed')
      setConnState('连接不稳定', 'is-bad');
  });
  call.addEventListener('restarting', (e) => {
    state.network.push({ what: `restart-${e.detail.cause}`, at: Date.now() });
    renderRemote();
  });
  call.addEventListener('source-ended', (e) => {
    if (e.detail.kind === 'document')
      state.documentTrack = null;
    updateControls();
  });
  call.addEventListener('ended', (e) => onEnded(e.detail.reason));
  state.snapshots = new SnapshotSender(state.signaling, {
    getTrack: () => (call.sources.document && call.sources.document.readyState === 'live' ? call.sources.document : null),
    getChannel: () => call.channel,
  });
  state.snapshots.addEventListener('snapshot-sent', (e) => {
    message($('call-message'), `已向帮办专员发送高拍仪快照（${e.detail.width}×${e.detail.height}）。`, 'is-ok');
  });
  state.snapshots.addEventListener('snapshot-error', (e) => {
    message($('call-message'), `高拍仪快照发送失败：${e.detail.reason}`, 'is-warn');
  });
  updateControls();
  call.start().catch((err) => {
    console.warn('publish:', err);
    message($('call-message'), `无法开始通话：${err.message}`);
  });
}

export function updateControls() {
  const call = state.call;
  if (!call)
    return;
  const mute = $('mute-button');
  mute.textContent = call.muted ? '取消静音' : '静音';
  mute.setAttribute('aria-pressed', String(call.muted));
  const cam = $('camera-button');
  cam.textContent = call.cameraOff ? '开启摄像头' : '关闭摄像头';
  cam.setAttribute('aria-pressed', String(call.cameraOff));
  $('local-camera-state').textContent = call.cameraOff ? '摄像头已关闭' : '';
  $('local-camera-tile').classList.toggle('is-off', call.cameraOff);
  const screen = $('screen-button');
  screen.textContent = call.sharingScreen ? '停止共享' : '共享屏幕';
  screen.setAttribute('aria-pressed', String(call.sharingScreen));
  screen.disabled = !(navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia);
  $('local-screen-tile').hidden = !call.sharingScreen;
  $('local-screen').srcObject = call.sources.screen ? new MediaStream([call.sources.screen]) : null;
  const doc = $('document-button');
  const docOn = !!call.sources.document;
  doc.textContent = docOn ? '关闭高拍仪' : '开启高拍仪';
  doc.setAttribute('aria-pressed', String(docOn));
  doc.disabled = !docOn && !documentDeviceId();
  doc.title = doc.disabled ? '未选择高拍仪' : '';
  $('local-document-tile').hidden = !docOn;
  const docVideo = $('local-document');
  const want = docOn ? call.sources.document : null;
  const have = docVideo.srcObject ? docVideo.srcObject.getVideoTracks()[0] : null;
  if (want !== have)
    docVideo.srcObject = want ? new MediaStream([want]) : null;
}

function documentDeviceId() {
  if (state.form && state.form.documentDevice)
    return state.form.documentDevice;
  // No choice made: a second camera, if there is one, is the 高拍仪.
  const opts = [...$('document-device').options].map((o) => o.value).filter(Boolean);
  const camId = state.media && state.media.getVideoTracks()[0] ? state.media.getVideoTracks()[0].getSettings().deviceId : null;
  return opts.find((id) => id !== camId) || '';
}

export async function toggleScreen() {
  const call = state.call;
  const btn = $('screen-button');
  btn.disabled = true;
  try {
    if (call.sharingScreen)
      await call.stopScreenShare();
    else
      await call.startScreenShare();
    message($('call-message'), '');
  } catch (err) {
    if (err.name !== 'NotAllowedError' && err.name !== 'AbortError')
      message($('call-message'), `无法共享屏幕：${err.message}`);
  } finally {
    btn.disabled = false;
    updateControls();
  }
}

export async function toggleDocument() {
  const call = state.call;
  const btn = $('document-button');
  btn.disabled = true;
  try {
    const current = call.sources.document;
    if (current) {
      await call.setSource('document', null);
      current.stop();
      state.documentTrack = null;
    } else {
      const track = await openDocumentCamera(documentDeviceId());
      state.documentTrack = track;
      await call.setSource('document', track);
    }
    message($('call-message'), '');
  } catch (err) {
    message($('call-message'), `高拍仪无法开启：${err.message}`);
  } finally {
    updateControls();
  }
}

export async function onAnnotation(msg) {
  if (msg.session !== state.session)
    return;
  const list = state.annotations.get(msg.snapshot) || [];
  list.push({ x: msg.x, y: msg.y, w: msg.w, h: msg.h, note: msg.note });
  state.annotations.set(msg.snapshot, list);
  const panel = $('annotation-panel');
  panel.hidden = false;
  panel.dataset.snapshot = msg.snapshot;
  const notes = $('annotation-notes');
  notes.replaceChildren(...list.map((a) => Object.assign(document.createElement('li'), {
    textContent: `${a.note || '请核对此处'}（位置 ${a.x},${a.y}，${a.w}×${a.h} 像素）`,
  })));
  const snap = state.snapshots && state.snapshots.get(msg.snapshot);
  const canvas = $('annotation-canvas');
  if (!snap) {
    canvas.hidden = true;
    return;
  }
  canvas.hidden = false;
  await drawAnnotated(canvas, snap.blob, list);
  panel.dataset.drawn = String(list.length);
  message($('call-message'), `帮办专员标注了快照：${msg.note || '请核对标出的位置'}`, 'is-warn');
  panel.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}

export function onServerError(err) {
  if (err.code === 'no-document-camera')
    message($('call-message'), '帮办专员想查看您的高拍仪，请点击“开启高拍仪”后把材料放在高拍仪下。', 'is-warn');
  else if (err.code === 'snapshot-failed')
    message($('call-message'), '高拍仪快照未能送达，帮办专员可以重新拍摄。', 'is-warn');
  else
    console.warn('server error:', err);
}

function stopLocalMedia() {
  for (const t of state.media ? state.media.getTracks() : [])
    t.stop();
  if (state.documentTrack)
    state.documentTrack.stop();
  if (state.call && state.call.sources.screen)
    state.call.sources.screen.stop();
  state.media = null;
  state.documentTrack = null;
}

function onEnded(reason) {
  if (state.phase === 'ended' || state.requeueing)
    return;
  clearNetwork();
  stopLocalMedia();
  $('remote-audio').srcObject = null;
  $('remote-audios').replaceChildren();
  state.members.clear();
  state.transferring = null;
  if (state.booking) {
    clearBooking();
    loadMyBookings();
  }
  $('ended-reason').textContent = ENDED_TEXT[reason] || '本次服务已结束。';
  const canRate = !!(state.signaling && state.signaling.connected && state.session);
  $('rating-form').hidden = !canRate || state.rated;
  if (!canRate)
    message($('rating-message'), '与服务器的连接已断开，无法提交评价。', 'is-warn');
  setConnState(canRate ? '已结束' : '', '');
  document.title = '服务已结束 · 远程虚拟窗口';
  showView('ended');
}

export function onClosed(detail) {
  if (detail.expected)
    return;
  clearNetwork();
  if (state.phase === 'queued' || state.phase === 'connecting') {
    message($('join-message'), '与服务器的连接已断开，排队位置已失效，请重新呼叫。');
    state.signaling = null;
    $('call-button').disabled = false;
    setConnState('');
    showView('setup');
  } else if (state.phase === 'ended') {
    setConnState('');
    if (!state.rated) {
      $('rating-form').hidden = true;
      message($('rating-message'), '与服务器的连接已断开，无法提交评价。', 'is-warn');
    }
  }
  // In a call: VwCall ends it ('disconnected') and onEnded shows why.
}

export async function onRate(ev) {
  ev.preventDefault();
  const f = $('rating-form');
  const level = Number((f.querySelector('input[name="level"]:checked') || {}).value || 0);
  const msgEl = $('rating-message');
  if (!level) {
    message(msgEl, '请选择一个评价等级。');
    return;
  }
  const comment = $('rating-comment').value.trim();
  $('rating-submit').disabled = true;
  try {
    await state.signaling.rate(state.session, level, comment);
    state.rated = true;
    f.hidden = true;
    message(msgEl, '感谢您的评价！', 'is-ok');
  } catch (err) {
    message(msgEl, RATING_ERRORS[err.code] || `评价未能提交：${err.message}`);
    if (err.code === 'wrong-state' || err.code === 'unknown-session') {
      state.rated = err.code === 'wrong-state';
      f.hidden = true;
    }
  } finally {
    $('rating-submit').disabled = false;
  }
}
