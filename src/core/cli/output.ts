// Output for commands. Consul's mitchellh/cli BasicUi writes Output/Info lines to stdout and Error
// lines to stderr, each followed by "\n". Values are bytes (KV data), so both accept Buffers.
//
// Plain text is the contract (scripts parse it); nothing here loads ink. A TTY-only renderer may
// be added behind isInteractive() and must be imported lazily so the non-TTY path never loads it.

export interface Io {
  out(line: string | Uint8Array): void;
  err(line: string | Uint8Array): void;
}

function writeLine(stream: NodeJS.WriteStream, line: string | Uint8Array): void {
  if (typeof line === 'string') stream.write(`${line}\n`);
  else stream.write(Buffer.concat([line, Buffer.from('\n')]));
}

export const stdio: Io = {
  out: (line) => writeLine(process.stdout, line),
  err: (line) => writeLine(process.stderr, line),
};

export function isInteractive(): boolean {
  return process.stdout.isTTY === true;
}
