// stats.js: the statistics page (统计分析): sign in as a supervisor, pick a
// period and a grouping, and see GET /api/stats (server/API.md) as key
// figures, charts (charts.js: SVG drawn here, no library) and a table.
//
// Sign-in is the supervisor page's: an HttpOnly cookie set by the server,
// never the token in this page; the account's display details are shared
// with supervisor.html through sessionStorage.

import { barChart, columnChart, pairedBarChart, stackedBarChart } from './charts.js';
import { loadCatalogue, itemName } from './js/vw-catalogue.js';
import { el } from './js/vw-dom.js';
import { requestJson } from './js/vw-api.js';

const ACCOUNT_KEY = 'vw-supervisor-account';
const PROVINCES = { shanghai: '上海', jiangsu: '江苏', zhejiang: '浙江', anhui: '安徽' };
const GROUPS = { center: '服务中心', agent: '帮办专员', province: '办理省份', item: '事项' };
const LEVELS = [
  { level: 5, text: '非常满意', cls: 'vw-chart-level-5' },
  { level: 4, text: '满意', cls: 'vw-chart-level-4' },
  { level: 3, text: '基本满意', cls: 'vw-chart-level-3' },
  { level: 2, text: '不满意', cls: 'vw-chart-level-2' },
  { level: 1, text: '非常不满意', cls: 'vw-chart-level-1' },
];

const $ = (sel, root = document) => root.querySelector(sel);

function setMessage(node, text, kind = 'is-error') {
  node.classList.remove('is-error', 'is-ok', 'is-warn');
  if (kind)
    node.classList.add(kind);
  node.textContent = text || '';
}

// Today in China Standard Time minus @days, as YYYY-MM-DD.
function cstDate(days = 0) {
  return new Date(Date.now() + 8 * 3600 * 1000 - days * 86400 * 1000).toISOString().slice(0, 10);
}

// A duration in ms for people: 12.3 秒, 4 分 05 秒, 1 小时 02 分.
export function formatMs(ms) {
  if (ms === null || ms === undefined)
    return '—';
  const s = ms / 1000;
  if (s < 60)
    return `${s.toFixed(1)} 秒`;
  const whole = Math.round(s);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const r = whole % 60;
  if (h > 0)
    return `${h} 小时 ${String(m).padStart(2, '0')} 分`;
  return `${m} 分 ${String(r).padStart(2, '0')} 秒`;
}

