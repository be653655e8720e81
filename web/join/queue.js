// join/queue.js: calling: the WebSocket, hello and `request`, the place in
// the queue with the server's estimated wait (or honestly none), cancelling.

import { VwSignaling } from '/js/vw-signaling.js';
import { bookingNotDueText, clearBooking, loadMyBookings } from '/join/bookings.js';
import { onAnnotation, onClosed, onPaired, onServerError } from '/join/call.js';
import {
  $, PROVINCES, REQUEST_ERRORS, mediaErrorText, message, setConnState, showView, state,
} from '/join/common.js';
import { onPeerNetwork, onReconnecting, onResumeFailed, onResumed } from '/join/network.js';
import { onJoined, onLeft, onTransferred } from '/join/remote.js';
import { ensureMedia, nameOf, openDocumentCamera, readForm } from '/join/setup.js';

export async function onCall(ev) {
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

  // resume: a dropped connection is resumed (join/network.js).
  const sig = new VwSignaling({ resume: true });
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
  sig.addEventListener('reconnecting', (e) => onReconnecting(e.detail));
  sig.addEventListener('resumed', () => onResumed());
  sig.addEventListener('resume-failed', () => onResumeFailed(register));
  sig.addEventListener('peer-network', (e) => onPeerNetwork(e.detail));
  setConnState('正在连接…');
  try {
    await sig.connect();
    await register(sig, form);
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

// hello and request: the start of a call (and of a call again, when a
// dropped connection could not be resumed).
async function register(sig, form) {
  await sig.hello({ role: 'clerk', name: form.name, province: form.province, center: form.center });
  $('queue-position').textContent = '正在呼叫…';
  $('queue-wait').textContent = '';
  $('queue-detail').textContent = `${PROVINCES[form.handledIn]} · ${form.itemName}`;
  const booking = state.booking;
  form.booking = booking ? booking.code : null;
  await sig.request({ province: form.handledIn, item: form.item, ...(booking ? { booking: booking.code } : {}) });
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

export function onCancel() {
  if (state.signaling)
    state.signaling.close();
  state.signaling = null;
  setConnState('');
  $('call-button').disabled = false;
  document.title = '远程帮办 · 远程虚拟窗口';
  showView('setup');
}
