// agent.js: the agent console (帮办专员工作台).
//
// Sign in (POST /api/login), then one WebSocket to vw-server (hello as an
// agent with the token: the account says who we are, and the item codes we
// handle), 示闲/示忙 (`status`) and the state the server says (`agent-state`:
// away, available, busy, wrap-up with its countdown), who waits for our
// province (`queue`, appointment holders marked 预约), and the call with the hub: the
// clerk's camera, screen and document camera (高拍仪), our own camera,
// microphone, screen and a second camera as the document camera; snapshots
// of the clerk's page over the `vw` data channel, checked (size, SHA-256)
// and marked up (`annotate`).  Protocol: signaling/PROTOCOL.md.
//
// The token is kept in this module's memory only: never in storage, never
// in a URL.  (The server also sets its HttpOnly cookie for /api/, which
// this page does not need.)  Reloading the page signs out.
//
// Pairing is automatic: an available agent is given the head of its
// province's queue by the server; the page only shows who waits.
//
// In a call the agent may hand the clerk on (转办, `transfer`: to a colleague
// from GET /api/desk/agents, or to an item's queue from the catalogue) and
// bring in a third participant (三方通话, `invite`); every participant's
// tracks have their own tiles (the `tracks` table names each one's owner,
// `joined` and `left` who they are).

import { VwSignaling, VwSignalingError } from '/js/vw-signaling.js';
import { VwCall } from '/js/vw-call.js';
import { FileReceiver, SnapshotSender } from '/js/vw-transfer.js';
import { VwMarkup } from '/js/vw-markup.js';
import { loadCatalogue, itemName, itemsIn } from '/js/vw-catalogue.js';

const PROVINCES = { shanghai: '上海', jiangsu: '江苏', zhejiang: '浙江', anhui: '安徽' };
const ENDED = {
  hangup: '您已挂断，本次服务结束。',
  'peer-hangup': '对方已挂断，本次服务结束。',
  'peer-disconnected': '对方网络断开，本次服务结束。',
  'media-failed': '音视频连接失败，本次服务已结束。请检查网络后重新接待。',
  'server-shutdown': '服务器正在停止，本次服务已结束。',
  disconnected: '与服务器的连接已断开，本次服务已结束。',
  transferred: '已转办，您已离开本次服务。',
};
const KIND_NAMES = { camera: '摄像头', screen: '屏幕共享', document: '高拍仪', audio: '声音' };
const AGENT_STATES = { available: '示闲', away: '示忙', busy: '通话中', 'wrap-up': '整理中' };
// Errors of the protocol, in the words the agent needs.
const ERRORS = {
  'no-document-camera': '对方未开启高拍仪，无法拍摄快照。请提示对方打开高拍仪后再试。',
  'snapshot-failed': '快照失败：传输中断、校验不符或超过 20 秒未送达，未保存任何文件。请重试。',
  'unknown-snapshot': '该快照尚未存证或已失效，无法标注。请重新请求快照。',
  'bad-field': '内容不符合要求（标注框须在图片范围内，说明不超过 200 字）。',
  'wrong-state': '当前状态下不能进行此操作。',
  'unknown-session': '本次会话已结束。',
  unauthorized: '登录已过期或无效，请重新登录。',
  forbidden: '该账号不是帮办专员账号，不能登录工作台。',
  'unknown-province': '账号所属省份无效，请联系管理员。',
  'unknown-agent': '该帮办专员已不在线，请刷新名单后重选。',
  'agent-unavailable': '该帮办专员现在不是示闲状态（通话中、整理中或暂离），请选择其他人或稍后再试。',
  'unknown-item': '该事项不在事项清单中，或不在所选省份办理。',
  timeout: '服务器没有及时响应，请重试。',
  closed: '与服务器的连接已断开。',
  'not-connected': '尚未连接服务器。',
  'connect-failed': '无法连接服务器，请检查网络后重试。',
  internal: '服务器内部错误，请稍后重试。',
};

const $ = (sel, root = document) => root.querySelector(sel);

// ---------------------------------------------------------------- state

const app = {
  token: null,          // in memory only
  account: null,        // {username, name, province, center}
  sig: null,
  status: 'offline',    // offline | away | available | busy | wrap-up (as the server said)
  wrapUpUntil: 0,       // performance.now() at which wrap-up ends (server's countdown)
  items: null,          // the item codes we handle (hello `items`), null: all of the province
  catalogue: [],        // GET /api/catalogue
  transferText: '',     // what endCall says after our own transfer
  queue: { province: '', waiting: [], at: 0 },
  local: { audio: null, camera: null, document: null, screen: null },
  call: null,           // the VwCall of the session
  session: null,        // {id, case, peer, item, startedAt, members: Map peer_id -> peer}
  receiver: null,       // FileReceiver on the call's data channel
  sender: null,         // SnapshotSender: the clerk may ask for our document camera
  snapshots: new Map(), // id -> {file, bitmap, stored}
  current: null,        // id of the snapshot shown
  annotations: [],      // of the snapshot shown: [{x, y, w, h, note}]
  markup: null,
  timers: [],
};

// ---------------------------------------------------------------- helpers

function setMessage(node, text, kind = 'is-error') {
  node.classList.remove('is-error', 'is-ok', 'is-warn');
  if (kind)
    node.classList.add(kind);
  node.textContent = text || '';
}

function errorText(err) {
  if (err instanceof VwSignalingError)
    return ERRORS[err.code] || `操作失败（${err.code}）。`;
  if (err && err.name === 'NotAllowedError')
    return '浏览器未获得授权（请在地址栏允许使用摄像头、麦克风或屏幕）。';
  if (err && err.name === 'NotFoundError')
    return '未找到可用的设备。';
  if (err && err.name === 'NotReadableError')
    return '设备被其他程序占用，无法打开。';
  if (err && err.name === 'OverconstrainedError')
    return '所选设备不支持所需的分辨率。';
  return (err && err.message) || String(err);
}

const province = (p) => PROVINCES[p] || p || '—';

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false)
      continue;
    if (k === 'class')
      node.className = v;
    else if (k === 'dataset')
      Object.assign(node.dataset, v);
    else
      node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat())
    if (c !== undefined && c !== null && c !== false)
      node.append(c instanceof Node ? c : String(c));
  return node;
}

// 65 -> "1分05秒"
function formatWait(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0)
    return `${h}小时${String(m).padStart(2, '0')}分${String(r).padStart(2, '0')}秒`;
  if (m > 0)
    return `${m}分${String(r).padStart(2, '0')}秒`;
  return `${r}秒`;
}

// 65 -> "01:05"
function formatClock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function formatBytes(n) {
  if (n >= 1024 * 1024)
    return `${(n / 1024 / 1024).toFixed(2)} MB`;
  if (n >= 1024)
    return `${(n / 1024).toFixed(1)} KB`;
  return `${n} 字节`;
}

