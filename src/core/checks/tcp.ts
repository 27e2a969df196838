// TCP checks (Consul: checks.CheckTCP): connect, then close. Success -> passing with
// `TCP connect <addr>: Success`; a failure -> critical with Go's dial error text.
import net from 'node:net';
import type { Probe, ProbeResult } from './runner.js';

export interface TcpProbeOptions {
  address: string;
  timeoutMs: number;
}

export function tcpProbe(o: TcpProbeOptions): Probe {
  return () => runTcp(o);
}

export function splitHostPort(addr: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(addr) ?? /^([^:]*):(\d+)$/.exec(addr);
  if (!m) return undefined;
  return { host: m[1] === '' ? '127.0.0.1' : (m[1] as string), port: Number(m[2]) };
}

function runTcp(o: TcpProbeOptions): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const hp = splitHostPort(o.address);
    if (!hp) return resolve({ status: 'critical', output: `dial tcp: address ${o.address}: missing port in address` });
    let done = false;
    const sock = net.connect({ host: hp.host, port: hp.port });
    const finish = (r: ProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish({ status: 'critical', output: `dial tcp ${o.address}: i/o timeout` }), o.timeoutMs);
    sock.once('connect', () => finish({ status: 'passing', output: `TCP connect ${o.address}: Success` }));
    sock.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.code === 'ENOTFOUND' ? `lookup ${hp.host}: no such host` : err.message;
      finish({ status: 'critical', output: `dial tcp ${o.address}: ${why}` });
    });
  });
}
