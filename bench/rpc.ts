// Server RPC layer throughput on loopback: calls/s for 1 and 64 concurrent callers sharing one
// pooled connection, small msgpack body, plus one-way messages/s. Figures only, not a test.
// Bounded: ~2 s per call phase and 1 s of one-way (override with --seconds=N per call phase);
// the server and client it starts are closed before exit.
//   npx tsc -p . && node dist/bench/rpc.js [--seconds=2]
import { RpcClient, RpcServer } from '../src/core/rpc/index.js';

const arg = (name: string, dflt: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SECONDS = Math.min(10, Math.max(0.2, Number(arg('seconds', '2'))));
const BODY = { Datacenter: 'dc1', Key: 'bench/key', Value: new Uint8Array(64).fill(0x76) };

async function callers(client: RpcClient, addr: string, concurrency: number, seconds: number): Promise<number> {
  let done = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await client.call(addr, 'KVS.Get', BODY);
        done++;
      }
    }),
  );
  return done / seconds;
}

async function oneWay(client: RpcClient, server: RpcServer, addr: string, seconds: number): Promise<{ sent: number; received: number }> {
  let received = 0;
  server.onMessage('Raft.Append', () => void received++);
  let sent = 0;
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    for (let i = 0; i < 256; i++) if (client.send(addr, 'Raft.Append', BODY)) sent++;
    await new Promise((r) => setImmediate(r));
  }
  await client.call(addr, 'KVS.Get', BODY); // the answer trails every message sent before it
  return { sent: sent / seconds, received: received / seconds };
}

async function main(): Promise<void> {
  const server = new RpcServer();
  server.handle('KVS.Get', (b) => b);
  await server.listen('127.0.0.1', 0);
  const client = new RpcClient();
  try {
    const addr = server.address;
    await callers(client, addr, 1, 0.2); // warm-up
    const one = await callers(client, addr, 1, SECONDS);
    const many = await callers(client, addr, 64, SECONDS);
    const msgs = await oneWay(client, server, addr, Math.min(1, SECONDS));
    console.log(`rpc call, 1 caller:    ${Math.round(one).toLocaleString('en-US')} calls/s`);
    console.log(`rpc call, 64 callers:  ${Math.round(many).toLocaleString('en-US')} calls/s`);
    console.log(`rpc send (one-way):    ${Math.round(msgs.received).toLocaleString('en-US')} msgs/s delivered (${Math.round(msgs.sent).toLocaleString('en-US')} queued/s)`);
    console.log(`connections dialled: ${client.stats.dials}, one-way dropped: ${client.stats.dropped}`);
  } finally {
    client.close();
    await server.close();
  }
}

await main();