// ---------------------------------------------------------------- sign-in

async function onSignIn(event) {
  event.preventDefault();
  const username = $('#signin-username').value.trim();
  const password = $('#signin-password').value;
  const message = $('#signin-message');
  if (!username || !password) {
    setMessage(message, '请输入用户名和密码。');
    return;
  }
  const button = $('#signin-submit');
  button.disabled = true;
  setMessage(message, '正在登录…', 'is-warn');
  try {
    let response;
    try {
      response = await fetch('/api/login', {
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ username, password }),
      });
    } catch (e) {
      throw new Error('无法连接服务器，请检查网络后重试。');
    }
    const data = await response.json().catch(() => null);
    if (response.status === 401)
      throw new Error('用户名或密码错误，请重新输入。');
    if (!response.ok || !data || !data.token)
      throw new Error(`登录失败（${response.status}）。`);
    const account = data.account || { username };
    if (account.role && account.role !== 'agent')
      throw new Error('该账号不是帮办专员账号，本工作台仅供帮办专员使用。');
    $('#signin-password').value = '';
    app.token = data.token;
    app.account = {
      username: account.username || username, name: account.name || username,
      province: account.province, center: account.center || '',
    };
    await connect();
    setMessage(message, '');
  } catch (err) {
    app.token = null;
    setMessage(message, errorText(err));
    $('#signin-password').select();
  } finally {
    button.disabled = false;
  }
}

// Opens the WebSocket and says hello with the token.
async function connect() {
  const sig = new VwSignaling();
  for (const [type, fn] of Object.entries(signalHandlers))
    sig.addEventListener(type, fn);
  await sig.connect();
  try {
    await sig.hello({
      role: 'agent', name: app.account.name, province: app.account.province,
      center: app.account.center, token: app.token, ...(app.items ? { items: app.items } : {}),
    });
  } catch (err) {
    sig.close();
    throw err;
  }
  app.sig = sig;
  showDesk();
  // The server says `agent-state` away right after welcome; until then, away.
  if (app.status === 'offline')
    setStatus('away');
  prepareDevices();
  renderItemChoices();
}

function showDesk() {
  $('#signin-view').hidden = true;
  $('#desk-view').hidden = false;
  $('#user-bar').hidden = false;
  const a = app.account;
  $('#user-info').textContent = `帮办专员 ${a.name}（${province(a.province)} · ${a.center || '—'}）`;
  $('#help-province').textContent = province(a.province);
  setMessage($('#global-message'), '');
}

function showSignIn(message, kind = 'is-error') {
  $('#desk-view').hidden = true;
  $('#user-bar').hidden = true;
  $('#signin-view').hidden = false;
  setMessage($('#signin-message'), message || '', kind);
  $('#signin-username').focus();
}

