// The web UI: one route per URL of Consul's UI scheme, pages that compose components, and a thin
// data layer (api.ts, blocking.ts). Preact keeps the first load small (see scripts/build-ui.mjs).
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { Layout } from './components/layout';
import { AclsPage } from './pages/acls';
import { KvEditPage, KvFolderPage } from './pages/kv';
import { NodePage, NodesPage } from './pages/nodes';
import { OverviewPage } from './pages/overview';
import { ServicePage } from './pages/service';
import { ServicesPage } from './pages/services';
import { interceptLinks, navigate, useRoute } from './router';
import { settings } from './settings';
import './styles.css';

function NotFound({ dc }: { dc: string }) {
  return (
    <Layout dc={dc} section="" title="Not found">
      <h1>Page not found</h1>
      <p>There is no page at this address.</p>
    </Layout>
  );
}

/** Bookmarks of Consul's intentions page land here: Connect is not part of this agent yet. */
function IntentionsUnavailable({ dc }: { dc: string }) {
  return (
    <Layout dc={dc} section="intentions" title="Intentions">
      <h1>Intentions</h1>
      <p role="status">Intentions are not available: this agent does not implement Consul Connect yet.</p>
    </Layout>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, true), [to]);
  return null;
}

/** KV URLs: `a/b/` is a folder, `a/b/create` creates in a folder, `a/b/key/edit` edits a key. */
function kvRoute(dc: string, rest: string[]) {
  const path = rest.join('/');
  if (path === '' || path.endsWith('/')) return <KvFolderPage key={`f:${path}`} dc={dc} folder={path} />;
  if (path === 'create' || path.endsWith('/create')) return <KvEditPage key={`c:${path}`} dc={dc} folder={path.slice(0, -'create'.length)} kvKey={undefined} />;
  const key = path.endsWith('/edit') ? path.slice(0, -'/edit'.length) : path;
  const folder = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
  return <KvEditPage key={`e:${key}`} dc={dc} folder={folder} kvKey={key} />;
}

function App() {
  const { segments } = useRoute();
  const [dc = '', section = '', ...rest] = segments;
  if (dc === '') return <Redirect to={`${encodeURIComponent(settings.datacenter)}/services`} />;
  switch (section) {
    case '':
      return <Redirect to={`${encodeURIComponent(dc)}/services`} />;
    case 'services':
      if (rest[0]) return <ServicePage key={rest[0]} dc={dc} name={rest[0]} />;
      return <ServicesPage dc={dc} />;
    case 'nodes':
      if (rest[0]) return <NodePage key={rest[0]} dc={dc} node={rest[0]} tab={rest[1] || 'health-checks'} />;
      return <NodesPage dc={dc} />;
    case 'kv':
      return kvRoute(dc, rest);
    case 'acls':
      return <AclsPage dc={dc} />;
    case 'intentions':
      return <IntentionsUnavailable dc={dc} />;
    case 'overview':
      return <OverviewPage dc={dc} />;
    default:
      return <NotFound dc={dc} />;
  }
}

const root = document.getElementById('app') as HTMLElement;
interceptLinks(root);
render(<App />, root);
