// join/remote.js: what the others send, in tiles: the agent's camera, its
// screen or document camera in front, each third participant (三方通话)
// named; and 转办, when our agent hands us on within the same session.

import { showPeer } from '/join/call.js';
import { $, KIND_NAMES, PROVINCES, message, state } from '/join/common.js';
import { nameOf } from '/join/setup.js';

function tile(id, title, kind) {
  const fig = document.createElement('figure');
  fig.className = 'vw-media-tile vw-call-tile';
  fig.id = id;
  fig.dataset.kind = kind;
  const head = document.createElement('header');
  head.append(Object.assign(document.createElement('span'), { textContent: title }));
  const screen = document.createElement('div');
  screen.className = 'vw-media-screen';
  const video = document.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true;
  const stateEl = Object.assign(document.createElement('span'), { className: 'vw-media-state', textContent: '正在接收…' });
  video.addEventListener('loadeddata', () => { stateEl.textContent = ''; });
  screen.append(video, stateEl);
  fig.append(head, screen);
  return { fig, video, stateEl };
}

// Who a track belongs to: a third participant (joined), or the agent we
// are paired with (any other peer: `paired` does not name its peer id).
function memberOf(peer) {
  return state.members.get(peer) || null;
}

function memberLabel(m) {
  const where = [m.center, PROVINCES[m.province] || m.province].filter(Boolean).join(' · ');
  return where ? `${m.name}（${where}）` : m.name;
}

// Every remote tile and audio element from the call's live tracks: the
// agent's camera in its own tile, the agent's screen or document camera in
// front, a third participant's tracks in tiles labelled with its name, and
// nothing of a peer whose tracks the hub marked inactive (it left).
export function renderRemote() {
  const tracks = state.call && !state.call.closed ? state.call.remoteTracks() : [];
  const main = tracks.filter((t) => !memberOf(t.peer));
  const others = tracks.filter((t) => memberOf(t.peer));

  const camTile = $('remote-camera-tile');
  const camVideo = $('remote-camera');
  const camState = camTile.querySelector('.vw-media-state');
  const cam = main.find((t) => t.kind === 'camera');
  if (cam) {
    if (camTile.dataset.mid !== cam.mid || camTile.dataset.peer !== cam.peer) {
      camTile.dataset.mid = cam.mid;
      camTile.dataset.peer = cam.peer;
      camVideo.srcObject = cam.stream;
      camState.textContent = '正在接收帮办专员的画面…';
      camVideo.onloadeddata = () => { camState.textContent = ''; };
    }
  } else if (camTile.dataset.mid || state.transferring) {
    delete camTile.dataset.mid;
    delete camTile.dataset.peer;
    camVideo.srcObject = null;
    camState.textContent = state.transferring ? '正在为您转接，请稍候…' : '帮办专员的摄像头已关闭';
  }

  const audio = main.find((t) => t.kind === 'audio');
  const audioEl = $('remote-audio');
  if ((audio ? audio.mid : '') !== (audioEl.dataset.mid || '')) {
    audioEl.dataset.mid = audio ? audio.mid : '';
    audioEl.srcObject = audio ? audio.stream : null;
    if (audio)
      audioEl.play().catch((err) => console.warn('audio play:', err));
  }

  // Tiles made here: the agent's screen and document camera (in front),
  // and every track of a third participant.
  const want = new Map();
  for (const t of main)
    if (t.kind === 'screen' || t.kind === 'document')
      want.set(`remote-${t.kind}-tile`, { t, title: `帮办专员 · ${KIND_NAMES[t.kind]}`, front: true });
  for (const t of others)
    if (t.kind !== 'audio')
      want.set(`remote-m-${t.peer}-${t.kind}-tile`, { t, title: `${memberLabel(memberOf(t.peer))} · ${KIND_NAMES[t.kind] || t.kind}`, front: false });
  for (const fig of [...$('remote-grid').querySelectorAll('figure.vw-call-tile')]) {
    if (fig.id === 'remote-camera-tile')
      continue;
    const w = want.get(fig.id);
    if (!w || fig.dataset.mid !== w.t.mid)
      fig.remove();
  }
  for (const [id, w] of want) {
    if ($(id))
      continue;
    const { fig, video } = tile(id, w.title, w.t.kind);
    fig.dataset.mid = w.t.mid;
    fig.dataset.peer = w.t.peer;
    video.srcObject = w.t.stream;
    if (w.front) {
      fig.classList.add('is-main');
      $('remote-grid').prepend(fig);
    } else {
      fig.classList.add('is-member');
      $('remote-grid').append(fig);
    }
  }

  // A third participant's voice: an <audio> of its own.
  const audios = $('remote-audios');
  const wantAudio = new Map(others.filter((t) => t.kind === 'audio').map((t) => [`remote-audio-${t.peer}`, t]));
  for (const el of [...audios.children])
    if (!wantAudio.has(el.id) || el.dataset.mid !== wantAudio.get(el.id).mid)
      el.remove();
  for (const [id, t] of wantAudio) {
    if ($(id))
      continue;
    const el = document.createElement('audio');
    el.id = id;
    el.autoplay = true;
    el.dataset.mid = t.mid;
    el.dataset.peer = t.peer;
    el.srcObject = t.stream;
    audios.append(el);
    el.play().catch((err) => console.warn('audio play:', err));
  }
}

