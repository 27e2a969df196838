// Forwarding of names outside the served domains to the configured recursors
// (Consul: agent/dns.go handleRecurse; agent/dns/recursor.go).
//
// The client's query bytes are sent as they are (same id), over UDP first; a truncated UDP answer
// is retried over TCP. Recursors are tried in order (`sequential`) or in a random order (`random`);
// the first answer that is not SERVFAIL/REFUSED wins. Each attempt is bounded by recursor_timeout.
// Returns undefined when every recursor failed (the caller answers SERVFAIL).
//
// MUST: never throw; every socket is closed on every path.
import dgram from 'node:dgram';
import net from 'node:net';

export interface RecursorOptions {
  readonly recursors: readonly string[];
  readonly timeoutMs: number;
  readonly strategy: 'sequential' | 'random';
}

function splitHostPort(hp: string): { host: string; port: number } {
  const m = /^\[(.*)\]:(\d+)$/.exec(hp) ?? /^([^:]*):(\d+)$/.exec(hp);
  if (!m) return { host: hp, port: 53 };
  return { host: m[1] as string, port: Number(m[2]) };
}

const rcodeOf = (b: Buffer): number => (b.length >= 4 ? (b[3] as number) & 0x0f : 2);
const isTruncated = (b: Buffer): boolean => b.length >= 3 && ((b[2] as number) & 0x02) !== 0;

export function exchangeUdp(query: Buffer, hostPort: string, timeoutMs: number): Promise<Buffer | undefined> {
  const { host, port } = splitHostPort(hostPort);
  return new Promise((resolve) => {
    const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (b: Buffer | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        sock.close();
      } catch {
        // already closed
      }
      resolve(b);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    sock.on('error', () => finish(undefined));
    sock.on('message', (msg) => {
      // Only an answer to this query (same id) counts.
      if (msg.length >= 12 && msg.readUInt16BE(0) === query.readUInt16BE(0)) finish(msg);
    });
    sock.send(query, port, host, (err) => err && finish(undefined));
  });
}

export function exchangeTcp(query: Buffer, hostPort: string, timeoutMs: number): Promise<Buffer | undefined> {
  const { host, port } = splitHostPort(hostPort);
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let done = false;
    const sock = net.connect({ host, port });
    const finish = (b: Buffer | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(b);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    sock.on('error', () => finish(undefined));
    sock.on('close', () => finish(undefined));
    sock.on('connect', () => {
      const head = Buffer.alloc(2);
      head.writeUInt16BE(query.length);
      sock.write(Buffer.concat([head, query]));
    });
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) finish(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
  });
}

/**
 * Forward `query`; `maxUdpSize` is what a UDP client can take (a TCP retry larger than that is
 * not sent back over UDP: the truncated UDP answer is).
 */
export async function recurse(query: Buffer, opts: RecursorOptions, isTcp: boolean, maxUdpSize: number): Promise<Buffer | undefined> {
  const order = [...opts.recursors];
  if (opts.strategy === 'random') order.sort(() => Math.random() - 0.5);
  for (const r of order) {
    let answer = isTcp ? await exchangeTcp(query, r, opts.timeoutMs) : await exchangeUdp(query, r, opts.timeoutMs);
    if (answer && !isTcp && isTruncated(answer)) {
      const full = await exchangeTcp(query, r, opts.timeoutMs);
      if (full && full.length <= maxUdpSize) answer = full;
    }
    if (!answer) continue;
    const rcode = rcodeOf(answer);
    if (rcode === 2 || rcode === 5) continue; // SERVFAIL / REFUSED: try the next one
    return answer;
  }
  return undefined;
}
