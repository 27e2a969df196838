// The floor under the Connect proxy's connection rate: the same two-hop mutual-TLS tunnel written
// as plainly as Node allows (node:tls and a pipe, no authorize call, no certificate watching), so
// bench/connect.ts can show how much of the gap to stunnel4 is Node's own TLS handshake cost.
//   node dist/bench/tls-tunnel.js server LISTEN_PORT BACKEND_PORT CERT KEY CA
//   node dist/bench/tls-tunnel.js client LISTEN_PORT TLS_PORT CERT KEY CA
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

const [mode, listen, target, certFile, keyFile, caFile] = process.argv.slice(2) as [string, string, string, string, string, string];
const creds = { cert: readFileSync(certFile), key: readFileSync(keyFile), ca: readFileSync(caFile), minVersion: 'TLSv1.2' as const };

function pipe(a: net.Socket, b: net.Socket): void {
  a.setNoDelay(true);
  b.setNoDelay(true);
  a.pipe(b).pipe(a);
  const end = (): void => {
    a.destroy();
    b.destroy();
  };
  a.on('error', end).on('close', end);
  b.on('error', end).on('close', end);
}

if (mode === 'server') {
  tls
    .createServer({ ...creds, requestCert: true, rejectUnauthorized: true }, (s) => pipe(s, net.connect(Number(target), '127.0.0.1')))
    .listen(Number(listen), '127.0.0.1');
} else {
  net
    .createServer((s) => pipe(s, tls.connect({ ...creds, port: Number(target), host: '127.0.0.1', checkServerIdentity: () => undefined })))
    .listen(Number(listen), '127.0.0.1');
}
