// relay.mjs: a TCP relay between a browser and vw-server, for the drop-out
// tests: the page talks to the relay's port, the relay to the server.  The
// test can cut every connection at once (a reset, as a proxy or a NAT that
// forgets the flow), refuse new ones for a while (the network is down), or
// stall the connections open now (nothing passes, nothing closes: a dead
// path, which only a liveness timeout notices).  Media (ICE, UDP) does not
// pass here: only HTTP and the WebSocket.
//
//   const relay = await startRelay(serverPort);
//   relay.url            http://127.0.0.1:PORT/
//   relay.cut()          resets every open connection
//   relay.refuse(bool)   new connections are reset at once while true
//   relay.stall()        the open connections pass nothing any more (new ones do)
//   relay.count          connections accepted so far
//   relay.close()

import { createServer, connect } from 'node:net';

export function startRelay(targetPort, targetHost = '127.0.0.1') {
  const pairs = new Set();
  const stalled = [];
  let refusing = false;
  const relay = { count: 0 };
  const server = createServer((client) => {
    relay.count++;
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    const pair = { client, upstream, stalled: false };
    pairs.add(pair);
    const forward = (from, to) => from.on('data', (d) => {
      if (!pair.stalled)
        to.write(d);
    });
    forward(client, upstream);
    forward(upstream, client);
    const done = () => {
      pairs.delete(pair);
      if (!pair.stalled) {
        client.destroy();
        upstream.destroy();
      }
    };
    client.on('close', done);
    upstream.on('close', done);
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  relay.cut = () => {
    for (const p of [...pairs]) {
      pairs.delete(p);
      p.client.resetAndDestroy();
      p.upstream.resetAndDestroy();
    }
  };
  relay.refuse = (on) => { refusing = !!on; };
  relay.stall = () => {
    for (const p of pairs) {
      p.stalled = true;
      stalled.push(p);
    }
    pairs.clear();   // left open, forgotten: nothing passes, nothing closes
  };
  relay.close = () => {
    relay.cut();
    for (const p of stalled.splice(0)) {
      p.client.destroy();
      p.upstream.destroy();
    }
    server.close();
  };
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      relay.port = server.address().port;
      relay.url = `http://127.0.0.1:${relay.port}/`;
      resolve(relay);
    });
  });
}
