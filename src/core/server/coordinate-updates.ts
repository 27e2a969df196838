// Coordinate.Update on the server side (Consul: agent/consul/coordinate_endpoint.go): agents
// report their LAN coordinate every 15 s or so; the server keeps only the latest per node and
// segment, and writes them to Raft in batches every update period, so thousands of agents cost a
// handful of Raft entries, not one each.
//
// MUST: at most batchSize * maxBatches updates wait; more are refused with Consul's text, so a
//       storm of reports cannot grow memory without bound.
import { HttpError } from '../errors.js';
import { isValidCoordinate, VIVALDI, type Coordinate } from '../gossip/serf/coordinate.js';
import type { FsmCommand } from '../fsm/commands.js';
import type { CoordinateEntry } from '../state/coordinates.js';
import type { Logger } from '../support/logger.js';

export interface CoordinateUpdateOptions {
  /** How often pending updates are written (Consul: CoordinateUpdatePeriod, 5 s; dev 100 ms). */
  readonly periodMs: number;
  readonly batchSize: number;
  readonly maxBatches: number;
}

export const DEFAULT_COORDINATE_UPDATES: CoordinateUpdateOptions = { periodMs: 5_000, batchSize: 128, maxBatches: 5 };

export class CoordinateUpdates {
  private readonly pending = new Map<string, CoordinateEntry>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: CoordinateUpdateOptions,
    private readonly apply: (cmd: FsmCommand) => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  /** Queue one agent's report (validated as Consul does); the next flush writes it. */
  submit(node: string, segment: string, coord: Coordinate): void {
    if (coord.Vec.length !== VIVALDI.dimensionality || !isValidCoordinate(coord)) {
      throw new HttpError(500, `rejected bad coordinate: ${JSON.stringify(coord)}`);
    }
    const key = `${node}\x00${segment}`;
    if (!this.pending.has(key) && this.pending.size >= this.opts.batchSize * this.opts.maxBatches) {
      throw new HttpError(500, 'Coordinate update rate limit exceeded, increase SyncCoordinateRateTarget');
    }
    this.pending.set(key, { Node: node, Segment: segment, Coord: coord });
    this.timer ??= setTimeout(() => this.flush(), this.opts.periodMs);
    this.timer.unref?.();
  }

  private flush(): void {
    this.timer = undefined;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (let i = 0; i < all.length; i += this.opts.batchSize) {
      const updates = all.slice(i, i + this.opts.batchSize);
      this.apply({ t: 'coordinates', v: 1, updates }).catch((err: unknown) =>
        this.log.warn(`Failed to apply coordinate updates: error="${(err as Error).message}"`),
      );
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
