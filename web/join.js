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
// The request names the item by its catalogue code (GET /api/catalogue).
// While queued the page shows the place and the server's estimated wait, or
// says honestly that there is none.  In the call the agent may hand the
// clerk on (转办: `transferred`, then `queued` or `paired` again for the same
// session, on the same media connection) or bring a third participant in
// (三方通话: `joined`, `left`); every remote participant has its own tiles.
//
// 我要约: slots (GET /api/slots), a booking (POST /api/appointments) whose
// code is kept in localStorage ('vw.bookings'), the holder's bookings (GET
// /api/appointments?codes=), cancelling (DELETE), and at the booked time a
// request that carries the booking's code.
//
// For diagnostics (and the browser test) the page keeps its state in
// window.vwJoin: {signaling, call, snapshots, session, phase, queued, members}.

import { VwSignaling } from './js/vw-signaling.js';
import { VwCall } from './js/vw-call.js';
import { SnapshotSender } from './js/vw-transfer.js';
import { drawAnnotated } from './js/vw-annotate.js';
import { loadCatalogue as fetchCatalogue, itemName, itemsIn, itemByCode } from './js/vw-catalogue.js';

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
// Refusals of `request`, in the words of the page.
const REQUEST_ERRORS = {
  'unknown-item': '该事项不在远程帮办的事项清单中，或不在所选办理地办理。请重新选择事项。',
  'unknown-booking': '预约码无效，或该预约已取消。',
  'unknown-province': '办理地无效，请重新选择。',
  'wrong-state': '您已在排队或通话中。',
};
const BOOKING_STATES = {
  booked: ['已预约', 'is-live'],
  arrived: ['已按预约办理', 'is-good'],
  cancelled: ['已取消', ''],
  'no-show': ['已过期（未按时办理）', 'is-bad'],
};
// The holder may come this long before the slot starts (the server's rule).
const BOOKING_EARLY_MS = 15 * 60 * 1000;   // VW_SLOT_EARLY_DEFAULT_MS (server/API.md)

/** When the holder of @b may come: the server says so (checkin_opens_at);
 * older servers did not, then the documented window. */
function checkinOpens(b) {
  return typeof b.checkin_opens_at === 'number' ? b.checkin_opens_at : b.starts_at - BOOKING_EARLY_MS;
}
const BOOKINGS_KEY = 'vw.bookings';
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
  queued: null,            // the latest `queued` message
  transferring: null,      // the `transferred` message while the clerk waits for the next agent
  members: new Map(),      // peer_id -> {name, role, province, center}: third participants (joined)
  booking: null,           // the appointment this call is for (button 按预约办理), or null
  slots: [],               // the slots listed
  chosenSlot: null,
  bookings: [],            // the holder's appointments, as GET /api/appointments?codes= said
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
  $('booking-panel').hidden = !(phase === 'setup' || phase === 'connecting');
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
    itemName: nameOf(f.item.value),
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
// it fails, the built-in list of join.html stays (codes as values).
async function loadCatalogue() {
  const items = await fetchCatalogue();
  if (!items.length)
    return;
  state.catalogue = items;
  fillItems();
  fillSlotItems();
}

// The item choice: the catalogue's items handled remotely in the chosen
// province, keeping the current choice when it is still there.  The
// option's value is the item's code: what `request` sends.
function fillItems() {
  if (!state.catalogue)
    return;
  const select = $('item');
  const keep = select.value;
  const handledIn = $('handled-in').value;
  const items = itemsIn(state.catalogue, handledIn);
  select.replaceChildren(...items.map((it) => {
    const option = new Option(it.name, it.code);
    option.dataset.code = it.code;
    option.title = `${it.code} · ${it.department}`;
    return option;
  }));
  if (items.length === 0)
    select.append(Object.assign(new Option(`${PROVINCES[handledIn] || handledIn}暂无可远程办理的事项`, ''), { disabled: true, selected: true }));
  else if (items.some((it) => it.code === keep))
    select.value = keep;
}

// The name of an item code, from the catalogue or the built-in list.
function nameOf(code) {
  if (itemByCode(code))
    return itemName(code);
  const opt = [...$('item').options].find((o) => o.value === code);
  return opt ? opt.textContent : (code || '');
}

// ---- 我要约: slots, bookings, the holder's codes

