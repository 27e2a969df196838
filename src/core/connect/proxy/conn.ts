// Byte copying between two sockets (Consul: connect/proxy/conn.go): both directions, half-close
// passed on (an `nc -q1` client sends EOF and still reads the answer), and either side's error
// or close tears the pair down.
import type { Duplex } from 'node:stream';

/** Open spliced pairs, so a shutting-down proxy can close them instead of waiting on them. */
const open = new Set<Duplex>();

/** Destroy every spliced connection (proxy shutdown). */
export function closeAll(): void {
  for (const s of [...open]) s.destroy();
}

export function splice(a: Duplex, b: Duplex, onClose?: () => void): void {
  open.add(a);
  open.add(b);
  // Small writes go out at once (Nagle + delayed ACK would add ~40 ms per request/answer turn).
  for (const s of [a, b]) (s as Duplex & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    open.delete(a);
    open.delete(b);
    a.destroy();
    b.destroy();
    onClose?.();
  };
  a.pipe(b);
  b.pipe(a);
  let ended = 0;
  const onEnd = (): void => {
    ended += 1;
    if (ended === 2) setImmediate(close);
  };
  a.once('end', onEnd);
  b.once('end', onEnd);
  a.once('error', close);
  b.once('error', close);
  a.once('close', close);
  b.once('close', close);
}
