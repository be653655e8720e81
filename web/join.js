// join.js: the join page (join.html) of an enterprise or a clerk: fill in
// who you are and what you need, allow camera and microphone, call, wait in
// the queue, talk with the help-desk agent (帮办专员), show the document
// camera (高拍仪) and the screen, see the agent's annotations on a snapshot,
// and rate the service (好差评) at the end.
//
// A reload or a closed tab closes the WebSocket: the server drops the place
// in the queue (a reloaded page queues again, at the end) or ends the
// session with peer-disconnected.
//
// For diagnostics (and the browser test) the page keeps its state in
// window.vwJoin: {signaling, call, snapshots, session, phase}.

import { VwSignaling } from './js/vw-signaling.js';
import { VwCall } from './js/vw-call.js';
import { SnapshotSender } from './js/vw-transfer.js';
import { drawAnnotated } from './js/vw-annotate.js';

const PROVINCES = { shanghai: '上海', jiangsu: '江苏', zhejiang: '浙江', anhui: '安徽' };
const KIND_NAMES = { camera: '摄像头', screen: '屏幕共享', document: '高拍仪', audio: '声音' };
const ENDED_TEXT = {
  hangup: '您已挂断，本次服务结束。',
  'peer-hangup': '帮办专员已结束本次服务。',
  'peer-disconnected': '帮办专员的连接已断开，本次服务结束。',
  'media-failed': '音视频连接失败，本次服务结束。请检查网络后重新申请。',
  'server-shutdown': '服务器维护中，本次服务结束。',
  disconnected: '与服务器的连接已断开，本次服务结束。',
};
const RATING_ERRORS = {
  'wrong-state': '本次服务已经评价过了。',
  'unknown-session': '无法评价本次服务（会话不存在或不属于您）。',
  'bad-field': '评价内容不符合要求，请重新选择评价等级。',
};

const $ = (id) => document.getElementById(id);

const state = {
  phase: 'setup',          // setup, connecting, queued, call, ended
  media: null,             // MediaStream: microphone + camera
  documentTrack: null,     // the 高拍仪, a second camera (or null)
  signaling: null,
  call: null,
  snapshots: null,
  session: null,
  paired: null,
  rated: false,
  annotations: new Map(),  // snapshot id -> [{x, y, w, h, note}]
  form: null,
  catalogue: null,         // the items of GET /api/catalogue, or null: the built-in list
};
window.vwJoin = state;

// ---- small helpers

function message(el, text, kind = 'is-error') {
  el.classList.remove('is-error', 'is-ok', 'is-warn');
  if (kind)
    el.classList.add(kind);
  el.textContent = text || '';
}

function showView(phase) {
  state.phase = phase;
  $('setup-view').hidden = !(phase === 'setup' || phase === 'connecting');
  $('queue-view').hidden = phase !== 'queued';
  $('call-view').hidden = phase !== 'call';
  $('ended-view').hidden = phase !== 'ended';
  document.body.dataset.phase = phase;
}

function setConnState(text, cls = '') {
  const el = $('conn-state');
  el.hidden = !text;
  el.textContent = text || '';
  el.className = `vw-badge ${cls}`;
}

function mediaErrorText(err) {
  const name = err && err.name;
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return '无法使用摄像头或麦克风：浏览器未获得授权。请在地址栏的权限设置中允许本网站使用摄像头和麦克风，然后重试。';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return '无法使用摄像头或麦克风：未找到设备。请连接摄像头和耳麦后重试。';
  if (name === 'NotReadableError' || name === 'AbortError')
    return '无法使用摄像头或麦克风：设备被其他程序占用。请关闭其他使用摄像头的程序后重试。';
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
    return '无法使用摄像头或麦克风：此浏览器不支持，或页面不是通过 https 打开的。';
  return `无法使用摄像头或麦克风：${err && err.message ? err.message : err}`;
}

// ---- devices (before joining the queue)

async function listDocumentDevices() {
  const select = $('document-device');
  const keep = select.value;
  const devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput' && d.deviceId);
  const camId = state.media && state.media.getVideoTracks()[0] ? state.media.getVideoTracks()[0].getSettings().deviceId : null;
  select.replaceChildren(new Option('不使用高拍仪', ''));
  devices.forEach((d, i) => {
    const label = d.label || `摄像头 ${i + 1}`;
    select.append(new Option(d.deviceId === camId ? `${label}（当前摄像头）` : label, d.deviceId));
  });
  select.disabled = devices.length === 0;
  if ([...select.options].some((o) => o.value === keep))
    select.value = keep;
}

