// Runs the ACL matrix (acl-matrix-table.ts) against an agent's HTTP port: the fixtures, each row
// with each kind of token, and the classification of answers. Shared by the matrix tests that
// resolve tokens with a test resolver and with the ACL system's own tokens.
import assert from 'node:assert/strict';
import http from 'node:http';
import { ROUTES } from '../../src/core/http/routes.js';
import { createCsr, generateEcKey } from '../../src/core/tls/index.js';
import { ACL_SYSTEM_ROWS, EXTRA_ROWS, MATRIX, NODE, TOKEN_KINDS, WEB_SERVICE, type Fixtures, type MatrixRow, type Outcome, type TokenKind } from './acl-matrix-table.js';

export type Secrets = Readonly<Record<Exclude<TokenKind, 'none'>, string>>;

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class MatrixRunner {
  readonly fixtures: Fixtures = { sessionId: '', csr: '', queryId: '', tokenAccessor: '', policyId: '', policyName: '', roleId: '', roleName: '' };

  constructor(
    private readonly httpPort: number,
    readonly secrets: Secrets,
    /** The ACL system's own endpoints answer (acl-matrix-real): run their rows and make their fixtures. */
    private readonly aclSystem = false,
  ) {}

  call(method: string, path: string, token: string | undefined, body?: unknown, stream = false): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const headers: Record<string, string> = {};
      if (token !== undefined) headers['X-Consul-Token'] = token;
      if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
      const req = http.request({ host: '127.0.0.1', port: this.httpPort, method, path, headers, timeout: 30_000 }, (res) => {
        if (stream && res.statusCode === 200) {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
          res.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A call with the management token that must answer 200. */
  async ok(method: string, path: string, body?: unknown): Promise<Answer> {
    const a = await this.call(method, path, this.secrets.manage, body);
    assert.equal(a.status, 200, `${method} ${path}: ${a.status} ${a.body}`);
    return a;
  }

  async waitForLeader(ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const l = await this.call('GET', '/v1/status/leader', undefined).catch(() => undefined);
      if (l && l.status === 200 && l.body !== '""') return;
      assert.ok(Date.now() < deadline, `no leader within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** What the fixtures need once: a CSR for web and an event. */
  async prepare(): Promise<void> {
    const key = await generateEcKey();
    this.fixtures.csr = await createCsr(key, 'spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web');
    await this.ok('PUT', '/v1/event/fire/deploy', 'x');
    // A coordinate for the agent's node, so the coordinate list has something to hide.
    await this.ok('PUT', '/v1/coordinate/update', { Node: NODE, Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 1e-5 } });
    const deadline = Date.now() + 30_000;
    while ((JSON.parse((await this.ok('GET', '/v1/coordinate/nodes')).body) as unknown[]).length === 0) {
      assert.ok(Date.now() < deadline, 'no coordinate stored within 30s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Everything the rows read or change, (re)created with the management token. */
  async setUp(): Promise<void> {
    await this.ok('PUT', '/v1/kv/app/config', 'v1');
    await this.ok('PUT', '/v1/kv/app/other', 'v1');
    await this.ok('PUT', '/v1/agent/service/register', WEB_SERVICE);
    await this.ok('PUT', '/v1/catalog/register', { Node: 'ext', Address: '10.0.0.9', Service: { Service: 'web', ID: 'web-ext' } });
    await this.ok('PUT', '/v1/connect/intentions/exact?source=api&destination=web', { Action: 'allow' });
    await this.ok('PUT', '/v1/config', { Kind: 'service-defaults', Name: 'web', Protocol: 'http' });
    const s = await this.ok('PUT', '/v1/session/create', { Node: NODE, Checks: [] });
    this.fixtures.sessionId = (JSON.parse(s.body) as { ID: string }).ID;
    await this.setUpQuery();
    if (this.aclSystem) await this.setUpAclObjects();
  }

  /** The prepared query `webq` (a row deletes it). */
  private async setUpQuery(): Promise<void> {
    const list = JSON.parse((await this.ok('GET', '/v1/query')).body) as { ID: string; Name: string }[];
    const found = list.find((q) => q.Name === 'webq');
    if (found) {
      this.fixtures.queryId = found.ID;
      return;
    }
    this.fixtures.queryId = (JSON.parse((await this.ok('POST', '/v1/query', { Name: 'webq', Service: { Service: 'web' } })).body) as { ID: string }).ID;
  }

  /** A fresh policy, role and token for the ACL system's rows (some rows delete them). */
  private async setUpAclObjects(): Promise<void> {
    const f = this.fixtures;
    const suffix = Math.random().toString(36).slice(2, 10);
    f.policyName = `fixture-policy-${suffix}`;
    f.policyId = (JSON.parse((await this.ok('PUT', '/v1/acl/policy', { Name: f.policyName, Rules: 'key "x" { policy = "read" }' })).body) as { ID: string }).ID;
    f.roleName = `fixture-role-${suffix}`;
    f.roleId = (JSON.parse((await this.ok('PUT', '/v1/acl/role', { Name: f.roleName, Policies: [{ ID: f.policyId }] })).body) as { ID: string }).ID;
    const t = await this.ok('PUT', '/v1/acl/token', { Description: 'fixture', Policies: [{ ID: f.policyId }] });
    f.tokenAccessor = (JSON.parse(t.body) as { AccessorID: string }).AccessorID;
  }

  async runRow(row: MatrixRow): Promise<string[]> {
    const failures: string[] = [];
    for (const kind of TOKEN_KINDS) {
      await this.setUp();
      const req = row.request(this.fixtures);
      const a = await this.call(row.method, req.path, kind === 'none' ? undefined : this.secrets[kind], req.body, req.stream);
      const got = classify(a, row);
      // Consul never tells an anonymous caller that something was hidden (maskResultsFilteredByACLs).
      const want = kind === 'none' && row.expect[kind] === 'filter' ? 'allow' : row.expect[kind];
      if (got !== want) failures.push(`${row.method} ${req.path} as ${kind}: want ${want}, got ${got} (${a.status} ${a.body.slice(0, 160)}) [${row.consul}]`);
      if (got === 'deny' && a.status === 403 && !a.body.startsWith('Permission denied')) failures.push(`${row.method} ${req.path} as ${kind}: 403 text ${JSON.stringify(a.body)}`);
      if (a.headers['x-consul-default-acl-policy'] !== 'deny') failures.push(`${row.method} ${req.path} as ${kind}: X-Consul-Default-ACL-Policy ${String(a.headers['x-consul-default-acl-policy'])}`);
    }
    return failures;
  }

  /**
   * Every row with every token; `beforeLast` runs before the rows that stop the agent. Fails when
   * a route or method of ROUTES has no row; returns the failures and the count covered.
   */
  async runAll(beforeLast?: () => Promise<string[]>): Promise<{ failures: string[]; covered: number; total: number; calls: number }> {
    const key = (r: { method: string; route: string }): string => `${r.method} ${r.route}`;
    const aclSystemKeys = new Set(ACL_SYSTEM_ROWS.map(key));
    const all = ROUTES.flatMap((r) => Object.keys(r.methods).map((m) => `${m} ${r.path}`));
    // Without the ACL system, its own routes answer "ACL support disabled": acl-matrix-real covers them.
    const mustCover = this.aclSystem ? all : all.filter((k) => !aclSystemKeys.has(k));
    const present = new Set(all);
    const rows = [...MATRIX, ...(this.aclSystem ? ACL_SYSTEM_ROWS.filter((r) => present.has(key(r))) : [])];
    const covered = new Set(rows.map(key));
    assert.equal(covered.size, rows.length, 'one row per route and method');
    assert.deepEqual(mustCover.filter((k) => !covered.has(k)), [], 'routes without a row in the ACL matrix table');
    const failures: string[] = [];
    const ordered = [...rows.filter((r) => !r.last), ...EXTRA_ROWS, ...rows.filter((r) => r.last)];
    let ranBeforeLast = false;
    for (const row of ordered) {
      if (row.last && !ranBeforeLast && beforeLast) {
        ranBeforeLast = true;
        failures.push(...(await beforeLast()));
      }
      failures.push(...(await this.runRow(row)));
    }
    return { failures, covered: [...covered].filter((k) => present.has(k)).length, total: mustCover.length, calls: ordered.length * TOKEN_KINDS.length };
  }
}

function classify(a: Answer, row: MatrixRow): Outcome {
  // A permission decision names the missing permission, or is Consul's bare text; other 403s
  // (ACL not found, "Permission denied: ACL bootstrap no longer allowed ...") are refusals.
  if (a.status === 403) return a.body === 'Permission denied' || /^Permission denied: .* lacks permission '/.test(a.body) ? 'deny' : 'refused';
  if (a.status === 409 && a.body.includes('Permission denied')) return 'deny';
  if (a.headers['x-consul-results-filtered-by-acls'] === 'true') return 'filter';
  const hides = Object.values(row.expect).includes('hidden');
  return hides && a.status === 200 && a.body.trim().replace(/\s+/g, '') === '[]' ? 'hidden' : 'allow';
}
