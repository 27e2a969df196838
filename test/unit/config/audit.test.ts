import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadRuntimeConfig } from '../../../src/core/config/index.js';

const load = (hcl: string) => loadRuntimeConfig({ dev: true, paths: [], flags: {}, hcl: [hcl] });

test('audit is off by default', async () => {
  const c = await loadRuntimeConfig({ dev: true, paths: [], flags: {} });
  assert.deepEqual(c.audit, { enabled: false, sinks: [] });
});

test("audit block in Consul Enterprise's shape: named file sinks with rotation", async () => {
  const c = await load(`audit {
    enabled = true
    sink "My sink" {
      type = "file"
      format = "json"
      path = "/var/log/consul/audit.json"
      delivery_guarantee = "best-effort"
      rotate_bytes = 25165824
      rotate_duration = "24h"
      rotate_max_files = 15
    }
  }`);
  assert.deepEqual(c.audit, {
    enabled: true,
    sinks: [{ name: 'My sink', path: '/var/log/consul/audit.json', mode: 0o600, rotateBytes: 25165824, rotateDurationMs: 86_400_000, rotateMaxFiles: 15 }],
  });
});

test('audit: unsupported sink types, formats and guarantees, a missing path and unknown keys are config errors', async () => {
  await assert.rejects(load('audit { enabled = true sink "s" { type = "syslog" path = "/a" } }'), /audit\.sink "s": type must be "file", got "syslog"/);
  await assert.rejects(load('audit { enabled = true sink "s" { format = "xml" path = "/a" } }'), /format must be "json"/);
  await assert.rejects(load('audit { enabled = true sink "s" { delivery_guarantee = "exactly-once" path = "/a" } }'), /delivery_guarantee must be "best-effort"/);
  await assert.rejects(load('audit { enabled = true sink "s" { type = "file" } }'), /audit\.sink "s": path is required/);
  await assert.rejects(load('audit { enabled = true }'), /audit: enabled requires at least one sink/);
  await assert.rejects(load('audit { bogus = 1 }'), /invalid config key audit\.bogus/);
});
