// The output formats of `consul acl token|policy|role ...` and `consul acl bootstrap`: "pretty"
// (command/acl/{token,policy,role}/formatter.go) and "json" (json.MarshalIndent of the api struct,
// 4 spaces, in the api struct's field order with its omitempty rules).
import type {
  AclLink,
  AclNodeIdentity,
  AclPolicy,
  AclPolicyListEntry,
  AclRole,
  AclServiceIdentity,
  AclTemplatedPolicy,
  AclToken,
  AclTokenListEntry,
} from '../../client/acl.js';
import { goMarshalIndent } from '../go-json.js';
import { goTimeJson, goTimeString, hexOfBase64, isSetTime, ttlNanos } from './go-values.js';

export const FORMATS = ['pretty', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** The -format flag's usage text, as the Go commands build it. */
export const FORMAT_USAGE = `Output format {${FORMATS.join('|')}}`;

/** NewFormatter's check: the format, or Go's `Unknown format: <f>` error text. */
export function checkFormat(format: string): Format | { error: string } {
  return (FORMATS as readonly string[]).includes(format) ? (format as Format) : { error: `Unknown format: ${format}` };
}

// ---- JSON, in api struct order ----

type Json = Record<string, unknown>;

function nonEmpty<T>(list: readonly T[] | null | undefined): list is readonly T[] {
  return Array.isArray(list) && list.length > 0;
}

function put(out: Json, key: string, value: unknown, omitEmpty: boolean): void {
  if (omitEmpty) {
    if (value === undefined || value === null || value === '' || value === 0 || value === false) return;
    if (Array.isArray(value) && value.length === 0) return;
  }
  out[key] = value === undefined ? null : value;
}

const links = (l: readonly AclLink[] | null | undefined): Json[] | undefined =>
  nonEmpty(l) ? l.map((x) => ({ ID: x.ID ?? '', Name: x.Name ?? '' })) : undefined;

const serviceIdentities = (l: readonly AclServiceIdentity[] | null | undefined): Json[] | undefined =>
  nonEmpty(l)
    ? l.map((s) => {
        const o: Json = { ServiceName: s.ServiceName };
        put(o, 'Datacenters', s.Datacenters, true);
        return o;
      })
    : undefined;

const nodeIdentities = (l: readonly AclNodeIdentity[] | null | undefined): Json[] | undefined =>
  nonEmpty(l) ? l.map((n) => ({ NodeName: n.NodeName, Datacenter: n.Datacenter })) : undefined;

const templatedPolicies = (l: readonly AclTemplatedPolicy[] | null | undefined): Json[] | undefined =>
  nonEmpty(l)
    ? l.map((t) => {
        const o: Json = { TemplateName: t.TemplateName };
        if (t.TemplateVariables) o.TemplateVariables = { Name: t.TemplateVariables.Name ?? '' };
        put(o, 'Datacenters', t.Datacenters, true);
        return o;
      })
    : undefined;

const time = (t: string | null | undefined): string => (t ? goTimeJson(t) : '0001-01-01T00:00:00Z');

function tokenJson(t: AclToken): Json {
  const o: Json = { CreateIndex: t.CreateIndex ?? 0, ModifyIndex: t.ModifyIndex ?? 0, AccessorID: t.AccessorID ?? '', SecretID: t.SecretID ?? '', Description: t.Description ?? '' };
  put(o, 'Policies', links(t.Policies), true);
  put(o, 'Roles', links(t.Roles), true);
  put(o, 'ServiceIdentities', serviceIdentities(t.ServiceIdentities), true);
  put(o, 'NodeIdentities', nodeIdentities(t.NodeIdentities), true);
  put(o, 'TemplatedPolicies', templatedPolicies(t.TemplatedPolicies), true);
  o.Local = t.Local === true;
  put(o, 'AuthMethod', t.AuthMethod, true);
  put(o, 'ExpirationTTL', ttlNanos(t.ExpirationTTL), true);
  if (t.ExpirationTime) o.ExpirationTime = time(t.ExpirationTime);
  o.CreateTime = time(t.CreateTime);
  put(o, 'Hash', t.Hash, true);
  put(o, 'Rules', t.Rules, true);
  put(o, 'Namespace', t.Namespace, true);
  put(o, 'Partition', t.Partition, true);
  put(o, 'AuthMethodNamespace', t.AuthMethodNamespace, true);
  return o;
}

function tokenListEntryJson(t: AclTokenListEntry): Json {
  const o: Json = { CreateIndex: t.CreateIndex ?? 0, ModifyIndex: t.ModifyIndex ?? 0, AccessorID: t.AccessorID ?? '', SecretID: t.SecretID ?? '', Description: t.Description ?? '' };
  put(o, 'Policies', links(t.Policies), true);
  put(o, 'Roles', links(t.Roles), true);
  put(o, 'ServiceIdentities', serviceIdentities(t.ServiceIdentities), true);
  put(o, 'NodeIdentities', nodeIdentities(t.NodeIdentities), true);
  put(o, 'TemplatedPolicies', templatedPolicies(t.TemplatedPolicies), true);
  o.Local = t.Local === true;
  put(o, 'AuthMethod', t.AuthMethod, true);
  if (t.ExpirationTime) o.ExpirationTime = time(t.ExpirationTime);
  o.CreateTime = time(t.CreateTime);
  put(o, 'Hash', t.Hash || null, false);
  o.Legacy = t.Legacy === true;
  put(o, 'Namespace', t.Namespace, true);
  put(o, 'Partition', t.Partition, true);
  put(o, 'AuthMethodNamespace', t.AuthMethodNamespace, true);
  return o;
}

function policyJson(p: AclPolicy | AclPolicyListEntry, withRules: boolean): Json {
  const o: Json = { ID: p.ID ?? '', Name: p.Name ?? '', Description: p.Description ?? '' };
  if (withRules) o.Rules = (p as AclPolicy).Rules ?? '';
  o.Datacenters = p.Datacenters ?? null;
  o.Hash = p.Hash || null;
  o.CreateIndex = p.CreateIndex ?? 0;
  o.ModifyIndex = p.ModifyIndex ?? 0;
  put(o, 'Namespace', p.Namespace, true);
  put(o, 'Partition', p.Partition, true);
  return o;
}

function roleJson(r: AclRole): Json {
  const o: Json = { ID: r.ID ?? '', Name: r.Name ?? '', Description: r.Description ?? '' };
  put(o, 'Policies', links(r.Policies), true);
  put(o, 'ServiceIdentities', serviceIdentities(r.ServiceIdentities), true);
  put(o, 'NodeIdentities', nodeIdentities(r.NodeIdentities), true);
  put(o, 'TemplatedPolicies', templatedPolicies(r.TemplatedPolicies), true);
  o.Hash = r.Hash || null;
  o.CreateIndex = r.CreateIndex ?? 0;
  o.ModifyIndex = r.ModifyIndex ?? 0;
  put(o, 'Namespace', r.Namespace, true);
  put(o, 'Partition', r.Partition, true);
  return o;
}

const json = (v: unknown): string => goMarshalIndent(v, '    ');

// ---- pretty ----

function identityLines(
  indent: string,
  s: readonly AclServiceIdentity[] | null | undefined,
  n: readonly AclNodeIdentity[] | null | undefined,
  t: readonly AclTemplatedPolicy[] | null | undefined,
): string {
  let b = '';
  if (nonEmpty(s)) {
    b += `${indent}Service Identities:\n`;
    for (const id of s) b += `${indent}   ${id.ServiceName} (Datacenters: ${nonEmpty(id.Datacenters) ? id.Datacenters.join(', ') : 'all'})\n`;
  }
  if (nonEmpty(n)) {
    b += `${indent}Node Identities:\n`;
    for (const id of n) b += `${indent}   ${id.NodeName} (Datacenter: ${id.Datacenter})\n`;
  }
  if (nonEmpty(t)) {
    b += `${indent}Templated Policies:\n`;
    for (const tp of t) {
      b += `${indent}   ${tp.TemplateName}\n`;
      if (tp.TemplateVariables?.Name) b += `${indent}      Name: ${tp.TemplateVariables.Name}\n`;
      b += `${indent}      Datacenters: ${nonEmpty(tp.Datacenters) ? tp.Datacenters.join(', ') : 'all'}\n`;
    }
  }
  return b;
}

function linkLines(indent: string, title: string, l: readonly AclLink[] | null | undefined): string {
  if (!nonEmpty(l)) return '';
  return `${indent}${title}:\n${l.map((x) => `${indent}   ${x.ID} - ${x.Name}\n`).join('')}`;
}

function tokenPretty(t: AclToken | AclTokenListEntry, showMeta: boolean): string {
  let b = `AccessorID:       ${t.AccessorID}\nSecretID:         ${t.SecretID}\n`;
  if (t.Partition) b += `Partition:        ${t.Partition}\n`;
  if (t.Namespace) b += `Namespace:        ${t.Namespace}\n`;
  b += `Description:      ${t.Description}\nLocal:            ${t.Local === true}\n`;
  if (t.AuthMethod) b += `Auth Method:      ${t.AuthMethod} (Namespace: ${t.AuthMethodNamespace ?? ''})\n`;
  b += `Create Time:      ${goTimeString(t.CreateTime)}\n`;
  if (isSetTime(t.ExpirationTime)) b += `Expiration Time:  ${goTimeString(t.ExpirationTime)}\n`;
  if (showMeta) {
    b += `Hash:             ${hexOfBase64(t.Hash)}\nCreate Index:     ${t.CreateIndex ?? 0}\nModify Index:     ${t.ModifyIndex ?? 0}\n`;
  }
  b += linkLines('', 'Policies', t.Policies);
  b += linkLines('', 'Roles', t.Roles);
  b += identityLines('', t.ServiceIdentities, t.NodeIdentities, t.TemplatedPolicies);
  return b;
}

export function formatToken(t: AclToken, format: Format, showMeta: boolean): string {
  return format === 'json' ? json(tokenJson(t)) : tokenPretty(t, showMeta);
}

/** Token list: entries separated by a blank line. */
export function formatTokenList(list: readonly AclTokenListEntry[], format: Format, showMeta: boolean): string {
  if (format === 'json') return json(list.map(tokenListEntryJson));
  return list.map((t) => tokenPretty(t, showMeta)).join('\n');
}

export function formatPolicy(p: AclPolicy, format: Format, showMeta: boolean): string {
  if (format === 'json') return json(policyJson(p, true));
  let b = `ID:           ${p.ID}\nName:         ${p.Name}\n`;
  if (p.Namespace) b += `Namespace:    ${p.Namespace}\n`;
  b += `Description:  ${p.Description}\nDatacenters:  ${(p.Datacenters ?? []).join(', ')}\n`;
  if (showMeta) b += `Hash:         ${hexOfBase64(p.Hash)}\nCreate Index: ${p.CreateIndex ?? 0}\nModify Index: ${p.ModifyIndex ?? 0}\n`;
  return `${b}Rules:\n${p.Rules ?? ''}`;
}

export function formatPolicyList(list: readonly AclPolicyListEntry[], format: Format, showMeta: boolean): string {
  if (format === 'json') return json(list.map((p) => policyJson(p, false)));
  return list
    .map((p) => {
      let b = `${p.Name}:\n   ID:           ${p.ID}\n`;
      if (p.Namespace) b += `   Namespace:    ${p.Namespace}\n`;
      b += `   Description:  ${p.Description}\n   Datacenters:  ${(p.Datacenters ?? []).join(', ')}\n`;
      if (showMeta) b += `   Hash:         ${hexOfBase64(p.Hash)}\n   Create Index: ${p.CreateIndex ?? 0}\n   Modify Index: ${p.ModifyIndex ?? 0}\n`;
      return b;
    })
    .join('');
}

function rolePretty(r: AclRole, showMeta: boolean, indent: string): string {
  const head = indent === '' ? '' : `${r.Name}:\n`;
  let b = `${head}${indent}ID:           ${r.ID}\n`;
  if (indent === '') b += `Name:         ${r.Name}\n`;
  if (r.Partition) b += `${indent}Partition:    ${r.Partition}\n`;
  if (r.Namespace) b += `${indent}Namespace:    ${r.Namespace}\n`;
  b += `${indent}Description:  ${r.Description}\n`;
  if (showMeta) {
    b += `${indent}Hash:         ${hexOfBase64(r.Hash)}\n${indent}Create Index: ${r.CreateIndex ?? 0}\n${indent}Modify Index: ${r.ModifyIndex ?? 0}\n`;
  }
  b += linkLines(indent, 'Policies', r.Policies);
  b += identityLines(indent, r.ServiceIdentities, r.NodeIdentities, r.TemplatedPolicies);
  return b;
}

export function formatRole(r: AclRole, format: Format, showMeta: boolean): string {
  return format === 'json' ? json(roleJson(r)) : rolePretty(r, showMeta, '');
}

export function formatRoleList(list: readonly AclRole[], format: Format, showMeta: boolean): string {
  if (format === 'json') return json(list.map(roleJson));
  return list.map((r) => rolePretty(r, showMeta, '   ')).join('');
}
