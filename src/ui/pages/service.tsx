// /ui/:dc/services/:name/instances: instances with their checks (and output), tags, meta, and a
// live health timeline: which instance or check changed state, and when, since the page opened.
import { useRef, useState } from 'preact/hooks';
import { apiUrl } from '../api';
import { useBlocking } from '../blocking';
import { ErrorNote, Layout, Loading, Status } from '../components/layout';
import { href } from '../router';
import { worstStatus, type ServiceEntry } from '../types';

interface TimelineEvent {
  at: Date;
  what: string;
  from: string;
  to: string;
}

/** Compares each answer with the previous one and records the state changes. */
function useTimeline(): [TimelineEvent[], (entries: ServiceEntry[]) => void] {
  const last = useRef<Map<string, string> | undefined>(undefined);
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const observe = (entries: ServiceEntry[]): void => {
    const now = new Map<string, string>();
    for (const e of entries) {
      const inst = `${e.Service.ID} on ${e.Node.Node}`;
      now.set(`instance ${inst}`, worstStatus(e.Checks));
      for (const c of e.Checks) now.set(`check "${c.Name}" of ${inst}`, c.Status);
    }
    const prev = last.current;
    last.current = now;
    if (!prev) return;
    const at = new Date();
    const fresh: TimelineEvent[] = [];
    for (const [what, to] of now) {
      const from = prev.get(what);
      if (from !== to) fresh.push({ at, what, from: from ?? 'absent', to });
    }
    for (const [what, from] of prev) if (!now.has(what)) fresh.push({ at, what, from, to: 'deregistered' });
    if (fresh.length > 0) setEvents((old) => [...fresh, ...old].slice(0, 500));
  };
  return [events, observe];
}

function Timeline({ events }: { events: TimelineEvent[] }) {
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h">Health timeline</h2>
      {events.length === 0 ? (
        <p class="muted">No state changes since this page was opened.</p>
      ) : (
        <ol class="timeline" aria-live="polite">
          {events.map((e, i) => (
            <li key={i}>
              <time dateTime={e.at.toISOString()}>{e.at.toLocaleTimeString()}</time> {e.what}: <Status status={e.from} /> → <Status status={e.to} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Instance({ dc, e }: { dc: string; e: ServiceEntry }) {
  const s = e.Service;
  return (
    <li class="card">
      <h3>
        {s.ID} <Status status={worstStatus(e.Checks)} />
      </h3>
      <p>
        Node <a href={href(`${encodeURIComponent(dc)}/nodes/${encodeURIComponent(e.Node.Node)}/health-checks`)}>{e.Node.Node}</a> · {s.Address || e.Node.Address}
        {s.Port ? `:${s.Port}` : ''}
      </p>
      {(s.Tags ?? []).length > 0 && (
        <p class="tags" aria-label="Tags">
          {(s.Tags ?? []).map((t) => (
            <span class="tag" key={t}>
              {t}
            </span>
          ))}
        </p>
      )}
      {s.Meta && Object.keys(s.Meta).length > 0 && (
        <dl class="meta">
          {Object.entries(s.Meta).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
      <table>
        <caption>Health checks of {s.ID}</caption>
        <thead>
          <tr>
            <th scope="col">Check</th>
            <th scope="col">Status</th>
            <th scope="col">Type</th>
            <th scope="col">Output</th>
          </tr>
        </thead>
        <tbody>
          {e.Checks.map((c) => (
            <tr key={c.CheckID}>
              <td>{c.Name}</td>
              <td>
                <Status status={c.Status} />
              </td>
              <td>{c.Type || (c.ServiceID ? 'service' : 'node')}</td>
              <td>
                <pre class="output">{c.Output}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </li>
  );
}

export function ServicePage({ dc, name }: { dc: string; name: string }) {
  const [events, observe] = useTimeline();
  const q = useBlocking<ServiceEntry[]>(apiUrl(`health/service/${encodeURIComponent(name)}`, dc), observe);
  const entries = q.data ?? [];
  return (
    <Layout dc={dc} section="services" title={name}>
      <p>
        <a href={href(`${encodeURIComponent(dc)}/services`)}>All services</a>
      </p>
      <h1>{name}</h1>
      {q.error && <ErrorNote text={q.error} />}
      {q.loading && !q.data ? (
        <Loading what="instances" />
      ) : entries.length === 0 ? (
        <p>This service has no instances.</p>
      ) : (
        <section aria-labelledby="instances-h">
          <h2 id="instances-h">Instances ({entries.length})</h2>
          <ul class="cards">
            {entries.map((e) => (
              <Instance key={`${e.Node.Node}/${e.Service.ID}`} dc={dc} e={e} />
            ))}
          </ul>
        </section>
      )}
      <Timeline events={events} />
    </Layout>
  );
}
