import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goJsonSyntaxError, goQuoteChar } from '../../../src/core/support/json-syntax.js';

// Expected texts are Go's encoding/json scanner messages for the same input.
const CASES: [string, string, number, number][] = [
  ['{"a" 1}', "invalid character '1' after object key", 1, 6],
  ['{"a":1 "b":2}', 'invalid character \'"\' after object key:value pair', 1, 8],
  ['{"a":[1 2]}', "invalid character '2' after array element", 1, 9],
  ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')", 1, 9],
  ['{"a":nul}', "invalid character '}' in literal null (expecting 'l')", 1, 9],
  ['{"a":"\\x"}', "invalid character 'x' in string escape code", 1, 8],
  ['{"a":"\\u12G4"}', "invalid character 'G' in \\u hexadecimal character escape", 1, 11],
  ['{"a":01}', "invalid character '1' after object key:value pair", 1, 7],
  ['{"a":-}', "invalid character '}' in numeric literal", 1, 7],
  ['{"a":1.}', "invalid character '}' after decimal point in numeric literal", 1, 8],
  ['{"a":1e}', "invalid character '}' in exponent of numeric literal", 1, 8],
  ['{} x', "invalid character 'x' after top-level value", 1, 4],
  ['{"a":"b\n"}', "invalid character '\\n' in string literal", 1, 8],
  ['{,}', "invalid character ',' looking for beginning of object key string", 1, 2],
  ["{'a':1}", "invalid character '\\'' looking for beginning of object key string", 1, 2],
  ['{"a":1,}', "invalid character '}' looking for beginning of object key string", 1, 8],
  ['[1,]', "invalid character ']' looking for beginning of value", 1, 4],
  ['{\n  "é": x\n}', "invalid character 'x' looking for beginning of value", 2, 8],
  ['{"a":', 'unexpected end of JSON input', 1, 6],
  ['   ', 'unexpected end of JSON input', 1, 4],
];

test("JSON syntax errors read as Go's encoding/json, with line and column", () => {
  for (const [text, message, line, column] of CASES) {
    assert.throws(() => JSON.parse(text), SyntaxError, text);
    assert.deepEqual(goJsonSyntaxError(text), { message, line, column }, text);
  }
  assert.equal(goJsonSyntaxError('{"a": [1, 2.5e-3, true, null, "\\u00e9\\n"]}'), undefined);
});

test("Go's quoteChar", () => {
  assert.deepEqual([0x41, 0x27, 0x22, 0x0a, 0x01, 0x5c].map(goQuoteChar), ["'A'", "'\\''", '\'"\'', "'\\n'", "'\\x01'", "'\\\\'"]);
});
