// One hook owns each blocking query: it keeps the last X-Consul-Index, long-polls with ?index=,
// backs off while the agent is unreachable, and aborts when the component goes away.
import { useEffect, useState } from 'preact/hooks';
import { request } from './api';

export interface QueryState<T> {
  data: T | undefined;
  error: string | undefined;
  notFound: boolean;
  loading: boolean;
}

const WAIT = '60s';
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Live data from `url` (null = nothing to fetch). `onData` sees every new answer (timelines). */
export function useBlocking<T>(url: string | null, onData?: (data: T) => void): QueryState<T> {
  const [state, setState] = useState<QueryState<T>>({ data: undefined, error: undefined, notFound: false, loading: true });
  useEffect(() => {
    if (url === null) return;
    setState({ data: undefined, error: undefined, notFound: false, loading: true });
    const ctl = new AbortController();
    void poll<T>(url, ctl.signal, (s) => {
      if (s.data !== undefined) onData?.(s.data);
      setState(s);
    });
    return () => ctl.abort();
  }, [url]);
  return state;
}

async function poll<T>(url: string, signal: AbortSignal, emit: (s: QueryState<T>) => void): Promise<void> {
  let index = 0;
  let backoff = BACKOFF_MIN_MS;
  while (!signal.aborted) {
    const sep = url.includes('?') ? '&' : '?';
    try {
      const res = await request('GET', index > 0 ? `${url}${sep}index=${index}&wait=${WAIT}` : url, undefined, signal);
      if (res.status === 404) {
        emit({ data: undefined, error: undefined, notFound: true, loading: false });
      } else if (!res.ok) {
        emit({ data: undefined, error: (await res.text()) || res.statusText, notFound: false, loading: false });
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
        continue;
      } else {
        const data = (await res.json()) as T;
        if (signal.aborted) return;
        emit({ data, error: undefined, notFound: false, loading: false });
      }
      backoff = BACKOFF_MIN_MS;
      const next = Number(res.headers.get('X-Consul-Index') ?? 0);
      // Consul's client rule: an index that goes backwards (a snapshot restore) restarts at 0.
      index = next > index ? next : next < index ? 0 : index;
      if (!res.headers.has('X-Consul-Index')) await sleep(BACKOFF_MAX_MS, signal);
    } catch {
      if (signal.aborted) return;
      // After a lost connection the agent may be another one (restarted, in-memory dev state)
      // whose index is lower: the next read must not block on the old index.
      index = 0;
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    }
  }
}