export function renderMembers() {
  const el = $('call-members');
  const list = [...state.members.values()];
  el.hidden = list.length === 0;
  el.textContent = list.length ? `三方通话：${list.map((m) => `${m.role === 'agent' ? '帮办专员' : ''}${memberLabel(m)}`).join('、')} 也在本次服务中` : '';
}

// 三方通话: another agent (of another centre) joins; it has tiles of its own.
export function onJoined(msg) {
  if (msg.session !== state.session || state.phase !== 'call')
    return;
  state.members.set(msg.peer_id, msg.peer || { name: '第三方' });
  renderMembers();
  renderRemote();
  message($('call-message'), `${memberLabel(msg.peer || { name: '第三方' })}加入了本次服务（三方通话）。`, 'is-ok');
}

export function onLeft(msg) {
  if (msg.session !== state.session || state.phase !== 'call')
    return;
  const m = state.members.get(msg.peer_id) || msg.peer;
  if (!state.members.delete(msg.peer_id))
    return;   // the agent we were paired with: transferred (see onTransferred)
  renderMembers();
  renderRemote();
  message($('call-message'), `${memberLabel(m)}已离开本次服务。`, '');
}

// 转办: our agent handed us on, to a colleague or to an item's queue.  The
// session and its media connection stay; the next agent's `paired` follows
// (or `queued` first).
export function onTransferred(msg) {
  if (msg.session !== state.session || state.phase !== 'call')
    return;
  state.transferring = msg;
  if (msg.item)
    state.form.item = msg.item;
  if (msg.province)
    state.form.handledIn = msg.province;
  let text;
  if (msg.agent)
    text = `已为您转接至${msg.agent.center ? `${msg.agent.center}的` : ''}帮办专员${msg.agent.name}，正在接通，请稍候…`;
  else
    text = `已为您转接至${PROVINCES[state.form.handledIn] || state.form.handledIn}「${nameOf(state.form.item)}」的帮办专员，正在排队，请稍候…`;
  message($('transfer-notice'), text, 'is-warn');
  $('peer-name').textContent = '';
  $('peer-detail').textContent = '正在转接…';
  document.title = '正在转接 · 远程虚拟窗口';
  renderRemote();
}

// The next agent takes over the same session (after a transfer).
export function onTakenOver(msg) {
  const peer = msg.peer || {};
  state.paired = msg;
  state.transferring = null;
  showPeer(peer);
  message($('call-message'), '', '');
  message($('transfer-notice'), `已转接至帮办专员${peer.name || ''}${peer.center ? `（${peer.center}）` : ''}，请继续办理。`, 'is-ok');
  delete $('transfer-notice').dataset.position;
  renderRemote();
}
