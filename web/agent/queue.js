// agent/queue.js: the items this agent handles (chosen as checkboxes, sent
// in `hello`) and who waits for our province (`queue`), with their waiting
// time counted on between the server's updates.

import { itemName, itemsIn } from '/js/vw-catalogue.js';
import { connect, setStatus } from '/agent.js';
import { $, app, el, errorText, formatWait, province, setMessage } from '/agent/common.js';

// The catalogue's items handled remotely in our province, as checkboxes;
// all ticked means every item (hello without `items`).
export function renderItemChoices() {
  const box = $('#item-choices');
  const legend = $('legend', box);
  const items = app.account ? itemsIn(app.catalogue, app.account.province) : [];
  const chosen = app.items ? new Set(app.items) : null;
  box.replaceChildren(legend, ...items.map((it) => {
    const input = el('input', { type: 'checkbox', value: it.code });
    input.checked = !chosen || chosen.has(it.code);
    input.addEventListener('change', updateItemsApply);
    return el('label', { class: 'vw-item-choice', title: `${it.code} · ${it.department}` }, input, ` ${it.name}`);
  }));
  $('#items-summary').textContent = !app.items ? '本省全部事项'
    : app.items.map((c) => itemName(c)).join('、') || '（无）';
  updateItemsApply();
}

function chosenItems() {
  return [...document.querySelectorAll('#item-choices input[type="checkbox"]')].filter((i) => i.checked).map((i) => i.value);
}

export function updateItemsApply() {
  const boxes = [...document.querySelectorAll('#item-choices input[type="checkbox"]')];
  const chosen = chosenItems();
  const now = chosen.length === boxes.length ? null : chosen;
  const changed = JSON.stringify(now) !== JSON.stringify(app.items);
  const button = $('#items-apply');
  button.disabled = !changed || !app.sig || app.status !== 'away' || !!app.call;
  button.title = app.status !== 'away' ? '请先示忙（暂离）再更改事项' : '';
}

// The items travel in `hello`: a new connection says them (while away,
// nothing is lost by reconnecting).
export async function applyItems() {
  const message = $('#items-message');
  const boxes = [...document.querySelectorAll('#item-choices input[type="checkbox"]')];
  const chosen = chosenItems();
  if (chosen.length === 0) {
    setMessage(message, '请至少选择一个事项。');
    return;
  }
  if (app.status !== 'away' || app.call) {
    setMessage(message, '请先示忙（暂离），再更改办理的事项。');
    return;
  }
  const before = app.items;
  app.items = chosen.length === boxes.length ? null : chosen;
  $('#items-apply').disabled = true;
  try {
    const old = app.sig;
    app.sig = null;
    if (old && old.connected)
      await new Promise((resolve) => {
        old.addEventListener('close', resolve, { once: true });
        old.close();
      });
    app.status = 'offline';
    await connect();
    setMessage(message, `已保存：${app.items ? app.items.map((c) => itemName(c)).join('、') : '本省全部事项'}。`, 'is-ok');
  } catch (err) {
    app.items = before;
    setMessage(message, `保存失败：${errorText(err)}`);
    setStatus('offline');
    $('#reconnect-bar').hidden = false;
  }
  renderItemChoices();
}

// ---------------------------------------------------------------- queue

export function onQueue(msg) {
  const waiting = Array.isArray(msg.waiting) ? msg.waiting : [];
  // The server lists the first 20 and says how many wait in all.
  const total = Number.isInteger(msg.total) ? msg.total : waiting.length;
  app.queue = { province: msg.province, waiting, total, at: performance.now() };
  renderQueue();
}

export function renderQueue() {
  const body = $('#queue-table tbody');
  const list = app.queue.waiting;
  const total = app.queue.total ?? list.length;
  $('#queue-count').textContent = `${total} 人`;
  $('#queue-count').classList.toggle('is-mid', total > 0);
  body.replaceChildren();
  if (list.length === 0) {
    body.append(el('tr', {}, el('td', { class: 'vw-empty', colspan: '6' }, '暂无排队')));
    return;
  }
  for (const w of list) {
    const cell = (label, ...content) => el('td', { 'data-label': label }, el('div', {}, ...content));
    body.append(el('tr', { dataset: { position: String(w.position), item: w.item || '', booked: w.booked ? 'true' : 'false' } },
      cell('序号', String(w.position)),
      cell('事项', itemName(w.item) || '—', w.booked ? [' ', el('span', { class: 'vw-badge is-mid vw-booked', title: '按预约办理，优先接入' }, '预约')] : null),
      cell('姓名', w.name || '—'),
      cell('省份', province(w.province)),
      cell('中心', w.center || '（企业）'),
      el('td', { 'data-label': '已等待', class: 'vw-nowrap' },
        el('div', { class: 'vw-waiting', dataset: { waitingS: String(w.waiting_s || 0) } }, formatWait(w.waiting_s || 0)))));
  }
  if (total > list.length)
    body.append(el('tr', {}, el('td', { class: 'vw-empty', colspan: '6' }, `另有 ${total - list.length} 人排队`)));
  tickQueue();
}

// The server sends the queue when it changes, not every second: count on.
export function tickQueue() {
  const extra = (performance.now() - app.queue.at) / 1000;
  for (const node of document.querySelectorAll('#queue-table .vw-waiting')) {
    const s = Number(node.dataset.waitingS) + extra;
    node.textContent = formatWait(s);
    node.dataset.seconds = String(Math.floor(s));
  }
}
