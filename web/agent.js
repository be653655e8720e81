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
//
// This file signs in, keeps the connection and the agent's state, and
// dispatches the server's messages; the parts live in web/agent/: common.js
// (shared state, words and helpers), queue.js (items handled, who waits),
// media.js (our own sources), call.js (one call), remote.js (what the others
// send), desk.js (转办, 三方通话) and snapshots.js (snapshots and marks).

import { itemName, loadCatalogue } from '/js/vw-catalogue.js';
import { VwMarkup } from '/js/vw-markup.js';
import { VwSignaling, VwSignalingError } from '/js/vw-signaling.js';
import {
  endCall, onCamera, onDocument, onHangup, onMute, onPaired, onPeerNetwork, onRecording, onScreen,
  updateControls,
} from '/agent/call.js';
import { $, AGENT_STATES, ERRORS, NETWORK_TEXT, app, errorText, province, setMessage } from '/agent/common.js';
import {
  fillTransferItems, openInvite, openTransfer, refreshInviteAgents, refreshTransferAgents,
  submitInvite, submitTransfer, updateTransferMode,
} from '/agent/desk.js';
import {
  acquireLocal, listDevices, onDeviceChange, prepareDevices, stopLocal,
} from '/agent/media.js';
import {
  applyItems, onQueue, renderItemChoices, renderQueue, tickQueue, updateItemsApply,
} from '/agent/queue.js';
import { onJoined, onLeft, tickCall } from '/agent/remote.js';
import {
  onAnnotate, onMarkupChange, onSnapshotRequest, onSnapshotStored, readRectInputs,
  updateNoteCount,
} from '/agent/snapshots.js';

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
export async function connect() {
  // resume: a dropped connection is resumed, the call goes on (issue 12).
  const sig = new VwSignaling({ resume: true });
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

export function setStatus(status) {
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
  setMessage($('#network-notice'), '');
  app.sig = null;
  endCall('disconnected');
  setStatus('offline');
  setMessage($('#status-message'), '');
  setMessage($('#global-message'), '与服务器的连接已断开。请点击“重新连接”，或刷新页面后重新登录。');
  $('#reconnect-bar').hidden = false;
}

// ---------------------------------------------------------------- drop-outs

function onReconnecting(detail) {
  if (detail.attempt === 1) {
    app.network.push({ what: 'reconnecting', at: Date.now(), cause: detail.cause });
    setMessage($('#network-notice'), NETWORK_TEXT.reconnecting, 'is-warn');
  }
}

function onResumed() {
  app.network.push({ what: 'resumed', at: Date.now() });
  setMessage($('#network-notice'), '');
}

// The server no longer knows us (the grace period is over): the normal
// start on the same socket, a plain hello; the call, if any, is over.
async function onResumeFailed(sig) {
  app.network.push({ what: 'resume-failed', at: Date.now() });
  setMessage($('#network-notice'), '');
  const inCall = !!app.call;
  endCall(inCall ? 'self-connection-lost' : null);
  try {
    await sig.hello({
      role: 'agent', name: app.account.name, province: app.account.province,
      center: app.account.center, token: app.token, ...(app.items ? { items: app.items } : {}),
    });
    if (!inCall)
      setMessage($('#status-message'), '网络中断时间过长，已重新连接服务器，请重新示闲。', 'is-warn');
  } catch (err) {
    sig.close();
    app.sig = null;
    setStatus('offline');
    setMessage($('#global-message'), `重新连接失败：${errorText(err)}`);
    $('#reconnect-bar').hidden = false;
  }
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
  'peer-network': (e) => onPeerNetwork(e.detail),
  reconnecting: (e) => onReconnecting(e.detail),
  resumed: () => onResumed(),
  'resume-failed': (e) => onResumeFailed(e.target),
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

// Closing or reloading the console in a call ends it on purpose (the
// resume token lived in the page's memory): the clerk is told at once.
window.addEventListener('pagehide', () => {
  if (app.session && app.sig && app.sig.connected) {
    app.sig.notify('hangup', { session: app.session.id });
    app.sig.close(1000, 'page closed');
  }
});

init();
