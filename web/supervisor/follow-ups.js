// supervisor/follow-ups.js: 整改跟踪, the follow-ups opened by a bad rating,
// with their due dates in working days, and recording how each was settled.

import {
  $, api, cell, el, formatDateTime, itemText, province, ratingBadge, report, setMessage,
} from '/supervisor/common.js';

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

export async function loadFollowUps() {
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
export async function refreshOpenCount() {
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

export function cancelClose() {
  followUpState.closing = null;
  $('#follow-up-close').hidden = true;
}

export async function onCloseFollowUp(event) {
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
