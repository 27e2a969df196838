// /v1/session/*: create, destroy, renew, info, node, list (Consul: agent/session_endpoint.go).
// ACLs (agent/consul/session_endpoint.go): create, destroy and renew need session:write on the
// session's node (403); reads drop sessions whose node the token has no session:read on.
import { HttpError } from '../../errors.js';
import { sessionCreate, sessionDestroy, sessionRenew } from '../../server/session-endpoint.js';
import { nodeSessions, sessionGet, sessionList, sessionsIndex } from '../../state/sessions.js';
import { SERF_CHECK_ID, sessionJson, type ServiceCheck, type Session, type SessionInput } from '../../structs/session.js';
import { DurationError, parseGoDuration } from '../../support/duration.js';
import { blockingQuery } from '../blocking.js';
import type { Reply, RequestContext } from '../context.js';
import { DecodeError, field, isObject, parseJson, str, type JsonObject } from '../decode.js';
import type { ApiDeps } from '../deps.js';
import { filterSessions } from '../../acl/index.js';

/** Consul: lockDelayMinThreshold. A LockDelay below 1000 (ns) is taken as seconds: users send 15. */
const LOCK_DELAY_MIN_THRESHOLD_NS = 1000;
const DEFAULT_LOCK_DELAY_NS = 15e9;

function lockDelayNs(v: unknown): number {
  let ns: number;
  if (typeof v === 'string') {
    try {
      ns = Math.round(parseGoDuration(v) * 1e6);
    } catch (err) {
      if (err instanceof DurationError) throw new DecodeError(err.message);
      throw err;
    }
  } else if (typeof v === 'number' && Number.isFinite(v)) {
    ns = Math.trunc(v);
  } else {
    throw new DecodeError(`json: cannot unmarshal ${typeof v} into Go struct field Session.LockDelay of type time.Duration`);
  }
  return ns < LOCK_DELAY_MIN_THRESHOLD_NS ? ns * 1e9 : ns;
}

