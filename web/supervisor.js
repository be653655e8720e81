// supervisor.js: the supervisors' page (监督抽查): sign in, find sessions,
// draw a sample, play a session's recorded tracks in step, write a review.
// Talks to vw-server's HTTP API (server/API.md).
//
// Sign-in: the server sets an HttpOnly cookie (vw_token, Path=/api/), which
// every fetch and every <video>/<audio> sends.  The token itself is never
// kept by this page (not in storage, not in URLs); only the account's
// display details (name, centre) are kept in sessionStorage, for the header.
//
// This file switches between the views (#/sessions/ID, #/sample, the list)
// and starts the page; the parts live in web/supervisor/: common.js, signin.js,
// list.js (list and sample), detail.js (a session and its playback) and
// follow-ups.js (整改跟踪).

import { $, PAGE_SIZE, cstDate, setMessage } from '/supervisor/common.js';
import { closeDetail, detailState, onReview, openDetail } from '/supervisor/detail.js';
import {
  cancelClose, loadFollowUps, onCloseFollowUp, refreshOpenCount,
} from '/supervisor/follow-ups.js';
import { listState, loadList, onFilter, onSample, readFilter } from '/supervisor/list.js';
import { onSignIn, onSignOut, showApp, showSignIn, storedAccount } from '/supervisor/signin.js';

// ---------------------------------------------------------------- views

export function showView(name) {
  $('#list-view').hidden = name !== 'list';
  $('#sample-view').hidden = name !== 'sample';
  $('#follow-ups-view').hidden = name !== 'follow-ups';
  $('#detail-view').hidden = name !== 'detail';
  $('#tab-list').setAttribute('aria-selected', String(name === 'list'));
  $('#tab-sample').setAttribute('aria-selected', String(name === 'sample'));
  $('#tab-follow-ups').setAttribute('aria-selected', String(name === 'follow-ups'));
}

// #/sessions/ID: a session; #/sample: the sample form; anything else: the list.
export function route() {
  if (!storedAccount()) {
    showSignIn('');
    return;
  }
  setMessage($('#global-message'), '');
  const hash = location.hash;
  if (hash !== '#/follow-ups')
    refreshOpenCount();
  const m = /^#\/sessions\/(.+)$/.exec(hash);
  if (m) {
    openDetail(decodeURIComponent(m[1]));
    return;
  }
  closeDetail();
  if (hash === '#/sample') {
    showView('sample');
    return;
  }
  if (hash === '#/follow-ups') {
    showView('follow-ups');
    loadFollowUps();
    return;
  }
  showView('list');
  loadList();
}

function init() {
  $('#signin-form').addEventListener('submit', onSignIn);
  $('#sign-out').addEventListener('click', onSignOut);
  $('#filter-form').addEventListener('submit', onFilter);
  $('#filter-form').addEventListener('reset', () => {
    setTimeout(() => {
      $('#f-from').value = cstDate(30);
      $('#f-to').value = cstDate(0);
    });
  });
  $('#sample-form').addEventListener('submit', onSample);
  $('#review-form').addEventListener('submit', onReview);
  $('#tab-list').addEventListener('click', () => { location.hash = '#/list'; });
  $('#tab-sample').addEventListener('click', () => { location.hash = '#/sample'; });
  $('#tab-follow-ups').addEventListener('click', () => { location.hash = '#/follow-ups'; });
  $('#fu-state').addEventListener('change', () => { cancelClose(); loadFollowUps(); });
  $('#follow-up-close-form').addEventListener('submit', onCloseFollowUp);
  $('#follow-up-close-cancel').addEventListener('click', cancelClose);
  $('#detail-back').addEventListener('click', () => { location.hash = '#/list'; });
  $('#page-prev').addEventListener('click', () => { listState.offset = Math.max(0, listState.offset - PAGE_SIZE); loadList(); });
  $('#page-next').addEventListener('click', () => { listState.offset += PAGE_SIZE; loadList(); });
  $('#play-toggle').addEventListener('click', () => {
    setMessage($('#detail-message'), '');
    if (detailState.player)
      detailState.player.toggle();
  });
  $('#seek').addEventListener('input', (e) => {
    if (detailState.player)
      detailState.player.seek(Number(e.target.value));
  });
  window.addEventListener('hashchange', route);

  $('#f-from').value = cstDate(30);
  $('#f-to').value = cstDate(0);
  $('#s-from').value = cstDate(30);
  $('#s-to').value = cstDate(0);
  listState.query = readFilter();

  const account = storedAccount();
  if (account) {
    showApp(account);
    route();
  } else {
    showSignIn('');
  }
}

init();
