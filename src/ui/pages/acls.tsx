// /ui/:dc/acls/*: tokens, policies and roles need the ACL system, which this agent does not run
// yet; the page says so plainly instead of showing empty lists.
import { Layout } from '../components/layout';
import { settings } from '../settings';

export function AclsPage({ dc }: { dc: string }) {
  return (
    <Layout dc={dc} section="acls" title="Access Controls">
      <h1>Access Controls</h1>
      {!settings.aclsEnabled && (
        <div class="notice" role="status">
          <h2>ACLs are disabled</h2>
          <p>
            This agent runs without the ACL system (<code>acl.enabled</code> is off), so every request is allowed and there are no tokens, policies or
            roles to manage.
          </p>
        </div>
      )}
    </Layout>
  );
}
