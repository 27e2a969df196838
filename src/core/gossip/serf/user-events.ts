// Serf user events (serf.go UserEvent, handleUserEvent, and the event half of a push/pull merge):
// the event Lamport clock, the ring that delivers each event once, and the events' broadcast
// queue. Pure like the rest of the core; the Serf class feeds it messages and gets events back
// through the host.
// MUST: an event is emitted to the application at most once (the ring decides), and only events
//       it admitted are rebroadcast.
import { BroadcastQueue } from './broadcast-queue.js';
import { encodeSerfMessage } from './codec.js';
import { USER_EVENT_SIZE_HARD_LIMIT } from './config.js';
import { UserEventRing } from './dedupe-rings.js';
import { LamportClock } from './lamport.js';
import type { PushPullMessage, UserEventMessage } from './messages.js';
import type { SerfLogLevel, SerfResult, UserEvent } from './types.js';

export interface UserEventsHost {
  emit(e: UserEvent): void;
  log(level: SerfLogLevel, msg: string): void;
}

export interface UserEventsOptions {
  /** serf's UserEventSizeLimit (bytes, name + payload, before and after encoding). */
  readonly sizeLimit: number;
  readonly eventBuffer: number;
  readonly retransmitMult: number;
  readonly numNodes: () => number;
  /** The event clock the snapshot recorded: what it saw was delivered before the restart. */
  readonly previousEventClock?: number;
}

const utf8 = new TextEncoder();

export class UserEvents {
  readonly clock = new LamportClock();
  readonly queue: BroadcastQueue;
  private readonly ring: UserEventRing;
  /** The highest event LTime delivered (what the snapshot records). */
  lastLTime: number;

  constructor(
    private readonly host: UserEventsHost,
    private readonly o: UserEventsOptions,
  ) {
    this.queue = new BroadcastQueue(o.retransmitMult, o.numNodes);
    this.ring = new UserEventRing(o.eventBuffer);
    // Starts at 1 so that the zero LTime of an artificial event never wins over a real one.
    this.clock.increment();
    this.lastLTime = o.previousEventClock ?? 0;
    if (o.previousEventClock !== undefined) {
      this.clock.witness(o.previousEventClock);
      this.ring.minTime = o.previousEventClock + 1;
    }
  }

  /** Fire an event from this node (serf's UserEvent): size checks, then deliver and broadcast. */
  fire(name: string, payload: Uint8Array, coalesce: boolean): SerfResult<void> {
    const limit = this.o.sizeLimit;
    const sizeBefore = utf8.encode(name).length + payload.length;
    if (sizeBefore > limit) return fail(`user event exceeds configured limit of ${limit} bytes before encoding`);
    if (sizeBefore > USER_EVENT_SIZE_HARD_LIMIT) {
      return fail(`user event exceeds sane limit of ${USER_EVENT_SIZE_HARD_LIMIT} bytes before encoding`);
    }
    const msg: UserEventMessage = { type: 'userEvent', ltime: this.clock.time(), name, payload, cc: coalesce };
    const raw = encodeSerfMessage(msg);
    if (raw.length > limit) return fail(`encoded user event exceeds configured limit of ${limit} bytes after encoding`);
    if (raw.length > USER_EVENT_SIZE_HARD_LIMIT) {
      return fail(`encoded user event exceeds sane limit of ${USER_EVENT_SIZE_HARD_LIMIT} bytes before encoding`);
    }
    this.clock.increment();
    this.handle(msg);
    this.queue.queue(raw);
    return { ok: true, value: undefined };
  }

  /** An event from gossip (or our own); true when it is new and should be rebroadcast. */
  handle(msg: UserEventMessage): boolean {
    this.clock.witness(msg.ltime);
    const admission = this.ring.admit(msg.ltime, msg.name, msg.payload, this.clock.time());
    if (admission === 'too-old') {
      this.host.log('warn', `serf: received old event ${msg.name} from time ${msg.ltime} (current: ${this.clock.time()})`);
    }
    if (admission !== 'new') return false;
    this.lastLTime = Math.max(this.lastLTime, msg.ltime);
    this.host.emit({ kind: 'user', ltime: msg.ltime, name: msg.name, payload: msg.payload, coalesce: msg.cc });
    return true;
  }

  /** The catch-up a push/pull carries: our clock and recent events. */
  localState(): Pick<PushPullMessage, 'eventLTime' | 'events'> {
    return { eventLTime: this.clock.time(), events: this.ring.snapshot() };
  }

  /**
   * A remote push/pull's events: witness its clock, and deliver what we missed. A join that
   * ignores old events (`consul join` without -replay) first raises the ring's floor past them.
   */
  merge(pp: PushPullMessage, ignoreOld: boolean): void {
    // Minus one: nobody has sent a message stamped with the remote's current time yet.
    if (pp.eventLTime > 0) this.clock.witness(pp.eventLTime - 1);
    if (ignoreOld) this.ring.minTime = Math.max(this.ring.minTime, pp.eventLTime);
    for (const slot of pp.events) {
      if (slot === null) continue;
      for (const e of slot.events) this.handle({ type: 'userEvent', ltime: slot.ltime, name: e.name, payload: e.payload, cc: false });
    }
  }
}

function fail<T>(error: string): SerfResult<T> {
  return { ok: false, error };
}
