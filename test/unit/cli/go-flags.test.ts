import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FlagSpecs, goFlagValueError, parseGoBool, translateArgs, wantsHelp } from '../../../src/core/cli/go-flags.js';

const specs: FlagSpecs = {
  cas: { name: 'cas', type: 'boolean' },
  detailed: { name: 'detailed', type: 'boolean' },
  shell: { name: 'shell', type: 'boolean', allowNo: true },
  'modify-index': { name: 'modify-index', type: 'option' },
  session: { name: 'session', type: 'option' },
  'config-file': { name: 'config-file', type: 'option', multiple: true },
};

function ok(args: string[]): string[] {
  const t = translateArgs(args, specs);
  assert.ok(t.ok, t.ok ? '' : t.error);
  return t.argv;
}

function err(args: string[]): string {
  const t = translateArgs(args, specs);
  assert.ok(!t.ok, 'expected an error');
  return t.error;
}

describe('translateArgs (Go flag package semantics)', () => {
  it('accepts one or two dashes, = or a separate value', () => {
    assert.deepEqual(ok(['-cas', '-modify-index=41', 'k']), ['--cas', '--modify-index=41', '--', 'k']);
    assert.deepEqual(ok(['--cas', '--modify-index', '41', 'k']), ['--cas', '--modify-index=41', '--', 'k']);
  });

  it('stops at the first positional: later dashes are data', () => {
    assert.deepEqual(ok(['key', '-cas']), ['--', 'key', '-cas']);
    assert.deepEqual(ok(['-detailed', 'key', '-modify-index=1']), ['--detailed', '--', 'key', '-modify-index=1']);
  });

  it('treats a lone "-" as positional and consumes "--"', () => {
    assert.deepEqual(ok(['-cas', '-', 'x']), ['--cas', '--', '-', 'x']);
    assert.deepEqual(ok(['-cas', '--', '-detailed']), ['--cas', '--', '-detailed']);
  });

  it('never lets a boolean consume the next argument', () => {
    assert.deepEqual(ok(['-cas', 'true']), ['--cas', '--', 'true']);
  });

  it('parses Go boolean spellings and drops false', () => {
    assert.deepEqual(ok(['-cas=false', 'k']), ['--', 'k']);
    assert.deepEqual(ok(['-cas=T', 'k']), ['--cas', '--', 'k']);
    assert.deepEqual(ok(['-cas=1', '-cas=0']), ['--']);
    assert.deepEqual(ok(['-shell=false']), ['--no-shell', '--']);
    assert.equal(parseGoBool('True'), true);
    assert.equal(parseGoBool('yes'), undefined);
  });

  it('lets a value flag take a value that starts with a dash', () => {
    assert.deepEqual(ok(['-session', '-abc', 'k']), ['--session=-abc', '--', 'k']);
  });

  it('keeps the last value of a plain flag and every value of a repeatable one', () => {
    assert.deepEqual(ok(['-session=a', '-session=b']), ['--session=b', '--']);
    assert.deepEqual(ok(['-config-file=a.json', '-config-file', 'b.hcl']), ['--config-file=a.json', '--config-file=b.hcl', '--']);
  });

  it('keeps an empty value given with =', () => {
    assert.deepEqual(ok(['-session=', 'k']), ['--session=', '--', 'k']);
  });

  it("reports errors in Go's words", () => {
    assert.equal(err(['-bogus-flag', 'foo']), 'flag provided but not defined: -bogus-flag');
    assert.equal(err(['--bogus=1']), 'flag provided but not defined: -bogus');
    assert.equal(err(['-cas=maybe']), 'invalid boolean value "maybe" for -cas: parse error');
    assert.equal(err(['-modify-index']), 'flag needs an argument: -modify-index');
    assert.equal(err(['---x']), 'bad flag syntax: ---x');
    assert.equal(err(['-=x']), 'bad flag syntax: -=x');
  });

  it('does not treat Object.prototype names as flags', () => {
    assert.equal(err(['-constructor']), 'flag provided but not defined: -constructor');
  });
});

describe('wantsHelp', () => {
  it('finds -h, -help and --help anywhere before --', () => {
    assert.equal(wantsHelp(['key', '-h']), true);
    assert.equal(wantsHelp(['-help']), true);
    assert.equal(wantsHelp(['--help']), true);
    assert.equal(wantsHelp(['--', '-h']), false);
    assert.equal(wantsHelp(['-hx']), false);
  });
});

describe('goFlagValueError', () => {
  it("turns oclif's parse failure into Go's message", () => {
    const raw = new Map([['modify-index', ['abc']]]);
    const msg = 'Parsing --modify-index \n\tExpected an integer but received: abc\nSee more help with --help';
    assert.equal(goFlagValueError(msg, raw), 'invalid value "abc" for flag -modify-index: parse error');
    assert.equal(goFlagValueError('something else', raw), undefined);
  });
});
