// join/setup.js: before calling: camera, microphone and the document camera
// (高拍仪), the form, and the catalogue's items for the chosen province.

import {
  loadCatalogue as fetchCatalogue, itemByCode, itemName, itemsIn,
} from '/js/vw-catalogue.js';
import { $, PROVINCES, state } from '/join/common.js';
import { fillSlotItems } from '/join/slots.js';

export async function listDocumentDevices() {
  const select = $('document-device');
  const keep = select.value;
  const devices = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput' && d.deviceId);
  const camId = state.media && state.media.getVideoTracks()[0] ? state.media.getVideoTracks()[0].getSettings().deviceId : null;
  select.replaceChildren(new Option('不使用高拍仪', ''));
  devices.forEach((d, i) => {
    const label = d.label || `摄像头 ${i + 1}`;
    select.append(new Option(d.deviceId === camId ? `${label}（当前摄像头）` : label, d.deviceId));
  });
  select.disabled = devices.length === 0;
  if ([...select.options].some((o) => o.value === keep))
    select.value = keep;
}

export async function ensureMedia() {
  if (state.media)
    return state.media;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
    throw Object.assign(new Error('no mediaDevices'), { name: 'NotSupportedError' });
  $('setup-preview-state').textContent = '正在开启摄像头和麦克风…';
  try {
    state.media = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } },
    });
  } catch (err) {
    $('setup-preview-state').textContent = '摄像头或麦克风不可用';
    throw err;
  }
  $('setup-preview').srcObject = state.media;
  $('setup-preview-state').textContent = '';
  $('media-button').textContent = '摄像头和麦克风已开启';
  $('media-button').disabled = true;
  await listDocumentDevices().catch((err) => console.warn('devices:', err));
  return state.media;
}

export async function openDocumentCamera(deviceId) {
  // The 高拍仪 at its full resolution: the page travels whole as a snapshot;
  // the video track is scaled to at most 1920 px by the sender (vw-call.js).
  const stream = await navigator.mediaDevices.getUserMedia({
    video: {
      deviceId: { exact: deviceId },
      width: { ideal: 4096 }, height: { ideal: 3072 }, frameRate: { ideal: 5, max: 15 },
    },
  });
  const track = stream.getVideoTracks()[0];
  if ('contentHint' in track)
    track.contentHint = 'detail';
  return track;
}

export function readForm() {
  const f = $('join-form');
  const data = {
    handledIn: f.handled_in.value,
    item: f.item.value,
    itemName: nameOf(f.item.value),
    name: f.name.value.trim(),
    province: f.province.value,
    center: f.center.value.trim(),
    documentDevice: f.document_device.value,
  };
  if (!data.name) {
    f.name.focus();
    throw new Error('请填写姓名。');
  }
  if (!PROVINCES[data.handledIn] || !PROVINCES[data.province])
    throw new Error('请选择省份。');
  if (!data.item)
    throw new Error('请选择事项。');
  return data;
}

// ---- the catalogue of service items (事项清单)

// GET /api/catalogue (no sign-in): the items handled through the remote
// window, each with the provinces that handle it.  Until it answers, or if
// it fails, the built-in list of join.html stays (codes as values).
export async function loadCatalogue() {
  const items = await fetchCatalogue();
  if (!items.length)
    return;
  state.catalogue = items;
  fillItems();
  fillSlotItems();
}

// The item choice: the catalogue's items handled remotely in the chosen
// province, keeping the current choice when it is still there.  The
// option's value is the item's code: what `request` sends.
export function fillItems() {
  if (!state.catalogue)
    return;
  const select = $('item');
  const keep = select.value;
  const handledIn = $('handled-in').value;
  const items = itemsIn(state.catalogue, handledIn);
  select.replaceChildren(...items.map((it) => {
    const option = new Option(it.name, it.code);
    option.dataset.code = it.code;
    option.title = `${it.code} · ${it.department}`;
    return option;
  }));
  if (items.length === 0)
    select.append(Object.assign(new Option(`${PROVINCES[handledIn] || handledIn}暂无可远程办理的事项`, ''), { disabled: true, selected: true }));
  else if (items.some((it) => it.code === keep))
    select.value = keep;
}

// The name of an item code, from the catalogue or the built-in list.
export function nameOf(code) {
  if (itemByCode(code))
    return itemName(code);
  const opt = [...$('item').options].find((o) => o.value === code);
  return opt ? opt.textContent : (code || '');
}
