import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columnize } from '../../../src/core/cli/columnize.js';
import { goMarshalIndent } from '../../../src/core/cli/go-json.js';
import { byteSize, formatInspectPretty } from '../../../src/core/cli/snapshot-format.js';
import { tabwrite } from '../../../src/core/cli/tabwriter.js';

describe('tabwrite (Go text/tabwriter)', () => {
  it('pads terminated cells to the column width + padding', () => {
    const out = tabwrite('CreateIndex\t5\nFlags\t42\nValue\tabc', { minWidth: 0, padding: 6 });
    assert.equal(out, 'CreateIndex      5\nFlags            42\nValue            abc');
  });

  it('does not align text after the last tab', () => {
    assert.equal(tabwrite('a\tb\tc\naaaa\tb', { minWidth: 0, padding: 1 }), 'a    b c\naaaa b');
  });

  it('starts a new column block after a line without that column', () => {
    const out = tabwrite('x\t1\nlonger-key\t2\n\nk\tv', { minWidth: 0, padding: 2 });
    assert.equal(out, 'x           1\nlonger-key  2\n\nk  v');
  });

  it('honours minWidth', () => {
    assert.equal(tabwrite('a\tb\t', { minWidth: 8, padding: 6 }), 'a       b       ');
  });
});

describe('columnize', () => {
  it('aligns all but the last column with two spaces', () => {
    assert.equal(columnize(['Node\x1fAddress\x1fStatus', 'n1\x1f127.0.0.1:8301\x1falive']), 'Node  Address         Status\nn1    127.0.0.1:8301  alive');
  });
});

describe('goMarshalIndent', () => {
  it('escapes HTML characters like encoding/json', () => {
    assert.equal(goMarshalIndent([{ key: 'a<b>&' }], '\t'), '[\n\t{\n\t\t"key": "a\\u003cb\\u003e\\u0026"\n\t}\n]');
    assert.equal(goMarshalIndent([], '\t'), '[]');
  });
});

describe('snapshot inspect formatting', () => {
  it('prints sizes like ByteSize', () => {
    assert.equal(byteSize(0), '0');
    assert.equal(byteSize(512), '512B');
    assert.equal(byteSize(1024), '1KB');
    assert.equal(byteSize(1740), '1.7KB');
    assert.equal(byteSize(5 * 1024 * 1024), '5MB');
  });

  it('lays out the meta block and the type table', () => {
    const out = formatInspectPretty({
      Meta: { ID: '2-13-1602161216', Size: 5141, Index: 13, Term: 2, Version: 1 },
      Stats: [
        { Name: 'KVS', Sum: 100, Count: 2 },
        { Name: 'Register', Sum: 1740, Count: 3 },
      ],
      TotalSize: 1840,
    });
    const lines = out.split('\n');
    assert.equal(lines[0], ' ID           2-13-1602161216');
    assert.equal(lines[4], ' Version      1');
    assert.equal(lines[5], '');
    assert.match(lines[6]!, /^ Type {2,}Count {2,}Size {2,}$/);
    assert.match(lines[8]!, /^ Register {2,}3 {2,}1\.7KB {2,}$/);
    assert.match(lines[9]!, /^ KVS {2,}2 {2,}100B {2,}$/);
    assert.match(lines[11]!, /^ Total {2,}1\.8KB {2,}$/);
  });
});
