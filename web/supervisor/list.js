// supervisor/list.js: the session list with its filters and pages
// (GET /api/sessions), and the seeded sample draw (POST /api/sample).

import {
  $, PAGE_SIZE, api, cell, describePeople, el, formatDateTime, formatDuration, itemText,
  peopleOf, province, ratingBadge, report, setMessage, stateBadge,
} from '/supervisor/common.js';

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

export const listState = { query: new URLSearchParams(), offset: 0, total: 0 };

export function readFilter() {
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

export async function loadList() {
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

export function onFilter(event) {
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

export async function onSample(event) {
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