// A time as China Standard Time, whatever the browser's zone: the slots are
// at centres in the Yangtze River Delta.
const CST_PARTS = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23',
});

function cst(ms) {
  const p = Object.fromEntries(CST_PARTS.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, month: Number(p.month), day: Number(p.day), weekday: p.weekday, time: `${p.hour}:${p.minute}` };
}

function slotTime(startsAt, endsAt) {
  const a = cst(startsAt);
  const b = cst(endsAt);
  return `${a.month}月${a.day}日（${a.weekday}）${a.time}–${b.date === a.date ? b.time : `${b.month}月${b.day}日 ${b.time}`}`;
}

async function api(method, path, body) {
  const init = { method, headers: { Accept: 'application/json' }, cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw Object.assign(new Error('无法连接服务器，请检查网络后重试。'), { status: 0 });
  }
  const json = await res.json().catch(() => null);
  if (!res.ok)
    throw Object.assign(new Error((json && json.message) || `HTTP ${res.status}`), { status: res.status, code: json && json.error });
  return json;
}

function fillSlotItems() {
  if (!state.catalogue)
    return;
  const select = $('slot-item');
  const keep = select.value;
  const items = itemsIn(state.catalogue, $('slot-province').value);
  select.replaceChildren(...items.map((it) => new Option(it.name, it.code)));
  if (items.some((it) => it.code === keep))
    select.value = keep;
  fillSlotCenters();
}

// The centres that handle the chosen item (the catalogue's `centers`), or
// any centre when it names none.
function fillSlotCenters() {
  const select = $('slot-center');
  const keep = select.value;
  const it = itemByCode($('slot-item').value);
  const centers = it && Array.isArray(it.centers) ? it.centers : [];
  select.replaceChildren(new Option('全部服务中心', ''), ...centers.map((c) => new Option(c, c)));
  if (centers.includes(keep))
    select.value = keep;
}

async function searchSlots(ev) {
  if (ev)
    ev.preventDefault();
  const msgEl = $('slot-message');
  const item = $('slot-item').value;
  if (!item) {
    message(msgEl, '请选择事项。');
    return;
  }
  const now = Date.now();
  const params = new URLSearchParams({ item, province: $('slot-province').value, from: cst(now).date, to: cst(now + 13 * 86400000).date });
  if ($('slot-center').value)
    params.set('center', $('slot-center').value);
  $('slot-search').disabled = true;
  message(msgEl, '正在查询…', '');
  try {
    const body = await api('GET', `/api/slots?${params}`);
    state.slots = Array.isArray(body.slots) ? body.slots : [];
    renderSlots();
    const open = state.slots.filter((sl) => sl.bookable).length;
    message(msgEl, state.slots.length === 0
      ? '近两周没有可预约的时段，请换一个事项或服务中心，或直接呼叫排队。'
      : `近两周共 ${state.slots.length} 个时段，其中 ${open} 个可预约。`, state.slots.length ? 'is-ok' : 'is-warn');
  } catch (err) {
    message(msgEl, `查询失败：${err.message}`);
  } finally {
    $('slot-search').disabled = false;
  }
}

function renderSlots() {
  const table = $('slot-table');
  const body = table.querySelector('tbody');
  table.hidden = state.slots.length === 0;
  body.replaceChildren(...state.slots.map((sl) => {
    const tr = document.createElement('tr');
    tr.dataset.slot = String(sl.id);
    const cell = (label, text) => {
      const td = Object.assign(document.createElement('td'), { textContent: text });
      td.dataset.label = label;
      return td;
    };
    const remain = cell('剩余名额', `${sl.remaining} / ${sl.capacity}`);
    remain.dataset.remaining = String(sl.remaining);
    const act = document.createElement('td');
    act.dataset.label = '';
    const btn = Object.assign(document.createElement('button'), {
      type: 'button', className: 'vw-button vw-button-primary',
      textContent: sl.bookable ? '预约' : (sl.remaining > 0 ? '已开始' : '已约满'),
      disabled: !sl.bookable,
    });
    btn.addEventListener('click', () => chooseSlot(sl));
    act.append(btn);
    tr.append(cell('时间', slotTime(sl.starts_at, sl.ends_at)), cell('服务中心', sl.center),
      cell('事项', itemName(sl.item, sl.item_name)), remain, act);
    return tr;
  }));
}