function formatRate(rate) {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

function groupName(group, g) {
  if (!g.key)
    return group === 'item' ? '（未填事项）' : '（未知）';
  if (group === 'province')
    return PROVINCES[g.key] || g.key;
  if (group === 'item')   // a code since issue 6 (an old session may hold a name)
    return itemName(g.key, g.name && g.name !== g.key ? g.name : null);
  return g.name || g.key;
}

// ---------------------------------------------------------------- the API

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Items are codes: the catalogue (public) names them; read before the
// first answer is drawn.
const catalogueReady = loadCatalogue();

async function api(method, path, body) {
  await catalogueReady;
  let answer;
  try {
    answer = await requestJson(method, path, body);
  } catch (e) {
    throw new ApiError(0, e.message);
  }
  const { status, ok, data } = answer;
  if (!ok) {
    const messages = {
      400: `查询条件有误：${(data && data.message) || ''}`,
      401: '登录已过期或未登录，请重新登录。',
      403: '当前账号无权查看统计（仅限监督员）。',
      500: '服务器内部错误，请稍后重试。',
    };
    throw new ApiError(status, messages[status] || `请求失败（${status}）`);
  }
  return data;
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
  $('#app-view').hidden = true;
  $('#user-bar').hidden = true;
  $('#signin-view').hidden = false;
  setMessage($('#signin-message'), message || '', kind);
  $('#signin-username').focus();
}

function showApp(account) {
  $('#signin-view').hidden = true;
  $('#app-view').hidden = false;
  $('#user-bar').hidden = false;
  const where = account ? [PROVINCES[account.province] || account.province, account.center].filter(Boolean).join(' · ') : '';
  $('#user-info').textContent = account ? `监督员 ${account.name || account.username}${where ? `（${where}）` : ''}` : '';
  $('#stats-scope').textContent = account
    ? (account.scope === 'province'
      ? `统计范围：${PROVINCES[account.province] || account.province}全省（市）参与的会话。`
      : `统计范围：${account.center || ''}参与的会话。`)
    : '';
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
  $('#signin-submit').disabled = true;
  try {
    const data = await api('POST', '/api/login', { username, password });
    $('#signin-password').value = '';
    const account = (data && data.account) || { username };
    if (account.role && account.role !== 'supervisor') {
      setMessage(message, '本页面仅供监督员使用。');
      return;
    }
    const { name, province, center, scope } = account;
    sessionStorage.setItem(ACCOUNT_KEY, JSON.stringify({ username: account.username || username, name, province, center, scope }));
    showApp(storedAccount());
    load();
  } catch (err) {
    setMessage(message, err.status === 401 ? '用户名或密码错误，请重新输入。' : err.message);
  } finally {
    $('#signin-submit').disabled = false;
  }
}

async function onSignOut() {
  try {
    await fetch('/api/logout', { method: 'POST', credentials: 'same-origin' });
  } catch (e) {
    // The cookie expires by itself.
  }
  sessionStorage.removeItem(ACCOUNT_KEY);
  showSignIn('已退出登录。', 'is-ok');
}

// ---------------------------------------------------------------- rendering

function kpi(id, label, value, note) {
  return el('div', { class: 'vw-kpi', id },
    el('div', { class: 'vw-kpi-label' }, label),
    el('div', { class: 'vw-kpi-value' }, value),
    note ? el('div', { class: 'vw-kpi-note' }, note) : null);
}

function renderKpis(total) {
  $('#kpis').replaceChildren(
    kpi('kpi-connections', '连线次数', String(total.connections)),
    kpi('kpi-served', '服务企业群众', String(total.served), '按办事员去重'),
    kpi('kpi-wait', '平均等候', formatMs(total.wait_mean_ms), `P90 ${formatMs(total.wait_p90_ms)}`),
    kpi('kpi-handling', '平均办理时长', formatMs(total.handling_mean_ms), `${total.handled} 次正常结束`),
    kpi('kpi-good', '好评率', formatRate(total.good_rate), `${total.rated} 条评价`),
    kpi('kpi-follow-ups', '待整改', String(total.follow_ups_open),
      total.follow_ups_overdue ? `其中已逾期 ${total.follow_ups_overdue}` : '无逾期'));
}

function distribution(g) {
  const r = g.ratings || {};
  return LEVELS.map((l) => Number(r[l.level]) || 0);
}

function renderTable(data) {
  const group = data.group;
  $('#group-heading').textContent = GROUPS[group] || group;
  const row = (g, name, cls) => el('tr', { class: cls, dataset: { key: g.key } },
    el('td', { 'data-label': GROUPS[group] || '分组', class: 'stats-name' }, name),
    el('td', { 'data-label': '连线次数', class: 'stats-connections' }, String(g.connections)),
    el('td', { 'data-label': '服务企业群众', class: 'stats-served' }, String(g.served)),
    el('td', { 'data-label': '平均等候', class: 'stats-wait-mean' }, formatMs(g.wait_mean_ms)),
    el('td', { 'data-label': '等候 P90', class: 'stats-wait-p90' }, formatMs(g.wait_p90_ms)),
    el('td', { 'data-label': '平均办理时长', class: 'stats-handling' }, formatMs(g.handling_mean_ms)),
    el('td', { 'data-label': '好差评', class: 'stats-ratings' }, distribution(g).join(' / ')),
    el('td', { 'data-label': '好评率', class: 'stats-good' }, formatRate(g.good_rate)),
    el('td', { 'data-label': '待整改', class: 'stats-follow-ups' },
      g.follow_ups_overdue ? `${g.follow_ups_open}（逾期 ${g.follow_ups_overdue}）` : String(g.follow_ups_open)));
  const body = $('#stats-table tbody');
  body.replaceChildren(...data.groups.map((g) => row(g, groupName(group, g))));
  if (!data.groups.length)
    body.append(el('tr', {}, el('td', { class: 'vw-empty', colspan: '9' }, '统计期间内没有会话。')));
  $('#stats-table tfoot').replaceChildren(row(data.total, '合计', 'is-total'));
}

function renderCharts(data) {
  const group = data.group;
  const label = GROUPS[group] || group;
  const groups = data.groups.slice(0, 12);
  const shortDate = (d) => d.slice(5).replace('-', '/');
  columnChart($('#chart-days'), data.days.map((d) => ({
    label: d.date, short: shortDate(d.date), value: d.connections,
    title: `${d.date}：连线 ${d.connections} 次${d.rated ? `，好评 ${d.good}/${d.rated}` : ''}`,
  })), { label: '每日连线次数', integer: true });
  $('#chart-connections-title').textContent = `连线次数（按${label}）`;
  barChart($('#chart-connections'), groups.map((g) => ({
    label: groupName(group, g), value: g.connections, text: `${g.connections} 次`,
  })), { label: `按${label}的连线次数` });
  $('#chart-wait-title').textContent = `等候时间（按${label}）`;
  pairedBarChart($('#chart-wait'), groups.filter((g) => g.waits > 0).map((g) => ({
    label: groupName(group, g),
    a: { value: g.wait_mean_ms / 1000, text: formatMs(g.wait_mean_ms) },
    b: { value: g.wait_p90_ms / 1000, text: formatMs(g.wait_p90_ms) },
  })), { label: `按${label}的平均等候和 P90 等候`, legend: ['平均', 'P90'], emptyText: '没有记录等候时间的会话。' });
  $('#chart-ratings-title').textContent = `好差评分布（按${label}）`;
  stackedBarChart($('#chart-ratings'), groups.map((g) => ({
    label: groupName(group, g), parts: distribution(g), note: `好评率 ${formatRate(g.good_rate)}`,
  })), { label: `按${label}的好差评分布`, parts: LEVELS, emptyText: '统计期间内没有评价。' });
}

let shown = null;   // the data on screen, drawn again when the width changes

function render(data) {
  shown = data;
  renderKpis(data.total);
  renderCharts(data);
  renderTable(data);
  const at = new Date(data.generated_at + 8 * 3600 * 1000).toISOString().slice(0, 19).replace('T', ' ');
  $('#generated-at').textContent = `${data.from} 至 ${data.to}，统计于 ${at}`;
  $('#table-title').textContent = `分组明细（按${GROUPS[data.group] || data.group}）`;
  $('#stats-body').hidden = false;
  document.body.dataset.rendered = `${data.from}/${data.to}/${data.group}`;
}

// ---------------------------------------------------------------- loading

function query() {
  const q = new URLSearchParams();
  q.set('from', $('#q-from').value);
  q.set('to', $('#q-to').value);
  q.set('group', $('#q-group').value);
  return q;
}

async function load() {
  const message = $('#stats-message');
  const q = query();
  if (!q.get('from') || !q.get('to')) {
    setMessage(message, '请选择统计期间。');
    return;
  }
  if (q.get('from') > q.get('to')) {
    setMessage(message, '开始日期不能晚于结束日期。');
    return;
  }
  setMessage(message, '正在统计…', 'is-warn');
  delete document.body.dataset.rendered;
  try {
    const data = await api('GET', `/api/stats?${q}`);
    setMessage(message, '');
    history.replaceState(null, '', `#${q}`);
    render(data);
  } catch (err) {
    if (err.status === 401) {
      sessionStorage.removeItem(ACCOUNT_KEY);
      showSignIn(err.message);
      return;
    }
    setMessage(message, err.message);
  }
}

function init() {
  $('#signin-form').addEventListener('submit', onSignIn);
  $('#sign-out').addEventListener('click', onSignOut);
  $('#stats-form').addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  $('#q-group').addEventListener('change', load);
  let lastWidth = window.innerWidth;
  let timer = null;
  window.addEventListener('resize', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (shown && window.innerWidth !== lastWidth)
        renderCharts(shown);
      lastWidth = window.innerWidth;
    }, 150);
  });
  for (const button of document.querySelectorAll('[data-days]')) {
    button.addEventListener('click', () => {
      $('#q-from').value = cstDate(Number(button.dataset.days) - 1);
      $('#q-to').value = cstDate(0);
      load();
    });
  }
  // A period and grouping given in the address (#from=..&to=..&group=..).
  const given = new URLSearchParams(location.hash.slice(1));
  $('#q-from').value = given.get('from') || cstDate(29);
  $('#q-to').value = given.get('to') || cstDate(0);
  if (GROUPS[given.get('group')])
    $('#q-group').value = given.get('group');

  // Signed in on the supervisor page (this tab)?  Then the cookie is there
  // too, and the API says whether it is still valid.
  const account = storedAccount();
  if (account) {
    showApp(account);
    load();
  } else {
    showSignIn('');
  }
}

init();
