// Network coordinates (serf's coordinate package, the Vivaldi algorithm with height vectors, an
// adjustment term and gravity): each ping's round trip time to a member, with the coordinate that
// member put in its ack, nudges our own coordinate so that distances between coordinates estimate
// round trip times. The parameters are serf's defaults, and the coordinate travels in memberlist
// ack payloads exactly as serf's ping delegate writes it, so Debian's `serf` and our agents read
// each other's coordinates (`serf rtt` against our agent gives an estimate).
//
// MUST: pure: no clock, no I/O; the only randomness (a direction when two coordinates coincide)
//       comes from a private seeded generator, so simulations replay and the gossip core's own
//       random stream is not disturbed.
import { SeededRng } from '../../support/rng.js';
import { asArray, asFloat, asMap, decode, encode, Float64 } from '../wire/msgpack.js';

/** serf coordinate.Coordinate; every quantity in seconds. */
export interface Coordinate {
  readonly Vec: readonly number[];
  readonly Error: number;
  readonly Adjustment: number;
  readonly Height: number;
}

/** serf coordinate.DefaultConfig(). */
export const VIVALDI = {
  dimensionality: 8,
  errorMax: 1.5,
  ce: 0.25,
  cc: 0.25,
  adjustmentWindow: 20,
  heightMin: 10.0e-6,
  latencyFilterSize: 3,
  gravityRho: 150.0,
} as const;

const ZERO = 1.0e-6;
/** serf refuses RTT samples outside [0, 10 s]. */
const MAX_RTT_S = 10;
/** serf's PingVersion: the first byte of an ack payload that carries a coordinate. */
export const PING_VERSION = 1;

export function newCoordinate(): Coordinate {
  return { Vec: new Array<number>(VIVALDI.dimensionality).fill(0), Error: VIVALDI.errorMax, Adjustment: 0, Height: VIVALDI.heightMin };
}

function finite(x: number): boolean {
  return Number.isFinite(x);
}

export function isValidCoordinate(c: Coordinate): boolean {
  return c.Vec.every(finite) && finite(c.Error) && finite(c.Adjustment) && finite(c.Height);
}

function magnitude(v: readonly number[]): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/** Vector distance plus both heights, without the adjustment terms. */
function rawDistance(a: Coordinate, b: Coordinate): number {
  let s = 0;
  for (let i = 0; i < a.Vec.length; i++) {
    const d = (a.Vec[i] as number) - (b.Vec[i] as number);
    s += d * d;
  }
  return Math.sqrt(s) + a.Height + b.Height;
}

/**
 * Estimated round trip time between two coordinates, in seconds (serf Coordinate.DistanceTo):
 * the adjustments apply unless they would make the estimate non-positive.
 */
export function distanceSeconds(a: Coordinate, b: Coordinate): number {
  if (a.Vec.length !== b.Vec.length) throw new Error('coordinate dimensionality does not match');
  const raw = rawDistance(a, b);
  const adjusted = raw + a.Adjustment + b.Adjustment;
  return adjusted > 0 ? adjusted : raw;
}

/** One node's Vivaldi state: its coordinate, RTT filters per peer, and the adjustment window. */
export class VivaldiClient {
  private coord: Coordinate = newCoordinate();
  private readonly origin: Coordinate = newCoordinate();
  private readonly adjustmentSamples = new Array<number>(VIVALDI.adjustmentWindow).fill(0);
  private adjustmentIndex = 0;
  private readonly filters = new Map<string, number[]>();
  private readonly rng: SeededRng;
  /** Times the coordinate went invalid and was reset (serf's coordinate_resets). */
  resets = 0;

  constructor(seed: number) {
    this.rng = new SeededRng(seed);
  }

  get(): Coordinate {
    return this.coord;
  }

  forget(node: string): void {
    this.filters.delete(node);
  }

  /**
   * A ping to `node` took `rttSeconds` and it reported `other`. Returns the error text serf gives
   * when the sample is refused, else undefined.
   */
  update(node: string, other: Coordinate, rttSeconds: number): string | undefined {
    if (other.Vec.length !== this.coord.Vec.length) return 'dimensions aren\'t compatible';
    if (!isValidCoordinate(other)) return 'coordinate is invalid';
    if (!(rttSeconds >= 0 && rttSeconds <= MAX_RTT_S)) return `round trip time not in valid range, duration ${rttSeconds}s is not a positive value less than 10s`;
    const rtt = this.latencyFilter(node, rttSeconds);
    this.updateVivaldi(other, rtt);
    this.updateAdjustment(other, rtt);
    this.updateGravity();
    if (!isValidCoordinate(this.coord)) {
      this.resets++;
      this.coord = newCoordinate();
    }
    return undefined;
  }

  /** Moving median of the last few samples per peer: one slow ping does not throw us off. */
  private latencyFilter(node: string, rtt: number): number {
    const samples = this.filters.get(node) ?? [];
    samples.push(rtt);
    if (samples.length > VIVALDI.latencyFilterSize) samples.shift();
    this.filters.set(node, samples);
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[sorted.length >> 1] as number;
  }

  private updateVivaldi(other: Coordinate, rttIn: number): void {
    const rtt = Math.max(rttIn, ZERO);
    const dist = distanceSeconds(this.coord, other);
    const wrongness = Math.abs(dist - rtt) / rtt;
    const totalError = Math.max(this.coord.Error + other.Error, ZERO);
    const weight = this.coord.Error / totalError;
    const error = Math.min(VIVALDI.ce * weight * wrongness + this.coord.Error * (1 - VIVALDI.ce * weight), VIVALDI.errorMax);
    this.coord = { ...this.coord, Error: error };
    this.coord = this.applyForce(this.coord, VIVALDI.cc * weight * (rtt - dist), other);
  }

