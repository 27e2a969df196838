// Byte copying between two sockets (Consul: connect/proxy/conn.go): both directions, half-close
// passed on (an `nc -q1` client sends EOF and still reads the answer), and either side's error
// or close tears the pair down.
import type { Duplex } from 'node:stream';

export function splice(a: Duplex, b: Duplex, onClose?: () => void): void {
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
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
