// A free port on 127.0.0.1 for TCP and UDP both (the agent's DNS and gossip ports use both). The
// kernel picks it; we release it for the agent to bind. The kernel may hand a just-released port
// out again, so ports given out by this process are remembered and never given twice: one agent's
// DNS and gossip ports must differ.
import dgram from 'node:dgram';
import net from 'node:net';

const handedOut = new Set<number>();

function tcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.once('error', () => {
      sock.close();
      resolve(false);
    });
    sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await tcpPort();
    if (handedOut.has(port) || !(await udpFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found on 127.0.0.1 after 100 tries');
}