async function ensureMedia() {
  if (state.media)
    return state.media;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
    throw Object.assign(new Error('no mediaDevices'), { name: 'NotSupportedError' });
  $('setup-preview-state').textContent = '正在开启摄像头和麦克风…';
  try {
    state.media = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } },
    });
  } catch (err) {
    $('setup-preview-state').textContent = '摄像头或麦克风不可用';
    throw err;
  }
  $('setup-preview').srcObject = state.media;
  $('setup-preview-state').textContent = '';
  $('media-button').textContent = '摄像头和麦克风已开启';
  $('media-button').disabled = true;
  await listDocumentDevices().catch((err) => console.warn('devices:', err));
  return state.media;
}

async function openDocumentCamera(deviceId) {
  // The 高拍仪 at its full resolution: the page travels whole as a snapshot;
  // the video track is scaled to at most 1920 px by the sender (vw-call.js).
  const stream = await navigator.mediaDevices.getUserMedia({
    video: {
      deviceId: { exact: deviceId },
      width: { ideal: 4096 }, height: { ideal: 3072 }, frameRate: { ideal: 5, max: 15 },
    },
  });
  const track = stream.getVideoTracks()[0];
  if ('contentHint' in track)
    track.contentHint = 'detail';
  return track;
}

function readForm() {
  const f = $('join-form');
  const data = {
    handledIn: f.handled_in.value,
    item: f.item.value,
    name: f.name.value.trim(),
    province: f.province.value,
    center: f.center.value.trim(),
    documentDevice: f.document_device.value,
  };
  if (!data.name) {
    f.name.focus();
    throw new Error('请填写姓名。');
  }
  if (!PROVINCES[data.handledIn] || !PROVINCES[data.province])
    throw new Error('请选择省份。');
  if (!data.item)
    throw new Error('请选择事项。');
  return data;
}

// ---- the catalogue of service items (事项清单)

// GET /api/catalogue (no sign-in): the items handled through the remote
// window, each with the provinces that handle it.  Until it answers, or if
// it fails, the built-in list of join.html stays.
async function loadCatalogue() {
  try {
    const res = await fetch('/api/catalogue', { headers: { Accept: 'application/json' } });
    if (!res.ok)
      throw new Error(`HTTP ${res.status}`);
    const body = await res.json();
    if (!Array.isArray(body.items))
      throw new Error('no items');
    state.catalogue = body.items;
    fillItems();
  } catch (err) {
    console.warn('catalogue: keeping the built-in list of items:', err);
  }
}

// The item choice: the catalogue's items handled in the chosen province,
// keeping the current choice when it is still there.
function fillItems() {
  if (!state.catalogue)
    return;
  const select = $('item');
  const keep = select.value;
  const handledIn = $('handled-in').value;
  const items = state.catalogue.filter((it) => Array.isArray(it.provinces) && it.provinces.includes(handledIn));
  // For now `request` carries the item's NAME, as before the catalogue;
  // the code (option.dataset.code) replaces it when routing by item lands
  // (issue 6, point 2).
  select.replaceChildren(...items.map((it) => {
    const option = new Option(it.name, it.name);
    option.dataset.code = it.code;
    option.title = `${it.code} · ${it.department}`;
    return option;
  }));
  if (items.length === 0)
    select.append(Object.assign(new Option(`${PROVINCES[handledIn] || handledIn}暂无可远程办理的事项`, ''), { disabled: true, selected: true }));
  else if (items.some((it) => it.name === keep))
    select.value = keep;
}

// ---- joining the queue

