// Renderings shared by the kv commands: the -detailed block of `consul kv get` and the
// data-argument conventions of `kv put`/`kv import` (literal, @file, "-" for stdin).
import { readFile } from 'node:fs/promises';
import type { KVPair } from '../client/index.js';
import { describeFsError } from '../client/errors.js';
import { tabwrite } from './tabwriter.js';

/** command/kv/get prettyKVPair: tabwriter(minwidth 0, tabwidth 2, padding 6), Value last, raw. */
export function prettyKVPair(pair: KVPair, base64: boolean): Buffer {
  const head = [
    `CreateIndex\t${pair.CreateIndex}`,
    `Flags\t${pair.Flags}`,
    `Key\t${pair.Key}`,
    `LockIndex\t${pair.LockIndex}`,
    `ModifyIndex\t${pair.ModifyIndex}`,
    `Session\t${pair.Session === '' ? '-' : pair.Session}`,
    'Value\t',
  ].join('\n');
  // The value is bytes; align with a placeholder-free last line, then append the raw bytes.
  const table = tabwrite(head, { minWidth: 0, padding: 6 });
  const value = base64 ? Buffer.from(pair.Value.toString('base64')) : pair.Value;
  if (!base64 && value.includes(0x09)) {
    // A tab inside the value takes part in the layout in Go; reproduce that on the decoded text.
    return Buffer.from(tabwrite(`${head}${value.toString('utf8')}`, { minWidth: 0, padding: 6 }));
  }
  return Buffer.concat([Buffer.from(table), value]);
}

export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** A DATA argument: `@path` reads the file, `-` reads stdin, anything else is the data itself. */
export async function readDataArg(data: string): Promise<Buffer> {
  if (data.startsWith('@')) {
    try {
      return await readFile(data.slice(1));
    } catch (e) {
      throw new Error(`Failed to read file: ${describeFsError(e, data.slice(1))}`);
    }
  }
  if (data === '-') {
    try {
      return await readStdin();
    } catch (e) {
      throw new Error(`Failed to read stdin: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return Buffer.from(data, 'utf8');
}

const B64_ALPHABET = /^[A-Za-z0-9+/]$/;

/**
 * base64.StdEncoding.DecodeString: strict alphabet and padding, "\r" and "\n" ignored.
 * On failure returns the bytes decoded so far and Go's message.
 */
export function decodeStdBase64(text: string): { bytes: Buffer; error?: string } {
  const clean = text.replace(/[\r\n]/g, '');
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i]!;
    if (B64_ALPHABET.test(c)) continue;
    if (c === '=' && i >= clean.length - 2 && clean.length % 4 === 0 && /^=+$/.test(clean.slice(i)) && i % 4 >= 2) continue;
    return { bytes: Buffer.from(clean.slice(0, i - (i % 4)), 'base64'), error: `illegal base64 data at input byte ${i}` };
  }
  if (clean.length % 4 !== 0) {
    const at = clean.length - (clean.length % 4);
    return { bytes: Buffer.from(clean.slice(0, at), 'base64'), error: `illegal base64 data at input byte ${clean.length}` };
  }
  return { bytes: Buffer.from(clean, 'base64') };
}
