// Config entries Connect needs: decoding (snake_case or PascalCase keys, as `consul config write`
// accepts), validation and normalization of service-defaults, proxy-defaults and
// service-intentions (Consul: agent/structs/config_entry.go, config_entry_intentions.go).
import type { ConfigEntryInput } from '../state/config-entries.js';
import type { SourceIntention } from '../structs/connect.js';
import { intentionPrecedence } from './intentions.js';

export const SUPPORTED_KINDS = ['service-defaults', 'proxy-defaults', 'service-intentions'] as const;
/** Kinds Consul knows that this agent does not store yet (they get a clear refusal, not Consul's "invalid kind"). */
const KNOWN_KINDS = ['service-router', 'service-splitter', 'service-resolver', 'ingress-gateway', 'terminating-gateway', 'mesh', 'exported-services', 'api-gateway', 'http-route', 'tcp-route', 'inline-certificate', 'bound-api-gateway', 'jwt-provider', 'sameness-group', 'file-system-certificate'];

export class ConfigEntryError extends Error {}

/** Maps whose keys are user data, not field names (kept verbatim). */
const VERBATIM = new Set(['Meta', 'Config', 'LegacyMeta', 'Header']);

/** snake_case or lower-case keys to Consul's field names (Consul: lib.TranslateKeys + mapstructure). */
function pascal(k: string): string {
  const special: Record<string, string> = { id: 'ID', legacy_id: 'LegacyID', path_exact: 'PathExact', path_prefix: 'PathPrefix', path_regex: 'PathRegex' };
  if (special[k]) return special[k];
  if (!k.includes('_') && /^[A-Z]/.test(k)) return k;
  return k.split('_').map((p) => (p === '' ? '' : p[0]!.toUpperCase() + p.slice(1))).join('');
}

export function canonicalKeys(v: unknown, verbatim = false): unknown {
  if (Array.isArray(v)) return v.map((x) => canonicalKeys(x));
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) {
    const key = verbatim ? k : pascal(k);
    out[key] = VERBATIM.has(key) && !verbatim ? canonicalKeys(val, true) : verbatim ? val : canonicalKeys(val);
  }
  return out;
}

/** Consul: structs.MakeConfigEntry's error for a kind it does not know. */
export function checkKind(kind: string): void {
  if ((SUPPORTED_KINDS as readonly string[]).includes(kind)) return;
  if (KNOWN_KINDS.includes(kind)) throw new ConfigEntryError(`config entry kind "${kind}" is not supported by this agent yet`);
  throw new ConfigEntryError(`invalid config entry kind: ${kind}`);
}

/** Decode, normalize and validate an entry body; throws ConfigEntryError with Consul's texts. */
export function normalizeEntry(raw: unknown): ConfigEntryInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigEntryError('Payload is not a config entry');
  const e = canonicalKeys(raw) as Record<string, unknown>;
  const kind = typeof e.Kind === 'string' ? e.Kind : '';
  if (kind === '') throw new ConfigEntryError('Payload does not contain a kind/Kind key at the top level');
  checkKind(kind);
  const name = typeof e.Name === 'string' ? e.Name : '';
  delete e.CreateIndex;
  delete e.ModifyIndex;
  const entry: ConfigEntryInput = { ...e, Kind: kind, Name: name };
  if (kind === 'proxy-defaults') {
    if (name !== 'global') throw new ConfigEntryError(`invalid name ("${name}"), only "global" is supported`);
  } else if (name === '') {
    throw new ConfigEntryError('Name is required');
  }
  if (kind === 'service-defaults' && typeof entry.Protocol === 'string') entry.Protocol = entry.Protocol.toLowerCase();
  if (kind === 'service-intentions') entry.Sources = normalizeSources(entry.Sources, name);
  return entry;
}

function normalizeSources(v: unknown, destination: string): SourceIntention[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ConfigEntryError('Sources must be a list');
  const seen = new Set<string>();
  return v.map((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw new ConfigEntryError(`Sources[${i}] must be an object`);
    const s = { ...(raw as Record<string, unknown>) } as unknown as SourceIntention;
    if (typeof s.Name !== 'string' || s.Name === '') throw new ConfigEntryError(`Sources[${i}].Name is required`);
    if (seen.has(s.Name)) throw new ConfigEntryError(`Sources[${i}] defines "${s.Name}" more than once`);
    seen.add(s.Name);
    const perms = s.Permissions ?? [];
    if (perms.length > 0 && s.Action) throw new ConfigEntryError(`Sources[${i}].Action must be omitted if Permissions are specified`);
    if (perms.length === 0) {
      const action = typeof s.Action === 'string' ? s.Action.toLowerCase() : '';
      if (action !== 'allow' && action !== 'deny') throw new ConfigEntryError(`Sources[${i}].Action must be set to 'allow' or 'deny'`);
      s.Action = action;
    }
    s.Type = s.Type || 'consul';
    if (s.Type !== 'consul') throw new ConfigEntryError(`Sources[${i}].Type must be set to 'consul'`);
    s.Precedence = intentionPrecedence(s.Name, destination);
    return s;
  });
}