async function onCall(ev) {
  ev.preventDefault();
  if (state.phase !== 'setup')
    return;
  const msgEl = $('join-message');
  message(msgEl, '');
  let form;
  try {
    form = readForm();
  } catch (err) {
    message(msgEl, err.message);
    return;
  }
  state.form = form;
  showView('connecting');
  $('call-button').disabled = true;
  // Camera and microphone first: without them no request is sent.
  try {
    await ensureMedia();
  } catch (err) {
    console.warn('getUserMedia:', err);
    message(msgEl, mediaErrorText(err));
    $('call-button').disabled = false;
    showView('setup');
    return;
  }
  if (form.documentDevice && !state.documentTrack) {
    try {
      state.documentTrack = await openDocumentCamera(form.documentDevice);
    } catch (err) {
      console.warn('document camera:', err);
      message(msgEl, '高拍仪无法开启，将不使用高拍仪继续呼叫。', 'is-warn');
    }
  }

  const sig = new VwSignaling();
  state.signaling = sig;
  sig.addEventListener('queued', (e) => onQueued(e.detail));
  sig.addEventListener('paired', (e) => onPaired(e.detail));
  sig.addEventListener('recording', (e) => {
    if (e.detail.session === state.session)
      $('recording-notice').hidden = !e.detail.active;
  });
  sig.addEventListener('annotation', (e) => onAnnotation(e.detail));
  sig.addEventListener('snapshot-requested', () => message($('call-message'), '帮办专员正在拍摄您的高拍仪快照…', ''));
  sig.addEventListener('error', (e) => onServerError(e.detail));
  sig.addEventListener('close', (e) => onClosed(e.detail));
  setConnState('正在连接…');
  try {
    await sig.connect();
    await sig.hello({ role: 'clerk', name: form.name, province: form.province, center: form.center });
    $('queue-position').textContent = '正在呼叫…';
    $('queue-detail').textContent = `${PROVINCES[form.handledIn]} · ${form.item}`;
    await sig.request({ province: form.handledIn, item: form.item });
    setConnState('已连接', 'is-live');
  } catch (err) {
    console.warn('joining:', err);
    message(msgEl, `呼叫失败：${err.code === 'connect-failed' || err.code === 'closed' ? '无法连接服务器，请稍后重试。' : err.message}`);
    sig.close();
    state.signaling = null;
    $('call-button').disabled = false;
    setConnState('');
    showView('setup');
  }
}

function onQueued(msg) {
  if (state.phase !== 'connecting' && state.phase !== 'queued')
    return;
  showView('queued');
  $('queue-position').replaceChildren('排队中 第', Object.assign(document.createElement('strong'), { textContent: String(msg.position) }), '位');
  $('queue-detail').textContent = `正在等待${PROVINCES[msg.province] || msg.province}的帮办专员 · ${state.form.item}。请保持本页面打开，刷新或关闭页面将失去排队位置。`;
  document.title = `排队中 第${msg.position}位 · 远程虚拟窗口`;
}

function onCancel() {
  if (state.signaling)
    state.signaling.close();
  state.signaling = null;
  setConnState('');
  $('call-button').disabled = false;
  document.title = '远程帮办 · 远程虚拟窗口';
  showView('setup');
}

// ---- the call

function tile(id, title, kind) {
  const fig = document.createElement('figure');
  fig.className = 'vw-media-tile vw-call-tile';
  fig.id = id;
  fig.dataset.kind = kind;
  const head = document.createElement('header');
  head.append(Object.assign(document.createElement('span'), { textContent: title }));
  const screen = document.createElement('div');
  screen.className = 'vw-media-screen';
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true;
  const stateEl = Object.assign(document.createElement('span'), { className: 'vw-media-state', textContent: '正在接收…' });
  video.addEventListener('loadeddata', () => { stateEl.textContent = ''; });
  screen.append(video, stateEl);
  fig.append(head, screen);
  return { fig, video, stateEl };
}

function onRemoteTrack(t) {
  if (t.kind === 'audio') {
    const audio = $('remote-audio');
    audio.srcObject = t.stream;
    audio.play().catch((err) => console.warn('audio play:', err));
    return;
  }
  if (t.kind === 'camera') {
    const video = $('remote-camera');
    video.srcObject = t.stream;
    $('remote-camera-tile').dataset.mid = t.mid;
    const stateEl = $('remote-camera-tile').querySelector('.vw-media-state');
    stateEl.textContent = '正在接收帮办专员的画面…';
    video.onloadeddata = () => { stateEl.textContent = ''; };
    return;
  }
  // The agent's screen or document camera: a tile of its own, in front.
  const id = `remote-${t.kind}-tile`;
  const old = $(id);
  if (old)
    old.remove();
  const { fig, video } = tile(id, `帮办专员 · ${KIND_NAMES[t.kind] || t.kind}`, t.kind);
  fig.dataset.mid = t.mid;
  fig.classList.add('is-main');
  video.srcObject = t.stream;
  $('remote-grid').prepend(fig);
}

