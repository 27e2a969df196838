// PEM blocks as Go's encoding/pem reads them. Dependency-free on purpose: the CLI's API client
// (bundled into every command) uses it to check TLS files, so it must not pull the X.509 library.

export interface PemBlock {
  readonly type: string;
  readonly bytes: Buffer;
}

const BLOCK = /-----BEGIN ([^\r\n-]*)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Every well-formed PEM block of `text`, in order; like calling pem.Decode until it returns nil. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    // Go skips RFC 1421 headers ("Proc-Type: ...") before the base64 body.
    const body = m[2]!.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.includes(':')).join('');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) continue;
    out.push({ type: m[1]!, bytes: Buffer.from(body, 'base64') });
  }
  return out;
}

/** The first PEM block, or undefined (Go: `block, _ := pem.Decode(...)`; block == nil). */
export function firstPemBlock(text: string): PemBlock | undefined {
  return pemBlocks(text)[0];
}

/** Encode DER as a PEM block with 64-column lines, as Go's pem.Encode writes it. */
export function pemEncode(type: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}
