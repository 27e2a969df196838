// Consul's ACL rules language: HCL or JSON text -> ParsedRules (Consul: acl/policy.go,
// acl/policy_ce.go decodeRules, NewPolicyFromSource). Pure: no I/O.
//
// What Consul does, and so what this does:
//  - The text is decoded by HCL1, which takes JSON too when the text starts with `{`. Decode errors
//    read `Failed to parse ACL rules: At <line>:<col>: ...`.
//  - Keys are matched case-insensitively (HCL1's decoder); keys that name no resource are ignored,
//    as Consul ignores them (its decoder has no "unused keys" check).
//  - Each rule is then validated in Consul's order with Consul's texts: `Invalid key policy:
//    &acl.KeyRule{Prefix:"foo", Policy:"nope", EnterpriseRule:acl.EnterpriseRule{}}`. Policies are
//    read|write|deny (case-insensitive, acl.AccessLevelFromString); key rules also take list.
//  - A repeated argument (`policy = ...` twice in one block, `operator = ...` twice) is refused
//    for new or updated policies; rules already stored are read leniently (the last one wins),
//    as Consul does with acl.Config.WarnOnDuplicateKey.
//  - Raw policy strings are kept as written: the merger compares them verbatim, as Consul's does.
import { HclError, parseHcl } from '../config/hcl.js';
import { findDuplicateArgument } from './hcl-duplicates.js';
import { JsonRulesError, parseJsonRules } from './json-rules.js';

/** Resources whose rules name a segment (node name, key, service...), exact or by prefix. */
export type SegmentResource = 'agent' | 'event' | 'key' | 'node' | 'query' | 'service' | 'session';
/** Resources with one policy for the whole resource (`operator = "read"`). */
export type SingleResource = 'acl' | 'keyring' | 'mesh' | 'operator' | 'peering';

export const SEGMENT_RESOURCES: readonly SegmentResource[] = ['agent', 'event', 'key', 'node', 'query', 'service', 'session'];
export const SINGLE_RESOURCES: readonly SingleResource[] = ['acl', 'keyring', 'mesh', 'operator', 'peering'];

export interface SegmentRule {
  /** The node, key, service... name (exact rules) or prefix (`*_prefix` rules). */
  readonly name: string;
  /** As written: read | write | deny (| list for keys), any case. */
  readonly policy: string;
  /** Service rules only: the intentions policy on this destination; '' when not given. */
  readonly intentions: string;
}

export type SegmentRules = Readonly<Record<SegmentResource, readonly SegmentRule[]>>;

export interface ParsedRules {
  /** '' when the policy says nothing about the resource. */
  readonly single: Readonly<Record<SingleResource, string>>;
  /** `key "foo" {...}` rules, in source order. */
  readonly exact: SegmentRules;
  /** `key_prefix "foo" {...}` rules, in source order. */
  readonly prefix: SegmentRules;
}

/** A rules text Consul refuses; `message` is Consul's text. */
export class RulesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RulesError';
  }
}

function emptySegments(): Record<SegmentResource, SegmentRule[]> {
  return { agent: [], event: [], key: [], node: [], query: [], service: [], session: [] };
}

/** Rules that say nothing (the empty text). */
export const EMPTY_RULES: ParsedRules = Object.freeze({
  single: Object.freeze({ acl: '', keyring: '', mesh: '', operator: '', peering: '' }),
  exact: Object.freeze(emptySegments()),
  prefix: Object.freeze(emptySegments()),
});

export interface ParseRulesOptions {
  /**
   * Accept repeated arguments, the last one winning (Consul's WarnOnDuplicateKey): for rules that
   * are already stored (state store, snapshots), never for a policy being created or updated.
   */
  allowDuplicateKeys?: boolean;
}

/** Parses and validates a policy's rules, as Consul's acl.NewPolicyFromSource does. */
export function parseRules(text: string, options: ParseRulesOptions = {}): ParsedRules {
  if (text === '') return EMPTY_RULES; // Consul's hot path for empty source
  const root = decodeText(text, options.allowDuplicateKeys === true);
  let rules: ParsedRules;
  try {
    rules = collect(root);
  } catch (e) {
    // Type mismatches are decode errors in HCL1, so they carry the same prefix.
    if (e instanceof RulesError) throw new RulesError(`Failed to parse ACL rules: ${e.message}`);
    throw e;
  }
  validate(rules);
  return rules;
}

// ---------------------------------------------------------------------------------------------
// Decoding: HCL1 (or JSON) -> the generic value tree -> rules.

type Value = unknown;
type Obj = Record<string, Value>;

function isObj(v: Value): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function decodeText(text: string, allowDuplicates: boolean): Obj {
  // HCL1 (hcl.Decode lexMode): JSON when the first non-space character is `{`.
  if (/^\s*\{/u.test(text)) {
    try {
      return parseJsonRules(text);
    } catch (e) {
      if (e instanceof JsonRulesError) throw new RulesError(`Failed to parse ACL rules: ${e.message}`);
      throw e;
    }
  }
  let root: Obj | undefined;
  let syntax: HclError | undefined;
  try {
    root = parseHcl(text);
  } catch (e) {
    if (!(e instanceof HclError)) throw e;
    syntax = e;
  }
  // The parser meets a repeated argument and a syntax error in source order: the first one wins.
  const dup = allowDuplicates ? undefined : findDuplicateArgument(text);
  if (dup !== undefined && (syntax === undefined || isBefore(dup, syntax))) throw new RulesError(`Failed to parse ACL rules: ${dup.message}`);
  if (syntax !== undefined || root === undefined) throw new RulesError(`Failed to parse ACL rules: ${syntax?.message ?? 'no rules'}`);
  return root;
}

function isBefore(a: { line: number; column: number }, b: { line: number; column: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.column < b.column);
}

/** HCL blocks decode as lists of maps; JSON gives maps or lists of maps. Both become a map list. */
function blocks(v: Value, path: string): Obj[] {
  if (Array.isArray(v)) return v.flatMap((e, i) => blocks(e, `${path}[${i}]`));
  if (isObj(v)) return [v];
  throw new RulesError(`${path}: not an object type for struct (${describe(v)})`);
}

function describe(v: Value): string {
  if (Array.isArray(v)) return '*ast.ListType';
  if (isObj(v)) return '*ast.ObjectType';
  return '*ast.LiteralType';
}

/** A string field as HCL1 decodes it: strings as they are, numbers as their text. */
function str(v: Value, path: string): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new RulesError(`${path}: unknown type for string ${describe(v)}`);
}

