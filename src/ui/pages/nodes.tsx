// /ui/:dc/nodes and /ui/:dc/nodes/:node/<tab>: the node list with health, and one node's checks,
// services, metadata and lock sessions (with invalidate). Live through /v1/internal/ui/*.
import { useState } from 'preact/hooks';
import { apiUrl, call } from '../api';
import { useBlocking } from '../blocking';
import { ErrorNote, Layout, Loading, Status } from '../components/layout';
import { href } from '../router';
import { worstStatus, type NodeInfo, type Session } from '../types';

export function NodesPage({ dc }: { dc: string }) {
  const q = useBlocking<NodeInfo[]>(apiUrl('internal/ui/nodes', dc));
  return (
    <Layout dc={dc} section="nodes" title="Nodes">
      <h1>Nodes</h1>
      {q.error && <ErrorNote text={q.error} />}
      {q.loading && !q.data ? (
        <Loading what="nodes" />
      ) : (
        <table>
          <caption class="sr-only">Nodes</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Health</th>
              <th scope="col">Address</th>
              <th scope="col">Services</th>
            </tr>
          </thead>
          <tbody>
            {(q.data ?? []).map((n) => (
              <tr key={n.Node}>
                <td>
                  <a href={href(`${encodeURIComponent(dc)}/nodes/${encodeURIComponent(n.Node)}/health-checks`)}>{n.Node}</a>
                </td>
                <td>
                  <Status status={worstStatus(n.Checks)} />
                </td>
                <td>{n.Address}</td>
                <td>{n.Services.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

const TABS: [string, string][] = [
  ['health-checks', 'Health Checks'],
  ['service-instances', 'Service Instances'],
  ['metadata', 'Metadata'],
  ['lock-sessions', 'Lock Sessions'],
];

function Sessions({ dc, node }: { dc: string; node: string }) {
  const q = useBlocking<Session[]>(apiUrl(`session/node/${encodeURIComponent(node)}`, dc));
  const [error, setError] = useState('');
  if (q.loading && !q.data) return <Loading what="sessions" />;
  const list = q.data ?? [];
  if (list.length === 0) return <p>This node has no lock sessions.</p>;
  const invalidate = (id: string): void => {
    setError('');
    call('PUT', apiUrl(`session/destroy/${id}`, dc)).catch((e: Error) => setError(e.message));
  };
  return (
    <>
      {error && <ErrorNote text={error} />}
      <table>
        <caption class="sr-only">Lock sessions</caption>
        <thead>
          <tr>
            <th scope="col">ID</th>
            <th scope="col">Name</th>
            <th scope="col">Behavior</th>
            <th scope="col">TTL</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.map((s) => (
            <tr key={s.ID}>
              <td>
                <code>{s.ID}</code>
              </td>
              <td>{s.Name}</td>
              <td>{s.Behavior}</td>
              <td>{s.TTL || '—'}</td>
              <td>
                <button type="button" onClick={() => invalidate(s.ID)}>
                  Invalidate session {s.Name || s.ID.slice(0, 8)}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function NodePage({ dc, node, tab }: { dc: string; node: string; tab: string }) {
  const q = useBlocking<NodeInfo>(apiUrl(`internal/ui/node/${encodeURIComponent(node)}`, dc));
  const n = q.data;
  const base = `${encodeURIComponent(dc)}/nodes/${encodeURIComponent(node)}`;
  return (
    <Layout dc={dc} section="nodes" title={node}>
      <p>
        <a href={href(`${encodeURIComponent(dc)}/nodes`)}>All nodes</a>
      </p>
      <h1>
        {node} {n && <Status status={worstStatus(n.Checks)} />}
      </h1>
      {n && <p class="muted">{n.Address}</p>}
      <nav aria-label="Node sections" class="tabs">
        {TABS.map(([t, label]) => (
          <a key={t} href={href(`${base}/${t}`)} aria-current={t === tab ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {q.error && <ErrorNote text={q.error} />}
      {q.notFound && <p>Node {node} is not in the catalog.</p>}
      {q.loading && !n && <Loading what="node" />}
      {n && tab === 'health-checks' && (
        <ul class="cards">
          {n.Checks.map((c) => (
            <li class="card" key={c.CheckID}>
              <h2>
                {c.Name} <Status status={c.Status} />
              </h2>
              <p class="muted">
                {c.CheckID}
                {c.ServiceName ? ` · service ${c.ServiceName}` : ''}
              </p>
              <pre class="output">{c.Output}</pre>
            </li>
          ))}
        </ul>
      )}
      {n && tab === 'service-instances' && (
        <ul class="cards">
          {n.Services.map((s) => (
            <li class="card" key={s.ID}>
              <a href={href(`${encodeURIComponent(dc)}/services/${encodeURIComponent(s.Service)}/instances`)}>{s.Service}</a> <span class="muted">{s.ID}</span>
              {s.Port ? ` :${s.Port}` : ''}
            </li>
          ))}
        </ul>
      )}
      {n && tab === 'metadata' && (
        <dl class="meta">
          {Object.entries(n.Meta ?? {}).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
      {tab === 'lock-sessions' && <Sessions dc={dc} node={node} />}
    </Layout>
  );
}
