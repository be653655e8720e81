// supervisor.js: the supervisors' page (监督抽查): sign in, find sessions,
// draw a sample, play a session's recorded tracks in step, write a review.
// Talks to vw-server's HTTP API (server/API.md).
//
// Sign-in: the server sets an HttpOnly cookie (vw_token, Path=/api/), which
// every fetch and every <video>/<audio> sends.  The token itself is never
// kept by this page (not in storage, not in URLs); only the account's
// display details (name, centre) are kept in sessionStorage, for the header.

import { SyncPlayer, formatClock } from './playback.js';
import { loadCatalogue, itemName } from './js/vw-catalogue.js';

const ACCOUNT_KEY = 'vw-supervisor-account';
const PAGE_SIZE = 50;

const PROVINCES = { shanghai: '上海', jiangsu: '江苏', zhejiang: '浙江', anhui: '安徽' };
const ROLES = { agent: '帮办专员', clerk: '办事员/企业', supervisor: '监督员', admin: '管理员' };
const KINDS = { camera: '摄像头', screen: '屏幕共享', document: '高拍仪', audio: '音频（耳麦）' };
const STATES = { open: '进行中', ended: '已结束', interrupted: '已中断' };
const END_REASONS = {
  hangup: '挂断', 'peer-hangup': '对方挂断', 'peer-disconnected': '对方断线',
  'media-failed': '媒体连接失败', 'server-shutdown': '服务器关闭', interrupted: '服务中断',
  transferred: '已转办',
};
const RATINGS = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' };
const SCORES = { 5: '优秀', 4: '良好', 3: '合格', 2: '待改进', 1: '不合格' };
const EVENT_TYPES = {
  requested: '请求帮办', queued: '排队', paired: '配对成功', connected: '媒体已连通',
  joined: '加入会话', left: '离开会话', publish: '开始发送', unpublish: '停止发送',
  'track-started': '开始录制', 'track-ended': '录制结束', share: '开始共享', unshare: '停止共享',
  snapshot: '材料快照', 'snapshot-stored': '快照已存证', annotation: '标注',
  annotate: '标注', rating: '好差评', review: '评审', ended: '会话结束', hangup: '挂断',
  interrupted: '会话中断', recording: '录像',
  'recording-started': '开始录制', 'recording-stopped': '录制结束', 'recording-ended': '录制结束',
  'monitor-started': '监督员开始旁听', 'monitor-stopped': '监督员结束旁听',
  'follow-up-opened': '建立整改', 'follow-up-closed': '整改办结',
  leg: '帮办专员接入', transferred: '转办', invited: '邀请三方通话',
};
const LEG_HOW = { first: '首次接入', transfer: '转办接入', invite: '受邀加入（三方通话）' };
const API_ERRORS = {
  401: '登录已过期或未登录，请重新登录。',
  403: '当前账号无权进行此操作。',
  404: '未找到该会话，或不在您的监督范围内。',
  409: '该录像无法回放：已按保存期限清除，或完整性校验未通过。',
  413: '提交的内容过长。',
  500: '服务器内部错误，请稍后重试。',
};

const $ = (sel, root = document) => root.querySelector(sel);

// ---------------------------------------------------------------- helpers

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// A table cell: its content in one block, labelled for the phone layout.
function cell(label, content, cls) {
  return el('td', { 'data-label': label, class: cls }, el('div', {}, content));
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false)
      continue;
    if (k === 'class')
      node.className = v;
    else if (k === 'dataset')
      Object.assign(node.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function')
      node.addEventListener(k.slice(2), v);
    else if (k in node && typeof v !== 'string')
      node[k] = v;
    else
      node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false)
      continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

const CST = 'Asia/Shanghai';
const dateTimeFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: CST, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

