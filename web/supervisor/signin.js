// supervisor/signin.js: signing in and out (POST /api/login sets the
// HttpOnly cookie; only the account's display details stay in
// sessionStorage), and an expired sign-in sending the page back to the form.

import { route } from '/supervisor.js';
import { $, ACCOUNT_KEY, api, province, role, setMessage } from '/supervisor/common.js';
import { closeDetail } from '/supervisor/detail.js';

export function storedAccount() {
  try {
    return JSON.parse(sessionStorage.getItem(ACCOUNT_KEY) || 'null');
  } catch (e) {
    return null;
  }
}

export function showSignIn(message, kind = 'is-error') {
  closeDetail();
  $('#app-view').hidden = true;
  $('#user-bar').hidden = true;
  $('#signin-view').hidden = false;
  setMessage($('#signin-message'), message || '', kind);
  setMessage($('#global-message'), '');
  $('#signin-username').focus();
}

export function signedOut(message) {
  sessionStorage.removeItem(ACCOUNT_KEY);
  showSignIn(message);
}

export function showApp(account) {
  $('#signin-view').hidden = true;
  $('#app-view').hidden = false;
  $('#user-bar').hidden = false;
  const where = [province(account.province), account.center].filter(Boolean).join(' · ');
  $('#user-info').textContent = `监督员 ${account.name || account.username}${where ? `（${where}）` : ''}`;
  setMessage($('#signin-message'), '');
}

export async function onSignIn(event) {
  event.preventDefault();
  const username = $('#signin-username').value.trim();
  const password = $('#signin-password').value;
  const message = $('#signin-message');
  if (!username || !password) {
    setMessage(message, '请输入用户名和密码。');
    return;
  }
  const button = $('#signin-submit');
  button.disabled = true;
  setMessage(message, '正在登录…', 'is-warn');
  try {
    const data = await api('POST', '/api/login', { username, password });
    $('#signin-password').value = '';
    const account = (data && data.account) || { username };
    if (account.role && account.role !== 'supervisor') {
      setMessage(message, `该账号是${role(account.role)}账号，本页面仅供监督员使用。`);
      return;
    }
    // Display details only: never the token.
    const { name, province: p, center, scope } = account;
    sessionStorage.setItem(ACCOUNT_KEY, JSON.stringify({ username: account.username || username, name, province: p, center, scope }));
    showApp(storedAccount());
    route();
  } catch (err) {
    if (err.status === 401)
      setMessage(message, '用户名或密码错误，请重新输入。');
    else
      setMessage(message, err.message);
    $('#signin-password').select();
  } finally {
    button.disabled = false;
  }
}

export async function onSignOut() {
  closeDetail();
  // Asks the server to drop the cookie, where it offers that.
  try {
    await fetch('/api/logout', { method: 'POST', credentials: 'same-origin' });
  } catch (e) {
    // Nothing more to do: the cookie expires by itself.
  }
  sessionStorage.removeItem(ACCOUNT_KEY);
  history.replaceState(null, '', location.pathname);
  showSignIn('已退出登录。', 'is-ok');
}
