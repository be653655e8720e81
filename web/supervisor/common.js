// supervisor/common.js: what every part of the supervisors' page shares: the
// words it shows (roles, track kinds, end reasons, event types, ratings), CST
// dates and times, the API (fetch with the cookie, its errors in words), and
// the catalogue's item names.

import { itemName, loadCatalogue } from '/js/vw-catalogue.js';
import { signedOut } from '/supervisor/signin.js';
import { el } from '/js/vw-dom.js';
import { requestJson } from '/js/vw-api.js';

export const ACCOUNT_KEY = 'vw-supervisor-account';
export const PAGE_SIZE = 50;

const PROVINCES = { shanghai: '上海', jiangsu: '江苏', zhejiang: '浙江', anhui: '安徽' };
const ROLES = { agent: '帮办专员', clerk: '办事员/企业', supervisor: '监督员', admin: '管理员' };
export const KINDS = { camera: '摄像头', screen: '屏幕共享', document: '高拍仪', audio: '音频（耳麦）' };
const STATES = { open: '进行中', ended: '已结束', interrupted: '已中断' };
export const END_REASONS = {
  hangup: '挂断', 'peer-hangup': '对方挂断', 'peer-disconnected': '对方断线',
  'media-failed': '媒体连接失败', 'server-shutdown': '服务器关闭', interrupted: '服务中断',
  transferred: '已转办',
};
const RATINGS = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' };
export const SCORES = { 5: '优秀', 4: '良好', 3: '合格', 2: '待改进', 1: '不合格' };
export const EVENT_TYPES = {
  requested: '请求帮办', queued: '排队', paired: '配对成功', connected: '媒体已连通',
  joined: '加入会话', left: '离开会话', publish: '开始发送', unpublish: '停止发送',
  'track-started': '开始录制', 'track-ended': '录制结束', share: '开始共享', unshare: '停止共享',
  snapshot: '材料快照', 'snapshot-stored': '快照已存证', annotation: '标注',
  annotate: '标注', rating: '好差评', review: '评审', ended: '会话结束', hangup: '挂断',
  interrupted: '会话中断', recording: '录像',
  'recording-started': '开始录制', 'recording-stopped': '录制结束', 'recording-ended': '录制结束',
  'recording-failed': '录制失败（通话未受影响）',
  'monitor-started': '监督员开始旁听', 'monitor-stopped': '监督员结束旁听',
  'follow-up-opened': '建立整改', 'follow-up-closed': '整改办结',
  leg: '帮办专员接入', transferred: '转办', invited: '邀请三方通话',
};
export const LEG_HOW = { first: '首次接入', transfer: '转办接入', invite: '受邀加入（三方通话）' };
export const API_ERRORS = {
  401: '登录已过期或未登录，请重新登录。',
  403: '当前账号无权进行此操作。',
  404: '未找到该会话，或不在您的监督范围内。',
  409: '该录像无法回放：已按保存期限清除，或完整性校验未通过。',
  413: '提交的内容过长。',
  500: '服务器内部错误，请稍后重试。',
};

export const $ = (sel, root = document) => root.querySelector(sel);

// ---------------------------------------------------------------- helpers

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// A table cell: its content in one block, labelled for the phone layout.
export function cell(label, content, cls) {
  return el('td', { 'data-label': label, class: cls }, el('div', {}, content));
}

// Shared with the other pages.
export { el };

const CST = 'Asia/Shanghai';
const dateTimeFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: CST, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

export function formatDateTime(ms) {
  if (!ms)
    return '—';
  const p = Object.fromEntries(dateTimeFormat.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

// Today's date in China Standard Time, minus @days, as YYYY-MM-DD.
export function cstDate(days = 0) {
  const d = new Date(Date.now() + 8 * 3600 * 1000 - days * 86400 * 1000);
  return d.toISOString().slice(0, 10);
}

export function formatDuration(seconds, state) {
  if (state === 'open')
    return '进行中';
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0)
    return `${h}小时${String(m).padStart(2, '0')}分`;
  if (m > 0)
    return `${m}分${String(r).padStart(2, '0')}秒`;
  return `${r}秒`;
}

export const province = (p) => PROVINCES[p] || p || '—';
export const role = (r) => ROLES[r] || r || '—';

export function ratingBadge(rating) {
  if (!rating || rating.level === undefined || rating.level === null)
    return el('span', { class: 'vw-muted' }, '未评价');
  const level = Number(rating.level);
  const cls = level >= 4 ? 'is-good' : level === 3 ? 'is-mid' : 'is-bad';
  return el('span', { class: `vw-badge ${cls}`, title: rating.comment || '' }, RATINGS[level] || String(rating.level));
}

export function stateBadge(state) {
  const cls = state === 'ended' ? 'is-good' : state === 'interrupted' ? 'is-mid' : 'is-live';
  return el('span', { class: `vw-badge ${cls}` }, STATES[state] || state || '—');
}

export function peopleOf(session, wanted) {
  return (session.participants || []).filter((p) => (wanted === 'agent' ? p.role === 'agent' : p.role !== 'agent'));
}

export function describePeople(list) {
  if (list.length === 0)
    return el('span', { class: 'vw-muted' }, '—');
  return list.map((p, i) => el('span', {},
    i > 0 ? '、' : '',
    p.name || '（未署名）',
    el('br'),
    el('span', { class: 'vw-muted' }, [province(p.province), p.center].filter(Boolean).join(' · '))));
}

export function setMessage(node, text, kind = 'is-error') {
  node.classList.remove('is-error', 'is-ok', 'is-warn');
  if (kind)
    node.classList.add(kind);
  node.textContent = text || '';
}

// ---------------------------------------------------------------- the API

// Sessions name their item by its catalogue code (with `item_name` when the
// server gives it); the catalogue (public) names the others.  Read before
// the first answer is shown, and it fills the item filter.
const catalogueReady = loadCatalogue().then((items) => {
  const select = document.querySelector('#f-item');
  if (select && items.length) {
    const keep = select.value;
    select.replaceChildren(new Option('全部事项', ''), ...items.map((it) => new Option(`${it.name}（${it.code}）`, it.code)));
    select.value = keep;
  }
  return items;
});

// An item as people read it: the name, else the code.
export function itemText(code, name) {
  return itemName(code, name) || '—';
}

export async function api(method, path, body) {
  await catalogueReady;
  let answer;
  try {
    answer = await requestJson(method, path, body);
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  const { status, ok, data } = answer;
  if (!ok) {
    const code = (data && data.error) || `http-${status}`;
    const message = API_ERRORS[status] || (data && data.message) || `请求失败（${status}）`;
    if (status === 401 && path !== '/api/login')
      signedOut('登录已过期或未登录，请重新登录。');
    throw new ApiError(status, code, message);
  }
  return data;
}

// Shows @err in @node, unless it was an expired sign-in (already handled).
export function report(node, err) {
  if (err instanceof ApiError && err.status === 401)
    return;
  setMessage(node, err.message || String(err));
  if (!(err instanceof ApiError))
    console.error(err);
}
