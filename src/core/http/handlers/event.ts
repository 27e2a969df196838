// /v1/event/fire/:name and /v1/event/list (Consul: agent/event_endpoint.go).
//
// The list blocks on the agent's own event ring, not on the state store: its index is derived from
// the last event's ID (api: Event.IDToIndex), so it is unordered, can exceed 2^53 (kept as a
// bigint) and only an exact match with ?index blocks. With no events the index is 1, so a watch
// with nothing to see does not spin.
// ACLs: firing needs event:write on the name (Internal.EventFire; the HTTP answer is Consul's bare
// 403 "Permission denied"); the list drops events without event:read, after ?name.
import { Errors } from '../../errors.js';
import { eventIdToIndex, type UserEvent } from '../../structs/event.js';
import { parseGoDuration } from '../../support/duration.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';
import { monotonicMs } from '../../support/clock.js';
import { filterEvents, permissionDeniedBare } from '../../acl/index.js';

export function eventFire(ctx: RequestContext, deps: ApiDeps): Reply {
  const name = ctx.tail;
  if (name === '') return { status: 400, raw: 'Missing name' };
  if (!ctx.acl.authz.eventWrite(name)) throw permissionDeniedBare();
  const event = deps.agent.events.fire({
    name,
    payload: ctx.body,
    nodeFilter: ctx.get('node') ?? '',
    serviceFilter: ctx.get('service') ?? '',
    tagFilter: ctx.get('tag') ?? '',
  });
  return { status: 200, body: event };
}

const U64_MAX = (1n << 64n) - 1n;

function minIndex(ctx: RequestContext): bigint {
  const v = ctx.get('index');
  if (v === null || v === '') return 0n;
  if (!/^\d+$/.test(v) || BigInt(v) > U64_MAX) throw Errors.invalidIndex();
  return BigInt(v);
}

function waitMs(ctx: RequestContext, maxMs: number): number {
  const v = ctx.get('wait');
  let ms = 0;
  if (v !== null && v !== '') {
    try {
      ms = parseGoDuration(v);
    } catch {
      throw Errors.invalidWait();
    }
  }
  // Consul: clamped to the max query time, which is also the default when absent.
  return ms > 0 ? Math.min(ms, maxMs) : maxMs;
}

function snapshot(ctx: RequestContext, deps: ApiDeps, name: string): { events: UserEvent[]; index: bigint } {
  let events = deps.agent.events.list();
  if (name !== '') events = events.filter((e) => e.Name === name);
  if (ctx.acl.enabled) {
    ctx.acl.filtered = false;
    events = filterEvents(ctx.acl, events);
  }
  const last = events[events.length - 1];
  return { events, index: last ? eventIdToIndex(last.ID) : 1n };
}

function reply(r: { events: UserEvent[]; index: bigint }): Reply {
  return { status: 200, body: r.events, headers: { 'X-Consul-Index': r.index.toString() } };
}

export function eventList(ctx: RequestContext, deps: ApiDeps): Reply | Promise<Reply> {
  const index = minIndex(ctx);
  const timeoutMs = waitMs(ctx, deps.config.maxQueryTimeMs);
  // ?node, ?service and ?tag are accepted and, as in Consul, do not filter the list.
  const name = ctx.get('name') ?? '';
  const first = snapshot(ctx, deps, name);
  if (index === 0n || first.index !== index) return reply(first);
  return waitForChange(ctx, deps, name, index, monotonicMs() + timeoutMs);
}

async function waitForChange(ctx: RequestContext, deps: ApiDeps, name: string, index: bigint, deadline: number): Promise<Reply> {
  for (;;) {
    const left = deadline - monotonicMs();
    if (left <= 0 || ctx.isClosed) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, left);
      const cancel = deps.agent.events.onNextEvent(done);
      ctx.onClose(done);
      function done(): void {
        clearTimeout(timer);
        cancel();
        resolve();
      }
    });
    const r = snapshot(ctx, deps, name);
    if (r.index !== index) return reply(r);
  }
  return reply(snapshot(ctx, deps, name));
}