async function onSignOut() {
  if (app.call)
    await app.call.hangup().catch(() => {});
  endCall(null);
  if (app.sig)
    app.sig.close();
  app.sig = null;
  // Drops the server's cookie too (the token itself was only in memory).
  await fetch('/api/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => {});
  app.token = null;
  app.account = null;
  app.items = null;
  stopLocal();
  setStatus('offline');
  renderItemChoices();
  showSignIn('已退出登录。', 'is-ok');
}

// ---------------------------------------------------------------- status

function setStatus(status) {
  app.status = status;
  if (status !== 'wrap-up')
    app.wrapUpUntil = 0;
  const badge = $('#status-badge');
  badge.dataset.state = status;
  const texts = {
    offline: ['未连接', '与服务器的连接已断开。'],
    away: ['暂离（示忙）', '当前示忙（暂离）：不接入新的来访者。选择“示闲”开始接待。'],
    available: ['空闲（示闲）', '当前示闲：系统将自动接入排队中的下一位。'],
    busy: ['通话中', '正在通话：通话结束后进入整理时间，之后自动恢复示闲。'],
    'wrap-up': ['整理中', '通话后整理：倒计时结束后自动恢复示闲；可点击“示闲”立即接待，或“示忙”暂离。'],
  };
  const [label, detail] = texts[status] || [status, ''];
  badge.textContent = label;
  badge.className = `vw-badge vw-status-badge ${status === 'available' ? 'is-good' : status === 'busy' ? 'is-live' : status === 'wrap-up' ? 'is-mid' : status === 'offline' ? 'is-bad' : ''}`;
  $('#status-detail').textContent = detail;
  const available = $('#go-available');
  const away = $('#go-away');
  available.textContent = status === 'wrap-up' ? '结束整理，示闲' : '示闲';
  available.setAttribute('aria-pressed', String(status === 'available'));
  away.setAttribute('aria-pressed', String(status === 'away'));
  available.classList.toggle('vw-button-primary', status === 'available');
  away.classList.toggle('vw-button-primary', status === 'away');
  available.disabled = status === 'busy' || status === 'offline';
  away.disabled = status === 'busy' || status === 'offline';
  $('#idle-text').textContent = status === 'available'
    ? '示闲等待中：有人排队时系统会立即自动接入。'
    : status === 'wrap-up'
      ? '整理中：倒计时结束后自动恢复示闲，接入排队中的下一位。'
      : '选择“示闲”开始接待，系统会自动接入排队中的下一位。';
  updateItemsApply();
  tickStatus();
}

// The wrap-up countdown, every quarter second (the server ends it by itself
// and then says `agent-state` available).
function tickStatus() {
  if (app.status !== 'wrap-up')
    return;
  const badge = $('#status-badge');
  if (!app.wrapUpUntil) {
    badge.textContent = '整理中';
    delete badge.dataset.remaining;
    return;
  }
  const left = Math.max(0, Math.ceil((app.wrapUpUntil - performance.now()) / 1000));
  badge.textContent = `整理中 ${left} 秒`;
  badge.dataset.remaining = String(left);
}

function onAgentState(msg) {
  const state = msg.state;
  if (!AGENT_STATES[state])
    return;
  app.wrapUpUntil = state === 'wrap-up' && Number.isFinite(msg.remaining_s)
    ? performance.now() + msg.remaining_s * 1000 : 0;
  setStatus(state);
}

async function changeStatus(available) {
  const message = $('#status-message');
  if (!app.sig)
    return;
  setMessage(message, '');
  try {
    if (available && !app.local.audio && !app.local.camera)
      await acquireLocal();
    await app.sig.status(available);
    // The server confirms with `agent-state` (nothing when unchanged).
  } catch (err) {
    if (!(err instanceof VwSignalingError && err.code === 'wrong-state' && app.status === 'busy'))
      setMessage(message, errorText(err));
  }
}

// ---------------------------------------------------------------- the items we handle

// The catalogue's items handled remotely in our province, as checkboxes;
// all ticked means every item (hello without `items`).
function renderItemChoices() {
  const box = $('#item-choices');
  const legend = $('legend', box);
  const items = app.account ? itemsIn(app.catalogue, app.account.province) : [];
  const chosen = app.items ? new Set(app.items) : null;
  box.replaceChildren(legend, ...items.map((it) => {
    const input = el('input', { type: 'checkbox', value: it.code });
    input.checked = !chosen || chosen.has(it.code);
    input.addEventListener('change', updateItemsApply);
    return el('label', { class: 'vw-item-choice', title: `${it.code} · ${it.department}` }, input, ` ${it.name}`);
  }));
  $('#items-summary').textContent = !app.items ? '本省全部事项'
    : app.items.map((c) => itemName(c)).join('、') || '（无）';
  updateItemsApply();
}

function chosenItems() {
  return [...document.querySelectorAll('#item-choices input[type="checkbox"]')].filter((i) => i.checked).map((i) => i.value);
}

function updateItemsApply() {
  const boxes = [...document.querySelectorAll('#item-choices input[type="checkbox"]')];
  const chosen = chosenItems();
  const now = chosen.length === boxes.length ? null : chosen;
  const changed = JSON.stringify(now) !== JSON.stringify(app.items);
  const button = $('#items-apply');
  button.disabled = !changed || !app.sig || app.status !== 'away' || !!app.call;
  button.title = app.status !== 'away' ? '请先示忙（暂离）再更改事项' : '';
}

// The items travel in `hello`: a new connection says them (while away,
// nothing is lost by reconnecting).
async function applyItems() {
  const message = $('#items-message');
  const boxes = [...document.querySelectorAll('#item-choices input[type="checkbox"]')];
  const chosen = chosenItems();
  if (chosen.length === 0) {
    setMessage(message, '请至少选择一个事项。');
    return;
  }
  if (app.status !== 'away' || app.call) {
    setMessage(message, '请先示忙（暂离），再更改办理的事项。');
    return;
  }
  const before = app.items;
  app.items = chosen.length === boxes.length ? null : chosen;
  $('#items-apply').disabled = true;
  try {
    const old = app.sig;
    app.sig = null;
    if (old && old.connected)
      await new Promise((resolve) => {
        old.addEventListener('close', resolve, { once: true });
        old.close();
      });
    app.status = 'offline';
    await connect();
    setMessage(message, `已保存：${app.items ? app.items.map((c) => itemName(c)).join('、') : '本省全部事项'}。`, 'is-ok');
  } catch (err) {
    app.items = before;
    setMessage(message, `保存失败：${errorText(err)}`);
    setStatus('offline');
    $('#reconnect-bar').hidden = false;
  }
  renderItemChoices();
}

// ---------------------------------------------------------------- queue

function onQueue(msg) {
  app.queue = { province: msg.province, waiting: Array.isArray(msg.waiting) ? msg.waiting : [], at: performance.now() };
  renderQueue();
}

function renderQueue() {
  const body = $('#queue-table tbody');
  const list = app.queue.waiting;
  $('#queue-count').textContent = `${list.length} 人`;
  $('#queue-count').classList.toggle('is-mid', list.length > 0);
  body.replaceChildren();
  if (list.length === 0) {
    body.append(el('tr', {}, el('td', { class: 'vw-empty', colspan: '6' }, '暂无排队')));
    return;
  }
  for (const w of list) {
    const cell = (label, ...content) => el('td', { 'data-label': label }, el('div', {}, ...content));
    body.append(el('tr', { dataset: { position: String(w.position), item: w.item || '', booked: w.booked ? 'true' : 'false' } },
      cell('序号', String(w.position)),
      cell('事项', itemName(w.item) || '—', w.booked ? [' ', el('span', { class: 'vw-badge is-mid vw-booked', title: '按预约办理，优先接入' }, '预约')] : null),
      cell('姓名', w.name || '—'),
      cell('省份', province(w.province)),
      cell('中心', w.center || '（企业）'),
      el('td', { 'data-label': '已等待', class: 'vw-nowrap' },
        el('div', { class: 'vw-waiting', dataset: { waitingS: String(w.waiting_s || 0) } }, formatWait(w.waiting_s || 0)))));
  }
  tickQueue();
}

// The server sends the queue when it changes, not every second: count on.
function tickQueue() {
  const extra = (performance.now() - app.queue.at) / 1000;
  for (const node of document.querySelectorAll('#queue-table .vw-waiting')) {
    const s = Number(node.dataset.waitingS) + extra;
    node.textContent = formatWait(s);
    node.dataset.seconds = String(Math.floor(s));
  }
}

// ---------------------------------------------------------------- local media

async function prepareDevices() {
  try {
    await acquireLocal();
  } catch (err) {
    // Already shown; the agent may still go available (audio-only, …).
  }
}

async function listDevices() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices)
    return;
  const devices = await navigator.mediaDevices.enumerateDevices();
  const videos = devices.filter((d) => d.kind === 'videoinput');
  const audios = devices.filter((d) => d.kind === 'audioinput');
  const fill = (select, list, none, wanted) => {
    const before = select.value;
    select.replaceChildren();
    if (none)
      select.append(el('option', { value: '' }, none));
    list.forEach((d, i) => select.append(el('option', { value: d.deviceId }, d.label || `设备 ${i + 1}`)));
    // The agent's own choice stays; otherwise the default for the devices there are now.
    const keep = select.dataset.chosen && [...select.options].some((o) => o.value === before) ? before : wanted;
    if (keep !== undefined)
      select.value = keep;
  };
  const camId = app.local.camera && app.local.camera.getSettings().deviceId;
  fill($('#camera-device'), videos, null, camId || (videos[0] && videos[0].deviceId));
  // The document camera: one named so, otherwise the first camera that is not the webcam.
  const named = videos.find((d) => /高拍|document|doc\b|scanner|visualizer|文档|扫描/i.test(d.label));
  const other = videos.find((d) => d.deviceId !== (camId || (videos[0] && videos[0].deviceId)));
  fill($('#document-device'), videos, videos.length ? '（不使用）' : '未找到摄像头',
    (named && named.deviceId !== camId ? named : other || { deviceId: '' }).deviceId);
  const micId = app.local.audio && app.local.audio.getSettings().deviceId;
  fill($('#microphone-device'), audios, null, micId || (audios[0] && audios[0].deviceId));
}

