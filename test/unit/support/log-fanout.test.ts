import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogFanout, formatLogJson, parseMonitorLevel, splitKeyValues } from '../../../src/core/support/log-fanout.js';
import { Logger } from '../../../src/core/support/logger.js';

test('monitor levels: hclog names in any case; unknown is refused', () => {
  assert.equal(parseMonitorLevel('DEBUG'), 'debug');
  assert.equal(parseMonitorLevel(' Trace '), 'trace');
  assert.equal(parseMonitorLevel('off'), 'off');
  assert.equal(parseMonitorLevel('verbose'), undefined);
});

test('a monitor at debug sees lines below the agent level; the sink does not', () => {
  const sinkLines: string[] = [];
  const fanout = new LogFanout();
  const log = new Logger({ write: (l) => sinkLines.push(l) }, 'info', 'agent', fanout).named('server');
  log.debug('before any monitor');
  const sub = fanout.subscribe({ level: 'debug', json: false });
  log.debug('hello: key=value');
  log.trace('too fine');
  assert.equal(sinkLines.length, 0);
  const lines = sub.take();
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[DEBUG\] agent\.server: hello: key=value\n$/);
  sub.close();
  assert.equal(fanout.subscriberCount, 0);
  assert.equal(fanout.minRank, Number.POSITIVE_INFINITY, 'no subscriber: records below the agent level are not even built');
});

test('a full subscription drops, counts, and tells the client once there is room', () => {
  const fanout = new LogFanout();
  const log = new Logger({ write: () => undefined }, 'info', 'agent', fanout);
  const sub = fanout.subscribe({ level: 'info', json: false, capacityLines: 10 });
  for (let i = 0; i < 1000; i++) log.info(`line ${i}`);
  assert.equal(sub.pending, 10, 'memory stays bounded by the capacity');
  assert.equal(sub.droppedTotal, 990);
  sub.noticeDropped();
  assert.equal(sub.pending, 10, 'no room: the notice waits');
  const first = sub.take();
  assert.match(first[9] ?? '', /line 9\n$/);
  sub.noticeDropped();
  assert.deepEqual(sub.take(), ['[WARN] Monitor dropped 990 logs during monitor request\n']);
  sub.noticeDropped();
  assert.equal(sub.pending, 0, 'told once');
  sub.close();
});

test('JSON lines carry hclog field names, key/value pairs as fields', () => {
  const line = formatLogJson({ timeMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678), level: 'info', name: 'agent.server', msg: 'consul server started: node=n1 id="a b"' });
  assert.ok(line.endsWith('\n'));
  const obj = JSON.parse(line) as Record<string, string>;
  assert.deepEqual(Object.keys(obj), ['@level', '@message', '@module', '@timestamp', 'id', 'node']);
  assert.deepEqual(obj, { '@level': 'info', '@message': 'consul server started', '@module': 'agent.server', '@timestamp': '2026-01-02T03:04:05.678000Z', id: 'a b', node: 'n1' });
  assert.deepEqual(splitKeyValues('http: request failed: no pairs here'), { message: 'http: request failed: no pairs here', fields: {} });
});
