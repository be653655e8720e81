// agent/media.js: our own sources: camera and microphone (each may fail
// alone), the device choices, and the second camera used as the document
// camera (高拍仪), with a check that what is shown is really sent.

import { updateControls } from '/agent/call.js';
import { $, app, el, errorText, setMessage } from '/agent/common.js';

export async function prepareDevices() {
  try {
    await acquireLocal();
  } catch (err) {
    // Already shown; the agent may still go available (audio-only, …).
  }
}

export async function listDevices() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices)
    return;
  const devices = await navigator.mediaDevices.enumerateDevices();
  const videos = devices.filter((d) => d.kind === 'videoinput');
  const audios = devices.filter((d) => d.kind === 'audioinput');
  const fill = (select, list, none, wanted) => {
    const before = select.value;
    select.replaceChildren();
    if (none)
      select.append(el('option', { value: '' }, none));
    list.forEach((d, i) => select.append(el('option', { value: d.deviceId }, d.label || `设备 ${i + 1}`)));
    // The agent's own choice stays; otherwise the default for the devices there are now.
    const keep = select.dataset.chosen && [...select.options].some((o) => o.value === before) ? before : wanted;
    if (keep !== undefined)
      select.value = keep;
  };
  const camId = app.local.camera && app.local.camera.getSettings().deviceId;
  fill($('#camera-device'), videos, null, camId || (videos[0] && videos[0].deviceId));
  // The document camera: one named so, otherwise the first camera that is not the webcam.
  const named = videos.find((d) => /高拍|document|doc\b|scanner|visualizer|文档|扫描/i.test(d.label));
  const other = videos.find((d) => d.deviceId !== (camId || (videos[0] && videos[0].deviceId)));
  fill($('#document-device'), videos, videos.length ? '（不使用）' : '未找到摄像头',
    (named && named.deviceId !== camId ? named : other || { deviceId: '' }).deviceId);
  const micId = app.local.audio && app.local.audio.getSettings().deviceId;
  fill($('#microphone-device'), audios, null, micId || (audios[0] && audios[0].deviceId));
}

// Camera and microphone; each may fail alone.
export async function acquireLocal() {
  const message = $('#device-message');
  const md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) {
    setMessage(message, '此浏览器不支持摄像头和麦克风（需要 HTTPS 或本机地址）。');
    throw new Error('no getUserMedia');
  }
  const camId = $('#camera-device').value;
  const micId = $('#microphone-device').value;
  const problems = [];
  if (!app.local.camera) {
    try {
      const s = await md.getUserMedia({ video: {
        width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 },
        ...(camId ? { deviceId: { exact: camId } } : {}),
      } });
      setLocal('camera', s.getVideoTracks()[0]);
    } catch (err) {
      problems.push(`摄像头：${errorText(err)}`);
    }
  }
  if (!app.local.audio) {
    try {
      const s = await md.getUserMedia({ audio: {
        echoCancellation: true, noiseSuppression: true, ...(micId ? { deviceId: { exact: micId } } : {}),
      } });
      setLocal('audio', s.getAudioTracks()[0]);
    } catch (err) {
      problems.push(`麦克风：${errorText(err)}`);
    }
  }
  await listDevices().catch(() => {});
  if (problems.length)
    setMessage(message, `${problems.join('；')} 仍可接待，但对方将看不到或听不到您。`, 'is-warn');
  else
    setMessage(message, '');
  if (!app.local.camera && !app.local.audio)
    throw new Error(problems.join('；'));
}

// Sets (or clears) our own source of @kind, its preview and the call's sender.
export function setLocal(kind, track) {
  const old = app.local[kind];
  app.local[kind] = track || null;
  if (old && old !== track)
    old.stop();
  const tile = $(`#local-${kind}`);
  if (tile) {
    const video = $('video', tile);
    video.srcObject = track ? new MediaStream([track]) : null;
    tile.classList.toggle('is-waiting', !track);
    $('.vw-live-flag', tile).textContent = track ? '开启' : '未开启';
    if (kind !== 'camera')
      tile.hidden = !track;
  }
  if (track)
    track.addEventListener('ended', () => {
      if (app.local[kind] === track)
        setLocal(kind, null);
      if (kind === 'document' || kind === 'screen')
        updateControls();
    });
  if (app.call && kind !== 'screen')
    app.call.setSource(kind, track || null).catch((err) => setMessage($('#call-message'), errorText(err)));
}

export function stopLocal() {
  for (const kind of Object.keys(app.local))
    if (app.local[kind])
      setLocal(kind, null);
}

export async function onDeviceChange(kind) {
  const select = $(`#${kind === 'audio' ? 'microphone' : kind}-device`);
  const message = $('#device-message');
  setMessage(message, '');
  try {
    if (kind === 'camera') {
      if (!select.value)
        return;
      const s = await navigator.mediaDevices.getUserMedia({ video: {
        deviceId: { exact: select.value }, width: { ideal: 640 }, height: { ideal: 480 },
      } });
      const t = s.getVideoTracks()[0];
      if (app.call)
        t.enabled = !app.call.cameraOff;
      setLocal('camera', t);
    } else if (kind === 'audio') {
      if (!select.value)
        return;
      const s = await navigator.mediaDevices.getUserMedia({ audio: { deviceId: { exact: select.value } } });
      const t = s.getAudioTracks()[0];
      if (app.call)
        t.enabled = !app.call.muted;
      setLocal('audio', t);
    } else if (kind === 'document' && app.local.document) {
      // Switch the document camera that is on to the chosen one.
      await startDocument();
    }
  } catch (err) {
    setMessage(message, errorText(err));
  }
}

// 高拍仪: the chosen second camera, at its full resolution (up to 1920 px), as kind `document`.
export async function startDocument() {
  const id = $('#document-device').value;
  if (!id)
    throw new Error('请先在“本机设备”中选择作为高拍仪的摄像头（第二个摄像头）。');
  const s = await navigator.mediaDevices.getUserMedia({ video: {
    deviceId: { exact: id }, width: { ideal: 1920 }, height: { ideal: 1080 }, frameRate: { ideal: 5, max: 15 },
  } });
  const t = s.getVideoTracks()[0];
  if ('contentHint' in t)
    t.contentHint = 'detail';   // a page: keep the resolution, let the frame rate go
  setLocal('document', t);
  checkSent('document', t);
}

// A source the browser shows but never encodes (some cameras' pixel formats,
// e.g. depth cameras) would leave the other side with nothing: say so.
export function checkSent(kind, track) {
  setTimeout(async () => {
    if (!app.call || app.local[kind] !== track)
      return;
    const sent = (await app.call.sendStats().catch(() => [])).find((s) => s.kind === kind);
    if (sent && !sent.framesEncoded)
      setMessage($('#call-message'), `${kind === 'document' ? '高拍仪' : '屏幕共享'}的画面未能发出（该设备的画面格式无法编码），请在“本机设备”中换一个设备。`, 'is-warn');
  }, 4000);
}
