import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AuditLog, type AuditRecord } from '../../../src/core/audit/index.js';
import type { AclResolver, RequestAcl } from '../../../src/core/acl/index.js';
import { Logger } from '../../../src/core/support/logger.js';

const MGMT = { secret: 'aaaaaaaa-0000-0000-0000-000000000001', accessor: 'bbbbbbbb-0000-0000-0000-000000000001' };

/** A resolver knowing one token; anything else is "ACL not found". */
const resolver: AclResolver = {
  enabled: true,
  defaultPolicy: 'deny',
  resolve(secret) {
    if (secret === undefined) return { accessorId: '00000000-0000-0000-0000-000000000002', enabled: true } as RequestAcl;
    if (secret === MGMT.secret) return Promise.resolve({ accessorId: MGMT.accessor, enabled: true } as RequestAcl);
    throw new Error('ACL not found');
  },
};

describe('audit log: who made each request', () => {
  it('names callers the server identified, resolves the others after the answer, never logs a secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-log-'));
    const file = join(dir, 'a.json');
    const audit = new AuditLog({ enabled: true, sinks: [{ name: 's', path: file, mode: 0o600, rotateBytes: 0, rotateDurationMs: 0, rotateMaxFiles: 0 }] }, new Logger({ write: () => undefined }, 'error'), () => resolver);
    const server = http.createServer((req, res) => {
      audit.observe(req, res);
      // "/identified" plays a request the HTTP server resolved itself; the others were forwarded.
      if (req.url?.startsWith('/identified')) audit.identify(res, { accessorId: 'cccccccc-0000-0000-0000-000000000003', enabled: true });
      res.statusCode = req.url?.includes('denied') ? 403 : 200;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await (await fetch(`${base}/identified/a`)).text();
      await (await fetch(`${base}/forwarded/b`, { headers: { 'X-Consul-Token': MGMT.secret } })).text();
      await (await fetch(`${base}/forwarded/c?token=${MGMT.secret}&x=1`)).text();
      await (await fetch(`${base}/forwarded/denied`, { headers: { Authorization: 'Bearer not-a-token' } })).text();
      await (await fetch(`${base}/forwarded/anonymous`)).text();
      const deadline = Date.now() + 5000;
      let records: AuditRecord[] = [];
      while (records.length < 5) {
        if (Date.now() > deadline) throw new Error(`only ${records.length} lines`);
        await new Promise((r) => setTimeout(r, 20));
        try {
          records = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as AuditRecord);
        } catch {
          records = [];
        }
      }
      const byPath = new Map(records.map((r) => [r.path, r]));
      assert.equal(byPath.get('/identified/a')?.accessor_id, 'cccccccc-0000-0000-0000-000000000003');
      assert.equal(byPath.get('/forwarded/b')?.accessor_id, MGMT.accessor);
      assert.equal(byPath.get('/forwarded/c?x=1')?.accessor_id, MGMT.accessor);
      assert.deepEqual([byPath.get('/forwarded/denied')?.accessor_id, byPath.get('/forwarded/denied')?.status], ['', 403]);
      assert.equal(byPath.get('/forwarded/anonymous')?.accessor_id, '00000000-0000-0000-0000-000000000002');
      assert.ok(!readFileSync(file, 'utf8').includes(MGMT.secret));
      assert.ok(!readFileSync(file, 'utf8').includes('not-a-token'));
    } finally {
      server.close();
      await audit.close();
    }
  });
});
