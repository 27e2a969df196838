import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { Logger } from '../../../src/core/support/logger.js';
import { linePriority, SyslogSink, syslogFacility } from '../../../src/core/support/syslog.js';
import { tmpDir } from '../../support/tmp-dir.js';

function hasLogger(): boolean {
  try {
    execFileSync('logger', ['--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test("levels map to Consul's syslog priorities under the configured facility", () => {
  const local0 = syslogFacility('local0');
  assert.equal(local0, 16);
  assert.equal(syslogFacility('LOCAL9'), undefined);
  const at = (label: string) => linePriority(`2026-01-01T00:00:00.000Z ${label} agent: x\n`, 16);
  // Consul's logging/syslog.go: TRACE->debug, DEBUG->info, INFO->notice, WARN->warning, ERROR->err.
  assert.deepEqual([at('[TRACE]'), at('[DEBUG]'), at('[INFO] '), at('[WARN] '), at('[ERROR]')], [135, 134, 133, 132, 131]);
});

test('without a syslog socket, or with a bad facility, opening says why', () => {
  const dir = tmpDir();
  try {
    const none = SyslogSink.open({ facility: 'LOCAL0', sockets: [path.join(dir.path, 'no-log')] });
    assert.deepEqual(none, { ok: false, error: `no syslog socket found (tried ${path.join(dir.path, 'no-log')})` });
    assert.deepEqual(SyslogSink.open({ facility: 'LOCAL42' }), { ok: false, error: 'invalid syslog facility: LOCAL42' });
  } finally {
    dir.remove();
  }
});

test('agent log lines reach the local syslog socket, tagged consul, with their priority', { skip: hasLogger() ? false : 'util-linux logger (bsdutils) is not installed', timeout: 20_000 }, async () => {
  const dir = tmpDir();
  const socket = path.join(dir.path, 'log');
  let received = '';
  let gotAllLines!: () => void;
  const gotAll = new Promise<void>((resolve) => (gotAllLines = resolve));
  // A stream socket stands in for syslogd: logger falls back to SOCK_STREAM when the socket is one.
  const server = net.createServer((c) => {
    c.setEncoding('utf8');
    c.on('data', (d: string) => {
      received += d;
      if (received.split('\n').length > 3) gotAllLines();
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    const opened = SyslogSink.open({ facility: 'LOCAL3', sockets: [path.join(dir.path, 'absent'), socket] });
    assert.ok(opened.ok, opened.ok ? '' : opened.error);
    const log = new Logger(opened.sink, 'debug');
    log.info('first line, info');
    log.warn('second');
    log.debug('third');
    await opened.sink.close();
    await gotAll;
    const lines = received.trim().split('\n');
    assert.equal(lines.length, 3);
    // LOCAL3 = 19: info -> notice (19*8+5), warn -> warning (+4), debug -> info (+6).
    assert.match(lines[0] as string, new RegExp(`^<157>\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S+ consul\\[${process.pid}\\]: \\S+ \\[INFO\\]  agent: first line, info$`));
    assert.match(lines[1] as string, /^<156>.* consul\[\d+\]: \S+ \[WARN\]  agent: second$/);
    assert.match(lines[2] as string, /^<158>.* consul\[\d+\]: \S+ \[DEBUG\] agent: third$/);
  } finally {
    server.close();
    dir.remove();
  }
});
