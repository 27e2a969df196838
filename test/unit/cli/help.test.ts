import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandHelp, goFlagDefaults, topLevelHelp, wrapText } from '../../../src/core/cli/help.js';
import { route } from '../../../src/core/cli/main.js';

const kvPut = {
  id: 'kv:put',
  summary: 'Sets or updates data in the KV store',
  description: '\nUsage: consul kv put [options] KEY [DATA]\n\n  Writes the data.\n',
  flags: {
    cas: { name: 'cas', type: 'boolean' as const, description: 'Perform a Check-And-Set operation.' },
    'http-addr': { name: 'http-addr', type: 'option' as const, helpGroup: 'HTTP API Options', helpValue: 'address', description: 'The address.' },
    session: { name: 'session', type: 'option' as const, helpValue: 'string', description: 'A session.', default: '' },
  },
};

describe('help', () => {
  it("renders Consul's usage layout", () => {
    const text = commandHelp(kvPut);
    assert.ok(text.startsWith('Usage: consul kv put [options] KEY [DATA]\n\n  Writes the data.\n\nHTTP API Options\n\n  -http-addr=<address>\n     The address.\n\nCommand Options\n\n  -cas\n'));
    assert.ok(text.includes('  -session=<string>\n     A session.'));
  });

  it("renders Go's PrintDefaults after a flag error", () => {
    const text = goFlagDefaults(kvPut.flags);
    assert.equal(text, 'Usage:\n  -cas\n    \tPerform a Check-And-Set operation.\n  -http-addr address\n    \tThe address.\n  -session string\n    \tA session.\n');
  });

  it('lists top-level commands and topics', () => {
    const text = topLevelHelp([kvPut, { id: 'members', summary: 'Lists the members', flags: {} }], [{ name: 'kv', description: 'Interact with the KV store' }]);
    assert.equal(
      text,
      'Usage: consul [--version] [--help] <command> [<args>]\n\nAvailable commands are:\n    kv         Interact with the KV store\n    members    Lists the members\n',
    );
  });

  it('wraps text greedily', () => {
    assert.deepEqual(wrapText('aaa bbb ccc', 7), ['aaa bbb', 'ccc']);
  });
});

describe('route', () => {
  const ids = new Set(['kv:get', 'kv:put', 'members', 'version', 'snapshot:save']);
  it('takes the longest command prefix', () => {
    assert.deepEqual(route(['kv', 'get', 'foo'], ids), { kind: 'command', id: 'kv:get', rest: ['foo'] });
    assert.deepEqual(route(['members', '-detailed'], ids), { kind: 'command', id: 'members', rest: ['-detailed'] });
  });
  it('recognises topics, unknown commands and -v', () => {
    assert.deepEqual(route(['kv'], ids), { kind: 'topic', topic: 'kv', rest: [] });
    assert.deepEqual(route(['kv', 'bogus'], ids), { kind: 'topic', topic: 'kv', rest: ['bogus'] });
    assert.equal(route(['nosuchcommand'], ids).kind, 'unknown');
    assert.deepEqual(route(['--version'], ids), { kind: 'command', id: 'version', rest: [] });
  });
});