function chooseSlot(sl) {
  state.chosenSlot = sl;
  $('book-slot').textContent = `预约时段：${slotTime(sl.starts_at, sl.ends_at)} · ${sl.center} · ${itemName(sl.item, sl.item_name)}（${PROVINCES[sl.province] || sl.province}规则）· 剩余 ${sl.remaining} 个名额`;
  $('book-form').hidden = false;
  $('book-result').hidden = true;
  message($('book-message'), '');
  if (!$('book-name').value && $('name').value.trim())
    $('book-name').value = $('name').value.trim();
  $('book-name').focus();
}

async function submitBooking(ev) {
  ev.preventDefault();
  const sl = state.chosenSlot;
  const msgEl = $('book-message');
  const f = $('book-form');
  const name = $('book-name').value.trim();
  const contact = $('book-contact').value.trim();
  const kind = (f.querySelector('input[name="kind"]:checked') || {}).value;
  if (!sl)
    return;
  if (!name) {
    message(msgEl, '请填写姓名或企业名称。');
    $('book-name').focus();
    return;
  }
  $('book-submit').disabled = true;
  try {
    const booking = await api('POST', '/api/appointments', { slot: sl.id, name, kind, ...(contact ? { contact } : {}) });
    rememberCode(booking.code);
    f.hidden = true;
    state.chosenSlot = null;
    $('book-code').textContent = booking.code;
    $('book-result-detail').textContent = `${slotTime(booking.starts_at, booking.ends_at)} · ${booking.center} · ${itemName(booking.item, booking.item_name)}`;
    $('book-result').hidden = false;
    message(msgEl, '');
    searchSlots();
    loadMyBookings();
  } catch (err) {
    if (err.code === 'slot-full') {
      message(msgEl, '该时段已约满，请选择其他时段。');
      f.hidden = true;
      searchSlots();
    } else if (err.code === 'slot-started') {
      message(msgEl, '该时段已开始，请选择较晚的时段。');
      f.hidden = true;
      searchSlots();
    } else if (err.status === 404) {
      message(msgEl, '该时段已不存在，请重新查询。');
    } else if (err.status === 400) {
      message(msgEl, `预约信息不符合要求（姓名不超过 50 字，联系电话不超过 100 字）：${err.message}`);
    } else {
      message(msgEl, `预约失败：${err.message}`);
    }
  } finally {
    $('book-submit').disabled = false;
  }
}

function storedCodes() {
  try {
    const list = JSON.parse(localStorage.getItem(BOOKINGS_KEY) || '[]');
    return Array.isArray(list) ? list.filter((c) => typeof c === 'string' && /^[A-Z0-9]{4,16}$/.test(c)) : [];
  } catch (err) {
    return [];
  }
}

function saveCodes(codes) {
  try {
    localStorage.setItem(BOOKINGS_KEY, JSON.stringify(codes));
  } catch (err) {
    console.warn('bookings: cannot keep the codes:', err);
  }
}

function rememberCode(code) {
  const codes = storedCodes().filter((c) => c !== code);
  codes.push(code);
  saveCodes(codes.slice(-20));   // the API answers 20 codes at most
}

function forgetCode(code) {
  saveCodes(storedCodes().filter((c) => c !== code));
  state.bookings = state.bookings.filter((b) => b.code !== code);
  renderMyBookings();
}

async function loadMyBookings() {
  const codes = storedCodes();
  if (codes.length === 0) {
    state.bookings = [];
    renderMyBookings();
    return;
  }
  try {
    const body = await api('GET', `/api/appointments?codes=${encodeURIComponent(codes.join(','))}`);
    const found = new Map((body.appointments || []).map((b) => [b.code, b]));
    // Codes the server does not know any more are shown as such.
    state.bookings = codes.map((c) => found.get(c) || { code: c, missing: true });
    message($('my-bookings-message'), '');
  } catch (err) {
    message($('my-bookings-message'), `无法读取我的预约：${err.message}`, 'is-warn');
  }
  renderMyBookings();
}

function bookingDue(b, now = Date.now()) {
  return b.state === 'booked' && now >= checkinOpens(b) && now < b.ends_at;
}

