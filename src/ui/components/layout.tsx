// The page chrome: skip link, navigation, datacenter switcher and the "agent unreachable" banner.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiUrl, call, onReachability } from '../api';
import { consumeInAppNavigation, href, navigate } from '../router';

const SECTIONS: [string, string][] = [
  ['services', 'Services'],
  ['nodes', 'Nodes'],
  ['kv', 'Key/Value'],
  ['acls/tokens', 'Access Controls'],
  ['overview/server-status', 'Cluster Overview'],
];

function Banner() {
  const [down, setDown] = useState(false);
  useEffect(() => onReachability((ok) => setDown(!ok)), []);
  if (!down) return null;
  return (
    <div class="banner" role="alert">
      Agent unreachable, retrying…
    </div>
  );
}

function DatacenterSwitcher({ dc, section }: { dc: string; section: string }) {
  const [dcs, setDcs] = useState<string[]>([dc]);
  useEffect(() => {
    call<string[]>('GET', apiUrl('catalog/datacenters', ''))
      .then((list) => setDcs(list.includes(dc) ? list : [dc, ...list]))
      .catch(() => undefined);
  }, [dc]);
  return (
    <label class="dc">
      <span>Datacenter</span>
      <select value={dc} onChange={(e) => navigate(`${encodeURIComponent((e.target as HTMLSelectElement).value)}/${section}`)}>
        {dcs.map((d) => (
          <option key={d} value={d}>
            {d}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Layout({ dc, section, title, children }: { dc: string; section: string; title: string; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} - Consul`;
  }, [title]);
  // After an in-app navigation, move focus to the new page so keyboard and screen-reader users
  // start there (a full page load starts at the top anyway).
  useEffect(() => {
    if (consumeInAppNavigation()) document.getElementById('main')?.focus({ preventScroll: true });
  }, [section, title]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand" aria-hidden="true">
          consul-ts
        </span>
        <nav aria-label="Main">
          <ul>
            {SECTIONS.map(([path, label]) => (
              <li key={path}>
                <a href={href(`${encodeURIComponent(dc)}/${path}`)} aria-current={section === path.split('/')[0] ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <DatacenterSwitcher dc={dc} section={SECTIONS.find(([p]) => p.startsWith(section))?.[0] ?? 'services'} />
      </header>
      <Banner />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

export function Status({ status }: { status: string }) {
  return <span class={`status status-${status}`}>{status}</span>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorNote({ text }: { text: string }) {
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}
