// Agents report their LAN coordinate to the servers (Consul: agent.go sendCoordinate): every
// sync_coordinate_interval_min, stretched in large clusters so that all agents together send about
// sync_coordinate_rate_target reports a second, plus a random stagger so they do not line up.
// A failed report is logged in Consul's words and retried at the next interval.
import type { Coordinate } from '../gossip/serf/coordinate.js';
import type { Logger } from '../support/logger.js';

export interface CoordinateSyncOptions {
  readonly intervalMinMs: number;
  readonly rateTarget: number;
  /** How many members the LAN pool has now (the interval grows with it). */
  readonly members: () => number;
  /** This agent's LAN coordinate, once it has one. */
  readonly coordinate: () => Coordinate | undefined;
  /** Hand the report to a server (through the router on client agents). */
  readonly send: (coord: Coordinate) => Promise<void>;
  readonly log: Logger;
}

/** Consul's lib.RateScaledInterval: max(min, n / rate seconds). */
export function rateScaledIntervalMs(rate: number, minMs: number, n: number): number {
  const ms = (n / rate) * 1000;
  return ms < minMs ? minMs : ms;
}

export class CoordinateSync {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: CoordinateSyncOptions) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    const base = rateScaledIntervalMs(this.o.rateTarget, this.o.intervalMinMs, this.o.members());
    // Randomness here is I/O-edge scheduling, not core state: Math.random is fine.
    this.timer = setTimeout(() => void this.tick(), base + Math.random() * base);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    const coord = this.o.coordinate();
    if (coord) {
      try {
        await this.o.send(coord);
      } catch (err) {
        const msg = (err as Error).message;
        if (msg.startsWith('Permission denied')) this.o.log.warn(`Coordinate update blocked by ACLs: ${msg}`);
        else this.o.log.error(`Coordinate update error: error="${msg}"`);
      }
    }
    this.schedule();
  }
}
