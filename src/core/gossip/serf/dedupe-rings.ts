// The rings serf uses to deliver each user event and query once: slot = LTime mod size, and a slot
// remembers what was seen at that exact LTime. Anything older than the ring (or than the minimum
// time set by a snapshot or a join that ignores old events) is dropped.
// MUST: the event ring is also serf's push/pull catch-up payload, so keep its Go shape (slots).
import type { RecentUserEvent, RecentUserEvents } from './messages.js';

export type Admission = 'new' | 'duplicate' | 'too-old' | 'before-min';

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Older than the window the ring covers, given the clock after witnessing `ltime`. */
function tooOld(ltime: number, clockNow: number, size: number): boolean {
  return clockNow > size && ltime < clockNow - size;
}

interface EventSlot {
  readonly ltime: number;
  readonly events: RecentUserEvent[];
}

export class UserEventRing {
  private readonly slots: (EventSlot | null)[];
  /** Events below this LTime are ignored (snapshot restore, join with ignoreOld). */
  minTime = 0;

  constructor(readonly size: number) {
    this.slots = new Array<EventSlot | null>(size).fill(null);
  }

  /** Record an event if it is new; `clockNow` is the event clock after witnessing it. */
  admit(ltime: number, name: string, payload: Uint8Array, clockNow: number): Admission {
    if (ltime < this.minTime) return 'before-min';
    if (tooOld(ltime, clockNow, this.size)) return 'too-old';
    const idx = ltime % this.size;
    let slot = this.slots[idx] ?? null;
    if (slot !== null && slot.ltime === ltime) {
      if (slot.events.some((e) => e.name === name && bytesEqual(e.payload, payload))) return 'duplicate';
    } else {
      slot = { ltime, events: [] };
      this.slots[idx] = slot;
    }
    slot.events.push({ name, payload });
    return 'new';
  }

  /** The ring as push/pull carries it. */
  snapshot(): (RecentUserEvents | null)[] {
    return this.slots.map((s) => (s === null ? null : { ltime: s.ltime, events: [...s.events] }));
  }
}

interface QuerySlot {
  readonly ltime: number;
  readonly ids: number[];
}

export class QueryRing {
  private readonly slots: (QuerySlot | null)[];
  minTime = 0;

  constructor(readonly size: number) {
    this.slots = new Array<QuerySlot | null>(size).fill(null);
  }

  admit(ltime: number, id: number, clockNow: number): Admission {
    if (ltime < this.minTime) return 'before-min';
    if (tooOld(ltime, clockNow, this.size)) return 'too-old';
    const idx = ltime % this.size;
    let slot = this.slots[idx] ?? null;
    if (slot !== null && slot.ltime === ltime) {
      if (slot.ids.includes(id)) return 'duplicate';
    } else {
      slot = { ltime, ids: [] };
      this.slots[idx] = slot;
    }
    slot.ids.push(id);
    return 'new';
  }
}
