// vw-api.js: one JSON request to vw-server's HTTP API (server/API.md), as
// the supervisors' and statistics pages make them: with the sign-in cookie,
// never cached, a JSON body when given.  What an answer means is each
// page's to say; here only the transport.
//
//   const { status, ok, data } = await requestJson('GET', '/api/stats?...');
//
// `data` is the parsed body, or null when it is not JSON.  A request that
// never got an answer (network down, server gone) throws a VwNetworkError.

export class VwNetworkError extends Error {
  constructor() {
    super('无法连接服务器，请检查网络后重试。');
    this.name = 'VwNetworkError';
  }
}

export async function requestJson(method, path, body) {
  const init = { method, credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new VwNetworkError();
  }
  let data = null;
  if ((response.headers.get('Content-Type') || '').includes('json')) {
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
  }
  return { status: response.status, ok: response.ok, data };
}
