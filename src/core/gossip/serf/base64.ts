// Go's encoding/base64 StdEncoding for key strings: strict padding, standard alphabet. Keys cross
// the keyring API as base64 text, as in serf's KeyManager and Consul's keyring endpoint.

export class Base64Error extends Error {
  override name = 'Base64Error';
}

const ALPHABET = /^[A-Za-z0-9+/]$/;

/** Decode like base64.StdEncoding.DecodeString; throws Base64Error with Go's text. */
export function decodeStdBase64(s: string): Uint8Array {
  // Find the first byte Go would reject: outside the alphabet, or padding in the wrong place.
  let padStart = s.length;
  if (s.length % 4 === 0) padStart -= s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  for (let i = 0; i < padStart; i++) {
    if (!ALPHABET.test(s[i] as string)) throw new Base64Error(`illegal base64 data at input byte ${i}`);
  }
  if (s.length % 4 !== 0) throw new Base64Error(`illegal base64 data at input byte ${s.length - (s.length % 4)}`);
  return new Uint8Array(Buffer.from(s, 'base64'));
}

export function encodeStdBase64(b: Uint8Array): string {
  return Buffer.from(b).toString('base64');
}
