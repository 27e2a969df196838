// /v1/agent/{services,service,checks,check,maintenance,health}: the agent's own services and
// checks (Consul: agent/agent_endpoint.go). Writes change the local state, then push the change
// to the catalog before answering (Consul's syncChanges), so a following catalog read sees it.
// Agent PUTs answer 200 with an empty body. ACLs: agent-acl.ts (Consul's vet* and filter* helpers);
// unlike the catalog, the agent's lists are ACL-filtered *before* ?filter runs, so an expression
// cannot probe what the token may not see (Consul: AgentServices, AgentChecks).
import { createHash } from 'node:crypto';
import { HttpError } from '../../errors.js';
import {
  BadStatusError,
  decodeCheck,
  decodeService,
  DefinitionError,
  validateCheck,
  validateService,
  type ServiceRecord,
} from '../../agent/definitions.js';
import type { CheckRecord } from '../../agent/local-state.js';
import {
  disableNodeMaintenance,
  disableServiceMaintenance,
  enableNodeMaintenance,
  enableServiceMaintenance,
  NODE_MAINT_CHECK_ID,
  SERVICE_MAINT_PREFIX,
} from '../../agent/maintenance.js';
import { isCheckStatus } from '../../checks/status-rules.js';
import { parseGoDuration } from '../../support/duration.js';
import type { Reply, RequestContext } from '../context.js';
import { field, isObject, parseJson } from '../decode.js';
import type { ApiDeps } from '../deps.js';
import { compileFilter, FilterError } from '../filter/index.js';
import { monotonicMs } from '../../support/clock.js';
import { filterServiceMap } from '../../acl/index.js';
import { filterAgentChecks, vetCheckRegister, vetCheckUpdate, vetServiceRegister, vetServiceUpdate } from './agent-acl.js';

const EMPTY: Reply = { status: 200, raw: '' };

// ---- JSON shapes ----

/** Consul: buildAgentService (api.AgentService). */
export function agentServiceJson(s: ServiceRecord, dc: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.Kind !== '') out.Kind = s.Kind;
  Object.assign(out, { ID: s.ID, Service: s.Service, Tags: s.Tags, Meta: s.Meta, Port: s.Port, Address: s.Address });
  if (Object.keys(s.TaggedAddresses).length > 0) out.TaggedAddresses = s.TaggedAddresses;
  Object.assign(out, { Weights: s.Weights, EnableTagOverride: s.EnableTagOverride });
  if (s.Proxy) out.Proxy = s.Proxy;
  if (s.Connect) out.Connect = s.Connect;
  out.Datacenter = dc;
  return out;
}

function checkJson(c: CheckRecord): Record<string, unknown> {
  return { ...c, CreateIndex: 0, ModifyIndex: 0 };
}

function contentHash(v: unknown): string {
  return createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);
}

function applyFilter<T>(ctx: RequestContext, map: Record<string, T>): Record<string, T> {
  const expr = ctx.get('filter');
  if (expr === null || expr.trim() === '') return map;
  try {
    const f = compileFilter(expr);
    return Object.fromEntries(Object.entries(map).filter(([, v]) => f(v)));
  } catch (err) {
    if (err instanceof FilterError) throw new HttpError(400, err.message);
    throw err;
  }
}

/**
 * Hash-based blocking (Consul: LocalBlockingQuery): with `?hash=` equal to the current content
 * hash, wait for a local change or the `wait` time, then answer.
 */
async function hashBlocking<T>(ctx: RequestContext, deps: ApiDeps, compute: () => T): Promise<{ value: T; hash: string }> {
  const want = ctx.get('hash');
  let value = compute();
  let hash = contentHash(value);
  if (!want || want !== hash) return { value, hash };
  const wait = ctx.get('wait');
  let waitMs = deps.limits.defaultQueryTimeMs;
  if (wait) {
    try {
      waitMs = Math.min(parseGoDuration(wait), deps.limits.maxQueryTimeMs);
    } catch {
      throw new HttpError(400, 'Invalid wait time');
    }
  }
  const deadline = monotonicMs() + waitMs;
  while (hash === want && monotonicMs() < deadline && !ctx.isClosed) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, deadline - monotonicMs());
      const cancel = deps.agent.local.state.onChangeOnce(done);
      ctx.onClose(done);
      function done(): void {
        clearTimeout(timer);
        cancel();
        resolve();
      }
    });
    value = compute();
    hash = contentHash(value);
  }
  return { value, hash };
}

// ---- services ----

export async function agentServices(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const dc = deps.config.datacenter;
  const r = await hashBlocking(ctx, deps, () =>
    Object.fromEntries(deps.agent.local.state.services().map((s) => [s.service.ID, agentServiceJson(s.service, dc)])),
  );
  return { status: 200, body: applyFilter(ctx, filterServiceMap(ctx.acl, r.value)), headers: { 'X-Consul-ContentHash': r.hash } };
}

