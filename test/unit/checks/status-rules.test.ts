import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import {
  capOutput,
  httpProbe,
  httpStatus,
  IntervalRunner,
  ManualTimers,
  scriptOutput,
  scriptProbe,
  scriptStatus,
  StatusHandler,
  systemTimers,
  tcpProbe,
  TtlCheck,
  ttlExpiredOutput,
  type CheckStatus,
} from '../../../src/core/checks/index.js';

class Recorder {
  readonly updates: [string, CheckStatus, string][] = [];
  updateCheck(id: string, status: CheckStatus, output: string): void {
    this.updates.push([id, status, output]);
  }
}

test('script exit codes: 0 passing, 1 warning, anything else critical', () => {
  assert.equal(scriptStatus(0), 'passing');
  assert.equal(scriptStatus(1), 'warning');
  assert.equal(scriptStatus(2), 'critical');
  assert.equal(scriptStatus(255), 'critical');
  assert.equal(scriptStatus(null), 'critical');
});

test('HTTP codes: 2xx passing, 429 warning, anything else critical', () => {
  for (const c of [200, 201, 204, 299]) assert.equal(httpStatus(c), 'passing');
  assert.equal(httpStatus(429), 'warning');
  for (const c of [199, 301, 400, 403, 404, 500, 503]) assert.equal(httpStatus(c), 'critical');
});

test('output is capped to the last bytes', () => {
  const big = Buffer.from('a'.repeat(5000) + 'END');
  const out = scriptOutput(big, 4096);
  assert.ok(out.startsWith('Captured 4096 of 5003 bytes\n...\n'));
  assert.ok(out.endsWith('END'));
  assert.equal(scriptOutput(Buffer.from('short'), 4096), 'short');
  assert.equal(capOutput('x'.repeat(10) + 'tail', 4), 'tail');
  assert.equal(ttlExpiredOutput(''), 'TTL expired');
  assert.equal(ttlExpiredOutput('last'), 'TTL expired (last output before timeout follows): last');
});

test('StatusHandler: success_before_passing and failures_before_critical debounce', () => {
  const h = new StatusHandler({ successBeforePassing: 2, failuresBeforeWarning: 1, failuresBeforeCritical: 3 });
  assert.equal(h.next('passing'), undefined);
  assert.equal(h.next('passing'), 'passing');
  assert.equal(h.next('critical'), 'warning');
  assert.equal(h.next('critical'), 'warning');
  assert.equal(h.next('critical'), 'critical');
  assert.equal(h.next('passing'), undefined);
});

test('TTL check: starts nothing, reports, expires with "TTL expired" after the TTL', () => {
  const timers = new ManualTimers();
  const rec = new Recorder();
  const ttl = new TtlCheck('t', 3000, 4096, timers, rec);
  ttl.start();
  timers.advance(2000);
  assert.equal(rec.updates.length, 0);
  ttl.setStatus('passing', 'fine');
  timers.advance(2999);
  assert.deepEqual(rec.updates, [['t', 'passing', 'fine']]);
  timers.advance(1);
  assert.deepEqual(rec.updates[1], ['t', 'critical', 'TTL expired (last output before timeout follows): fine']);
  ttl.stop();
  ttl.setStatus('warning', '');
  timers.advance(10_000);
  assert.equal(rec.updates.length, 3, 'no expiry after stop');
});

test('TTL output longer than the cap is cut at the front with a note', () => {
  const rec = new Recorder();
  const ttl = new TtlCheck('t', 1000, 8, new ManualTimers(), rec);
  ttl.start();
  assert.equal(ttl.setStatus('passing', '0123456789'), '01234567 ... (captured 8 of 10 bytes)');
});

test('IntervalRunner: one probe in flight, next run one interval later, nothing after stop', async () => {
  const timers = new ManualTimers();
  const rec = new Recorder();
  let calls = 0;
  let release: (() => void) | undefined;
  const runner = new IntervalRunner({
    checkId: 'c',
    intervalMs: 1000,
    timers,
    notify: rec,
    probe: () => {
      calls++;
      return new Promise((resolve) => (release = () => resolve({ status: 'passing', output: `run ${calls}` })));
    },
  });
  runner.start();
  timers.advance(0);
  assert.equal(calls, 1);
  timers.advance(5000); // the probe is still running: no second one
  assert.equal(calls, 1);
  release?.();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(rec.updates, [['c', 'passing', 'run 1']]);
  timers.advance(1000);
  assert.equal(calls, 2);
  runner.stop();
  release?.();
  await new Promise((r) => setImmediate(r));
  assert.equal(rec.updates.length, 1, 'a result after stop is dropped');
});

test('script probe: combined output, exit codes, timeout kills the child', async () => {
  const ok = await scriptProbe({ args: ['sh', '-c', 'echo out; echo err >&2; exit 0'], timeoutMs: 5000, outputMaxBytes: 4096, timers: systemTimers })();
  assert.equal(ok.status, 'passing');
  assert.match(ok.output, /out\n/);
  assert.match(ok.output, /err\n/);
  assert.equal((await scriptProbe({ args: ['sh', '-c', 'exit 1'], timeoutMs: 5000, outputMaxBytes: 4096, timers: systemTimers })()).status, 'warning');
  assert.equal((await scriptProbe({ args: ['sh', '-c', 'exit 3'], timeoutMs: 5000, outputMaxBytes: 4096, timers: systemTimers })()).status, 'critical');
  const slow = await scriptProbe({ args: ['sh', '-c', 'sleep 10'], timeoutMs: 200, outputMaxBytes: 4096, timers: systemTimers })();
  assert.deepEqual(slow, { status: 'critical', output: 'Timed out (200ms) running check' });
  const missing = await scriptProbe({ args: ['/nonexistent/cmd'], timeoutMs: 1000, outputMaxBytes: 4096, timers: systemTimers })();
  assert.equal(missing.status, 'critical');
});

test('HTTP probe: status mapping, output text, User-Agent', async () => {
  let code = 200;
  let agent = '';
  const srv = http.createServer((req, res) => {
    agent = req.headers['user-agent'] ?? '';
    res.writeHead(code);
    res.end('hello');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const probe = httpProbe({ url, method: '', header: {}, body: '', tlsSkipVerify: false, tlsServerName: '', disableRedirects: false, timeoutMs: 2000, outputMaxBytes: 4096 });
  try {
    assert.deepEqual(await probe(), { status: 'passing', output: `HTTP GET ${url}: 200 OK Output: hello` });
    assert.equal(agent, 'Consul Health Check');
    code = 429;
    assert.equal((await probe()).status, 'warning');
    code = 403;
    const r = await probe();
    assert.equal(r.status, 'critical');
    assert.match(r.output, /403 Forbidden/);
  } finally {
    srv.close();
  }
  const down = await probe();
  assert.equal(down.status, 'critical');
  assert.match(down.output, /connection refused/);
});

test('TCP probe: Success text, refused is critical', async () => {
  const srv = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = `127.0.0.1:${(srv.address() as AddressInfo).port}`;
  assert.deepEqual(await tcpProbe({ address: addr, timeoutMs: 2000 })(), { status: 'passing', output: `TCP connect ${addr}: Success` });
  await new Promise<void>((r) => srv.close(() => r()));
  const r = await tcpProbe({ address: addr, timeoutMs: 2000 })();
  assert.equal(r.status, 'critical');
  assert.equal(r.output, `dial tcp ${addr}: connect: connection refused`);
});
