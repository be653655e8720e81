// agent/desk.js: 转办 (`transfer`, to a colleague or to an item's queue)
// and 三方通话 (`invite`), with the colleagues from GET /api/desk/agents.

import { itemName, itemsIn } from '/js/vw-catalogue.js';
import { VwSignalingError } from '/js/vw-signaling.js';
import { $, AGENT_STATES, app, el, errorText, province, setMessage } from '/agent/common.js';

// GET /api/desk/agents: who is signed in as an agent now, and their state.
async function fetchAgents() {
  const res = await fetch('/api/desk/agents', {
    credentials: 'same-origin', cache: 'no-store',
    headers: { Accept: 'application/json', ...(app.token ? { Authorization: `Bearer ${app.token}` } : {}) },
  });
  const body = await res.json().catch(() => null);
  if (res.status === 401)
    throw new Error('登录已过期，请重新登录。');
  if (!res.ok || !body || !Array.isArray(body.agents))
    throw new Error(`无法读取帮办专员名单（${res.status}）。`);
  return body.agents.filter((a) => !app.account || a.account !== app.account.username);
}

// The colleagues as radio choices: only those 示闲 can be chosen.
function renderAgentChoices(list, agents, name, { otherCentreFirst = false } = {}) {
  const sorted = [...agents].sort((a, b) => {
    const av = a.state === 'available' ? 0 : 1;
    const bv = b.state === 'available' ? 0 : 1;
    if (av !== bv)
      return av - bv;
    if (otherCentreFirst) {
      const ac = a.center === app.account.center ? 1 : 0;
      const bc = b.center === app.account.center ? 1 : 0;
      if (ac !== bc)
        return ac - bc;
    }
    return String(a.name).localeCompare(String(b.name), 'zh-CN');
  });
  if (sorted.length === 0) {
    list.replaceChildren(el('li', { class: 'vw-muted' }, '目前没有其他帮办专员在线。'));
    return;
  }
  const item = app.session && app.session.item;
  list.replaceChildren(...sorted.map((a) => {
    const input = el('input', { type: 'radio', name, value: a.account });
    input.disabled = a.state !== 'available';
    const handles = !item || !Array.isArray(a.items) || a.items.includes(item);
    return el('li', { dataset: { account: a.account, state: a.state } },
      el('label', { class: 'vw-agent-choice' }, input, ' ',
        el('strong', {}, a.name), ` · ${a.center || '—'} · ${province(a.province)} `,
        el('span', { class: `vw-badge ${a.state === 'available' ? 'is-good' : a.state === 'busy' ? 'is-live' : a.state === 'wrap-up' ? 'is-mid' : ''}` },
          AGENT_STATES[a.state] || a.state),
        handles ? null : el('span', { class: 'vw-muted vw-small' }, '（不办理该事项）')));
  }));
}

export function fillTransferItems() {
  const select = $('#transfer-item');
  const keep = select.value;
  const items = itemsIn(app.catalogue, $('#transfer-province').value);
  select.replaceChildren(...items.map((it) => el('option', { value: it.code }, it.name)));
  if (items.some((it) => it.code === keep))
    select.value = keep;
  else if (app.session && items.some((it) => it.code === app.session.item))
    select.value = app.session.item;
}

function transferMode() {
  return ($('#transfer-form input[name="transfer-to"]:checked') || {}).value || 'agent';
}

export function updateTransferMode() {
  const mode = transferMode();
  $('#transfer-agent-field').hidden = mode !== 'agent';
  $('#transfer-item-field').hidden = mode !== 'item';
}

export async function refreshTransferAgents() {
  const list = $('#transfer-agents');
  list.replaceChildren(el('li', { class: 'vw-muted' }, '正在读取在线的帮办专员…'));
  try {
    app.deskAgents = await fetchAgents();
    renderAgentChoices(list, app.deskAgents, 'transfer-agent');
  } catch (err) {
    list.replaceChildren();
    setMessage($('#transfer-message'), err.message);
  }
}