/** A []string field: present (possibly null = nil) or absent (undefined). */
function optStrList(o: JsonObject, name: string): string[] | null | undefined {
  const v = field(o, name);
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw new DecodeError(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field Session.${name} of type []string`);
  }
  return v as string[];
}

function serviceChecks(o: JsonObject): ServiceCheck[] | null {
  const v = field(o, 'ServiceChecks');
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw new DecodeError(`json: cannot unmarshal ${typeof v} into Go struct field Session.ServiceChecks of type []structs.ServiceCheck`);
  return v.map((c) => {
    if (!isObject(c)) throw new DecodeError('json: cannot unmarshal non-object into Go struct field Session.ServiceChecks of type structs.ServiceCheck');
    return { ID: str(c, 'ID'), Namespace: str(c, 'Namespace') };
  });
}

/**
 * The create body over the agent's defaults (its node, serfHealth, 15s lock-delay, release),
 * then Consul's fixupEmptySessionChecks: an explicit empty `Checks` means no checks at all, and
 * the legacy `Checks` and the newer `NodeChecks` do not both keep the serfHealth default.
 */
export function decodeSessionCreate(body: Buffer, nodeName: string): Omit<SessionInput, 'ID'> {
  const s: Omit<SessionInput, 'ID'> = {
    Name: '',
    Node: nodeName,
    LockDelay: DEFAULT_LOCK_DELAY_NS,
    Behavior: 'release',
    TTL: '',
    NodeChecks: [SERF_CHECK_ID],
    ServiceChecks: null,
    Checks: [SERF_CHECK_ID],
  };
  if (body.length > 0) {
    const raw = parseJson(body);
    if (raw !== null && !isObject(raw)) throw new DecodeError('json: cannot unmarshal non-object into Go value of type structs.Session');
    if (isObject(raw)) decodeFields(raw, s);
  }
  const checks = s.Checks ?? [];
  if (checks.length === 0) s.NodeChecks = [];
  else if (checks.length === 1 && checks[0] === SERF_CHECK_ID) s.Checks = null;
  else if ((s.NodeChecks ?? []).length === 0) s.Checks = null;
  return s;
}

function decodeFields(raw: JsonObject, s: Omit<SessionInput, 'ID'>): void {
  s.Name = str(raw, 'Name', s.Name);
  s.Node = str(raw, 'Node', s.Node);
  s.Behavior = str(raw, 'Behavior', s.Behavior) as SessionInput['Behavior'];
  s.TTL = str(raw, 'TTL', s.TTL);
  const delay = field(raw, 'LockDelay');
  if (delay !== undefined && delay !== null) s.LockDelay = lockDelayNs(delay);
  const nodeChecks = optStrList(raw, 'NodeChecks');
  if (nodeChecks !== undefined) s.NodeChecks = nodeChecks;
  const checks = optStrList(raw, 'Checks');
  if (checks !== undefined) s.Checks = checks;
  if (field(raw, 'ServiceChecks') !== undefined) s.ServiceChecks = serviceChecks(raw);
}

export async function sessionCreateHandler(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  let input: Omit<SessionInput, 'ID'>;
  try {
    input = decodeSessionCreate(ctx.body, ctx.originNode ?? deps.config.nodeName);
  } catch (err) {
    if (err instanceof DecodeError) throw new HttpError(400, `Request decode failed: ${err.message}`);
    throw err;
  }
  ctx.acl.require(ctx.acl.authz.sessionWrite(input.Node), 'session', 'write', input.Node);
  const id = await sessionCreate(deps.requireServer(), input);
  return { status: 200, body: { ID: id } };
}

/** session:write on an existing session's node (an unknown session is left to the endpoint). */
function requireSessionWrite(ctx: RequestContext, store: Parameters<typeof sessionGet>[0], id: string): void {
  const existing = ctx.acl.enabled ? sessionGet(store, id) : undefined;
  if (existing) ctx.acl.require(ctx.acl.authz.sessionWrite(existing.Node), 'session', 'write', existing.Node);
}

function sessionIdFrom(ctx: RequestContext): string {
  if (ctx.tail === '') throw new HttpError(400, 'Missing session');
  return ctx.tail;
}

export async function sessionDestroyHandler(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const server = deps.requireServer();
  const id = sessionIdFrom(ctx);
  requireSessionWrite(ctx, server.store, id);
  await sessionDestroy(server, id);
  return { status: 200, body: true };
}

export async function sessionRenewHandler(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const id = sessionIdFrom(ctx);
  const server = deps.requireServer();
  requireSessionWrite(ctx, server.store, id);
  const session = await sessionRenew(server, id);
  if (!session) throw new HttpError(404, `Session id '${id}' not found`);
  return { status: 200, body: [sessionJson(session)] };
}

async function sessionRead(ctx: RequestContext, deps: ApiDeps, read: () => Session[]): Promise<Reply> {
  const server = deps.requireServer();
  const r = await blockingQuery(ctx, server, deps.limits, (ws) => {
    ws?.table('sessions');
    return { index: sessionsIndex(server.store), value: filterSessions(ctx.acl, read()) };
  });
  return { status: 200, body: r.value.map(sessionJson), meta: r.meta };
}

export function sessionInfoHandler(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const id = sessionIdFrom(ctx);
  const store = deps.requireServer().store;
  return sessionRead(ctx, deps, () => {
    const s = sessionGet(store, id);
    return s ? [s] : [];
  });
}

export function sessionNodeHandler(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  if (ctx.tail === '') throw new HttpError(400, 'Missing node name');
  const store = deps.requireServer().store;
  return sessionRead(ctx, deps, () => nodeSessions(store, ctx.tail));
}

export function sessionListHandler(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const store = deps.requireServer().store;
  return sessionRead(ctx, deps, () => sessionList(store));
}
