// Dial addresses of the RPC port as Consul writes them: "host:port", IPv6 as "[::1]:8300".
import { isIPv6 } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

/** Parses "host:port" / "[v6]:port"; null when malformed (bare IPv6 without brackets included). */
export function parseAddr(addr: string): HostPort | null {
  let host: string;
  let portText: string;
  if (addr.startsWith('[')) {
    const close = addr.indexOf(']');
    if (close < 0 || addr[close + 1] !== ':') return null;
    host = addr.slice(1, close);
    portText = addr.slice(close + 2);
    if (!isIPv6(host)) return null;
  } else {
    const colon = addr.lastIndexOf(':');
    if (colon <= 0 || addr.indexOf(':') !== colon) return null;
    host = addr.slice(0, colon);
    portText = addr.slice(colon + 1);
  }
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  return { host, port };
}

/** The inverse of parseAddr (brackets around IPv6 hosts). */
export function formatAddr(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