// Camera and microphone; each may fail alone.
async function acquireLocal() {
  const message = $('#device-message');
  const md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) {
    setMessage(message, '此浏览器不支持摄像头和麦克风（需要 HTTPS 或本机地址）。');
    throw new Error('no getUserMedia');
  }
  const camId = $('#camera-device').value;
  const micId = $('#microphone-device').value;
  const problems = [];
  if (!app.local.camera) {
    try {
      const s = await md.getUserMedia({ video: {
        width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 },
        ...(camId ? { deviceId: { exact: camId } } : {}),
      } });
      setLocal('camera', s.getVideoTracks()[0]);
    } catch (err) {
      problems.push(`摄像头：${errorText(err)}`);
    }
  }
  if (!app.local.audio) {
    try {
      const s = await md.getUserMedia({ audio: {
        echoCancellation: true, noiseSuppression: true, ...(micId ? { deviceId: { exact: micId } } : {}),
      } });
      setLocal('audio', s.getAudioTracks()[0]);
    } catch (err) {
      problems.push(`麦克风：${errorText(err)}`);
    }
  }
  await listDevices().catch(() => {});
  if (problems.length)
    setMessage(message, `${problems.join('；')} 仍可接待，但对方将看不到或听不到您。`, 'is-warn');
  else
    setMessage(message, '');
  if (!app.local.camera && !app.local.audio)
    throw new Error(problems.join('；'));
}

// Sets (or clears) our own source of @kind, its preview and the call's sender.
function setLocal(kind, track) {
  const old = app.local[kind];
  app.local[kind] = track || null;
  if (old && old !== track)
    old.stop();
  const tile = $(`#local-${kind}`);
  if (tile) {
    const video = $('video', tile);
    video.srcObject = track ? new MediaStream([track]) : null;
    tile.classList.toggle('is-waiting', !track);
    $('.vw-live-flag', tile).textContent = track ? '开启' : '未开启';
    if (kind !== 'camera')
      tile.hidden = !track;
  }
  if (track)
    track.addEventListener('ended', () => {
      if (app.local[kind] === track)
        setLocal(kind, null);
      if (kind === 'document' || kind === 'screen')
        updateControls();
    });
  if (app.call && kind !== 'screen')
    app.call.setSource(kind, track || null).catch((err) => setMessage($('#call-message'), errorText(err)));
}

function stopLocal() {
  for (const kind of Object.keys(app.local))
    if (app.local[kind])
      setLocal(kind, null);
}

async function onDeviceChange(kind) {
  const select = $(`#${kind === 'audio' ? 'microphone' : kind}-device`);
  const message = $('#device-message');
  setMessage(message, '');
  try {
    if (kind === 'camera') {
      if (!select.value)
        return;
      const s = await navigator.mediaDevices.getUserMedia({ video: {
        deviceId: { exact: select.value }, width: { ideal: 640 }, height: { ideal: 480 },
      } });
      const t = s.getVideoTracks()[0];
      if (app.call)
        t.enabled = !app.call.cameraOff;
      setLocal('camera', t);
    } else if (kind === 'audio') {
      if (!select.value)
        return;
      const s = await navigator.mediaDevices.getUserMedia({ audio: { deviceId: { exact: select.value } } });
      const t = s.getAudioTracks()[0];
      if (app.call)
        t.enabled = !app.call.muted;
      setLocal('audio', t);
    } else if (kind === 'document' && app.local.document) {
      // Switch the document camera that is on to the chosen one.
      await startDocument();
    }
  } catch (err) {
    setMessage(message, errorText(err));
  }
}

// 高拍仪: the chosen second camera, at its full resolution (up to 1920 px), as kind `document`.
async function startDocument() {
  const id = $('#document-device').value;
  if (!id)
    throw new Error('请先在“本机设备”中选择作为高拍仪的摄像头（第二个摄像头）。');
  const s = await navigator.mediaDevices.getUserMedia({ video: {
    deviceId: { exact: id }, width: { ideal: 1920 }, height: { ideal: 1080 }, frameRate: { ideal: 5, max: 15 },
  } });
  const t = s.getVideoTracks()[0];
  if ('contentHint' in t)
    t.contentHint = 'detail';   // a page: keep the resolution, let the frame rate go
  setLocal('document', t);
  checkSent('document', t);
}

// A source the browser shows but never encodes (some cameras' pixel formats,
// e.g. depth cameras) would leave the other side with nothing: say so.
function checkSent(kind, track) {
  setTimeout(async () => {
    if (!app.call || app.local[kind] !== track)
      return;
    const sent = (await app.call.sendStats().catch(() => [])).find((s) => s.kind === kind);
    if (sent && !sent.framesEncoded)
      setMessage($('#call-message'), `${kind === 'document' ? '高拍仪' : '屏幕共享'}的画面未能发出（该设备的画面格式无法编码），请在“本机设备”中换一个设备。`, 'is-warn');
  }, 4000);
}

// ---------------------------------------------------------------- the call

function onPaired(msg) {
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
  app.sender = new SnapshotSender(app.sig, { getTrack: () => app.local.document, getChannel: () => call.channel });
  app.sender.addEventListener('snapshot-sent', () => setMessage($('#call-message'), '已按对方请求发送高拍仪快照。', 'is-ok'));
  app.sender.addEventListener('snapshot-error', (e) => setMessage($('#call-message'), `对方请求的高拍仪快照未能发送：${e.detail.reason}`));
  updateControls();
  call.start().catch((err) => setMessage($('#call-message'), `无法开始通话：${errorText(err)}`));
}

function onRecording(msg) {
  if (app.session && msg.session === app.session.id)
    $('#recording-notice').hidden = !msg.active;
}

// The fixed tile of the clerk's track of @kind.
function tile(kind) {
  return $(`#remote-${kind}`);
}

// The tile that shows @peer's track of @kind: the fixed ones for the person
// we are paired with, one made for each track of a third participant.
function tileFor(peer, kind, mid) {
  if (app.session && app.session.members.has(peer))
    return $(`#remote-m-${peer}-${kind}`);
  const t = tile(kind);
  return t && t.dataset.mid === mid ? t : null;
}

function memberLabel(m) {
  const where = [m.center, province(m.province)].filter((x) => x && x !== '—').join(' · ');
  return where ? `${m.name}（${where}）` : (m.name || '第三方');
}

// Shows @entry ({mid, stream}) in the fixed tile of @kind, or nothing.
function showRemote(kind, entry) {
  const t = tile(kind);
  if (!t)
    return;
  const mid = entry ? entry.mid : '';
  if ((t.dataset.mid || '') === mid && (t.dataset.live === 'true') === !!entry)
    return;
  const video = $('video', t);
  video.srcObject = entry ? entry.stream : null;
  t.dataset.live = entry ? 'true' : 'false';
  if (entry)
    t.dataset.mid = mid;
  else
    delete t.dataset.mid;
  t.classList.toggle('is-waiting', !entry);
  $('.vw-live-flag', t).textContent = entry ? '直播中' : '未开启';
  $('.vw-live-flag', t).classList.toggle('is-on', !!entry);
  $('.vw-tile-stats', t).textContent = '';
  delete t.dataset.framesDecoded;
  delete t.dataset.frameWidth;
  delete t.dataset.frameHeight;
  delete t.dataset.statsAt;
  if (entry)
    video.play().catch(() => {});
}