function onRemoteTrackEnded(t) {
  if (t.kind === 'audio') {
    $('remote-audio').srcObject = null;
  } else if (t.kind === 'camera') {
    const video = $('remote-camera');
    video.srcObject = null;
    $('remote-camera-tile').querySelector('.vw-media-state').textContent = '帮办专员的摄像头已关闭';
  } else {
    const el = $(`remote-${t.kind}-tile`);
    if (el && el.dataset.mid === t.mid)
      el.remove();
  }
}

function onPaired(msg) {
  if (state.phase !== 'queued' && state.phase !== 'connecting')
    return;
  state.session = msg.session;
  state.paired = msg;
  const peer = msg.peer || {};
  $('peer-name').textContent = peer.name || '';
  $('peer-detail').textContent = [peer.center, PROVINCES[peer.province] || peer.province].filter(Boolean).join(' · ')
    + ` · 办理 ${state.form.item}（${PROVINCES[state.form.handledIn]}规则）`;
  if (msg.case) {
    $('case-no').hidden = false;
    $('case-no').textContent = `案件编号 ${msg.case}`;
  }
  document.title = `与帮办专员${peer.name || ''}通话中 · 远程虚拟窗口`;
  $('local-camera').srcObject = new MediaStream(state.media.getVideoTracks());
  showView('call');
  setConnState('正在建立音视频连接…');

  const call = new VwCall(state.signaling, {
    session: msg.session,
    sources: {
      audio: state.media.getAudioTracks()[0] || null,
      camera: state.media.getVideoTracks()[0] || null,
      document: state.documentTrack,
    },
  });
  state.call = call;
  call.addEventListener('remote-track', (e) => onRemoteTrack(e.detail));
  call.addEventListener('remote-track-ended', (e) => onRemoteTrackEnded(e.detail));
  call.addEventListener('recording', (e) => { $('recording-notice').hidden = !e.detail.active; });
  call.addEventListener('connection-state', (e) => {
    const s = e.detail.state;
    if (s === 'connected')
      setConnState('通话中', 'is-live');
    else if (s === 'disconnected' || s === 'failed')
      setConnState('连接不稳定', 'is-bad');
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

function updateControls() {
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

async function toggleScreen() {
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

async function toggleDocument() {
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

async function onAnnotation(msg) {
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

function onServerError(err) {
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
  if (state.phase === 'ended')
    return;
  stopLocalMedia();
  $('remote-audio').srcObject = null;
  $('ended-reason').textContent = ENDED_TEXT[reason] || '本次服务已结束。';
  const canRate = !!(state.signaling && state.signaling.connected && state.session);
  $('rating-form').hidden = !canRate || state.rated;
  if (!canRate)
    message($('rating-message'), '与服务器的连接已断开，无法提交评价。', 'is-warn');
  setConnState(canRate ? '已结束' : '', '');
  document.title = '服务已结束 · 远程虚拟窗口';
  showView('ended');
}

function onClosed(detail) {
  if (detail.expected)
    return;
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

async function onRate(ev) {
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

// ---- wiring

$('join-form').addEventListener('submit', onCall);
$('media-button').addEventListener('click', async () => {
  message($('join-message'), '');
  try {
    await ensureMedia();
  } catch (err) {
    message($('join-message'), mediaErrorText(err));
  }
});
$('cancel-button').addEventListener('click', onCancel);
$('mute-button').addEventListener('click', () => {
  state.call.setMuted(!state.call.muted);
  updateControls();
});
$('camera-button').addEventListener('click', () => {
  state.call.setCameraOff(!state.call.cameraOff);
  updateControls();
});
$('screen-button').addEventListener('click', toggleScreen);
$('document-button').addEventListener('click', toggleDocument);
$('hangup-button').addEventListener('click', async () => {
  $('hangup-button').disabled = true;
  try {
    await state.call.hangup();
  } catch (err) {
    // Not in the session any more (it ended meanwhile): show the end anyway.
    console.warn('hangup:', err);
    state.call.close();
  } finally {
    $('hangup-button').disabled = false;
  }
});
$('rating-form').addEventListener('submit', onRate);
$('again-button').addEventListener('click', () => window.location.reload());
if (navigator.mediaDevices && navigator.mediaDevices.addEventListener)
  navigator.mediaDevices.addEventListener('devicechange', () => {
    if (state.media)
      listDocumentDevices().catch(() => {});
  });
$('handled-in').addEventListener('change', fillItems);
showView('setup');
loadCatalogue();
