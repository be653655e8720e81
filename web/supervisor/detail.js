// supervisor/detail.js: one session: participants, timeline, snapshots with
// their marks, every recorded track played in step (SyncPlayer), reviews.

import { SyncPlayer, formatClock } from '/playback.js';
import { showView } from '/supervisor.js';
import {
  $, API_ERRORS, END_REASONS, EVENT_TYPES, KINDS, LEG_HOW, SCORES, api, cell, el, formatDateTime,
  formatDuration, itemText, province, ratingBadge, report, role, setMessage, stateBadge,
} from '/supervisor/common.js';
import { signedOut } from '/supervisor/signin.js';

export const detailState = { id: null, player: null, session: null };

export function closeDetail() {
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

export async function openDetail(id) {
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

export async function onReview(event) {
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
