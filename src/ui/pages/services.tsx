// /ui/:dc/services: every service with its health counts, kind and tags; search by name or tag,
// filter by health. Live through the blocking /v1/internal/ui/services; virtualized for 10,000.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { apiUrl } from '../api';
import { useBlocking } from '../blocking';
import { ErrorNote, Layout, Loading } from '../components/layout';
import { VirtualList } from '../components/virtual-list';
import { href } from '../router';
import { summaryStatus, type ServiceSummary } from '../types';

const ROW_HEIGHT_PX = 64;

function Row({ dc, s }: { dc: string; s: ServiceSummary }) {
  const status = summaryStatus(s);
  return (
    <div class="row">
      <span class={`dot dot-${status}`} title={status} aria-label={`health ${status}`} role="img" />
      <a class="name" href={href(`${encodeURIComponent(dc)}/services/${encodeURIComponent(s.Name)}/instances`)}>
        {s.Name}
      </a>
      <span class="counts">
        {s.InstanceCount} {s.InstanceCount === 1 ? 'instance' : 'instances'}
        {' · '}
        <span class="c-passing">{s.ChecksPassing} passing</span>
        {s.ChecksWarning > 0 && <span class="c-warning">, {s.ChecksWarning} warning</span>}
        {s.ChecksCritical > 0 && <span class="c-critical">, {s.ChecksCritical} critical</span>}
      </span>
      {s.Kind && <span class="kind">{s.Kind}</span>}
      <span class="tags">
        {(s.Tags ?? []).slice(0, 8).map((t) => (
          <span class="tag" key={t}>
            {t}
          </span>
        ))}
      </span>
    </div>
  );
}

export function ServicesPage({ dc }: { dc: string }) {
  const q = useBlocking<ServiceSummary[]>(apiUrl('internal/ui/services', dc));
  const [search, setSearch] = useState(new URLSearchParams(location.search).get('filter') ?? '');
  const [health, setHealth] = useState('');
  const searchBox = useRef<HTMLInputElement>(null);
  // "/" jumps to the search box, as in Consul's UI and most list pages.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const target = e.target as HTMLElement;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      e.preventDefault();
      searchBox.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const list = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (q.data ?? []).filter(
      (s) =>
        (needle === '' || s.Name.toLowerCase().includes(needle) || (s.Tags ?? []).some((t) => t.toLowerCase().includes(needle))) &&
        (health === '' || summaryStatus(s) === health),
    );
  }, [q.data, search, health]);
  return (
    <Layout dc={dc} section="services" title="Services">
      <h1>
        Services <span class="muted">{q.data ? `${q.data.length} total` : ''}</span>
      </h1>
      <div class="toolbar" role="search">
        <label>
          <span>Search by name or tag</span>
          <input ref={searchBox} type="search" aria-keyshortcuts="/" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          <span>Health</span>
          <select value={health} onChange={(e) => setHealth((e.target as HTMLSelectElement).value)}>
            <option value="">All</option>
            <option value="passing">Passing</option>
            <option value="warning">Warning</option>
            <option value="critical">Critical</option>
          </select>
        </label>
      </div>
      {q.error && <ErrorNote text={q.error} />}
      {q.loading && !q.data ? (
        <Loading what="services" />
      ) : (
        <>
          <p class="muted" aria-live="polite">
            {list.length} shown
          </p>
          <VirtualList items={list} rowHeight={ROW_HEIGHT_PX} label="Services" render={(s) => <Row dc={dc} s={s} />} />
        </>
      )}
    </Layout>
  );
}
