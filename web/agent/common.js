// agent/common.js: what every part of the agent console shares: the words
// it shows (provinces, end reasons, protocol errors), its one state object
// `app`, and small DOM and formatting helpers.

import { VwSignalingError } from '/js/vw-signaling.js';
import { el } from '/js/vw-dom.js';

const PROVINCES = { shanghai: '上海', jiangsu: '江苏', zhejiang: '浙江', anhui: '安徽' };
export const ENDED = {
  hangup: '您已挂断，本次服务结束。',
  'peer-hangup': '对方已挂断，本次服务结束。',
  'peer-disconnected': '对方网络断开，本次服务结束。',
  'media-failed': '音视频连接失败，本次服务已结束。请检查网络后重新接待。',
  'server-shutdown': '服务器正在停止，本次服务已结束。',
  disconnected: '与服务器的连接已断开，本次服务已结束。',
  transferred: '已转办，您已离开本次服务。',
  'connection-lost': '对方网络中断，未能在规定时间内恢复，本次服务已结束。',
  'self-connection-lost': '网络中断时间过长，本次服务已结束。已重新连接服务器，请重新示闲。',
};
// Drop-outs (issue 12).
export const NETWORK_TEXT = {
  reconnecting: '网络中断，正在重连…',
  peerReconnecting: '对方网络不稳定，正在重连…',
};
export const KIND_NAMES = { camera: '摄像头', screen: '屏幕共享', document: '高拍仪', audio: '声音' };
export const AGENT_STATES = { available: '示闲', away: '示忙', busy: '通话中', 'wrap-up': '整理中' };
// Errors of the protocol, in the words the agent needs.
export const ERRORS = {
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

export const $ = (sel, root = document) => root.querySelector(sel);

// ---------------------------------------------------------------- state

export const app = {
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
  network: [],          // what the page showed about drop-outs, in order: [{what, at}] (diagnostics, tests)
  reconnectingPeers: new Set(),
};
// For diagnostics (and the browser tests), as the join page's window.vwJoin.
window.vwAgent = app;

// ---------------------------------------------------------------- helpers

export function setMessage(node, text, kind = 'is-error') {
  node.classList.remove('is-error', 'is-ok', 'is-warn');
  if (kind)
    node.classList.add(kind);
  node.textContent = text || '';
}

export function errorText(err) {
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

export const province = (p) => PROVINCES[p] || p || '—';

// Shared with the other pages.
export { el };

// 65 -> "1分05秒"
export function formatWait(seconds) {
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
export function formatClock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function formatBytes(n) {
  if (n >= 1024 * 1024)
    return `${(n / 1024 / 1024).toFixed(2)} MB`;
  if (n >= 1024)
    return `${(n / 1024).toFixed(1)} KB`;
  return `${n} 字节`;
}
