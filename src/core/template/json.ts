// encoding/json's Marshal / MarshalIndent for template values: map keys sorted, struct fields in
// declaration order, and (unless unescaped) <, >, & escaped as \u003c, \u003e, \u0026.
import { kindOf, mapEntries } from './text/index.js';

function quote(s: string, escapeHtml: boolean): string {
  let q = JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  if (escapeHtml) q = q.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
  return q;
}

export function goJson(v: unknown, pretty: boolean, escapeHtml: boolean): string {
  const enc = (x: unknown, indent: string): string => {
    const nl = pretty ? `\n${indent}  ` : '';
    const end = pretty ? `\n${indent}` : '';
    const colon = pretty ? ': ' : ':';
    switch (kindOf(x)) {
      case 'invalid':
      case 'nil':
        return 'null';
      case 'string':
        return quote(x as string, escapeHtml);
      case 'bool':
      case 'int':
        return String(x);
      case 'float':
        return JSON.stringify(x);
      case 'slice': {
        const arr = x as unknown[];
        if (arr.length === 0) return '[]';
        return `[${nl}${arr.map((e) => enc(e, `${indent}  `)).join(`,${nl}`)}${end}]`;
      }
      case 'map': {
        const entries = mapEntries(x);
        if (entries.length === 0) return '{}';
        return `{${nl}${entries.map(([k, e]) => `${quote(String(k), escapeHtml)}${colon}${enc(e, `${indent}  `)}`).join(`,${nl}`)}${end}}`;
      }
      case 'struct': {
        const entries = Object.entries(x as object);
        if (entries.length === 0) return '{}';
        return `{${nl}${entries.map(([k, e]) => `${quote(k, escapeHtml)}${colon}${enc(e, `${indent}  `)}`).join(`,${nl}`)}${end}}`;
      }
      case 'func':
        throw new Error('json: unsupported type: func');
    }
  };
  return enc(v, '');
}
