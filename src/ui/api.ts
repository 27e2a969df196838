// The one way pages reach the agent: fetch with the datacenter and the ACL token (kept in
// localStorage under Consul UI's key), and a shared "is the agent reachable" signal for the banner.
import { settings } from './settings';

const TOKEN_KEY = 'consul:token';

export function storedToken(): string {
  try {
    const raw = localStorage.getItem(TOKEN_KEY);
    if (!raw) return '';
    const v = JSON.parse(raw) as { SecretID?: string };
    return v.SecretID ?? '';
  } catch {
    return '';
  }
}

type ReachListener = (reachable: boolean) => void;
const reachListeners = new Set<ReachListener>();
let reachable = true;

export function onReachability(fn: ReachListener): () => void {
  reachListeners.add(fn);
  return () => void reachListeners.delete(fn);
}

export function setReachable(v: boolean): void {
  if (v === reachable) return;
  reachable = v;
  for (const l of reachListeners) l(v);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `/v1/...` with `?dc=` when the page's datacenter is not the agent's own. */
export function apiUrl(path: string, dc: string, query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  if (dc && dc !== settings.datacenter) q.set('dc', dc);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return `/v1/${path.replace(/^\//, '')}${s ? `?${s.replace(/=(&|$)/g, '$1')}` : ''}`;
}

export async function request(method: string, url: string, body?: BodyInit, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = storedToken();
  if (token) headers['X-Consul-Token'] = token;
  let res: Response;
  try {
    res = await fetch(url, { method, body, headers, signal });
  } catch (err) {
    if (!signal?.aborted) setReachable(false);
    throw err;
  }
  setReachable(true);
  return res;
}

/** A request whose answer must be 2xx; the agent's error text becomes the error message. */
export async function call<T>(method: string, url: string, body?: string): Promise<T> {
  const res = await request(method, url, body);
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, text || `${res.status} ${res.statusText}`);
  return (text === '' ? null : JSON.parse(text)) as T;
}
