// join/bookings.js: the holder's bookings: their codes kept in localStorage
// ('vw.bookings'), listed (GET /api/appointments?codes=), cancelled (DELETE),
// and used at the booked time (按预约办理: the request carries the code).

import { itemName } from '/js/vw-catalogue.js';
import {
  $, BOOKINGS_KEY, BOOKING_STATES, PROVINCES, checkinOpens, message, state,
} from '/join/common.js';
import { fillItems } from '/join/setup.js';
import { api, searchSlots, slotTime } from '/join/slots.js';

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

export function rememberCode(code) {
  const codes = storedCodes().filter((c) => c !== code);
  codes.push(code);
  saveCodes(codes.slice(-20));   // the API answers 20 codes at most
}

function forgetCode(code) {
  saveCodes(storedCodes().filter((c) => c !== code));
  state.bookings = state.bookings.filter((b) => b.code !== code);
  renderMyBookings();
}

export async function loadMyBookings() {
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

export function bookingNotDueText(b) {
  if (!b)
    return '未到预约时间。';
  if (Date.now() < checkinOpens(b))
    return `还未到预约时间：您的预约时段为 ${slotTime(b.starts_at, b.ends_at)}，请在开始前 15 分钟内再按预约办理。`;
  return `预约时段（${slotTime(b.starts_at, b.ends_at)}）已结束，请重新预约。`;
}

export function renderMyBookings() {
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

export function clearBooking() {
  state.booking = null;
  $('booking-notice').hidden = true;
}