export async function agentService(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const id = ctx.tail;
  const dc = deps.config.datacenter;
  const r = await hashBlocking(ctx, deps, () => {
    const s = deps.agent.local.state.service(id);
    if (!s) throw new HttpError(404, `unknown service ID: ${id}`);
    ctx.acl.require(ctx.acl.authz.serviceRead(s.service.Service), 'service', 'read', s.service.Service);
    return agentServiceJson(s.service, dc);
  });
  return { status: 200, body: { ...r.value, ContentHash: r.hash }, headers: { 'X-Consul-ContentHash': r.hash } };
}

function decodeFailed(err: unknown): never {
  if (err instanceof DefinitionError) throw new HttpError(400, `Request decode failed: ${err.message}`);
  throw err;
}

export async function agentServiceRegister(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const raw = parseJson(ctx.body);
  let def;
  try {
    def = decodeService(raw);
  } catch (err) {
    if (err instanceof BadStatusError) throw new HttpError(400, "Status for checks must 'passing', 'warning', 'critical'");
    decodeFailed(err);
  }
  const invalid = validateService(def);
  if (invalid) throw new HttpError(400, invalid);
  vetServiceRegister(ctx.acl, deps, def);
  const q = ctx.query.getAll('replace-existing-checks');
  const replace = q.length > 0 && (q[0] === '' || q[0] === 'true');
  await deps.agent.local.addService(def, 'remote', { persist: true, token: ctx.token() || def.token, replaceExistingChecks: replace });
  await deps.agent.syncChanges();
  return EMPTY;
}

export async function agentServiceDeregister(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  vetServiceUpdate(ctx.acl, deps, ctx.tail);
  await deps.agent.local.removeService(ctx.tail, true);
  await deps.agent.syncChanges();
  return EMPTY;
}

// ---- checks ----

export async function agentChecks(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const map = Object.fromEntries(deps.agent.local.state.checks().map((c) => [c.check.CheckID, checkJson(c.check)]));
  return { status: 200, body: applyFilter(ctx, filterAgentChecks(ctx.acl, deps, map)) };
}

export async function agentCheckRegister(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const raw = parseJson(ctx.body);
  let def;
  try {
    def = decodeCheck(raw);
  } catch (err) {
    if (err instanceof BadStatusError) throw new HttpError(400, 'Bad check status');
    decodeFailed(err);
  }
  if (def.name === '') throw new HttpError(400, 'Missing check name');
  const invalid = validateCheck(def);
  if (invalid) throw new HttpError(400, `Invalid check: ${invalid}`);
  vetCheckRegister(ctx.acl, deps, def);
  await deps.agent.local.addCheck(def, 'remote', { persist: true, token: ctx.token() });
  await deps.agent.syncChanges();
  return EMPTY;
}

export async function agentCheckDeregister(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  vetCheckUpdate(ctx.acl, deps, ctx.tail);
  await deps.agent.local.removeCheck(ctx.tail, true);
  await deps.agent.syncChanges();
  return EMPTY;
}

async function ttlUpdate(ctx: RequestContext, deps: ApiDeps, status: 'passing' | 'warning' | 'critical', output: string): Promise<Reply> {
  vetCheckUpdate(ctx.acl, deps, ctx.tail);
  deps.agent.local.updateTtl(ctx.tail, status, output);
  await deps.agent.syncChanges();
  return EMPTY;
}

export const agentCheckPass = (ctx: RequestContext, deps: ApiDeps): Promise<Reply> => ttlUpdate(ctx, deps, 'passing', ctx.get('note') ?? '');
export const agentCheckWarn = (ctx: RequestContext, deps: ApiDeps): Promise<Reply> => ttlUpdate(ctx, deps, 'warning', ctx.get('note') ?? '');
export const agentCheckFail = (ctx: RequestContext, deps: ApiDeps): Promise<Reply> => ttlUpdate(ctx, deps, 'critical', ctx.get('note') ?? '');

export async function agentCheckUpdate(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const raw = ctx.body.length === 0 ? {} : parseJson(ctx.body);
  if (!isObject(raw)) throw new HttpError(400, 'Request decode failed: json: cannot unmarshal non-object into Go value of type agent.checkUpdate');
  const status = field(raw, 'Status') ?? '';
  const output = field(raw, 'Output') ?? '';
  if (typeof status !== 'string' || typeof output !== 'string') {
    throw new HttpError(400, `Request decode failed: json: cannot unmarshal ${typeof (typeof status !== 'string' ? status : output)} into Go struct field checkUpdate.${typeof status !== 'string' ? 'Status' : 'Output'} of type string`);
  }
  if (!isCheckStatus(status)) throw new HttpError(400, `Invalid check status: '${status}'`);
  return ttlUpdate(ctx, deps, status, output);
}