function bookingNotDueText(b) {
  if (!b)
    return '未到预约时间。';
  if (Date.now() < checkinOpens(b))
    return `还未到预约时间：您的预约时段为 ${slotTime(b.starts_at, b.ends_at)}，请在开始前 15 分钟内再按预约办理。`;
  return `预约时段（${slotTime(b.starts_at, b.ends_at)}）已结束，请重新预约。`;
}

function renderMyBookings() {
  const list = $('my-bookings');
  $('my-bookings-empty').hidden = state.bookings.length > 0;
  const now = Date.now();
  list.replaceChildren(...[...state.bookings].reverse().map((b) => {
    const li = document.createElement('li');
    li.dataset.code = b.code;
    li.className = 'vw-my-booking';
    const code = Object.assign(document.createElement('span'), { className: 'vw-mono vw-book-code-small', textContent: b.code });
    const actions = document.createElement('span');
    actions.className = 'vw-actions';
    const button = (text, cls, fn) => {
      const el = Object.assign(document.createElement('button'), { type: 'button', className: `vw-button ${cls}`, textContent: text });
      el.addEventListener('click', fn);
      actions.append(el);
      return el;
    };
    if (b.missing) {
      li.dataset.state = 'missing';
      const what = document.createElement('div');
      what.append('预约码 ', code, '：未找到该预约（可能已失效）。');
      li.append(what);
      button('从列表移除', 'vw-button-quiet', () => forgetCode(b.code));
      li.append(actions);
      return li;
    }
    li.dataset.state = b.state;
    const [stateText, stateCls] = BOOKING_STATES[b.state] || [b.state, ''];
    const badge = Object.assign(document.createElement('span'), { className: `vw-badge ${stateCls}`, textContent: stateText });
    badge.dataset.role = 'state';
    const what = document.createElement('div');
    what.append(Object.assign(document.createElement('strong'), { textContent: itemName(b.item, b.item_name) }),
      ` · ${b.center} · ${slotTime(b.starts_at, b.ends_at)}（${PROVINCES[b.province] || b.province}规则）`);
    const who = document.createElement('div');
    who.className = 'vw-muted';
    who.append(`${b.name}（${b.kind === 'enterprise' ? '企业' : '个人'}）· 预约码 `, code, ' ', badge);
    li.append(what, who);
    if (b.state === 'booked') {
      if (bookingDue(b, now)) {
        button('按预约办理', 'vw-button-primary vw-use-booking', () => useBooking(b));
      } else if (now < checkinOpens(b)) {
        actions.append(Object.assign(document.createElement('span'), { className: 'vw-muted', textContent: '预约开始前 15 分钟起可按预约办理' }));
      } else if (now >= b.ends_at) {
        actions.append(Object.assign(document.createElement('span'), { className: 'vw-muted', textContent: '预约时段已结束' }));
      }
      if (now < b.starts_at) {
        if (state.confirmCancel === b.code) {
          actions.append(Object.assign(document.createElement('span'), { textContent: '确定取消该预约？' }));
          button('确认取消', 'vw-button-danger vw-cancel-confirm', () => cancelBooking(b.code));
          button('不取消', '', () => { state.confirmCancel = null; renderMyBookings(); });
        } else {
          button('取消预约', 'vw-cancel-booking', () => { state.confirmCancel = b.code; renderMyBookings(); });
        }
      }
    } else {
      button('从列表移除', 'vw-button-quiet', () => forgetCode(b.code));
    }
    li.append(actions);
    return li;
  }));
}

async function cancelBooking(code) {
  const msgEl = $('my-bookings-message');
  state.confirmCancel = null;
  try {
    await api('DELETE', `/api/appointments/${encodeURIComponent(code)}`);
    message(msgEl, `预约 ${code} 已取消。`, 'is-ok');
    if (state.booking && state.booking.code === code)
      clearBooking();
  } catch (err) {
    message(msgEl, err.status === 409 ? '预约时段已开始或预约已不可取消。' : err.status === 404 ? '未找到该预约。' : `取消失败：${err.message}`);
  }
  await loadMyBookings();
  if (state.slots.length)
    searchSlots();
}

