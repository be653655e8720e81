// agent/remote.js: what the others send: the person we are paired with in
// the fixed tiles, each third participant (三方通话) in tiles of its own,
// their arrivals and departures, and the per-track figures every second.

import { $, KIND_NAMES, app, el, formatClock, province, setMessage } from '/agent/common.js';

// The fixed tile of the clerk's track of @kind.
function tile(kind) {
  return $(`#remote-${kind}`);
}

// The tile that shows @peer's track of @kind: the fixed ones for the person
// we are paired with, one made for each track of a third participant.
function tileFor(peer, kind, mid) {
  if (app.session && app.session.members.has(peer))
    return $(`#remote-m-${peer}-${kind}`);
  const t = tile(kind);
  return t && t.dataset.mid === mid ? t : null;
}

function memberLabel(m) {
  const where = [m.center, province(m.province)].filter((x) => x && x !== '—').join(' · ');
  return where ? `${m.name}（${where}）` : (m.name || '第三方');
}

// Shows @entry ({mid, stream}) in the fixed tile of @kind, or nothing.
function showRemote(kind, entry) {
  const t = tile(kind);
  if (!t)
    return;
  const mid = entry ? entry.mid : '';
  if ((t.dataset.mid || '') === mid && (t.dataset.live === 'true') === !!entry)
    return;
  const video = $('video', t);
  video.srcObject = entry ? entry.stream : null;
  t.dataset.live = entry ? 'true' : 'false';
  if (entry)
    t.dataset.mid = mid;
  else
    delete t.dataset.mid;
  t.classList.toggle('is-waiting', !entry);
  $('.vw-live-flag', t).textContent = entry ? '直播中' : '未开启';
  $('.vw-live-flag', t).classList.toggle('is-on', !!entry);
  $('.vw-tile-stats', t).textContent = '';
  delete t.dataset.framesDecoded;
  delete t.dataset.frameWidth;
  delete t.dataset.frameHeight;
  delete t.dataset.statsAt;
  if (entry)
    video.play().catch(() => {});
}

function memberTile(id, m, t) {
  const video = el('video', { autoplay: true, playsinline: true });
  video.muted = true;
  const fig = el('figure', { class: 'vw-media-tile vw-member-tile', id, dataset: { kind: t.kind, peer: t.peer, mid: t.mid, live: 'true' } },
    el('header', {}, el('span', {}, `${memberLabel(m)} · ${KIND_NAMES[t.kind] || t.kind}`), el('span', { class: 'vw-live-flag is-on' }, '直播中')),
    el('div', { class: 'vw-media-screen' }, video, el('div', { class: 'vw-media-state' }, '')),
    el('footer', { class: 'vw-tile-stats' }));
  video.srcObject = t.stream;
  video.play().catch(() => {});
  return fig;
}

// Every remote track where it belongs, from the call's live tracks: the
// person we are paired with in the fixed tiles, each third participant in
// tiles of its own, and nothing of a peer whose m-lines went inactive.
export function renderRemote() {
  const tracks = app.call && !app.call.closed ? app.call.remoteTracks() : [];
  const members = app.session ? app.session.members : new Map();
  const main = tracks.filter((t) => !members.has(t.peer));
  for (const kind of ['camera', 'screen', 'document'])
    showRemote(kind, main.find((t) => t.kind === kind) || null);
  const audio = main.find((t) => t.kind === 'audio');
  const audioEl = $('#remote-audio');
  if ((audio ? audio.mid : '') !== (audioEl.dataset.mid || '')) {
    audioEl.dataset.mid = audio ? audio.mid : '';
    audioEl.srcObject = audio ? audio.stream : null;
    if (audio)
      audioEl.play().catch(() => setMessage($('#call-message'), '浏览器阻止了自动播放声音，请点击页面任意处。', 'is-warn'));
  }

  const others = tracks.filter((t) => members.has(t.peer));
  const wantTiles = new Map(others.filter((t) => t.kind !== 'audio').map((t) => [`remote-m-${t.peer}-${t.kind}`, t]));
  for (const fig of [...document.querySelectorAll('#remote-tiles .vw-member-tile')])
    if (!wantTiles.has(fig.id) || fig.dataset.mid !== wantTiles.get(fig.id).mid)
      fig.remove();
  for (const [id, t] of wantTiles)
    if (!document.getElementById(id))
      $('#remote-tiles').append(memberTile(id, members.get(t.peer), t));

  const audios = $('#remote-audios');
  const wantAudio = new Map(others.filter((t) => t.kind === 'audio').map((t) => [`remote-audio-${t.peer}`, t]));
  for (const a of [...audios.children])
    if (!wantAudio.has(a.id) || a.dataset.mid !== wantAudio.get(a.id).mid)
      a.remove();
  for (const [id, t] of wantAudio) {
    if (document.getElementById(id))
      continue;
    const a = el('audio', { id, autoplay: true, dataset: { mid: t.mid, peer: t.peer } });
    a.srcObject = t.stream;
    audios.append(a);
    a.play().catch(() => {});
  }
}

export function renderMembers() {
  const list = app.session ? [...app.session.members.values()] : [];
  const dd = $('#call-members');
  dd.textContent = list.length ? list.map((m) => `${m.role === 'agent' ? '帮办专员 ' : ''}${memberLabel(m)}`).join('、') : '—';
  dd.dataset.count = String(list.length);
}

// 三方通话: someone else is in the session now (an invited agent, or the
// agent who invited us, or the new agent after a transfer).
export function onJoined(msg) {
  if (!app.session || msg.session !== app.session.id)
    return;
  const m = msg.peer || { name: '第三方' };
  app.session.members.set(msg.peer_id, m);
  renderMembers();
  renderRemote();
  setMessage($('#call-message'), `${m.role === 'agent' ? '帮办专员 ' : ''}${memberLabel(m)} 已加入本次服务（三方通话）。`, 'is-ok');
}

export function onLeft(msg) {
  if (!app.session || msg.session !== app.session.id)
    return;
  const m = app.session.members.get(msg.peer_id) || msg.peer || { name: '第三方' };
  app.session.members.delete(msg.peer_id);
  renderMembers();
  renderRemote();
  setMessage($('#call-message'), `${memberLabel(m)} 已离开本次服务。`, 'is-warn');
}

// Every second in a call: elapsed time, and what arrives per track.
export async function tickCall() {
  if (!app.call || !app.session)
    return;
  $('#call-elapsed').textContent = formatClock((performance.now() - app.session.startedAt) / 1000);
  let stats;
  try {
    stats = await app.call.receiveStats();
  } catch (err) {
    return;
  }
  const now = performance.now();
  for (const s of stats) {
    const t = tileFor(s.peer, s.kind, s.mid);
    if (!t || s.mediaType !== 'video' || t.dataset.live !== 'true')
      continue;
    const frames = s.framesDecoded || 0;
    const before = Number(t.dataset.framesDecoded || 0);
    const beforeAt = Number(t.dataset.statsAt || 0);
    const fps = beforeAt && frames >= before ? ((frames - before) * 1000) / (now - beforeAt) : 0;
    t.dataset.framesDecoded = String(frames);
    t.dataset.statsAt = String(now);
    if (s.frameWidth && s.frameHeight) {
      t.dataset.frameWidth = String(s.frameWidth);
      t.dataset.frameHeight = String(s.frameHeight);
    }
    $('.vw-tile-stats', t).textContent = frames > 0
      ? `${s.frameWidth || '?'}×${s.frameHeight || '?'} · ${fps.toFixed(0)} 帧/秒 · 已解码 ${frames} 帧`
      : '等待画面…';
  }
}
