// agent/snapshots.js: full-resolution snapshots of the clerk's document
// camera (`snapshot-request`, the file over the data channel, checked against
// its size and SHA-256, and the server's `snapshot-stored`), and the marks
// the agent draws on them (`annotate`).

import { $, app, el, errorText, formatBytes, setMessage } from '/agent/common.js';

export async function onSnapshotRequest() {
  if (!app.session)
    return;
  const button = $('#btn-snapshot');
  const message = $('#call-message');
  button.disabled = true;
  setMessage(message, '正在向对方高拍仪请求全分辨率快照…', 'is-warn');
  try {
    await app.sig.snapshotRequest(app.session.id);
    // The file and snapshot-stored follow (or snapshot-failed).
    setTimeout(() => { button.disabled = false; }, 3000);
  } catch (err) {
    setMessage(message, errorText(err));
    button.disabled = false;
  }
}

export async function onSnapshotFile(file) {
  // Size and SHA-256 were checked by FileReceiver (crypto.subtle) before this.
  let bitmap;
  try {
    bitmap = await createImageBitmap(file.blob);
  } catch (err) {
    setMessage($('#call-message'), '收到的快照无法解码，已丢弃。请重新请求快照。');
    return;
  }
  if ((file.width && bitmap.width !== file.width) || (file.height && bitmap.height !== file.height)) {
    setMessage($('#call-message'), `快照尺寸不符（声明 ${file.width}×${file.height}，实际 ${bitmap.width}×${bitmap.height}），已丢弃。`);
    bitmap.close();
    return;
  }
  const entry = app.snapshots.get(file.id) || {};
  entry.file = file;
  entry.bitmap = bitmap;
  app.snapshots.set(file.id, entry);
  showSnapshot(file.id);
  $('#btn-snapshot').disabled = false;
}

export function onSnapshotStored(msg) {
  if (!app.session || msg.session !== app.session.id || msg.by !== app.sig.peerId)
    return;   // ours as the sender: SnapshotSender reports it
  const entry = app.snapshots.get(msg.snapshot) || {};
  entry.stored = msg;
  app.snapshots.set(msg.snapshot, entry);
  if (app.current === msg.snapshot)
    renderSnapshotInfo();
}

function showSnapshot(id) {
  const entry = app.snapshots.get(id);
  app.current = id;
  app.annotations = [];
  $('#snapshot-panel').hidden = false;
  app.markup.setImage(entry.bitmap);
  app.markup.setMarks([]);
  $('#annotation-list').replaceChildren();
  $('#markup-note').value = '';
  updateNoteCount();
  setMessage($('#annotate-message'), '在图上按住拖动，框出需要修改之处。', 'is-warn');
  renderSnapshotInfo();
  setMessage($('#call-message'), '快照已收到并校验。', 'is-ok');
}

function renderSnapshotInfo() {
  const entry = app.snapshots.get(app.current);
  if (!entry || !entry.file)
    return;
  const f = entry.file;
  const info = $('#snapshot-info');
  Object.assign(info.dataset, {
    snapshot: f.id, sha256: f.sha256, size: String(f.size),
    width: String(entry.bitmap.width), height: String(entry.bitmap.height),
  });
  info.replaceChildren(
    `${f.id} · ${entry.bitmap.width}×${entry.bitmap.height} 像素 · ${formatBytes(f.size)} · SHA-256 `,
    el('span', { class: 'vw-mono vw-hash', title: f.sha256 }, f.sha256));
  const badge = $('#snapshot-verified');
  const s = entry.stored;
  if (s && (s.sha256 !== f.sha256 || s.size !== f.size)) {
    badge.textContent = '与存证不符';
    badge.className = 'vw-badge is-bad';
    info.dataset.verified = 'mismatch';
    setMessage($('#call-message'), '收到的快照与服务器存证的 SHA-256 不一致，请重新请求快照。');
  } else {
    badge.textContent = s ? '已校验 · 已存证' : '已校验 · 等待存证';
    badge.className = `vw-badge ${s ? 'is-good' : 'is-mid'}`;
    info.dataset.verified = s ? 'stored' : 'checked';
  }
  updateAnnotateButton();
}

export function readRectInputs() {
  const v = (id) => Number($(id).value);
  return { x: v('#markup-x'), y: v('#markup-y'), w: v('#markup-w'), h: v('#markup-h') };
}

export function onMarkupChange(rect) {
  for (const [k, id] of [['x', '#markup-x'], ['y', '#markup-y'], ['w', '#markup-w'], ['h', '#markup-h']])
    $(id).value = rect ? String(rect[k]) : '';
  $('#snapshot-stage').dataset.rect = rect ? `${rect.x},${rect.y},${rect.w},${rect.h}` : '';
  if (rect)
    setMessage($('#annotate-message'), `已框选：X ${rect.x}，Y ${rect.y}，宽 ${rect.w}，高 ${rect.h}（原图像素）。填写说明后点击“发送标注”。`, 'is-warn');
  updateAnnotateButton();
}

export function updateNoteCount() {
  const n = Array.from($('#markup-note').value).length;
  $('#markup-count').textContent = ` ${n}/200`;
  $('#markup-count').classList.toggle('is-over', n > 200);
  app.markup.setLabel($('#markup-note').value);
  updateAnnotateButton();
}

function updateAnnotateButton() {
  const entry = app.current && app.snapshots.get(app.current);
  const n = Array.from($('#markup-note').value).length;
  $('#btn-annotate').disabled = !(app.session && entry && entry.stored && app.markup.rect && n <= 200);
}

export async function onAnnotate(event) {
  event.preventDefault();
  const entry = app.current && app.snapshots.get(app.current);
  const rect = app.markup.rect;
  const note = $('#markup-note').value;
  const message = $('#annotate-message');
  if (!app.session || !entry) {
    setMessage(message, '通话已结束，不能再发送标注。');
    return;
  }
  if (!entry.stored) {
    setMessage(message, '快照尚未存证，请稍候再发送。');
    return;
  }
  if (!rect) {
    setMessage(message, '请先在图上框选需要修改之处。');
    return;
  }
  if (Array.from(note).length > 200) {
    setMessage(message, '标注说明不能超过 200 字。');
    return;
  }
  const button = $('#btn-annotate');
  button.disabled = true;
  try {
    await app.sig.annotate({ session: app.session.id, snapshot: app.current, ...rect, note });
    const a = { ...rect, note };
    app.annotations.push(a);
    app.markup.setMarks(app.annotations);
    const n = app.annotations.length;
    $('#annotation-list').append(el('li', { dataset: { x: String(a.x), y: String(a.y), w: String(a.w), h: String(a.h) } },
      el('span', { class: 'vw-when' }, `#${n}`),
      `X ${a.x}，Y ${a.y}，${a.w}×${a.h}：`, a.note || '（无说明）'));
    setMessage(message, `标注 #${n} 已发送，对方已收到。`, 'is-ok');
    app.markup.clear();
    $('#markup-note').value = '';
    updateNoteCount();
  } catch (err) {
    setMessage(message, errorText(err));
  } finally {
    updateAnnotateButton();
  }
}