// 按预约办理: the call form takes the booking's province and item, and the
// request carries its code (the server gives the holder priority).
function useBooking(b) {
  if (state.phase !== 'setup')
    return;
  state.booking = b;
  $('handled-in').value = b.province;
  fillItems();
  const select = $('item');
  if (![...select.options].some((o) => o.value === b.item))
    select.append(new Option(itemName(b.item, b.item_name), b.item));
  select.value = b.item;
  if (!$('name').value.trim())
    $('name').value = b.name;
  $('booking-notice').hidden = false;
  message($('booking-notice-text'), `按预约办理：预约码 ${b.code} · ${itemName(b.item, b.item_name)} · ${b.center} · ${slotTime(b.starts_at, b.ends_at)}`, 'is-ok');
  $('setup-view').scrollIntoView({ behavior: 'smooth', block: 'start' });
  $('join-form').requestSubmit();
}

function clearBooking() {
  state.booking = null;
  $('booking-notice').hidden = true;
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
  sig.addEventListener('transferred', (e) => onTransferred(e.detail));
  sig.addEventListener('joined', (e) => onJoined(e.detail));
  sig.addEventListener('left', (e) => onLeft(e.detail));
  sig.addEventListener('snapshot-requested', () => message($('call-message'), '帮办专员正在拍摄您的高拍仪快照…', ''));
  sig.addEventListener('error', (e) => onServerError(e.detail));
  sig.addEventListener('close', (e) => onClosed(e.detail));
  setConnState('正在连接…');
  try {
    await sig.connect();
    await sig.hello({ role: 'clerk', name: form.name, province: form.province, center: form.center });
    $('queue-position').textContent = '正在呼叫…';
    $('queue-wait').textContent = '';
    $('queue-detail').textContent = `${PROVINCES[form.handledIn]} · ${form.itemName}`;
    const booking = state.booking;
    form.booking = booking ? booking.code : null;
    await sig.request({ province: form.handledIn, item: form.item, ...(booking ? { booking: booking.code } : {}) });
    setConnState('已连接', 'is-live');
  } catch (err) {
    console.warn('joining:', err);
    message(msgEl, `呼叫失败：${requestErrorText(err)}`);
    if (err.code === 'unknown-booking' || err.code === 'booking-not-due') {
      clearBooking();
      loadMyBookings();
    }
    sig.close();
    state.signaling = null;
    $('call-button').disabled = false;
    setConnState('');
    showView('setup');
  }
}

function requestErrorText(err) {
  if (err.code === 'connect-failed' || err.code === 'closed')
    return '无法连接服务器，请稍后重试。';
  if (err.code === 'booking-not-due')
    return bookingNotDueText(state.booking);
  return REQUEST_ERRORS[err.code] || err.message;
}

// The server's estimated wait, or honestly none: with no recent history of
// this item (wait_samples 0), or no agent on duty for it, there is no
// number to give, and the page invents none.
function waitText(msg) {
  if (Number.isFinite(msg.wait_s)) {
    const minutes = Math.max(1, Math.ceil(msg.wait_s / 60));
    const basis = msg.wait_samples > 0 ? `（根据最近 ${msg.wait_samples} 次服务的时长估算）` : '';
    return `预计等待约 ${minutes} 分钟${basis}`;
  }
  if (!msg.wait_samples)
    return '暂无历史数据，无法估算等待时间';
  return '目前没有帮办专员在岗，暂时无法估算等待时间';
}

