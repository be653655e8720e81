// join/slots.js: 我要约, the slots of an item at a centre (GET /api/slots,
// shown in China Standard Time) and booking one (POST /api/appointments).

import { itemByCode, itemName, itemsIn } from '/js/vw-catalogue.js';
import { loadMyBookings, rememberCode } from '/join/bookings.js';
import { $, PROVINCES, message, state } from '/join/common.js';

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

export function slotTime(startsAt, endsAt) {
  const a = cst(startsAt);
  const b = cst(endsAt);
  return `${a.month}月${a.day}日（${a.weekday}）${a.time}–${b.date === a.date ? b.time : `${b.month}月${b.day}日 ${b.time}`}`;
}

export async function api(method, path, body) {
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

export function fillSlotItems() {
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
export function fillSlotCenters() {
  const select = $('slot-center');
  const keep = select.value;
  const it = itemByCode($('slot-item').value);
  const centers = it && Array.isArray(it.centers) ? it.centers : [];
  select.replaceChildren(new Option('全部服务中心', ''), ...centers.map((c) => new Option(c, c)));
  if (centers.includes(keep))
    select.value = keep;
}

export async function searchSlots(ev) {
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

export async function submitBooking(ev) {
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
