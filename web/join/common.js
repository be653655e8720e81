// join/common.js: what every part of the join page shares: the words it
// shows (end reasons, refusals, booking states), its one state object
// (window.vwJoin), and small helpers.

export const PROVINCES = { shanghai: '上海', jiangsu: '江苏', zhejiang: '浙江', anhui: '安徽' };
export const KIND_NAMES = { camera: '摄像头', screen: '屏幕共享', document: '高拍仪', audio: '声音' };
export const ENDED_TEXT = {
  hangup: '您已挂断，本次服务结束。',
  'peer-hangup': '帮办专员已结束本次服务。',
  'peer-disconnected': '帮办专员的连接已断开，本次服务结束。',
  'media-failed': '音视频连接失败，本次服务结束。请检查网络后重新申请。',
  'server-shutdown': '服务器维护中，本次服务结束。',
  disconnected: '与服务器的连接已断开，本次服务结束。',
  'connection-lost': '对方网络中断，未能在规定时间内恢复，本次服务已结束。',
};
// Drop-outs (issue 12): our own connection, and the other side's.
export const NETWORK_TEXT = {
  reconnecting: '网络中断，正在重连…',
  resumed: '网络已恢复，已重新连接。',
  requeued: '网络中断时间过长，原服务已结束，已为您重新排队。',
  requeueFailed: '网络中断时间过长，原服务已结束。请重新呼叫。',
  peerReconnecting: '对方网络不稳定，正在重连…',
  peerRestored: '对方网络已恢复。',
};
// Refusals of `request`, in the words of the page.
export const REQUEST_ERRORS = {
  'unknown-item': '该事项不在远程帮办的事项清单中，或不在所选办理地办理。请重新选择事项。',
  'unknown-booking': '预约码无效，或该预约已取消。',
  'unknown-province': '办理地无效，请重新选择。',
  'wrong-state': '您已在排队或通话中。',
};
export const BOOKING_STATES = {
  booked: ['已预约', 'is-live'],
  arrived: ['已按预约办理', 'is-good'],
  cancelled: ['已取消', ''],
  'no-show': ['已过期（未按时办理）', 'is-bad'],
};
// The holder may come this long before the slot starts (the server's rule).
const BOOKING_EARLY_MS = 15 * 60 * 1000;   // VW_SLOT_EARLY_DEFAULT_MS (server/API.md)

/** When the holder of @b may come: the server says so (checkin_opens_at);
 * older servers did not, then the documented window. */
export function checkinOpens(b) {
  return typeof b.checkin_opens_at === 'number' ? b.checkin_opens_at : b.starts_at - BOOKING_EARLY_MS;
}
export const BOOKINGS_KEY = 'vw.bookings';
export const RATING_ERRORS = {
  'wrong-state': '本次服务已经评价过了。',
  'unknown-session': '无法评价本次服务（会话不存在或不属于您）。',
  'bad-field': '评价内容不符合要求，请重新选择评价等级。',
};

export const $ = (id) => document.getElementById(id);

export const state = {
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
  network: [],             // what the page showed about drop-outs, in order: [{what, at}] (diagnostics, tests)
};
window.vwJoin = state;

// ---- small helpers

export function message(el, text, kind = 'is-error') {
  el.classList.remove('is-error', 'is-ok', 'is-warn');
  if (kind)
    el.classList.add(kind);
  el.textContent = text || '';
}

export function showView(phase) {
  state.phase = phase;
  $('setup-view').hidden = !(phase === 'setup' || phase === 'connecting');
  $('booking-panel').hidden = !(phase === 'setup' || phase === 'connecting');
  $('queue-view').hidden = phase !== 'queued';
  $('call-view').hidden = phase !== 'call';
  $('ended-view').hidden = phase !== 'ended';
  document.body.dataset.phase = phase;
}

/** Our own connection: @text shown until cleared with ''; kept in
 * state.network for diagnostics. */
export function showNetwork(what, text, kind = 'is-warn', extra = {}) {
  state.network.push({ what, at: Date.now(), ...extra });
  message(document.getElementById('network-notice'), text, kind);
}

export function setConnState(text, cls = '') {
  const el = $('conn-state');
  el.hidden = !text;
  el.textContent = text || '';
  el.className = `vw-badge ${cls}`;
}

export function mediaErrorText(err) {
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
