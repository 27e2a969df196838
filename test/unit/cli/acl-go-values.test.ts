import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goTimeJson, goTimeString, hexOfBase64, isSetTime, parseGoDuration } from '../../../src/core/cli/acl/go-values.js';
import { checkFormat, formatPolicy, formatTokenList } from '../../../src/core/cli/acl/format.js';

describe('ACL output values as Go prints them', () => {
  it('time.Time %v: UTC, fixed offsets, trimmed fractions, the zero time', () => {
    assert.equal(goTimeString('2026-12-04T10:30:00.123456789Z'), '2026-12-04 10:30:00.123456789 +0000 UTC');
    assert.equal(goTimeString('2026-12-04T10:30:00.120000Z'), '2026-12-04 10:30:00.12 +0000 UTC');
    assert.equal(goTimeString('2026-12-04T10:30:00+02:00'), '2026-12-04 10:30:00 +0200 +0200');
    assert.equal(goTimeString(undefined), '0001-01-01 00:00:00 +0000 UTC');
    assert.equal(goTimeJson('2026-12-04T10:30:00.500000000Z'), '2026-12-04T10:30:00.5Z');
    assert.equal(isSetTime('0001-01-01T00:00:00Z'), false);
    assert.equal(isSetTime('2026-12-04T10:30:00Z'), true);
  });

  it('time.ParseDuration and %x of bytes', () => {
    assert.equal(parseGoDuration('1h30m'), 5_400_000_000_000);
    assert.equal(parseGoDuration('1.5s'), 1_500_000_000);
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('10'), undefined);
    assert.equal(parseGoDuration('soon'), undefined);
    assert.equal(hexOfBase64(Buffer.from([0xde, 0xad]).toString('base64')), 'dead');
  });

  it('formatters: unknown formats, empty lists, null datacenters in JSON', () => {
    assert.deepEqual(checkFormat('yaml'), { error: 'Unknown format: yaml' });
    assert.equal(formatTokenList([], 'pretty', false), '');
    assert.equal(formatTokenList([], 'json', false), '[]');
    const p = { ID: 'i', Name: 'n', Description: '', Rules: 'r', Datacenters: null };
    assert.equal(formatPolicy(p, 'pretty', false), 'ID:           i\nName:         n\nDescription:  \nDatacenters:  \nRules:\nr');
    assert.equal(
      formatPolicy(p, 'json', false),
      '{\n    "ID": "i",\n    "Name": "n",\n    "Description": "",\n    "Rules": "r",\n    "Datacenters": null,\n    "Hash": null,\n    "CreateIndex": 0,\n    "ModifyIndex": 0\n}',
    );
  });
});