export async function openTransfer() {
  if (!app.session)
    return;
  const peer = app.session.peer || {};
  $('#transfer-who').textContent = `把 ${peer.name || '来访者'}（${province(peer.province)} · ${peer.center || '企业'}）${app.session.item ? `办理「${itemName(app.session.item)}」` : ''}转给：`;
  setMessage($('#transfer-message'), '');
  $('#transfer-province').value = app.account.province;
  fillTransferItems();
  updateTransferMode();
  $('#transfer-dialog').showModal();
  await refreshTransferAgents();
}

export async function submitTransfer(event) {
  event.preventDefault();
  const message = $('#transfer-message');
  if (!app.session || !app.sig) {
    $('#transfer-dialog').close();
    return;
  }
  const session = app.session.id;
  let fields;
  if (transferMode() === 'agent') {
    const chosen = $('#transfer-agents input[name="transfer-agent"]:checked');
    if (!chosen) {
      setMessage(message, '请选择一位示闲的同事。');
      return;
    }
    const a = (app.deskAgents || []).find((x) => x.account === chosen.value) || { name: chosen.value };
    fields = { session, agent: chosen.value };
    app.transferText = `已转办给帮办专员 ${a.name}（${a.center || province(a.province)}），您已离开本次服务。`;
  } else {
    const item = $('#transfer-item').value;
    const to = $('#transfer-province').value;
    if (!item) {
      setMessage(message, '请选择事项。');
      return;
    }
    fields = { session, item, province: to };
    app.transferText = `已转到${province(to)}「${itemName(item)}」的队列（排在最前），您已离开本次服务。`;
  }
  $('#transfer-submit').disabled = true;
  setMessage(message, '正在转办…', 'is-warn');
  try {
    await app.sig.transfer(fields);   // our `ended` (transferred) answers it
    if ($('#transfer-dialog').open)
      $('#transfer-dialog').close();
  } catch (err) {
    app.transferText = '';
    setMessage(message, err instanceof VwSignalingError && err.code === 'wrong-state'
      ? '只有接待该来访者的帮办专员可以转办。' : errorText(err));
    if (transferMode() === 'agent')
      refreshTransferAgents();
  } finally {
    $('#transfer-submit').disabled = false;
  }
}

export async function refreshInviteAgents() {
  const list = $('#invite-agents');
  list.replaceChildren(el('li', { class: 'vw-muted' }, '正在读取在线的帮办专员…'));
  try {
    app.deskAgents = await fetchAgents();
    const present = new Set([...(app.session ? app.session.members.values() : [])].map((m) => `${m.name}|${m.center}`));
    renderAgentChoices(list, app.deskAgents.filter((a) => !present.has(`${a.name}|${a.center}`)), 'invite-agent', { otherCentreFirst: true });
  } catch (err) {
    list.replaceChildren();
    setMessage($('#invite-message'), err.message);
  }
}

export async function openInvite() {
  if (!app.session)
    return;
  setMessage($('#invite-message'), '');
  $('#invite-dialog').showModal();
  await refreshInviteAgents();
}

export async function submitInvite(event) {
  event.preventDefault();
  const message = $('#invite-message');
  if (!app.session || !app.sig) {
    $('#invite-dialog').close();
    return;
  }
  const chosen = $('#invite-agents input[name="invite-agent"]:checked');
  if (!chosen) {
    setMessage(message, '请选择一位示闲的帮办专员。');
    return;
  }
  const a = (app.deskAgents || []).find((x) => x.account === chosen.value) || { name: chosen.value };
  $('#invite-submit').disabled = true;
  setMessage(message, '正在邀请…', 'is-warn');
  try {
    await app.sig.invite(app.session.id, chosen.value);
    app.session.invited.add(chosen.value);
    $('#invite-dialog').close();
    // `joined` may have come before the ok: then it said so already.
    const here = [...app.session.members.values()].some((m) => m.name === a.name && m.center === a.center);
    if (!here)
      setMessage($('#call-message'), `已邀请帮办专员 ${a.name}（${a.center || province(a.province)}），正在加入…`, 'is-ok');
  } catch (err) {
    setMessage(message, err instanceof VwSignalingError && err.code === 'wrong-state'
      ? '无法邀请：只有接待该来访者的帮办专员可以邀请，且一次服务最多三方。' : errorText(err));
    refreshInviteAgents();
  } finally {
    $('#invite-submit').disabled = false;
  }
}
