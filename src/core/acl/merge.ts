// Merging the policies of one token into one set of rules (Consul: acl/policy_merger.go).
// For the same resource and the same name (exact and prefix rules kept apart), the stronger
// policy wins: deny > write > list > read (takesPrecedenceOver). Service rules merge their policy
// and their intentions separately. Pure.
import { EMPTY_RULES, SEGMENT_RESOURCES, SINGLE_RESOURCES, type ParsedRules, type SegmentResource, type SegmentRule } from './rules.js';

/** acl/policy.go takesPrecedenceOver: compares the strings as written (so "DENY" is not "deny"). */
export function takesPrecedenceOver(a: string, b: string): boolean {
  for (const level of ['deny', 'write', 'list', 'read']) {
    if (a === level) return true;
    if (b === level) return false;
  }
  return false;
}

type MutableRule = { name: string; policy: string; intentions: string };

function mergeList(into: Map<string, MutableRule>, rules: readonly SegmentRule[], isService: boolean): void {
  for (const rule of rules) {
    const existing = into.get(rule.name);
    if (existing === undefined) {
      into.set(rule.name, { ...rule });
      continue;
    }
    if (!isService) {
      if (takesPrecedenceOver(rule.policy, existing.policy)) into.set(rule.name, { ...rule });
      continue;
    }
    if (takesPrecedenceOver(rule.policy, existing.policy)) existing.policy = rule.policy;
    if (takesPrecedenceOver(rule.intentions, existing.intentions)) existing.intentions = rule.intentions;
  }
}

/** MergePolicies: one ParsedRules equivalent to all of `policies` together. */
export function mergeRules(policies: readonly ParsedRules[]): ParsedRules {
  if (policies.length === 0) return EMPTY_RULES;
  // Even one policy is merged: two rules for the same name within it resolve by precedence too.
  const single = { acl: '', keyring: '', mesh: '', operator: '', peering: '' };
  for (const p of policies) {
    for (const r of SINGLE_RESOURCES) if (takesPrecedenceOver(p.single[r], single[r])) single[r] = p.single[r];
  }
  const exact = {} as Record<SegmentResource, SegmentRule[]>;
  const prefix = {} as Record<SegmentResource, SegmentRule[]>;
  for (const r of SEGMENT_RESOURCES) {
    const e = new Map<string, MutableRule>();
    const x = new Map<string, MutableRule>();
    for (const p of policies) {
      mergeList(e, p.exact[r], r === 'service');
      mergeList(x, p.prefix[r], r === 'service');
    }
    exact[r] = [...e.values()];
    prefix[r] = [...x.values()];
  }
  return { single, exact, prefix };
}