function onQueued(msg) {
  state.queued = msg;
  if (state.phase === 'call' && state.transferring) {
    // Transferred to an item's queue: still in the session, waiting.
    const to = state.transferring;
    message($('transfer-notice'), `已为您转接至${PROVINCES[msg.province] || msg.province}「${nameOf(msg.item || to.item)}」的帮办专员，`
      + `排队中 第${msg.position}位。${waitText(msg)}。请保持本页面打开。`, 'is-warn');
    $('transfer-notice').dataset.position = String(msg.position);
    return;
  }
  if (state.phase !== 'connecting' && state.phase !== 'queued')
    return;
  showView('queued');
  $('queue-position').replaceChildren('排队中 第', Object.assign(document.createElement('strong'), { textContent: String(msg.position) }), '位');
  const wait = $('queue-wait');
  wait.textContent = waitText(msg);
  wait.dataset.estimate = Number.isFinite(msg.wait_s) ? String(msg.wait_s) : '';
  const booked = state.form.booking ? '（按预约优先接入）' : '';
  $('queue-detail').textContent = `正在等待${PROVINCES[msg.province] || msg.province}的帮办专员 · ${nameOf(msg.item || state.form.item)}${booked}。请保持本页面打开，刷新或关闭页面将失去排队位置。`;
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

// Who a track belongs to: a third participant (joined), or the agent we
// are paired with (any other peer: `paired` does not name its peer id).
function memberOf(peer) {
  return state.members.get(peer) || null;
}

function memberLabel(m) {
  const where = [m.center, PROVINCES[m.province] || m.province].filter(Boolean).join(' · ');
  return where ? `${m.name}（${where}）` : m.name;
}

// Every remote tile and audio element from the call's live tracks: the
// agent's camera in its own tile, the agent's screen or document camera in
// front, a third participant's tracks in tiles labelled with its name, and
// nothing of a peer whose tracks the hub marked inactive (it left).
function renderRemote() {
  const tracks = state.call && !state.call.closed ? state.call.remoteTracks() : [];
  const main = tracks.filter((t) => !memberOf(t.peer));
  const others = tracks.filter((t) => memberOf(t.peer));

  const camTile = $('remote-camera-tile');
  const camVideo = $('remote-camera');
  const camState = camTile.querySelector('.vw-media-state');
  const cam = main.find((t) => t.kind === 'camera');
  if (cam) {
    if (camTile.dataset.mid !== cam.mid || camTile.dataset.peer !== cam.peer) {
      camTile.dataset.mid = cam.mid;
      camTile.dataset.peer = cam.peer;
      camVideo.srcObject = cam.stream;
      camState.textContent = '正在接收帮办专员的画面…';
      camVideo.onloadeddata = () => { camState.textContent = ''; };
    }
  } else if (camTile.dataset.mid || state.transferring) {
    delete camTile.dataset.mid;
    delete camTile.dataset.peer;
    camVideo.srcObject = null;
    camState.textContent = state.transferring ? '正在为您转接，请稍候…' : '帮办专员的摄像头已关闭';
  }

  const audio = main.find((t) => t.kind === 'audio');
  const audioEl = $('remote-audio');
  if ((audio ? audio.mid : '') !== (audioEl.dataset.mid || '')) {
    audioEl.dataset.mid = audio ? audio.mid : '';
    audioEl.srcObject = audio ? audio.stream : null;
    if (audio)
      audioEl.play().catch((err) => console.warn('audio play:', err));
  }

  // Tiles made here: the agent's screen and document camera (in front),
  // and every track of a third participant.
  const want = new Map();
  for (const t of main)
    if (t.kind === 'screen' || t.kind === 'document')
      want.set(`remote-${t.kind}-tile`, { t, title: `帮办专员 · ${KIND_NAMES[t.kind]}`, front: true });
  for (const t of others)
    if (t.kind !== 'audio')
      want.set(`remote-m-${t.peer}-${t.kind}-tile`, { t, title: `${memberLabel(memberOf(t.peer))} · ${KIND_NAMES[t.kind] || t.kind}`, front: false });
  for (const fig of [...$('remote-grid').querySelectorAll('figure.vw-call-tile')]) {
    if (fig.id === 'remote-camera-tile')
      continue;
    const w = want.get(fig.id);
    if (!w || fig.dataset.mid !== w.t.mid)
      fig.remove();
  }
  for (const [id, w] of want) {
    if ($(id))
      continue;
    const { fig, video } = tile(id, w.title, w.t.kind);
    fig.dataset.mid = w.t.mid;
    fig.dataset.peer = w.t.peer;
    video.srcObject = w.t.stream;
    if (w.front) {
      fig.classList.add('is-main');
      $('remote-grid').prepend(fig);
    } else {
      fig.classList.add('is-member');
      $('remote-grid').append(fig);
    }
  }

  // A third participant's voice: an <audio> of its own.
  const audios = $('remote-audios');
  const wantAudio = new Map(others.filter((t) => t.kind === 'audio').map((t) => [`remote-audio-${t.peer}`, t]));
  for (const el of [...audios.children])
    if (!wantAudio.has(el.id) || el.dataset.mid !== wantAudio.get(el.id).mid)
      el.remove();
  for (const [id, t] of wantAudio) {
    if ($(id))
      continue;
    const el = document.createElement('audio');
    el.id = id;
    el.autoplay = true;
    el.dataset.mid = t.mid;
    el.dataset.peer = t.peer;
    el.srcObject = t.stream;
    audios.append(el);
    el.play().catch((err) => console.warn('audio play:', err));
  }
}

function renderMembers() {
  const el = $('call-members');
  const list = [...state.members.values()];
  el.hidden = list.length === 0;
  el.textContent = list.length ? `三方通话：${list.map((m) => `${m.role === 'agent' ? '帮办专员' : ''}${memberLabel(m)}`).join('、')} 也在本次服务中` : '';
}

// 三方通话: another agent (of another centre) joins; it has tiles of its own.
function onJoined(msg) {
  if (msg.session !== state.session || state.phase !== 'call')
    return;
  state.members.set(msg.peer_id, msg.peer || { name: '第三方' });
  renderMembers();
  renderRemote();
  message($('call-message'), `${memberLabel(msg.peer || { name: '第三方' })}加入了本次服务（三方通话）。`, 'is-ok');
}

function onLeft(msg) {
  if (msg.session !== state.session || state.phase !== 'call')
    return;
  const m = state.members.get(msg.peer_id) || msg.peer;
  if (!state.members.delete(msg.peer_id))
    return;   // the agent we were paired with: transferred (see onTransferred)
  renderMembers();
  renderRemote();
  message($('call-message'), `${memberLabel(m)}已离开本次服务。`, '');
}

// 转办: our agent handed us on, to a colleague or to an item's queue.  The
// session and its media connection stay; the next agent's `paired` follows
// (or `queued` first).
function onTransferred(msg) {
  if (msg.session !== state.session || state.phase !== 'call')
    return;
  state.transferring = msg;
  if (msg.item)
    state.form.item = msg.item;
  if (msg.province)
    state.form.handledIn = msg.province;
  let text;
  if (msg.agent)
    text = `已为您转接至${msg.agent.center ? `${msg.agent.center}的` : ''}帮办专员${msg.agent.name}，正在接通，请稍候…`;
  else
    text = `已为您转接至${PROVINCES[state.form.handledIn] || state.form.handledIn}「${nameOf(state.form.item)}」的帮办专员，正在排队，请稍候…`;
  message($('transfer-notice'), text, 'is-warn');
  $('peer-name').textContent = '';
  $('peer-detail').textContent = '正在转接…';
  document.title = '正在转接 · 远程虚拟窗口';
  renderRemote();
}

// The next agent takes over the same session (after a transfer).
function onTakenOver(msg) {
  const peer = msg.peer || {};
  state.paired = msg;
  state.transferring = null;
  showPeer(peer);
  message($('call-message'), '', '');
  message($('transfer-notice'), `已转接至帮办专员${peer.name || ''}${peer.center ? `（${peer.center}）` : ''}，请继续办理。`, 'is-ok');
  delete $('transfer-notice').dataset.position;
  renderRemote();
}

function showPeer(peer) {
  $('peer-name').textContent = peer.name || '';
  $('peer-detail').textContent = [peer.center, PROVINCES[peer.province] || peer.province].filter(Boolean).join(' · ')
    + ` · 办理 ${nameOf(state.form.item)}（${PROVINCES[state.form.handledIn]}规则）`;
  document.title = `与帮办专员${peer.name || ''}通话中 · 远程虚拟窗口`;
}

function onPaired(msg) {
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
$('handled-in').addEventListener('change', () => {
  fillItems();
  if (state.booking && $('handled-in').value !== state.booking.province)
    clearBooking();
});
$('item').addEventListener('change', () => {
  if (state.booking && $('item').value !== state.booking.item)
    clearBooking();
});
$('booking-notice-clear').addEventListener('click', clearBooking);
$('slot-province').addEventListener('change', fillSlotItems);
$('slot-item').addEventListener('change', fillSlotCenters);
$('slot-form').addEventListener('submit', searchSlots);
$('book-form').addEventListener('submit', submitBooking);
$('book-cancel').addEventListener('click', () => {
  $('book-form').hidden = true;
  state.chosenSlot = null;
  message($('book-message'), '');
});
// Due times pass while the page is open: the buttons follow.
setInterval(() => {
  if (state.phase === 'setup' && state.bookings.length)
    renderMyBookings();
}, 15000);
showView('setup');
loadCatalogue();
loadMyBookings();
