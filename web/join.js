// join.js: the join page (join.html) of an enterprise or a clerk: fill in
// who you are and what you need, allow camera and microphone, call, wait in
// the queue, talk with the help-desk agent (帮办专员), show the document
// camera (高拍仪) and the screen, see the agent's annotations on a snapshot,
// and rate the service (好差评) at the end.
//
// A reload or a closed tab closes the WebSocket: the server drops the place
// in the queue (a reloaded page queues again, at the end) or ends the
// session with peer-disconnected.
//
// The request names the item by its catalogue code (GET /api/catalogue).
// While queued the page shows the place and the server's estimated wait, or
// says honestly that there is none.  In the call the agent may hand the
// clerk on (转办: `transferred`, then `queued` or `paired` again for the same
// session, on the same media connection) or bring a third participant in
// (三方通话: `joined`, `left`); every remote participant has its own tiles.
//
// 我要约: slots (GET /api/slots), a booking (POST /api/appointments) whose
// code is kept in localStorage ('vw.bookings'), the holder's bookings (GET
// /api/appointments?codes=), cancelling (DELETE), and at the booked time a
// request that carries the booking's code.
//
// For diagnostics (and the browser test) the page keeps its state in
// window.vwJoin: {signaling, call, snapshots, session, phase, queued, members}.
//
// This file wires the page's controls; the parts live in web/join/:
// common.js (shared state, words and helpers), setup.js (devices, the form,
// the catalogue), slots.js and bookings.js (我要约), queue.js (calling and
// waiting), remote.js (the others' tiles, 转办) and call.js (the call, the
// end and the rating).

import { clearBooking, loadMyBookings, renderMyBookings } from '/join/bookings.js';
import { onRate, toggleDocument, toggleScreen, updateControls } from '/join/call.js';
import { $, mediaErrorText, message, showView, state } from '/join/common.js';
import { onCall, onCancel } from '/join/queue.js';
import { ensureMedia, fillItems, listDocumentDevices, loadCatalogue } from '/join/setup.js';
import { fillSlotCenters, fillSlotItems, searchSlots, submitBooking } from '/join/slots.js';

// ---- wiring

$('join-form').addEventListener('submit', onCall);
$('media-button').addEventListener('click', async () => {
  message($('join-message'), '');
  try {
    await ensureMedia();
  } catch (err) {
    message($('join-message'), mediaErrorText(err));
  }
});
$('cancel-button').addEventListener('click', onCancel);
$('mute-button').addEventListener('click', () => {
  state.call.setMuted(!state.call.muted);
  updateControls();
});
$('camera-button').addEventListener('click', () => {
  state.call.setCameraOff(!state.call.cameraOff);
  updateControls();
});
$('screen-button').addEventListener('click', toggleScreen);
$('document-button').addEventListener('click', toggleDocument);
$('hangup-button').addEventListener('click', async () => {
  $('hangup-button').disabled = true;
  try {
    await state.call.hangup();
  } catch (err) {
    // Not in the session any more (it ended meanwhile): show the end anyway.
    console.warn('hangup:', err);
    state.call.close();
  } finally {
    $('hangup-button').disabled = false;
  }
});
$('rating-form').addEventListener('submit', onRate);
$('again-button').addEventListener('click', () => window.location.reload());
if (navigator.mediaDevices && navigator.mediaDevices.addEventListener)
  navigator.mediaDevices.addEventListener('devicechange', () => {
    if (state.media)
      listDocumentDevices().catch(() => {});
  });
$('handled-in').addEventListener('change', () => {
  fillItems();
  if (state.booking && $('handled-in').value !== state.booking.province)
    clearBooking();
});
$('item').addEventListener('change', () => {
  if (state.booking && $('item').value !== state.booking.item)
    clearBooking();
});
$('booking-notice-clear').addEventListener('click', clearBooking);
$('slot-province').addEventListener('change', fillSlotItems);
$('slot-item').addEventListener('change', fillSlotCenters);
$('slot-form').addEventListener('submit', searchSlots);
$('book-form').addEventListener('submit', submitBooking);
$('book-cancel').addEventListener('click', () => {
  $('book-form').hidden = true;
  state.chosenSlot = null;
  message($('book-message'), '');
});
// Due times pass while the page is open: the buttons follow.
setInterval(() => {
  if (state.phase === 'setup' && state.bookings.length)
    renderMyBookings();
}, 15000);
// Closing or reloading the page in a call ends the service on purpose: a
// closed page cannot resume (its resume token lived in its memory), so the
// agent is told at once (peer-hangup) instead of waiting out the grace
// period of a drop-out.
window.addEventListener('pagehide', () => {
  const sig = state.signaling;
  if (state.phase === 'call' && state.session && sig && sig.connected) {
    sig.notify('hangup', { session: state.session });
    sig.close(1000, 'page closed');
  }
});
showView('setup');
loadCatalogue();
loadMyBookings();