  private updateAdjustment(other: Coordinate, rtt: number): void {
    this.adjustmentSamples[this.adjustmentIndex] = rtt - rawDistance(this.coord, other);
    this.adjustmentIndex = (this.adjustmentIndex + 1) % VIVALDI.adjustmentWindow;
    let sum = 0;
    for (const s of this.adjustmentSamples) sum += s;
    this.coord = { ...this.coord, Adjustment: sum / (2 * VIVALDI.adjustmentWindow) };
  }

  /** A pull toward the origin that grows with the square of the distance, against drift. */
  private updateGravity(): void {
    const dist = distanceSeconds(this.origin, this.coord);
    this.coord = this.applyForce(this.coord, -1 * (dist / VIVALDI.gravityRho) ** 2, this.origin);
  }

  /** Move `c` by `force` along the direction from `other` to `c`; the height follows the force. */
  private applyForce(c: Coordinate, force: number, other: Coordinate): Coordinate {
    const { unit, mag } = this.unitVectorAt(c.Vec, other.Vec);
    const vec = c.Vec.map((x, i) => x + (unit[i] as number) * force);
    let height = c.Height;
    if (mag > ZERO) height = Math.max(((c.Height + other.Height) * force) / mag + c.Height, VIVALDI.heightMin);
    return { Vec: vec, Error: c.Error, Adjustment: c.Adjustment, Height: height };
  }

  private unitVectorAt(a: readonly number[], b: readonly number[]): { unit: number[]; mag: number } {
    const d = a.map((x, i) => x - (b[i] as number));
    const mag = magnitude(d);
    if (mag > ZERO) return { unit: d.map((x) => x / mag), mag };
    // Coincident points: push apart in a random direction.
    const r = d.map(() => this.rng.nextU32() / 0x1_0000_0000 - 0.5);
    const rm = magnitude(r);
    if (rm > ZERO) return { unit: r.map((x) => x / rm), mag: 0 };
    const unit = new Array<number>(d.length).fill(0);
    unit[0] = 1;
    return { unit, mag: 0 };
  }
}

/** The ack payload serf sends: [PingVersion] followed by the msgpack Coordinate. */
export function encodeAckPayload(c: Coordinate): Uint8Array {
  const body = encode({
    Vec: c.Vec.map((x) => new Float64(x)),
    Error: new Float64(c.Error),
    Adjustment: new Float64(c.Adjustment),
    Height: new Float64(c.Height),
  });
  const out = new Uint8Array(body.length + 1);
  out[0] = PING_VERSION;
  out.set(body, 1);
  return out;
}

/** An ack payload back to a coordinate; undefined for an empty payload; throws on a bad one. */
export function decodeAckPayload(payload: Uint8Array): Coordinate | undefined {
  if (payload.length === 0) return undefined;
  if (payload[0] !== PING_VERSION) throw new Error(`Unsupported ping version: ${payload[0]}`);
  const { value } = decode(payload, 1);
  const m = asMap(value, 'coordinate');
  return {
    Vec: asArray(m.Vec, 'Vec').map((x) => asFloat(x, 'Vec')),
    Error: asFloat(m.Error, 'Error'),
    Adjustment: asFloat(m.Adjustment, 'Adjustment'),
    Height: asFloat(m.Height, 'Height'),
  };
}

/** A stable 32-bit seed from a node name (each node's Vivaldi generator differs, reproducibly). */
export function seedFromName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Serf's ping delegate and coordinate cache: our coordinate goes out in every ack; each completed
 * ping updates it and remembers the peer's. Log lines use serf's words.
 */
export class CoordinateTracker {
  private readonly client: VivaldiClient;
  private readonly cache = new Map<string, Coordinate>();

  constructor(
    private readonly self: string,
    private readonly log: (level: 'error' | 'debug', msg: string) => void,
  ) {
    this.client = new VivaldiClient(seedFromName(self));
  }

  ackPayload(): Uint8Array {
    return encodeAckPayload(this.client.get());
  }

  pingComplete(node: string, rttMs: number, payload: Uint8Array): void {
    let other: Coordinate | undefined;
    try {
      other = decodeAckPayload(payload);
    } catch (err) {
      this.log('error', `serf: Failed to decode coordinate from ping: ${(err as Error).message}`);
      return;
    }
    if (other === undefined) return;
    const refused = this.client.update(node, other, rttMs / 1000);
    if (refused !== undefined) {
      this.log('debug', `serf: Rejected coordinate from ${node}: ${refused}`);
      return;
    }
    this.cache.set(node, other);
    this.cache.set(this.self, this.client.get());
  }

  get own(): Coordinate {
    return this.client.get();
  }

  get resets(): number {
    return this.client.resets;
  }

  /** The last coordinate a member reported (ours included once any ping completed). */
  cached(node: string): Coordinate | undefined {
    return node === this.self ? this.client.get() : this.cache.get(node);
  }

  /** Members were reaped: drop what we know of those no longer kept (serf: ForgetNode + cache). */
  retain(known: (node: string) => boolean): void {
    for (const node of [...this.cache.keys()]) {
      if (node === this.self || known(node)) continue;
      this.client.forget(node);
      this.cache.delete(node);
    }
  }
}