function formatDateTime(ms) {
  if (!ms)
    return '—';
  const p = Object.fromEntries(dateTimeFormat.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

// Today's date in China Standard Time, minus @days, as YYYY-MM-DD.
function cstDate(days = 0) {
  const d = new Date(Date.now() + 8 * 3600 * 1000 - days * 86400 * 1000);
  return d.toISOString().slice(0, 10);
}

function formatDuration(seconds, state) {
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

const province = (p) => PROVINCES[p] || p || '—';
const role = (r) => ROLES[r] || r || '—';

function ratingBadge(rating) {
  if (!rating || rating.level === undefined || rating.level === null)
    return el('span', { class: 'vw-muted' }, '未评价');
  const level = Number(rating.level);
  const cls = level >= 4 ? 'is-good' : level === 3 ? 'is-mid' : 'is-bad';
  return el('span', { class: `vw-badge ${cls}`, title: rating.comment || '' }, RATINGS[level] || String(rating.level));
}

function stateBadge(state) {
  const cls = state === 'ended' ? 'is-good' : state === 'interrupted' ? 'is-mid' : 'is-live';
  return el('span', { class: `vw-badge ${cls}` }, STATES[state] || state || '—');
}

function peopleOf(session, wanted) {
  return (session.participants || []).filter((p) => (wanted === 'agent' ? p.role === 'agent' : p.role !== 'agent'));
}

function describePeople(list) {
  if (list.length === 0)
    return el('span', { class: 'vw-muted' }, '—');
  return list.map((p, i) => el('span', {},
    i > 0 ? '、' : '',
    p.name || '（未署名）',
    el('br'),
    el('span', { class: 'vw-muted' }, [province(p.province), p.center].filter(Boolean).join(' · '))));
}

function setMessage(node, text, kind = 'is-error') {
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
function itemText(code, name) {
  return itemName(code, name) || '—';
}

async function api(method, path, body) {
  await catalogueReady;
  const init = { method, credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试。');
  }
  let data = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
  }
  if (!response.ok) {
    const code = (data && data.error) || `http-${response.status}`;
    const message = API_ERRORS[response.status] || (data && data.message) || `请求失败（${response.status}）`;
    const err = new ApiError(response.status, code, message);
    if (response.status === 401 && path !== '/api/login')
      signedOut('登录已过期或未登录，请重新登录。');
    throw err;
  }
  return data;
}

// Shows @err in @node, unless it was an expired sign-in (already handled).
function report(node, err) {
  if (err instanceof ApiError && err.status === 401)
    return;
  setMessage(node, err.message || String(err));
  if (!(err instanceof ApiError))
    console.error(err);
}

// ---------------------------------------------------------------- sign-in

function storedAccount() {
  try {
    return JSON.parse(sessionStorage.getItem(ACCOUNT_KEY) || 'null');
  } catch (e) {
    return null;
  }
}

function showSignIn(message, kind = 'is-error') {
  closeDetail();
  $('#app-view').hidden = true;
  $('#user-bar').hidden = true;
  $('#signin-view').hidden = false;
  setMessage($('#signin-message'), message || '', kind);
  setMessage($('#global-message'), '');
  $('#signin-username').focus();
}

function signedOut(message) {
  sessionStorage.removeItem(ACCOUNT_KEY);
  showSignIn(message);
}

function showApp(account) {
  $('#signin-view').hidden = true;
  $('#app-view').hidden = false;
  $('#user-bar').hidden = false;
  const where = [province(account.province), account.center].filter(Boolean).join(' · ');
  $('#user-info').textContent = `监督员 ${account.name || account.username}${where ? `（${where}）` : ''}`;
  setMessage($('#signin-message'), '');
}

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
    const data = await api('POST', '/api/login', { username, password });
    $('#signin-password').value = '';
    const account = (data && data.account) || { username };
    if (account.role && account.role !== 'supervisor') {
      setMessage(message, `该账号是${role(account.role)}账号，本页面仅供监督员使用。`);
      return;
    }
    // Display details only: never the token.
    const { name, province: p, center, scope } = account;
    sessionStorage.setItem(ACCOUNT_KEY, JSON.stringify({ username: account.username || username, name, province: p, center, scope }));
    showApp(storedAccount());
    route();
  } catch (err) {
    if (err.status === 401)
      setMessage(message, '用户名或密码错误，请重新输入。');
    else
      setMessage(message, err.message);
    $('#signin-password').select();
  } finally {
    button.disabled = false;
  }
}

async function onSignOut() {
  closeDetail();
  // Asks the server to drop the cookie, where it offers that.
  try {
    await fetch('/api/logout', { method: 'POST', credentials: 'same-origin' });
  } catch (e) {
    // Nothing more to do: the cookie expires by itself.
  }
  sessionStorage.removeItem(ACCOUNT_KEY);
  history.replaceState(null, '', location.pathname);
  showSignIn('已退出登录。', 'is-ok');
}

// ---------------------------------------------------------------- tables

function sessionRow(s) {
  const agents = peopleOf(s, 'agent');
  const clerks = peopleOf(s, 'clerk');
  const open = () => { location.hash = `#/sessions/${encodeURIComponent(s.id)}`; };
  const reviews = Number(s.reviews) || 0;
  return el('tr', {
    class: 'is-clickable', dataset: { sessionId: s.id }, tabindex: '0',
    onclick: (e) => { if (!e.target.closest('a')) open(); },
    onkeydown: (e) => { if (e.key === 'Enter' && !e.target.closest('a')) open(); },
  },
  cell('案件编号', el('a', { class: 'vw-mono case-no', href: `#/sessions/${encodeURIComponent(s.id)}` }, s.case_no || s.id)),
  cell('开始时间', formatDateTime(s.started_at), 'vw-nowrap'),
  cell('办理省份', province(s.province)),
  cell('事项', itemText(s.item, s.item_name)),
  cell('帮办专员', describePeople(agents)),
  cell('办事员/企业', describePeople(clerks)),
  cell('时长', formatDuration(s.duration_s, s.state), 'vw-nowrap'),
  cell('状态', [stateBadge(s.state), s.recorded === false ? el('div', { class: 'vw-muted' }, '无录像') : null]),
  cell('好差评', ratingBadge(s.rating)),
  cell('评审', reviews > 0 ? `${reviews} 条` : el('span', { class: 'vw-muted' }, '未评审'), 'vw-nowrap'));
}

function fillTable(table, sessions, emptyText) {
  const body = $('tbody', table);
  body.replaceChildren();
  if (!sessions || sessions.length === 0) {
    body.append(el('tr', {}, el('td', { class: 'vw-empty', colspan: '10' }, emptyText)));
    return;
  }
  for (const s of sessions)
    body.append(sessionRow(s));
}

// ---------------------------------------------------------------- list

const listState = { query: new URLSearchParams(), offset: 0, total: 0 };

function readFilter() {
  const form = $('#filter-form');
  const q = new URLSearchParams();
  for (const name of ['from', 'to', 'center', 'agent', 'province', 'item', 'min_duration', 'max_duration', 'rating']) {
    const v = String(form.elements[name].value || '').trim();
    if (v)
      q.set(name, v);
  }
  if (q.has('from') && q.has('to') && q.get('from') > q.get('to'))
    throw new Error('开始日期不能晚于结束日期。');
  if (q.has('min_duration') && q.has('max_duration') && Number(q.get('min_duration')) > Number(q.get('max_duration')))
    throw new Error('最短时长不能大于最长时长。');
  return q;
}

async function loadList() {
  const message = $('#list-message');
  const q = new URLSearchParams(listState.query);
  q.set('limit', String(PAGE_SIZE));
  q.set('offset', String(listState.offset));
  setMessage(message, '');
  $('#list-count').textContent = '正在查询…';
  try {
    const data = await api('GET', `/api/sessions?${q}`);
    listState.total = Number(data.total) || 0;
    fillTable($('#session-table'), data.sessions, '没有符合条件的会话。');
    $('#list-count').textContent = `共 ${listState.total} 个会话`;
    const pages = Math.max(1, Math.ceil(listState.total / PAGE_SIZE));
    const page = Math.floor(listState.offset / PAGE_SIZE) + 1;
    $('#page-info').textContent = `第 ${page} / ${pages} 页`;
    $('#page-prev').disabled = listState.offset <= 0;
    $('#page-next').disabled = listState.offset + PAGE_SIZE >= listState.total;
  } catch (err) {
    $('#list-count').textContent = '';
    report(message, err);
  }
}

function onFilter(event) {
  event.preventDefault();
  try {
    listState.query = readFilter();
  } catch (err) {
    setMessage($('#list-message'), err.message);
    return;
  }
  listState.offset = 0;
  loadList();
}

// ---------------------------------------------------------------- sample

async function onSample(event) {
  event.preventDefault();
  const form = $('#sample-form');
  const message = $('#sample-message');
  const from = form.elements.from.value;
  const to = form.elements.to.value;
  const perAgent = Number(form.elements.per_agent.value);
  const seedText = form.elements.seed.value.trim();
  if (!from || !to) {
    setMessage(message, '请选择抽查期间。');
    return;
  }
  if (from > to) {
    setMessage(message, '开始日期不能晚于结束日期。');
    return;
  }
  if (!Number.isInteger(perAgent) || perAgent < 1 || perAgent > 50) {
    setMessage(message, '每位专员抽取数应为 1 到 50 之间的整数。');
    return;
  }
  const body = { from, to, per_agent: perAgent };
  if (seedText !== '') {
    const seed = Number(seedText);
    if (!Number.isSafeInteger(seed) || seed < 0) {
      setMessage(message, '随机种子应为非负整数。');
      return;
    }
    body.seed = seed;
  }
  setMessage(message, '正在抽取…', 'is-warn');
  try {
    const data = await api('POST', '/api/sample', body);
    setMessage(message, '');
    const sessions = data.sessions || [];
    $('#sample-result').hidden = false;
    $('#sample-summary').replaceChildren(
      el('span', {}, `${from} 至 ${to}，每位专员 ${perAgent} 个，共抽取 ${sessions.length} 个会话；`),
      el('span', {}, '随机种子 ', el('strong', { class: 'vw-mono', id: 'sample-seed' }, String(data.seed))),
      data.draw !== undefined && data.draw !== null
        ? el('span', {}, '，抽取编号 ', el('span', { class: 'vw-mono', id: 'sample-draw' }, typeof data.draw === 'object' ? JSON.stringify(data.draw) : String(data.draw)))
        : null);
    fillTable($('#sample-table'), sessions, '所选期间内没有可抽取的会话。');
  } catch (err) {
    report(message, err);
  }
}

// ---------------------------------------------------------------- detail

const detailState = { id: null, player: null, session: null };

function closeDetail() {
  if (detailState.player)
    detailState.player.destroy();
  detailState.player = null;
  detailState.id = null;
  detailState.session = null;
  $('#tracks').replaceChildren();
}

function renderFacts(s) {
  const facts = [
    ['案件编号', el('span', { class: 'vw-mono' }, s.case_no || '—')],
    ['会话编号', el('span', { class: 'vw-mono' }, s.id)],
    ['事项', itemText(s.item, s.item_name)],
    ['办理省份', province(s.province)],
    ['开始时间', formatDateTime(s.started_at)],
    ['结束时间', s.ended_at ? formatDateTime(s.ended_at) : '—'],
    ['时长', formatDuration(s.duration_s, s.state)],
    ['结束原因', END_REASONS[s.end_reason] || s.end_reason || '—'],
    ['好差评', [ratingBadge(s.rating), s.rating && s.rating.comment ? ` ${s.rating.comment}` : '']],
  ];
  $('#detail-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  $('#detail-case').textContent = s.case_no || s.id;
  $('#detail-state').replaceChildren(stateBadge(s.state));
}

function renderParticipants(s) {
  const body = $('#participants-table tbody');
  body.replaceChildren();
  for (const p of s.participants || []) {
    body.append(el('tr', {},
      cell('角色', role(p.role)),
      cell('姓名', p.name || '—'),
      cell('省份', province(p.province)),
      cell('中心', p.center || '—'),
      cell('账号', p.account ? el('span', { class: 'vw-mono' }, p.account) : el('span', { class: 'vw-muted' }, '访客'))));
  }
  if (!body.children.length)
    body.append(el('tr', {}, el('td', { class: 'vw-empty', colspan: '5' }, '无参与人员记录。')));
}

// Internal bookkeeping that says nothing to a supervisor.
const HIDDEN_DETAIL = new Set(['dir', 'path', 'session', 'session_id', 't']);

function summarizeDetail(detail) {
  if (detail === undefined || detail === null || detail === '')
    return '';
  let value = detail;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (e) {
      return value;
    }
  }
  if (typeof value !== 'object')
    return String(value);
  const names = { peer: '参与者', peer_id: '参与者', kind: '类型', track: '轨道', reason: '原因', name: '姓名', role: '角色', snapshot: '快照', note: '说明', item: '事项', province: '省份', how: '方式', by: '由', agent: '帮办专员', account: '账号', center: '中心', from: '转出' };
  return Object.entries(value)
    .filter(([k, v]) => v !== null && typeof v !== 'object' && !HIDDEN_DETAIL.has(k))
    .slice(0, 6)
    .map(([k, v]) => {
      let shown = String(v);
      if (k === 'kind' || k === 'track')
        shown = KINDS[v] || shown;
      else if (k === 'role')
        shown = role(v);
      else if (k === 'reason')
        shown = END_REASONS[v] || shown;
      else if (k === 'province')
        shown = province(v);
      else if (k === 'item')
        shown = itemText(v, value.item_name);
      else if (k === 'how')
        shown = LEG_HOW[v] || shown;
      return `${names[k] || k}: ${shown}`;
    })
    .join('，');
}

function renderEvents(s) {
  const list = $('#events');
  list.replaceChildren();
  const people = new Map((s.participants || []).map((p) => [p.peer_id, p.name ? `${p.name}（${role(p.role)}）` : role(p.role)]));
  for (const e of s.events || []) {
    const at = Number(e.at) || 0;
    const rel = at && s.started_at ? at - s.started_at : null;
    const when = rel !== null && rel >= 0
      ? el('button', {
        type: 'button', class: 'vw-link vw-when', title: `${formatDateTime(at)}，点击跳转回放`,
        onclick: () => { if (detailState.player) detailState.player.seek(rel); },
      }, `+${formatClock(rel)}`)
      : el('span', { class: 'vw-when' }, formatDateTime(at));
    const type = e.type || e.event || '';
    const actor = e.actor ? people.get(e.actor) || e.actor : '';
    list.append(el('li', {}, when, el('strong', {}, EVENT_TYPES[type] || type), ' ',
      actor ? el('span', {}, actor, ' ') : null,
      el('span', { class: 'vw-muted' }, summarizeDetail(e.detail))));
  }
  if (!list.children.length)
    list.append(el('li', { class: 'vw-muted' }, '无时间线记录。'));
}

function renderSnapshots(s) {
  const list = $('#snapshots');
  list.replaceChildren();
  const people = new Map((s.participants || []).map((p) => [p.peer_id, p.name || role(p.role)]));
  const who = (peer) => (peer ? people.get(peer) || peer : '');
  for (const snap of s.snapshots || []) {
    const size = snap.width && snap.height ? `${snap.width}×${snap.height}` : '';
    const bytes = snap.size ? `${Math.max(1, Math.round(snap.size / 1024))} KB` : '';
    const from = who(snap.sent_by);
    const by = who(snap.requested_by);
    const notes = (snap.annotations || []).map((a) => el('div', { class: 'vw-muted' },
      `标注（${who(a.author) || a.author || '—'}）：${a.note || ''}`));
    list.append(el('li', {},
      el('span', { class: 'vw-when' }, formatDateTime(snap.created_at)),
      [by && `${by} 请求`, from && `${from} 提供`, size, bytes].filter(Boolean).join(' · '),
      snap.sha256 ? el('div', { class: 'vw-muted vw-mono', title: snap.sha256 }, `SHA-256 ${String(snap.sha256).slice(0, 16)}…`) : null,
      notes));
  }
  if (!list.children.length)
    list.append(el('li', { class: 'vw-muted' }, '本会话没有材料快照。'));
}

function renderReviews(s) {
  const list = $('#reviews');
  list.replaceChildren();
  const reviews = Array.isArray(s.reviews) ? s.reviews : [];
  for (const r of reviews) {
    list.append(el('li', { class: 'review' },
      el('span', { class: 'vw-when' }, formatDateTime(r.created_at)),
      el('strong', {}, r.author || ''), ' ',
      el('span', { class: 'vw-badge' }, `${r.score} 分 · ${SCORES[r.score] || ''}`),
      r.comment ? el('div', { class: 'review-comment' }, r.comment) : null));
  }
  if (!list.children.length)
    list.append(el('li', { class: 'vw-muted' }, '尚无评审。'));
}

function trackUrl(sessionId, track) {
  return `/api/sessions/${encodeURIComponent(sessionId)}/tracks/${encodeURIComponent(track.id)}.webm`;
}

function renderPlayback(s) {
  const grid = $('#tracks');
  grid.replaceChildren();
  // Each person's tracks together, the agent first: camera, screen, document, audio.
  const kindOrder = { camera: 0, screen: 1, document: 2, audio: 3 };
  const roleOrder = (r) => (r === 'agent' ? 0 : 1);
  const tracks = (s.tracks || []).slice().sort((a, b) => (roleOrder(a.role) - roleOrder(b.role))
    || String(a.name || '').localeCompare(String(b.name || ''), 'zh-CN')
    || String(a.peer_id || '').localeCompare(String(b.peer_id || ''))
    || ((kindOrder[a.kind] ?? 9) - (kindOrder[b.kind] ?? 9))
    || (a.offset_ms - b.offset_ms));
  const transport = $('#transport');
  if (tracks.length === 0) {
    grid.append(el('p', { class: 'vw-muted' }, s.recorded === false ? '本会话没有录像。' : '本会话没有可回放的录像。'));
    transport.hidden = true;
    $('#playback-note').textContent = '';
    return;
  }
  transport.hidden = false;
  const items = [];
  for (const t of tracks) {
    const isAudio = t.kind === 'audio';
    const who = `${t.name || '—'} · ${role(t.role)}`;
    if (t.purged) {
      // Retention removed its files: say so instead of failing to load.
      grid.append(el('figure', { class: `vw-media-tile${isAudio ? ' is-audio' : ''}`, dataset: { trackId: t.id, phase: 'purged' } },
        el('header', {}, el('span', {}, who), el('strong', {}, KINDS[t.kind] || t.kind)),
        el('div', { class: 'vw-media-screen' }, el('div', { class: 'vw-media-state' }, '录像已按保存期限清除'))));
      continue;
    }
    const media = isAudio
      ? el('audio', { preload: 'auto', dataset: { trackId: t.id, kind: t.kind } })
      : el('video', { preload: 'auto', muted: true, playsInline: true, dataset: { trackId: t.id, kind: t.kind } });
    if (!isAudio)
      media.muted = true;   // video tracks carry no sound; the property, not only the attribute
    media.src = trackUrl(s.id, t);
    const tile = el('figure', { class: `vw-media-tile${isAudio ? ' is-audio' : ''}`, dataset: { trackId: t.id } },
      el('header', {}, el('span', {}, who), el('strong', {}, KINDS[t.kind] || t.kind)),
      el('div', { class: 'vw-media-screen' }, media, el('div', { class: 'vw-media-state' })),
      el('footer', {}, `起点 +${formatClock(t.offset_ms)} · 时长 ${formatClock(t.duration_ms)}`));
    grid.append(tile);
    items.push({ element: media, offsetMs: t.offset_ms, durationMs: t.duration_ms, tile });
  }
  if (items.length === 0) {
    transport.hidden = true;
    $('#playback-note').textContent = '';
    return;
  }
  const player = new SyncPlayer(items, { durationMs: (Number(s.duration_s) || 0) * 1000 });
  detailState.player = player;
  $('#playback-note').textContent = `共 ${items.length} 轨，同步播放`;

  const seek = $('#seek');
  const button = $('#play-toggle');
  seek.max = String(Math.ceil(player.durationMs));
  seek.value = '0';
  const update = () => {
    if (!seek.matches(':active'))
      seek.value = String(Math.round(player.position));
    $('#clock').textContent = `${formatClock(player.position)} / ${formatClock(player.durationMs)}`;
    button.textContent = player.playing ? '❚❚ 暂停' : '▶ 播放';
    button.setAttribute('aria-label', player.playing ? '暂停' : '播放');
    $('#buffering').hidden = !player.stalled;
  };
  player.addEventListener('update', update);
  player.addEventListener('blocked', () => setMessage($('#detail-message'), '浏览器阻止了播放，请再按一次“播放”。', 'is-warn'));
  player.addEventListener('trackerror', () => checkTrackAccess(s.id, tracks.filter((t) => !t.purged)));
  update();
}

// A media element cannot tell why it failed: ask the API for the status.
async function checkTrackAccess(sessionId, tracks) {
  if (detailState.id !== sessionId || tracks.length === 0)
    return;
  try {
    const r = await fetch(trackUrl(sessionId, tracks[0]), { headers: { Range: 'bytes=0-0' }, credentials: 'same-origin', cache: 'no-store' });
    if (r.status === 401) {
      signedOut('登录已过期，请重新登录。');
      return;
    }
    if (!r.ok)
      setMessage($('#detail-message'), API_ERRORS[r.status] || `录像无法加载（${r.status}）。`);
    else
      setMessage($('#detail-message'), '部分录像无法播放。', 'is-warn');
  } catch (e) {
    setMessage($('#detail-message'), '无法连接服务器，录像无法加载。');
  }
}

async function openDetail(id) {
  closeDetail();
  detailState.id = id;
  showView('detail');
  const message = $('#detail-message');
  setMessage(message, '正在加载…', 'is-warn');
  $('#detail-body').hidden = true;
  setMessage($('#review-message'), '');
  $('#review-form').reset();
  try {
    const s = await api('GET', `/api/sessions/${encodeURIComponent(id)}`);
    if (detailState.id !== id)
      return;
    detailState.session = s;
    setMessage(message, '');
    renderFacts(s);
    renderParticipants(s);
    renderEvents(s);
    renderSnapshots(s);
    renderReviews(s);
    $('#detail-body').hidden = false;
    renderPlayback(s);
  } catch (err) {
    report(message, err);
  }
}

async function onReview(event) {
  event.preventDefault();
  const form = $('#review-form');
  const message = $('#review-message');
  const id = detailState.id;
  const score = Number((form.elements.score.value || '').trim());
  const comment = form.elements.comment.value.trim();
  if (!id)
    return;
  if (!Number.isInteger(score) || score < 1 || score > 5) {
    setMessage(message, '请选择 1 到 5 分的评分。');
    return;
  }
  setMessage(message, '正在提交…', 'is-warn');
  try {
    await api('POST', `/api/sessions/${encodeURIComponent(id)}/reviews`, { score, comment });
    // Read it back: what is shown is what the server stored.
    const s = await api('GET', `/api/sessions/${encodeURIComponent(id)}`);
    if (detailState.id !== id)
      return;
    renderReviews(s);
    form.reset();
    setMessage(message, '评审已保存。', 'is-ok');
  } catch (err) {
    report(message, err);
  }
}

// ---------------------------------------------------------------- follow-ups (整改跟踪)

const followUpState = { list: [], closing: null };

// Whole days from now to @ms, counted on CST dates.
function daysUntil(ms) {
  const day = (t) => Math.floor((t + 8 * 3600 * 1000) / 86400000);
  return day(ms - 1) - day(Date.now());
}

function dueCell(f) {
  const due = el('div', { class: 'vw-nowrap' }, f.due_date || '—');
  if (f.state === 'closed')
    return [due, f.overdue ? el('span', { class: 'vw-badge is-bad' }, '逾期办结') : el('span', { class: 'vw-badge is-good' }, '按期办结')];
  if (f.overdue)
    return [due, el('span', { class: 'vw-badge is-bad follow-up-overdue' }, '已逾期')];
  const left = daysUntil(f.due_at);
  return [due, el('span', { class: `vw-badge ${left <= 3 ? 'is-mid' : 'is-live'}` }, left <= 0 ? '今日到期' : `剩余 ${left} 天`)];
}

function followUpRow(f) {
  const agent = f.agent || {};
  const clerk = f.clerk || {};
  const rating = f.rating || {};
  const sessionLink = `#/sessions/${encodeURIComponent(f.session_id)}`;
  const open = f.state === 'open';
  return el('tr', { dataset: { followUpId: String(f.id), state: f.state }, class: open && f.overdue ? 'is-overdue' : null },
    cell('案件编号', el('a', { class: 'vw-mono case-no', href: sessionLink }, f.case_no || f.session_id)),
    cell('评价', [ratingBadge(rating), el('div', { class: 'vw-muted vw-nowrap' }, formatDateTime(rating.created_at)),
      rating.comment ? el('div', { class: 'follow-up-comment' }, `“${rating.comment}”`) : null]),
    cell('事项', [itemText(f.item, f.item_name), el('div', { class: 'vw-muted' }, `${province(f.province)}办理`)]),
    cell('帮办专员', [agent.name || '—', el('div', { class: 'vw-muted' }, agent.center || '')]),
    cell('办事员/企业', [clerk.name || '（未署名）', el('div', { class: 'vw-muted' }, [province(clerk.province), clerk.center].filter(Boolean).join(' · '))]),
    cell('整改期限', dueCell(f)),
    cell('状态', open
      ? el('span', { class: 'vw-badge is-mid' }, '待整改')
      : [el('span', { class: 'vw-badge is-good' }, '已办结'),
        el('div', { class: 'vw-muted' }, `${f.closed_by_name || f.closed_by || ''} · ${formatDateTime(f.closed_at)}`),
        el('div', { class: 'follow-up-resolution' }, f.resolution || '')]),
    cell('操作', open
      ? el('button', { type: 'button', class: 'vw-button follow-up-close-button', onclick: () => startClose(f) }, '办结')
      : el('span', { class: 'vw-muted' }, '—')));
}

async function loadFollowUps() {
  const message = $('#follow-ups-message');
  const state = $('#fu-state').value;
  setMessage(message, '');
  $('#follow-ups-summary').textContent = '正在查询…';
  try {
    const data = await api('GET', `/api/follow-ups${state ? `?state=${encodeURIComponent(state)}` : ''}`);
    followUpState.list = data.follow_ups || [];
    const body = $('#follow-ups-table tbody');
    body.replaceChildren();
    for (const f of followUpState.list)
      body.append(followUpRow(f));
    if (!followUpState.list.length)
      body.append(el('tr', {}, el('td', { class: 'vw-empty', colspan: '8' }, state === 'closed' ? '没有已办结的整改。' : '没有需要整改的评价。')));
    $('#follow-ups-summary').textContent = `待整改 ${data.open || 0} 件${data.overdue ? `，其中已逾期 ${data.overdue} 件` : ''}`;
    if (state !== 'closed')
      showOpenCount(data.open, data.overdue);
  } catch (err) {
    $('#follow-ups-summary').textContent = '';
    report(message, err);
  }
}

function showOpenCount(open, overdue) {
  const badge = $('#follow-ups-open-count');
  badge.textContent = String(open || 0);
  badge.hidden = !open;
  badge.classList.toggle('is-overdue', Boolean(overdue));
  badge.title = overdue ? `待整改 ${open} 件，已逾期 ${overdue} 件` : `待整改 ${open} 件`;
}

// The tab's count of open follow-ups, kept fresh as the page is used.
async function refreshOpenCount() {
  try {
    const data = await api('GET', '/api/follow-ups?state=open');
    showOpenCount(data.open, data.overdue);
  } catch (err) {
    // The views report their own errors; the count just stays as it was.
  }
}

function startClose(f) {
  followUpState.closing = f;
  $('#follow-up-close').hidden = false;
  $('#follow-up-close-case').textContent = f.case_no || f.session_id;
  $('#follow-up-close-form').reset();
  setMessage($('#follow-up-close-message'), '');
  $('#follow-up-resolution').focus();
}

function cancelClose() {
  followUpState.closing = null;
  $('#follow-up-close').hidden = true;
}

async function onCloseFollowUp(event) {
  event.preventDefault();
  const f = followUpState.closing;
  const message = $('#follow-up-close-message');
  const resolution = $('#follow-up-resolution').value.trim();
  if (!f)
    return;
  if (!resolution) {
    setMessage(message, '请填写整改情况。');
    return;
  }
  const button = $('#follow-up-close-submit');
  button.disabled = true;
  setMessage(message, '正在提交…', 'is-warn');
  try {
    const closed = await api('POST', `/api/follow-ups/${encodeURIComponent(f.id)}`, { resolution });
    cancelClose();
    await loadFollowUps();
    setMessage($('#follow-ups-message'), `案件 ${closed.case_no} 的整改已办结。`, 'is-ok');
  } catch (err) {
    if (err.status === 409) {
      setMessage(message, '该整改已经办结（可能已由其他监督员处理）。');
      loadFollowUps();
    } else if (err.status === 404) {
      setMessage(message, '未找到该整改，或不在您的监督范围内。');
    } else {
      report(message, err);
    }
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- views

function showView(name) {
  $('#list-view').hidden = name !== 'list';
  $('#sample-view').hidden = name !== 'sample';
  $('#follow-ups-view').hidden = name !== 'follow-ups';
  $('#detail-view').hidden = name !== 'detail';
  $('#tab-list').setAttribute('aria-selected', String(name === 'list'));
  $('#tab-sample').setAttribute('aria-selected', String(name === 'sample'));
  $('#tab-follow-ups').setAttribute('aria-selected', String(name === 'follow-ups'));
}

// #/sessions/ID: a session; #/sample: the sample form; anything else: the list.
function route() {
  if (!storedAccount()) {
    showSignIn('');
    return;
  }
  setMessage($('#global-message'), '');
  const hash = location.hash;
  if (hash !== '#/follow-ups')
    refreshOpenCount();
  const m = /^#\/sessions\/(.+)$/.exec(hash);
  if (m) {
    openDetail(decodeURIComponent(m[1]));
    return;
  }
  closeDetail();
  if (hash === '#/sample') {
    showView('sample');
    return;
  }
  if (hash === '#/follow-ups') {
    showView('follow-ups');
    loadFollowUps();
    return;
  }
  showView('list');
  loadList();
}

function init() {
  $('#signin-form').addEventListener('submit', onSignIn);
  $('#sign-out').addEventListener('click', onSignOut);
  $('#filter-form').addEventListener('submit', onFilter);
  $('#filter-form').addEventListener('reset', () => {
    setTimeout(() => {
      $('#f-from').value = cstDate(30);
      $('#f-to').value = cstDate(0);
    });
  });
  $('#sample-form').addEventListener('submit', onSample);
  $('#review-form').addEventListener('submit', onReview);
  $('#tab-list').addEventListener('click', () => { location.hash = '#/list'; });
  $('#tab-sample').addEventListener('click', () => { location.hash = '#/sample'; });
  $('#tab-follow-ups').addEventListener('click', () => { location.hash = '#/follow-ups'; });
  $('#fu-state').addEventListener('change', () => { cancelClose(); loadFollowUps(); });
  $('#follow-up-close-form').addEventListener('submit', onCloseFollowUp);
  $('#follow-up-close-cancel').addEventListener('click', cancelClose);
  $('#detail-back').addEventListener('click', () => { location.hash = '#/list'; });
  $('#page-prev').addEventListener('click', () => { listState.offset = Math.max(0, listState.offset - PAGE_SIZE); loadList(); });
  $('#page-next').addEventListener('click', () => { listState.offset += PAGE_SIZE; loadList(); });
  $('#play-toggle').addEventListener('click', () => {
    setMessage($('#detail-message'), '');
    if (detailState.player)
      detailState.player.toggle();
  });
  $('#seek').addEventListener('input', (e) => {
    if (detailState.player)
      detailState.player.seek(Number(e.target.value));
  });
  window.addEventListener('hashchange', route);

  $('#f-from').value = cstDate(30);
  $('#f-to').value = cstDate(0);
  $('#s-from').value = cstDate(30);
  $('#s-to').value = cstDate(0);
  listState.query = readFilter();

  const account = storedAccount();
  if (account) {
    showApp(account);
    route();
  } else {
    showSignIn('');
  }
}

init();
