// /v1/operator/autopilot/{configuration,health}: autopilot's settings and its report on the
// servers (Consul: agent/operator_endpoint.go OperatorAutopilotConfiguration, OperatorServerHealth).
// MUST: a PUT replaces the whole configuration; fields missing from the body take
//       api.NewAutopilotConfiguration()'s defaults, not their current value (Consul decodes the
//       body over those defaults).
// MUST: health answers 429 with the full report when the cluster is not healthy.
import { HttpError } from '../../errors.js';
import { DurationError, formatGoDuration, parseGoDuration } from '../../support/duration.js';
import type { AutopilotConfigView, ServerHealthView } from '../operator-facade.js';
import type { Reply, RequestContext } from '../context.js';
import { bool, DecodeError, field, goDecoderError, isObject, type JsonObject, num, str } from '../decode.js';
import type { ApiDeps } from '../deps.js';
import { requireOperator } from './agent-acl.js';

type AutopilotSettings = Omit<AutopilotConfigView, 'CreateIndex' | 'ModifyIndex'>;

/** api.NewAutopilotConfiguration(). */
const DEFAULTS: Readonly<AutopilotSettings> = {
  CleanupDeadServers: true,
  LastContactThreshold: '200ms',
  MaxTrailingLogs: 250,
  MinQuorum: 0,
  ServerStabilizationTime: '10s',
  RedundancyZoneTag: '',
  DisableUpgradeMigration: false,
  UpgradeVersionTag: '',
};

const U64 = /^\d+$/;

function parseError(why: string): HttpError {
  return new HttpError(400, `Error parsing autopilot config: ${why}`);
}

/** api.ReadableDuration's decoding: a Go duration string, or a number of nanoseconds. */
function readableDuration(body: JsonObject, name: string, dflt: string): string {
  const v = field(body, name);
  if (v === undefined) return dflt;
  if (v === null) return '0s';
  if (typeof v === 'number') return formatGoDuration(v / 1e6);
  if (typeof v !== 'string') throw parseError(`json: cannot unmarshal ${typeof v} into Go struct field AutopilotConfiguration.${name} of type api.ReadableDuration`);
  try {
    return formatGoDuration(parseGoDuration(v));
  } catch (err) {
    if (err instanceof DurationError) throw parseError(err.message);
    throw err;
  }
}

/** Decode a PUT body over the defaults, as Go's json.Decoder fills a pre-set struct. */
export function decodeAutopilotSettings(raw: Buffer): AutopilotSettings {
  if (raw.toString('utf8').trim() === '') throw parseError('EOF');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw parseError(goDecoderError(raw.toString('utf8'), err));
  }
  if (parsed === null) return { ...DEFAULTS };
  if (!isObject(parsed)) {
    const kind = Array.isArray(parsed) ? 'array' : typeof parsed;
    throw parseError(`json: cannot unmarshal ${kind} into Go value of type api.AutopilotConfiguration`);
  }
  const body = parsed;
  try {
    return {
      CleanupDeadServers: bool(body, 'CleanupDeadServers', DEFAULTS.CleanupDeadServers),
      LastContactThreshold: readableDuration(body, 'LastContactThreshold', DEFAULTS.LastContactThreshold),
      MaxTrailingLogs: num(body, 'MaxTrailingLogs', DEFAULTS.MaxTrailingLogs),
      MinQuorum: num(body, 'MinQuorum', DEFAULTS.MinQuorum),
      ServerStabilizationTime: readableDuration(body, 'ServerStabilizationTime', DEFAULTS.ServerStabilizationTime),
      RedundancyZoneTag: str(body, 'RedundancyZoneTag', DEFAULTS.RedundancyZoneTag),
      DisableUpgradeMigration: bool(body, 'DisableUpgradeMigration', DEFAULTS.DisableUpgradeMigration),
      UpgradeVersionTag: str(body, 'UpgradeVersionTag', DEFAULTS.UpgradeVersionTag),
    };
  } catch (err) {
    if (err instanceof DecodeError) throw parseError(err.message.replace('Go struct field .', 'Go struct field AutopilotConfiguration.'));
    throw err;
  }
}

/** ?cas as strconv.ParseUint(v, 10, 64) reads it; undefined when absent. */
function casParam(ctx: RequestContext): number | undefined {
  if (!ctx.has('cas')) return undefined;
  const v = ctx.get('cas') ?? '';
  if (!U64.test(v)) throw new HttpError(400, `Error parsing cas value: strconv.ParseUint: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new HttpError(400, `Error parsing cas value: strconv.ParseUint: parsing ${JSON.stringify(v)}: value out of range`);
  return n;
}

export function operatorAutopilotConfigurationGet(ctx: RequestContext, deps: ApiDeps): Reply {
  // Consul: operator_autopilot_endpoint.go: operator:read to read, operator:write to change.
  requireOperator(ctx.acl, 'read');
  const c = deps.requireServer().operator.autopilotConfig();
  const body: AutopilotConfigView = {
    CleanupDeadServers: c.CleanupDeadServers,
    LastContactThreshold: c.LastContactThreshold,
    MaxTrailingLogs: c.MaxTrailingLogs,
    MinQuorum: c.MinQuorum,
    ServerStabilizationTime: c.ServerStabilizationTime,
    RedundancyZoneTag: c.RedundancyZoneTag,
    DisableUpgradeMigration: c.DisableUpgradeMigration,
    UpgradeVersionTag: c.UpgradeVersionTag,
    CreateIndex: c.CreateIndex,
    ModifyIndex: c.ModifyIndex,
  };
  return { status: 200, body };
}

export async function operatorAutopilotConfigurationPut(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  const settings = decodeAutopilotSettings(ctx.body);
  const cas = casParam(ctx);
  requireOperator(ctx.acl, 'write');
  const op = deps.requireServer().operator;
  const applied = await op.setAutopilotConfig(settings, cas);
  // Consul reports the outcome only for a check-and-set; a plain write always answers true.
  return { status: 200, body: cas === undefined ? true : applied };
}

/** Go's time.Time JSON after Consul's `.Round(time.Second).UTC()`: RFC 3339, whole seconds. */
function stableSince(s: string): string {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return s;
  return new Date(Math.round(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function operatorAutopilotHealth(ctx: RequestContext, deps: ApiDeps): Reply {
  requireOperator(ctx.acl, 'read');
  const h = deps.requireServer().operator.autopilotHealth();
  const servers = h.Servers.map(
    (s): ServerHealthView => ({
      ID: s.ID,
      Name: s.Name,
      Address: s.Address,
      SerfStatus: s.SerfStatus,
      Version: s.Version,
      Leader: s.Leader,
      LastContact: s.LastContact,
      LastTerm: s.LastTerm,
      LastIndex: s.LastIndex,
      Healthy: s.Healthy,
      Voter: s.Voter,
      StableSince: stableSince(s.StableSince),
    }),
  );
  return {
    // 429 lets load balancers and scripts read health from the status alone.
    status: h.Healthy ? 200 : 429,
    // Go leaves the slice nil (JSON null) when autopilot knows no servers.
    body: { Healthy: h.Healthy, FailureTolerance: h.FailureTolerance, Servers: servers.length > 0 ? servers : null },
  };
}
