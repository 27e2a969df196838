// serf's snapshot file (`<data-dir>/serf/local.snapshot`, `remote.snapshot` for WAN): an
// append-only log of what this node knew, replayed at start so a restarted agent rejoins the
// members it knew and resumes its Lamport clocks (serf: snapshot.go). Same line format as serf:
//   alive: <name> <addr:port>     not-alive: <name>     clock: <n>
//   event-clock: <n>              query-clock: <n>      leave
//
// MUST: a torn last line (crash mid-append) is ignored, never fatal.
// MUST: appends are buffered and flushed in the background; the file is compacted by rewriting
//       it to a temp name and renaming it over the old one.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface SnapshotState {
  clock: number;
  eventClock: number;
  queryClock: number;
  /** Members last seen alive: name -> "addr:port". */
  alive: Map<string, string>;
  /** This node left gracefully last time (then it does not rejoin unless told to). */
  left: boolean;
}

export function emptySnapshot(): SnapshotState {
  return { clock: 0, eventClock: 0, queryClock: 0, alive: new Map(), left: false };
}

export function parseSnapshot(text: string): SnapshotState {
  const st = emptySnapshot();
  const lines = text.split('\n');
  // The last element is '' after a final newline, or a torn line: skip it either way.
  lines.pop();
  for (const line of lines) {
    const at = line.indexOf(': ');
    const key = at < 0 ? line : line.slice(0, at);
    const val = at < 0 ? '' : line.slice(at + 2);
    switch (key) {
      case 'alive': {
        const sp = val.lastIndexOf(' ');
        if (sp > 0) st.alive.set(val.slice(0, sp), val.slice(sp + 1));
        st.left = false;
        break;
      }
      case 'not-alive':
        st.alive.delete(val);
        break;
      case 'clock':
        st.clock = Number(val) || st.clock;
        break;
      case 'event-clock':
        st.eventClock = Number(val) || st.eventClock;
        break;
      case 'query-clock':
        st.queryClock = Number(val) || st.queryClock;
        break;
      case 'leave':
        // serf: a leave clears what we knew, so the next start does not rejoin by itself.
        st.alive.clear();
        st.left = true;
        break;
      default:
        break; // coordinate lines and anything newer: ignored
    }
  }
  return st;
}

export async function readSnapshot(file: string): Promise<SnapshotState> {
  try {
    return parseSnapshot(await fs.readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptySnapshot();
    throw err;
  }
}

const COMPACT_BYTES = 128 * 1024;
const FLUSH_MS = 500;

/** Appends membership changes and clocks; compacts when the file grows. */
export class SnapshotWriter {
  private readonly state: SnapshotState;
  private pending: string[] = [];
  private written = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    initial: SnapshotState,
    private readonly onError: (err: Error) => void,
  ) {
    this.state = { ...initial, alive: new Map(initial.alive) };
  }

  /** Write a compact file now (at start: the replayed state, minus the torn tail). */
  async open(): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await this.compact();
  }

  alive(name: string, addr: string): void {
    if (this.state.alive.get(name) === addr) return;
    this.state.alive.set(name, addr);
    this.state.left = false;
    this.append(`alive: ${name} ${addr}`);
  }

  notAlive(name: string): void {
    if (!this.state.alive.delete(name)) return;
    this.append(`not-alive: ${name}`);
  }

  clocks(clock: number, eventClock: number, queryClock: number): void {
    const s = this.state;
    if (clock > s.clock) this.append(`clock: ${(s.clock = clock)}`);
    if (eventClock > s.eventClock) this.append(`event-clock: ${(s.eventClock = eventClock)}`);
    if (queryClock > s.queryClock) this.append(`query-clock: ${(s.queryClock = queryClock)}`);
  }

  leave(): Promise<void> {
    this.state.alive.clear();
    this.state.left = true;
    this.append('leave');
    return this.flush();
  }

  private append(line: string): void {
    this.pending.push(line);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.pending;
    this.pending = [];
    if (lines.length === 0) return this.chain;
    const text = lines.map((l) => `${l}\n`).join('');
    this.chain = this.chain
      .then(async () => {
        if (this.written + text.length > COMPACT_BYTES) return this.compact();
        await fs.appendFile(this.file, text);
        this.written += text.length;
      })
      .catch((err: unknown) => this.onError(err as Error));
    return this.chain;
  }

  private async compact(): Promise<void> {
    const s = this.state;
    const lines = [...s.alive].map(([n, a]) => `alive: ${n} ${a}`);
    lines.push(`clock: ${s.clock}`, `event-clock: ${s.eventClock}`, `query-clock: ${s.queryClock}`);
    if (s.left) lines.push('leave');
    const text = lines.map((l) => `${l}\n`).join('');
    const tmp = `${this.file}.compact`;
    await fs.writeFile(tmp, text);
    await fs.rename(tmp, this.file);
    this.written = text.length;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