// ---- maintenance ----

/** Go's strconv.ParseBool. */
function parseEnable(ctx: RequestContext): boolean {
  if (!ctx.has('enable')) throw new HttpError(400, 'Missing value for enable');
  const raw = ctx.get('enable') ?? '';
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  throw new HttpError(400, `Invalid value for enable: "${raw}"`);
}

export async function agentNodeMaintenance(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const enable = parseEnable(ctx);
  const node = deps.config.nodeName;
  ctx.acl.require(ctx.acl.authz.nodeWrite(node), 'node', 'write', node);
  if (enable) await enableNodeMaintenance(deps.agent.local, ctx.get('reason') ?? '');
  else await disableNodeMaintenance(deps.agent.local);
  await deps.agent.syncChanges();
  return EMPTY;
}

export async function agentServiceMaintenance(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const id = ctx.tail;
  if (id === '') throw new HttpError(400, 'Missing service ID');
  const enable = parseEnable(ctx);
  vetServiceUpdate(ctx.acl, deps, id);
  if (enable) await enableServiceMaintenance(deps.agent.local, id, ctx.get('reason') ?? '');
  else await disableServiceMaintenance(deps.agent.local, id);
  await deps.agent.syncChanges();
  return EMPTY;
}

// ---- local health ----

const STATUS_CODE: Record<string, number> = { passing: 200, warning: 429, critical: 503, maintenance: 503 };

/** Consul: api.HealthChecks.AggregatedStatus. */
export function aggregatedStatus(checks: readonly CheckRecord[]): string {
  let passing = false;
  let warning = false;
  let critical = false;
  for (const c of checks) {
    if (c.CheckID === NODE_MAINT_CHECK_ID || c.CheckID.startsWith(SERVICE_MAINT_PREFIX)) return 'maintenance';
    if (c.Status === 'passing') passing = true;
    else if (c.Status === 'warning') warning = true;
    else if (c.Status === 'critical') critical = true;
    else return 'critical';
  }
  if (critical) return 'critical';
  if (warning) return 'warning';
  if (passing) return 'passing';
  return 'passing';
}

function serviceHealth(deps: ApiDeps, id: string): { code: number; status: string; info: Record<string, unknown> } {
  const state = deps.agent.local.state;
  const svc = state.service(id) as NonNullable<ReturnType<typeof state.service>>;
  const checks = state.checks().filter((c) => c.check.ServiceID === '' || c.check.ServiceID === id).map((c) => c.check);
  const status = aggregatedStatus(checks);
  const info = {
    AggregatedStatus: status,
    Service: agentServiceJson(svc.service, deps.config.datacenter),
    Checks: checks.map((c) => ({ ...c, Type: '', Interval: '', Timeout: '', Definition: {}, CreateIndex: 0, ModifyIndex: 0 })),
  };
  return { code: STATUS_CODE[status] ?? 503, status, info };
}

function wantsText(ctx: RequestContext): boolean {
  const accept = ctx.req.headers.accept;
  if (typeof accept === 'string' && accept.startsWith('text/plain')) return true;
  const format = ctx.get('format');
  return format !== null && format !== '' && format === 'text';
}

const text = (status: number, body: string): Reply => ({ status, raw: body, contentType: 'text/plain' });

export async function agentHealthServiceById(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const id = ctx.tail;
  if (id === '') throw new HttpError(400, 'Missing serviceID');
  if (!deps.agent.local.state.service(id)) {
    const reason = `ServiceId ${id} not found`;
    if (wantsText(ctx)) return text(404, reason);
    return { status: 404, body: { AggregatedStatus: 'critical', Service: null, Checks: null } };
  }
  const svcName = deps.agent.local.state.service(id)?.service.Service ?? '';
  ctx.acl.require(ctx.acl.authz.serviceRead(svcName), 'service', 'read', svcName);
  const h = serviceHealth(deps, id);
  if (wantsText(ctx)) return text(h.code, h.status);
  return { status: h.code, body: h.info };
}

export async function agentHealthServiceByName(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const name = ctx.tail;
  if (name === '') throw new HttpError(400, 'Missing service Name');
  ctx.acl.require(ctx.acl.authz.serviceRead(name), 'service', 'read', name);
  let code = 404;
  let status = `ServiceName ${name} Not Found`;
  const result: Record<string, unknown>[] = [];
  for (const s of deps.agent.local.state.services()) {
    if (s.service.Service !== name) continue;
    const h = serviceHealth(deps, s.service.ID);
    result.push(h.info);
    if (code === 404 || code < h.code) {
      code = h.code;
      status = h.status;
    }
  }
  if (wantsText(ctx)) return text(code, status);
  return { status: code, body: result };
}
