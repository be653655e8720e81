// join/network.js: drop-outs (issue 12).  Our own WebSocket lost: VwSignaling
// (resume: true) reconnects and resumes by itself; the page says 网络中断，正在重连…
// until the server took us back (`welcome` resumed; in a call `paired`
// resumed follows and VwCall builds a new media connection with the same
// camera and microphone: nobody is asked again).  When the server no longer
// knows us (`bad-resume`: the grace period is over), the page starts over as
// a new call would: the clerk queues again and is told so.  The other side's
// drop-out (`peer-network`) is shown as 对方网络不稳定，正在重连… until restored.

import { $, NETWORK_TEXT, message, setConnState, showNetwork, showView, state } from '/join/common.js';

const reconnectingPeers = new Set();

export function onReconnecting(detail) {
  if (state.phase !== 'call' && state.phase !== 'queued')
    return;
  if (detail.attempt === 1)
    showNetwork('reconnecting', NETWORK_TEXT.reconnecting, 'is-warn', { cause: detail.cause });
  setConnState('正在重连…', 'is-bad');
}

export function onResumed() {
  if (state.phase !== 'call' && state.phase !== 'queued')
    return;
  showNetwork('resumed', '', '');
  setConnState(state.phase === 'call' ? '通话中' : '已连接', 'is-live');
}

// The server took the place back but the session is gone (or never was):
// the page's normal start, with the same form, camera and microphone.
export async function onResumeFailed(register) {
  const phase = state.phase;
  if (phase !== 'call' && phase !== 'queued')
    return;
  state.requeueing = true;
  try {
    if (state.call) {
      const call = state.call;
      state.call = null;
      call.close();
      if (call.sources.screen)
        call.sources.screen.stop();
    }
    if (state.snapshots && state.snapshots.close)
      state.snapshots.close();
    state.snapshots = null;
    state.session = null;
    state.paired = null;
    state.members.clear();
    state.transferring = null;
    reconnectingPeers.clear();
    message($('peer-network-notice'), '');
    $('remote-audio').srcObject = null;
    $('remote-audios').replaceChildren();
    showView('connecting');
    await register(state.signaling, state.form);
    showNetwork('requeued', NETWORK_TEXT.requeued);
    setConnState('已连接', 'is-live');
  } catch (err) {
    console.warn('queueing again:', err);
    if (state.signaling)
      state.signaling.close();
    state.signaling = null;
    showNetwork('requeue-failed', NETWORK_TEXT.requeueFailed, 'is-error');
    $('call-button').disabled = false;
    setConnState('');
    showView('setup');
  } finally {
    state.requeueing = false;
  }
}

export function onPeerNetwork(msg) {
  if (msg.session !== state.session || state.phase !== 'call')
    return;
  if (msg.state === 'reconnecting') {
    reconnectingPeers.add(msg.peer);
    state.network.push({ what: 'peer-reconnecting', at: Date.now() });
    message($('peer-network-notice'), NETWORK_TEXT.peerReconnecting, 'is-warn');
  } else if (msg.state === 'restored') {
    reconnectingPeers.delete(msg.peer);
    state.network.push({ what: 'peer-restored', at: Date.now() });
    if (!reconnectingPeers.size)
      message($('peer-network-notice'), '');
  }
}

/** The call ended or was left: nobody is reconnecting any more. */
export function clearNetwork() {
  reconnectingPeers.clear();
  message($('peer-network-notice'), '');
  message($('network-notice'), '');
}
