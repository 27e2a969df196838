import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from '../../../../src/core/gossip/wire/index.js';

describe('crc32', () => {
  it('matches the IEEE check values', () => {
    assert.equal(crc32(new Uint8Array(0)), 0);
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
    assert.equal(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  });

  it('checksums a sub-range', () => {
    const b = new TextEncoder().encode('xx123456789');
    assert.equal(crc32(b, 2), 0xcbf43926);
    assert.equal(crc32(b, 2, 11), 0xcbf43926);
  });
});