function memberTile(id, m, t) {
  const video = el('video', { autoplay: true, playsinline: true });
  video.muted = true;
  const fig = el('figure', { class: 'vw-media-tile vw-member-tile', id, dataset: { kind: t.kind, peer: t.peer, mid: t.mid, live: 'true' } },
    el('header', {}, el('span', {}, `${memberLabel(m)} · ${KIND_NAMES[t.kind] || t.kind}`), el('span', { class: 'vw-live-flag is-on' }, '直播中')),
    el('div', { class: 'vw-media-screen' }, video, el('div', { class: 'vw-media-state' }, '')),
    el('footer', { class: 'vw-tile-stats' }));
  video.srcObject = t.stream;
  video.play().catch(() => {});
  return fig;
}

// Every remote track where it belongs, from the call's live tracks: the
// person we are paired with in the fixed tiles, each third participant in
// tiles of its own, and nothing of a peer whose m-lines went inactive.
function renderRemote() {
  const tracks = app.call && !app.call.closed ? app.call.remoteTracks() : [];
  const members = app.session ? app.session.members : new Map();
  const main = tracks.filter((t) => !members.has(t.peer));
  for (const kind of ['camera', 'screen', 'document'])
    showRemote(kind, main.find((t) => t.kind === kind) || null);
  const audio = main.find((t) => t.kind === 'audio');
  const audioEl = $('#remote-audio');
  if ((audio ? audio.mid : '') !== (audioEl.dataset.mid || '')) {
    audioEl.dataset.mid = audio ? audio.mid : '';
    audioEl.srcObject = audio ? audio.stream : null;
    if (audio)
      audioEl.play().catch(() => setMessage($('#call-message'), '浏览器阻止了自动播放声音，请点击页面任意处。', 'is-warn'));
  }

  const others = tracks.filter((t) => members.has(t.peer));
  const wantTiles = new Map(others.filter((t) => t.kind !== 'audio').map((t) => [`remote-m-${t.peer}-${t.kind}`, t]));
  for (const fig of [...document.querySelectorAll('#remote-tiles .vw-member-tile')])
    if (!wantTiles.has(fig.id) || fig.dataset.mid !== wantTiles.get(fig.id).mid)
      fig.remove();
  for (const [id, t] of wantTiles)
    if (!document.getElementById(id))
      $('#remote-tiles').append(memberTile(id, members.get(t.peer), t));

  const audios = $('#remote-audios');
  const wantAudio = new Map(others.filter((t) => t.kind === 'audio').map((t) => [`remote-audio-${t.peer}`, t]));
  for (const a of [...audios.children])
    if (!wantAudio.has(a.id) || a.dataset.mid !== wantAudio.get(a.id).mid)
      a.remove();
  for (const [id, t] of wantAudio) {
    if (document.getElementById(id))
      continue;
    const a = el('audio', { id, autoplay: true, dataset: { mid: t.mid, peer: t.peer } });
    a.srcObject = t.stream;
    audios.append(a);
    a.play().catch(() => {});
  }
}

function renderMembers() {
  const list = app.session ? [...app.session.members.values()] : [];
  const dd = $('#call-members');
  dd.textContent = list.length ? list.map((m) => `${m.role === 'agent' ? '帮办专员 ' : ''}${memberLabel(m)}`).join('、') : '—';
  dd.dataset.count = String(list.length);
}

// 三方通话: someone else is in the session now (an invited agent, or the
// agent who invited us, or the new agent after a transfer).
function onJoined(msg) {
  if (!app.session || msg.session !== app.session.id)
    return;
  const m = msg.peer || { name: '第三方' };
  app.session.members.set(msg.peer_id, m);
  renderMembers();
  renderRemote();
  setMessage($('#call-message'), `${m.role === 'agent' ? '帮办专员 ' : ''}${memberLabel(m)} 已加入本次服务（三方通话）。`, 'is-ok');
}

