// The bare-Node floor for bench/watch.ts: a plain node:http server that parks every
// `GET /v1/kv/<key>` by key and, when `PUT /v1/kv/<key>` arrives, writes one pre-built answer
// (the same shape and headers as our agent's) to each request parked on that key. No store, no
// Raft, no blocking loop: what is left is Node's own cost of holding the sockets and writing the
// answers, which is the floor any Node agent pays. Prints its port on stdout once listening.
//   node dist/bench/watch-floor.js
import http from 'node:http';

const parked = new Map<string, http.ServerResponse[]>();
let index = 100;

function answer(key: string, value: Buffer): { head: Record<string, string>; body: Buffer } {
  index++;
  const body = Buffer.from(
    JSON.stringify([
      { LockIndex: 0, Key: key, Flags: 0, Value: value.toString('base64'), CreateIndex: 10, ModifyIndex: index },
    ]),
  );
  return {
    head: {
      'Content-Type': 'application/json',
      'Content-Length': String(body.length),
      'X-Consul-Index': String(index),
      'X-Consul-Knownleader': 'true',
      'X-Consul-Lastcontact': '0',
    },
    body,
  };
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const key = url.slice('/v1/kv/'.length, q < 0 ? url.length : q);
  if (req.method === 'GET') {
    let list = parked.get(key);
    if (!list) parked.set(key, (list = []));
    list.push(res);
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '4' });
    res.end('true');
    const waiting = parked.get(key) ?? [];
    parked.delete(key);
    const { head, body } = answer(key, Buffer.concat(chunks));
    for (const r of waiting) {
      r.writeHead(200, head);
      r.end(body);
    }
  });
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(typeof addr === 'object' && addr ? addr.port : 0);
});
