// Script handlers: JSON on stdin, CONSUL_INDEX, Go's exit texts, the 4 KB output ring.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeForHandler, OutputRing, runScriptHandler } from '../../../src/core/watch/index.js';

test('handler input is compact, HTML-escaped JSON with a newline, as Go’s json.Encoder writes it', () => {
  assert.equal(encodeForHandler({ a: '<b>&' }), '{"a":"\\u003cb\\u003e\\u0026"}\n');
  assert.equal(encodeForHandler(null), 'null\n');
  assert.equal(encodeForHandler(undefined), 'null\n');
});

test('a script handler reads stdin and sees CONSUL_INDEX; failures read like Go’s exec errors', async () => {
  let run = runScriptHandler({ script: 'echo "$CONSUL_INDEX"; cat' }, 12345678901234567890n, [1], { capture: true });
  assert.equal(await run.done, undefined);
  assert.equal(run.output(), '12345678901234567890\n[1]\n');
  run = runScriptHandler({ args: ['/bin/sh', '-c', 'exit 4'] }, 1n, null, { capture: true });
  assert.equal(await run.done, 'exit status 4');
  run = runScriptHandler({ args: ['/bin/sh', '-c', 'kill -9 $$'] }, 1n, null, { capture: true });
  assert.equal(await run.done, 'signal: killed');
  run = runScriptHandler({ args: ['no-such-handler-binary'] }, 1n, null, { capture: true });
  assert.equal(await run.done, 'exec: "no-such-handler-binary": executable file not found in $PATH');
});

test('the output ring keeps the last bytes and says how much was captured', () => {
  const ring = new OutputRing(8);
  ring.write(Buffer.from('abcdef'));
  ring.write(Buffer.from('ghijkl'));
  assert.equal(ring.text(), 'Captured 8 of 12 bytes\n...\nefghijkl');
  const small = new OutputRing(8);
  small.write(Buffer.from('abc'));
  assert.equal(small.text(), 'abc');
});