function onLeft(msg) {
  if (!app.session || msg.session !== app.session.id)
    return;
  const m = app.session.members.get(msg.peer_id) || msg.peer || { name: '第三方' };
  app.session.members.delete(msg.peer_id);
  renderMembers();
  renderRemote();
  setMessage($('#call-message'), `${memberLabel(m)} 已离开本次服务。`, 'is-warn');
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

// Every second in a call: elapsed time, and what arrives per track.
async function tickCall() {
  if (!app.call || !app.session)
    return;
  $('#call-elapsed').textContent = formatClock((performance.now() - app.session.startedAt) / 1000);
  let stats;
  try {
    stats = await app.call.receiveStats();
  } catch (err) {
    return;
  }
  const now = performance.now();
  for (const s of stats) {
    const t = tileFor(s.peer, s.kind, s.mid);
    if (!t || s.mediaType !== 'video' || t.dataset.live !== 'true')
      continue;
    const frames = s.framesDecoded || 0;
    const before = Number(t.dataset.framesDecoded || 0);
    const beforeAt = Number(t.dataset.statsAt || 0);
    const fps = beforeAt && frames >= before ? ((frames - before) * 1000) / (now - beforeAt) : 0;
    t.dataset.framesDecoded = String(frames);
    t.dataset.statsAt = String(now);
    if (s.frameWidth && s.frameHeight) {
      t.dataset.frameWidth = String(s.frameWidth);
      t.dataset.frameHeight = String(s.frameHeight);
    }
    $('.vw-tile-stats', t).textContent = frames > 0
      ? `${s.frameWidth || '?'}×${s.frameHeight || '?'} · ${fps.toFixed(0)} 帧/秒 · 已解码 ${frames} 帧`
      : '等待画面…';
  }
}

function endCall(reason) {
  const call = app.call;
  const session = app.session;
  if (!call && !session)
    return;
  // Both cleared first: closing the call reports 'ended' again.
  app.call = null;
  app.session = null;
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

function updateControls() {
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

async function onMute() {
  if (!app.call)
    return;
  app.call.setMuted(!app.call.muted);
  updateControls();
}

async function onCamera() {
  if (!app.call)
    return;
  app.call.setCameraOff(!app.call.cameraOff);
  $('#local-camera').classList.toggle('is-off', app.call.cameraOff);
  updateControls();
}

async function onScreen() {
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

async function onDocument() {
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

async function onHangup() {
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

// ---------------------------------------------------------------- 转办 and 三方通话

// GET /api/desk/agents: who is signed in as an agent now, and their state.
async function fetchAgents() {
  const res = await fetch('/api/desk/agents', {
    credentials: 'same-origin', cache: 'no-store',
    headers: { Accept: 'application/json', ...(app.token ? { Authorization: `Bearer ${app.token}` } : {}) },
  });
  const body = await res.json().catch(() => null);
  if (res.status === 401)
    throw new Error('登录已过期，请重新登录。');
  if (!res.ok || !body || !Array.isArray(body.agents))
    throw new Error(`无法读取帮办专员名单（${res.status}）。`);
  return body.agents.filter((a) => !app.account || a.account !== app.account.username);
}

// The colleagues as radio choices: only those 示闲 can be chosen.
function renderAgentChoices(list, agents, name, { otherCentreFirst = false } = {}) {
  const sorted = [...agents].sort((a, b) => {
    const av = a.state === 'available' ? 0 : 1;
    const bv = b.state === 'available' ? 0 : 1;
    if (av !== bv)
      return av - bv;
    if (otherCentreFirst) {
      const ac = a.center === app.account.center ? 1 : 0;
      const bc = b.center === app.account.center ? 1 : 0;
      if (ac !== bc)
        return ac - bc;
    }
    return String(a.name).localeCompare(String(b.name), 'zh-CN');
  });
  if (sorted.length === 0) {
    list.replaceChildren(el('li', { class: 'vw-muted' }, '目前没有其他帮办专员在线。'));
    return;
  }
  const item = app.session && app.session.item;
  list.replaceChildren(...sorted.map((a) => {
    const input = el('input', { type: 'radio', name, value: a.account });
    input.disabled = a.state !== 'available';
    const handles = !item || !Array.isArray(a.items) || a.items.includes(item);
    return el('li', { dataset: { account: a.account, state: a.state } },
      el('label', { class: 'vw-agent-choice' }, input, ' ',
        el('strong', {}, a.name), ` · ${a.center || '—'} · ${province(a.province)} `,
        el('span', { class: `vw-badge ${a.state === 'available' ? 'is-good' : a.state === 'busy' ? 'is-live' : a.state === 'wrap-up' ? 'is-mid' : ''}` },
          AGENT_STATES[a.state] || a.state),
        handles ? null : el('span', { class: 'vw-muted vw-small' }, '（不办理该事项）')));
  }));
}

function fillTransferItems() {
  const select = $('#transfer-item');
  const keep = select.value;
  const items = itemsIn(app.catalogue, $('#transfer-province').value);
  select.replaceChildren(...items.map((it) => el('option', { value: it.code }, it.name)));
  if (items.some((it) => it.code === keep))
    select.value = keep;
  else if (app.session && items.some((it) => it.code === app.session.item))
    select.value = app.session.item;
}

function transferMode() {
  return ($('#transfer-form input[name="transfer-to"]:checked') || {}).value || 'agent';
}

function updateTransferMode() {
  const mode = transferMode();
  $('#transfer-agent-field').hidden = mode !== 'agent';
  $('#transfer-item-field').hidden = mode !== 'item';
}

async function refreshTransferAgents() {
  const list = $('#transfer-agents');
  list.replaceChildren(el('li', { class: 'vw-muted' }, '正在读取在线的帮办专员…'));
  try {
    app.deskAgents = await fetchAgents();
    renderAgentChoices(list, app.deskAgents, 'transfer-agent');
  } catch (err) {
    list.replaceChildren();
    setMessage($('#transfer-message'), err.message);
  }
}

async function openTransfer() {
  if (!app.session)
    return;
  const peer = app.session.peer || {};
  $('#transfer-who').textContent = `把 ${peer.name || '来访者'}（${province(peer.province)} · ${peer.center || '企业'}）${app.session.item ? `办理「${itemName(app.session.item)}」` : ''}转给：`;
  setMessage($('#transfer-message'), '');
  $('#transfer-province').value = app.account.province;
  fillTransferItems();
  updateTransferMode();
  $('#transfer-dialog').showModal();
  await refreshTransferAgents();
}

async function submitTransfer(event) {
  event.preventDefault();
  const message = $('#transfer-message');
  if (!app.session || !app.sig) {
    $('#transfer-dialog').close();
    return;
  }
  const session = app.session.id;
  let fields;
  if (transferMode() === 'agent') {
    const chosen = $('#transfer-agents input[name="transfer-agent"]:checked');
    if (!chosen) {
      setMessage(message, '请选择一位示闲的同事。');
      return;
    }
    const a = (app.deskAgents || []).find((x) => x.account === chosen.value) || { name: chosen.value };
    fields = { session, agent: chosen.value };
    app.transferText = `已转办给帮办专员 ${a.name}（${a.center || province(a.province)}），您已离开本次服务。`;
  } else {
    const item = $('#transfer-item').value;
    const to = $('#transfer-province').value;
    if (!item) {
      setMessage(message, '请选择事项。');
      return;
    }
    fields = { session, item, province: to };
    app.transferText = `已转到${province(to)}「${itemName(item)}」的队列（排在最前），您已离开本次服务。`;
  }
  $('#transfer-submit').disabled = true;
  setMessage(message, '正在转办…', 'is-warn');
  try {
    await app.sig.transfer(fields);   // our `ended` (transferred) answers it
    if ($('#transfer-dialog').open)
      $('#transfer-dialog').close();
  } catch (err) {
    app.transferText = '';
    setMessage(message, err instanceof VwSignalingError && err.code === 'wrong-state'
      ? '只有接待该来访者的帮办专员可以转办。' : errorText(err));
    if (transferMode() === 'agent')
      refreshTransferAgents();
  } finally {
    $('#transfer-submit').disabled = false;
  }
}

async function refreshInviteAgents() {
  const list = $('#invite-agents');
  list.replaceChildren(el('li', { class: 'vw-muted' }, '正在读取在线的帮办专员…'));
  try {
    app.deskAgents = await fetchAgents();
    const present = new Set([...(app.session ? app.session.members.values() : [])].map((m) => `${m.name}|${m.center}`));
    renderAgentChoices(list, app.deskAgents.filter((a) => !present.has(`${a.name}|${a.center}`)), 'invite-agent', { otherCentreFirst: true });
  } catch (err) {
    list.replaceChildren();
    setMessage($('#invite-message'), err.message);
  }
}

async function openInvite() {
  if (!app.session)
    return;
  setMessage($('#invite-message'), '');
  $('#invite-dialog').showModal();
  await refreshInviteAgents();
}

async function submitInvite(event) {
  event.preventDefault();
  const message = $('#invite-message');
  if (!app.session || !app.sig) {
    $('#invite-dialog').close();
    return;
  }
  const chosen = $('#invite-agents input[name="invite-agent"]:checked');
  if (!chosen) {
    setMessage(message, '请选择一位示闲的帮办专员。');
    return;
  }
  const a = (app.deskAgents || []).find((x) => x.account === chosen.value) || { name: chosen.value };
  $('#invite-submit').disabled = true;
  setMessage(message, '正在邀请…', 'is-warn');
  try {
    await app.sig.invite(app.session.id, chosen.value);
    app.session.invited.add(chosen.value);
    $('#invite-dialog').close();
    // `joined` may have come before the ok: then it said so already.
    const here = [...app.session.members.values()].some((m) => m.name === a.name && m.center === a.center);
    if (!here)
      setMessage($('#call-message'), `已邀请帮办专员 ${a.name}（${a.center || province(a.province)}），正在加入…`, 'is-ok');
  } catch (err) {
    setMessage(message, err instanceof VwSignalingError && err.code === 'wrong-state'
      ? '无法邀请：只有接待该来访者的帮办专员可以邀请，且一次服务最多三方。' : errorText(err));
    refreshInviteAgents();
  } finally {
    $('#invite-submit').disabled = false;
  }
}

// ---------------------------------------------------------------- snapshots

async function onSnapshotRequest() {
  if (!app.session)
    return;
  const button = $('#btn-snapshot');
  const message = $('#call-message');
  button.disabled = true;
  setMessage(message, '正在向对方高拍仪请求全分辨率快照…', 'is-warn');
  try {
    await app.sig.snapshotRequest(app.session.id);
    // The file and snapshot-stored follow (or snapshot-failed).
    setTimeout(() => { button.disabled = false; }, 3000);
  } catch (err) {
    setMessage(message, errorText(err));
    button.disabled = false;
  }
}

async function onSnapshotFile(file) {
  // Size and SHA-256 were checked by FileReceiver (crypto.subtle) before this.
  let bitmap;
  try {
    bitmap = await createImageBitmap(file.blob);
  } catch (err) {
    setMessage($('#call-message'), '收到的快照无法解码，已丢弃。请重新请求快照。');
    return;
  }
  if ((file.width && bitmap.width !== file.width) || (file.height && bitmap.height !== file.height)) {
    setMessage($('#call-message'), `快照尺寸不符（声明 ${file.width}×${file.height}，实际 ${bitmap.width}×${bitmap.height}），已丢弃。`);
    bitmap.close();
    return;
  }
  const entry = app.snapshots.get(file.id) || {};
  entry.file = file;
  entry.bitmap = bitmap;
  app.snapshots.set(file.id, entry);
  showSnapshot(file.id);
  $('#btn-snapshot').disabled = false;
}

function onSnapshotStored(msg) {
  if (!app.session || msg.session !== app.session.id || msg.by !== app.sig.peerId)
    return;   // ours as the sender: SnapshotSender reports it
  const entry = app.snapshots.get(msg.snapshot) || {};
  entry.stored = msg;
  app.snapshots.set(msg.snapshot, entry);
  if (app.current === msg.snapshot)
    renderSnapshotInfo();
}

function showSnapshot(id) {
  const entry = app.snapshots.get(id);
  app.current = id;
  app.annotations = [];
  $('#snapshot-panel').hidden = false;
  app.markup.setImage(entry.bitmap);
  app.markup.setMarks([]);
  $('#annotation-list').replaceChildren();
  $('#markup-note').value = '';
  updateNoteCount();
  setMessage($('#annotate-message'), '在图上按住拖动，框出需要修改之处。', 'is-warn');
  renderSnapshotInfo();
  setMessage($('#call-message'), '快照已收到并校验。', 'is-ok');
}

function renderSnapshotInfo() {
  const entry = app.snapshots.get(app.current);
  if (!entry || !entry.file)
    return;
  const f = entry.file;
  const info = $('#snapshot-info');
  Object.assign(info.dataset, {
    snapshot: f.id, sha256: f.sha256, size: String(f.size),
    width: String(entry.bitmap.width), height: String(entry.bitmap.height),
  });
  info.replaceChildren(
    `${f.id} · ${entry.bitmap.width}×${entry.bitmap.height} 像素 · ${formatBytes(f.size)} · SHA-256 `,
    el('span', { class: 'vw-mono vw-hash', title: f.sha256 }, f.sha256));
  const badge = $('#snapshot-verified');
  const s = entry.stored;
  if (s && (s.sha256 !== f.sha256 || s.size !== f.size)) {
    badge.textContent = '与存证不符';
    badge.className = 'vw-badge is-bad';
    info.dataset.verified = 'mismatch';
    setMessage($('#call-message'), '收到的快照与服务器存证的 SHA-256 不一致，请重新请求快照。');
  } else {
    badge.textContent = s ? '已校验 · 已存证' : '已校验 · 等待存证';
    badge.className = `vw-badge ${s ? 'is-good' : 'is-mid'}`;
    info.dataset.verified = s ? 'stored' : 'checked';
  }
  updateAnnotateButton();
}

function readRectInputs() {
  const v = (id) => Number($(id).value);
  return { x: v('#markup-x'), y: v('#markup-y'), w: v('#markup-w'), h: v('#markup-h') };
}

function onMarkupChange(rect) {
  for (const [k, id] of [['x', '#markup-x'], ['y', '#markup-y'], ['w', '#markup-w'], ['h', '#markup-h']])
    $(id).value = rect ? String(rect[k]) : '';
  $('#snapshot-stage').dataset.rect = rect ? `${rect.x},${rect.y},${rect.w},${rect.h}` : '';
  if (rect)
    setMessage($('#annotate-message'), `已框选：X ${rect.x}，Y ${rect.y}，宽 ${rect.w}，高 ${rect.h}（原图像素）。填写说明后点击“发送标注”。`, 'is-warn');
  updateAnnotateButton();
}

function updateNoteCount() {
  const n = Array.from($('#markup-note').value).length;
  $('#markup-count').textContent = ` ${n}/200`;
  $('#markup-count').classList.toggle('is-over', n > 200);
  app.markup.setLabel($('#markup-note').value);
  updateAnnotateButton();
}

function updateAnnotateButton() {
  const entry = app.current && app.snapshots.get(app.current);
  const n = Array.from($('#markup-note').value).length;
  $('#btn-annotate').disabled = !(app.session && entry && entry.stored && app.markup.rect && n <= 200);
}

async function onAnnotate(event) {
  event.preventDefault();
  const entry = app.current && app.snapshots.get(app.current);
  const rect = app.markup.rect;
  const note = $('#markup-note').value;
  const message = $('#annotate-message');
  if (!app.session || !entry) {
    setMessage(message, '通话已结束，不能再发送标注。');
    return;
  }
  if (!entry.stored) {
    setMessage(message, '快照尚未存证，请稍候再发送。');
    return;
  }
  if (!rect) {
    setMessage(message, '请先在图上框选需要修改之处。');
    return;
  }
  if (Array.from(note).length > 200) {
    setMessage(message, '标注说明不能超过 200 字。');
    return;
  }
  const button = $('#btn-annotate');
  button.disabled = true;
  try {
    await app.sig.annotate({ session: app.session.id, snapshot: app.current, ...rect, note });
    const a = { ...rect, note };
    app.annotations.push(a);
    app.markup.setMarks(app.annotations);
    const n = app.annotations.length;
    $('#annotation-list').append(el('li', { dataset: { x: String(a.x), y: String(a.y), w: String(a.w), h: String(a.h) } },
      el('span', { class: 'vw-when' }, `#${n}`),
      `X ${a.x}，Y ${a.y}，${a.w}×${a.h}：`, a.note || '（无说明）'));
    setMessage(message, `标注 #${n} 已发送，对方已收到。`, 'is-ok');
    app.markup.clear();
    $('#markup-note').value = '';
    updateNoteCount();
  } catch (err) {
    setMessage(message, errorText(err));
  } finally {
    updateAnnotateButton();
  }
}

// ---------------------------------------------------------------- signalling events

function onProtocolError(msg) {
  const text = ERRORS[msg.code] || `服务器报告错误（${msg.code}）。`;
  if (msg.code === 'no-document-camera') {
    // Without ref: the clerk asked for OUR document camera and it is off.
    setMessage($('#call-message'), '对方请求您的高拍仪快照，但您未开启高拍仪。');
    return;
  }
  setMessage($('#call-message'), text);
  if (msg.code === 'snapshot-failed')
    $('#btn-snapshot').disabled = false;
}

function onClose(e) {
  if (e.detail.expected)
    return;
  app.sig = null;
  endCall('disconnected');
  setStatus('offline');
  setMessage($('#status-message'), '');
  setMessage($('#global-message'), '与服务器的连接已断开。请点击“重新连接”，或刷新页面后重新登录。');
  $('#reconnect-bar').hidden = false;
}

async function onReconnect() {
  $('#reconnect').disabled = true;
  try {
    await connect();
    $('#reconnect-bar').hidden = true;
  } catch (err) {
    if (err instanceof VwSignalingError && (err.code === 'unauthorized' || err.code === 'forbidden')) {
      app.token = null;
      stopLocal();
      showSignIn('登录已过期，请重新登录。');
    } else {
      setMessage($('#global-message'), `重新连接失败：${errorText(err)}`);
    }
  } finally {
    $('#reconnect').disabled = false;
  }
}

const signalHandlers = {
  queue: (e) => onQueue(e.detail),
  'agent-state': (e) => onAgentState(e.detail),
  joined: (e) => onJoined(e.detail),
  left: (e) => onLeft(e.detail),
  paired: (e) => onPaired(e.detail),
  recording: (e) => onRecording(e.detail),
  'snapshot-stored': (e) => onSnapshotStored(e.detail),
  annotation: (e) => setMessage($('#call-message'), `对方在您的快照上作了标注：${e.detail.note || '（无说明）'}`, 'is-warn'),
  error: (e) => onProtocolError(e.detail),
  close: (e) => onClose(e),
};

// ---------------------------------------------------------------- start

function init() {
  app.markup = new VwMarkup($('#snapshot-stage'));
  app.markup.addEventListener('change', (e) => onMarkupChange(e.detail));
  $('#signin-form').addEventListener('submit', onSignIn);
  $('#sign-out').addEventListener('click', onSignOut);
  $('#go-available').addEventListener('click', () => changeStatus(true));
  $('#go-away').addEventListener('click', () => changeStatus(false));
  $('#reconnect').addEventListener('click', onReconnect);
  $('#btn-mute').addEventListener('click', onMute);
  $('#btn-camera').addEventListener('click', onCamera);
  $('#btn-screen').addEventListener('click', onScreen);
  $('#btn-document').addEventListener('click', onDocument);
  $('#btn-snapshot').addEventListener('click', onSnapshotRequest);
  $('#btn-hangup').addEventListener('click', onHangup);
  $('#btn-transfer').addEventListener('click', openTransfer);
  $('#btn-invite').addEventListener('click', openInvite);
  $('#transfer-form').addEventListener('submit', submitTransfer);
  $('#transfer-close').addEventListener('click', () => $('#transfer-dialog').close());
  $('#transfer-refresh').addEventListener('click', refreshTransferAgents);
  $('#transfer-province').addEventListener('change', fillTransferItems);
  for (const radio of document.querySelectorAll('#transfer-form input[name="transfer-to"]'))
    radio.addEventListener('change', updateTransferMode);
  $('#invite-form').addEventListener('submit', submitInvite);
  $('#invite-close').addEventListener('click', () => $('#invite-dialog').close());
  $('#invite-refresh').addEventListener('click', refreshInviteAgents);
  $('#items-apply').addEventListener('click', applyItems);
  $('#items-all').addEventListener('click', () => {
    for (const box of document.querySelectorAll('#item-choices input[type="checkbox"]'))
      box.checked = true;
    updateItemsApply();
  });
  $('#markup-form').addEventListener('submit', onAnnotate);
  $('#markup-clear').addEventListener('click', () => app.markup.clear());
  $('#markup-note').addEventListener('input', updateNoteCount);
  for (const id of ['#markup-x', '#markup-y', '#markup-w', '#markup-h'])
    $(id).addEventListener('change', () => {
      const r = readRectInputs();
      if ([r.x, r.y, r.w, r.h].every(Number.isFinite) && app.markup.hasImage)
        app.markup.setRect(r);
    });
  for (const [id, kind] of [['#camera-device', 'camera'], ['#microphone-device', 'audio'], ['#document-device', 'document']])
    $(id).addEventListener('change', (e) => {
      e.target.dataset.chosen = '1';
      onDeviceChange(kind);
    });
  if (navigator.mediaDevices && navigator.mediaDevices.addEventListener)
    navigator.mediaDevices.addEventListener('devicechange', () => listDevices().catch(() => {}));
  app.timers.push(setInterval(() => {   // each second shown on time
    tickQueue();
    tickStatus();
  }, 250));
  app.timers.push(setInterval(() => { tickCall(); }, 1000));
  updateControls();
  setStatus('offline');
  showSignIn('');
  loadCatalogue().then((items) => {
    app.catalogue = items;
    renderQueue();
    renderItemChoices();
    if (app.session)
      $('#call-item').textContent = app.session.item ? `${itemName(app.session.item)}${app.session.booked ? '（预约）' : ''}` : '—';
  });
}

init();
