// Value views for the KV editor: text (UTF-8), JSON (pretty, validated) and base64 (raw bytes).
export type ValueView = 'text' | 'json' | 'base64';

export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64.replace(/\s+/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** The bytes a view's text stands for; throws with a message the editor shows. */
export function toBytes(view: ValueView, text: string): Uint8Array<ArrayBuffer> {
  if (view === 'base64') {
    try {
      return base64ToBytes(text);
    } catch {
      throw new Error('The value is not valid base64.');
    }
  }
  if (view === 'json') {
    try {
      JSON.parse(text);
    } catch (e) {
      throw new Error(`The value is not valid JSON: ${(e as Error).message}`);
    }
  }
  return new TextEncoder().encode(text);
}

export function fromBytes(view: ValueView, bytes: Uint8Array): string {
  if (view === 'base64') return bytesToBase64(bytes);
  const text = new TextDecoder().decode(bytes);
  if (view === 'json') {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  return text;
}
