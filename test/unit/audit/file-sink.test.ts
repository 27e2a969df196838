import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileSink, nodeSinkFs, redactTokenParam, type SinkFs } from '../../../src/core/audit/index.js';

const line = (i: number): string => JSON.stringify({ n: i, pad: 'x'.repeat(40) });

describe('audit file sink', () => {
  it('rotates by size, keeping rotate_max_files old files, and loses no line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-rot-'));
    let clock = 1_000;
    const sink = new FileSink({ path: join(dir, 'audit.json'), mode: 0o600, rotateBytes: 1000, rotateDurationMs: 0, rotateMaxFiles: 2, now: () => clock++ });
    for (let i = 0; i < 100; i++) {
      sink.append(line(i));
      if (i % 5 === 4) await sink.drain(); // batches of 5 lines (~285 bytes)
    }
    await sink.close();
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 3, files.join(' '));
    assert.ok(files.includes('audit.json'));
    for (const f of files) assert.ok(readFileSync(join(dir, f)).length <= 1000, `${f} is within rotate_bytes`);
    // The kept files hold the newest lines, in order, each complete.
    const rotated = files.filter((f) => f !== 'audit.json').sort((a, b) => Number(/-(\d+)\./.exec(a)![1]) - Number(/-(\d+)\./.exec(b)![1]));
    const lines = [...rotated, 'audit.json'].flatMap((f) => readFileSync(join(dir, f), 'utf8').trimEnd().split('\n'));
    const ns = lines.map((l) => (JSON.parse(l) as { n: number }).n);
    assert.deepEqual(ns, ns.map((_, i) => ns[0]! + i));
    assert.equal(ns.at(-1), 99);
    assert.equal(sink.dropped, 0);
    assert.equal(sink.written, 100);
  });

  it('splits one large batch across files at line boundaries, each within rotate_bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-split-'));
    let clock = 5_000;
    const sink = new FileSink({ path: join(dir, 'audit.json'), mode: 0o600, rotateBytes: 1000, rotateDurationMs: 0, rotateMaxFiles: 0, now: () => clock++ });
    for (let i = 0; i < 100; i++) sink.append(line(i));
    await sink.close();
    const files = readdirSync(dir).sort((a, b) => (a === 'audit.json' ? 1 : b === 'audit.json' ? -1 : Number(/-(\d+)\./.exec(a)![1]) - Number(/-(\d+)\./.exec(b)![1])));
    assert.ok(files.length > 5, files.join(' '));
    for (const f of files) assert.ok(readFileSync(join(dir, f)).length <= 1000, `${f} is within rotate_bytes`);
    const ns = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').trimEnd().split('\n')).map((l) => (JSON.parse(l) as { n: number }).n);
    assert.deepEqual(ns, Array.from({ length: 100 }, (_, i) => i));
    assert.equal(sink.written, 100);
  });

  it('rotates by age', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-age-'));
    let clock = 0;
    const sink = new FileSink({ path: join(dir, 'a.log'), mode: 0o600, rotateBytes: 0, rotateDurationMs: 60_000, rotateMaxFiles: 0, now: () => clock });
    sink.append('one');
    await sink.drain();
    clock = 61_000;
    sink.append('two');
    await sink.close();
    assert.deepEqual(readdirSync(dir).sort(), ['a-61000.log', 'a.log']);
    assert.equal(readFileSync(join(dir, 'a.log'), 'utf8'), 'two\n');
  });

  it('a write error (a full disk) drops and counts the batch, then recovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-full-'));
    let full = true;
    const fs: SinkFs = {
      ...nodeSinkFs,
      async open(path, mode) {
        const h = await nodeSinkFs.open(path, mode);
        return {
          write: (d) => (full ? Promise.reject(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })) : h.write(d)),
          close: () => h.close(),
        };
      },
    };
    const drops: Array<[number, string]> = [];
    const sink = new FileSink({ path: join(dir, 'audit.json'), mode: 0o600, rotateBytes: 0, rotateDurationMs: 0, rotateMaxFiles: 0, fs, onDrop: (n, r) => drops.push([n, r]) });
    for (let i = 0; i < 3; i++) sink.append(line(i));
    await sink.drain();
    assert.equal(sink.dropped, 3);
    assert.deepEqual(drops, [[3, 'ENOSPC']]);
    full = false;
    sink.append(line(3));
    await sink.close();
    assert.equal(readFileSync(join(dir, 'audit.json'), 'utf8'), `${line(3)}\n`);
  });

  it('/dev/full: every line is dropped and counted, nothing throws', { skip: !existsSync('/dev/full') }, async () => {
    const sink = new FileSink({ path: '/dev/full', mode: 0o600, rotateBytes: 0, rotateDurationMs: 0, rotateMaxFiles: 0 });
    for (let i = 0; i < 10; i++) sink.append(line(i));
    await sink.drain();
    sink.append(line(10));
    await sink.close();
    assert.equal(sink.dropped, 11);
    assert.equal(sink.written, 0);
  });

  it('a stuck disk never holds the caller: the bounded queue drops what does not fit', async () => {
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((r) => (release = r));
    const fs: SinkFs = { ...nodeSinkFs, mkdir: async () => undefined, stat: async () => ({ size: 0 }), open: async () => ({ write: () => stuck, close: async () => undefined }) };
    const sink = new FileSink({ path: '/nonexistent/audit.json', mode: 0o600, rotateBytes: 0, rotateDurationMs: 0, rotateMaxFiles: 0, fs, maxQueuedBytes: 10_000 });
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) sink.append(line(i));
    assert.ok(performance.now() - t0 < 1000, 'append does not wait for the disk');
    await new Promise((r) => setImmediate(r));
    assert.ok(sink.dropped > 9_000, `dropped ${sink.dropped}`);
    release();
    await sink.close(1000);
  });

  it('the logged path never carries ?token=', () => {
    assert.equal(redactTokenParam('/v1/kv/a?token=s3cret'), '/v1/kv/a');
    assert.equal(redactTokenParam('/v1/kv/a?recurse&token=s3cret&dc=dc1'), '/v1/kv/a?recurse&dc=dc1');
    assert.equal(redactTokenParam('/v1/kv/a?%74oken=s3cret&keys'), '/v1/kv/a?keys');
    assert.equal(redactTokenParam('/v1/kv/a?tokens=1'), '/v1/kv/a?tokens=1');
  });
});