/** The value under `name` matched case-insensitively (HCL1's field matching); the last one wins. */
function field(o: Obj, name: string): Value {
  let out: Value;
  for (const k of Object.keys(o)) if (k.toLowerCase() === name) out = o[k];
  return out;
}

function collect(root: Obj): ParsedRules {
  const single = { acl: '', keyring: '', mesh: '', operator: '', peering: '' };
  for (const r of SINGLE_RESOURCES) single[r] = str(field(root, r), r);
  const exact = emptySegments();
  const prefix = emptySegments();
  for (const r of SEGMENT_RESOURCES) {
    exact[r] = segmentRules(root, r, r);
    prefix[r] = segmentRules(root, r, `${r}_prefix`);
  }
  return { single, exact, prefix };
}

/** Every rule under `key "name" { policy = ... }` items (or their JSON form). */
function segmentRules(root: Obj, resource: SegmentResource, key: string): SegmentRule[] {
  const out: SegmentRule[] = [];
  for (const k of Object.keys(root)) {
    if (k.toLowerCase() !== key) continue;
    for (const block of blocks(root[k], k)) {
      for (const [name, body] of Object.entries(block)) {
        for (const b of blocks(body, `${k}.${name}`)) {
          const policy = str(field(b, 'policy'), `${k}.${name}.policy`);
          const intentions = resource === 'service' ? str(field(b, 'intentions'), `${k}.${name}.intentions`) : '';
          out.push({ name, policy, intentions });
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Validation (acl/policy.go PolicyRules.Validate), in Consul's order, with its texts.

/** acl.isPolicyValid: read/write/deny in any case; list only where allowed (key rules). */
export function isPolicyValid(policy: string, allowList: boolean): boolean {
  switch (policy.toLowerCase()) {
    case 'read':
    case 'write':
    case 'deny':
      return true;
    case 'list':
      return allowList;
    default:
      return false;
  }
}

const GO_ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };

/** Go's %q / %#v of a string (strconv.Quote for valid UTF-8): control characters as \xNN. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const esc = GO_ESCAPES[ch];
    if (esc !== undefined) out += esc;
    else if (ch < ' ' || ch === '\x7f') out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const GO_RULE_TYPE: Record<SegmentResource, { type: string; nameField: string; enterprise: boolean }> = {
  agent: { type: 'AgentRule', nameField: 'Node', enterprise: false },
  event: { type: 'EventRule', nameField: 'Event', enterprise: false },
  key: { type: 'KeyRule', nameField: 'Prefix', enterprise: true },
  node: { type: 'NodeRule', nameField: 'Name', enterprise: true },
  query: { type: 'PreparedQueryRule', nameField: 'Prefix', enterprise: false },
  service: { type: 'ServiceRule', nameField: 'Name', enterprise: true },
  session: { type: 'SessionRule', nameField: 'Node', enterprise: false },
};

/** `%#v` of a *acl.XxxRule, as Consul's errors print it. */
function goRule(resource: SegmentResource, rule: SegmentRule): string {
  const t = GO_RULE_TYPE[resource];
  let s = `&acl.${t.type}{${t.nameField}:${goQuote(rule.name)}, Policy:${goQuote(rule.policy)}`;
  if (resource === 'service') s += `, Intentions:${goQuote(rule.intentions)}`;
  if (t.enterprise) s += ', EnterpriseRule:acl.EnterpriseRule{}';
  return `${s}}`;
}

/** Consul validates in this order: acl, agents, keys, nodes, services, sessions, events, queries, then the rest. */
const VALIDATION_ORDER: readonly SegmentResource[] = ['agent', 'key', 'node', 'service', 'session', 'event', 'query'];

function validate(rules: ParsedRules): void {
  const acl = rules.single.acl;
  if (acl !== '' && !isPolicyValid(acl, false)) throw new RulesError(`Invalid acl policy: ${goQuote(acl)}`);
  for (const r of VALIDATION_ORDER) {
    const allowList = r === 'key';
    for (const [list, label] of [
      [rules.exact[r], r],
      [rules.prefix[r], `${r}_prefix`],
    ] as const) {
      for (const rule of list) {
        if (!isPolicyValid(rule.policy, allowList)) throw new RulesError(`Invalid ${label} policy: ${goRule(r, rule)}`);
        if (r === 'service' && rule.intentions !== '' && !isPolicyValid(rule.intentions, false)) {
          throw new RulesError(`Invalid ${label} intentions policy: ${goRule(r, rule)}`);
        }
      }
    }
  }
  for (const r of ['keyring', 'operator', 'mesh', 'peering'] as const) {
    const p = rules.single[r];
    if (p !== '' && !isPolicyValid(p, false)) throw new RulesError(`Invalid ${r} policy: ${goQuote(p)}`);
  }
}
