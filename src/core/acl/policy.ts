// Compiling a token's policies into an Authorizer (Consul: acl/policy_authorizer.go,
// acl/chained_authorizer.go, acl/static_authorizer.go).
//
// A compiled authorizer first asks the merged rules; when they say nothing about a question
// (Consul's EnforcementDecision "Default") it asks `fallback` — the chained authorizer of Consul,
// where the fallback is the default-policy authorizer (allow/deny) or another chain.
//
// MUST: checks allocate nothing and cost O(name length) (one trie walk). Whole-tree questions
// (serviceWriteAny, nodeReadAll, serviceReadAll, intentions on "*") are answered once, here.
import { DENY_ALL, type Authorizer } from './authorizer.js';
import { mergeRules } from './merge.js';
import { Access, Decision, RuleTree, accessFromString, enforce } from './rule-tree.js';
import type { ParsedRules, SegmentResource, SegmentRule } from './rules.js';

/** The built-in global-management policy's rules, exactly as Consul ships them (agent/structs/acl.go). */
export const GLOBAL_MANAGEMENT_RULES = `
acl = "write"
agent_prefix "" {
	policy = "write"
}
event_prefix "" {
	policy = "write"
}
key_prefix "" {
	policy = "write"
}
keyring = "write"
node_prefix "" {
	policy = "write"
}
operator = "write"
mesh = "write"
peering = "write"
query_prefix "" {
	policy = "write"
}
service_prefix "" {
	policy = "write"
	intentions = "write"
}
session_prefix "" {
	policy = "write"
}`;

/** The built-in builtin/global-read-only policy's rules (agent/structs/acl.go). */
export const GLOBAL_READ_ONLY_RULES = `
acl = "read"
agent_prefix "" {
	policy = "read"
}
event_prefix "" {
	policy = "read"
}
key_prefix "" {
	policy = "read"
}
keyring = "read"
node_prefix "" {
	policy = "read"
}
operator = "read"
mesh = "read"
peering = "read"
query_prefix "" {
	policy = "read"
}
service_prefix "" {
	policy = "read"
	intentions = "read"
}
session_prefix "" {
	policy = "read"
}`;

/**
 * Consul's static authorizers: `allowManage` answers acl read/write and snapshot, `defaultAllow`
 * everything else. AllowAll (default_policy=allow) still denies acl:read/write and snapshots.
 */
function staticAuthorizer(allowManage: boolean, defaultAllow: boolean): Authorizer {
  const manage = (): boolean => allowManage;
  const dflt = (): boolean => defaultAllow;
  return Object.freeze({
    aclRead: manage,
    aclWrite: manage,
    agentRead: dflt,
    agentWrite: dflt,
    eventRead: dflt,
    eventWrite: dflt,
    intentionRead: dflt,
    intentionWrite: dflt,
    intentionDefaultAllow: dflt,
    keyRead: dflt,
    keyList: dflt,
    keyWrite: dflt,
    keyWritePrefix: dflt,
    keyringRead: dflt,
    keyringWrite: dflt,
    meshRead: dflt,
    meshWrite: dflt,
    nodeRead: dflt,
    nodeReadAll: dflt,
    nodeWrite: dflt,
    operatorRead: dflt,
    operatorWrite: dflt,
    preparedQueryRead: dflt,
    preparedQueryWrite: dflt,
    serviceRead: dflt,
    serviceReadAll: dflt,
    serviceWrite: dflt,
    serviceWriteAny: dflt,
    sessionRead: dflt,
    sessionWrite: dflt,
    snapshot: manage,
  });
}

/** acl.ManageAll: everything, ACL management and snapshots included. */
export const MANAGE_ALL: Authorizer = staticAuthorizer(true, true);
const ALLOW_ALL_NON_MANAGEMENT: Authorizer = staticAuthorizer(false, true);

/** acl.RootAuthorizer for the default policy: 'allow' = AllowAll (not management), 'deny' = DenyAll. */
export function defaultAuthorizer(policy: 'allow' | 'deny'): Authorizer {
  return policy === 'allow' ? ALLOW_ALL_NON_MANAGEMENT : DENY_ALL;
}

/** Chains `policies` (merged) in front of `fallback`. No policies: the fallback itself. */
export function compileAuthorizer(policies: readonly ParsedRules[], fallback: Authorizer): Authorizer {
  if (policies.length === 0) return fallback;
  return new PolicyAuthorizer(mergeRules(policies), fallback);
}

function buildTree(exact: readonly SegmentRule[], prefix: readonly SegmentRule[], pick: (r: SegmentRule) => string): RuleTree {
  const tree = new RuleTree();
  for (const r of exact) tree.insert(r.name, accessFromString(pick(r)), false);
  for (const r of prefix) tree.insert(r.name, accessFromString(pick(r)), true);
  tree.seal();
  return tree;
}

/** loadRules: a service rule without `intentions` grants intentions read when its policy is read or write, else deny. */
function intentionPolicy(r: SegmentRule): string {
  if (r.intentions !== '') return r.intentions;
  return r.policy === 'read' || r.policy === 'write' ? 'read' : 'deny';
}

/** Peering checks (Consul: PeeringRead/Write); static authorizers answer them as operator. */
export interface PeeringAuthorizer {
  peeringRead(): boolean;
  peeringWrite(): boolean;
}

/** policyAuthorizer chained with a fallback: a Default decision asks the fallback. */
export class PolicyAuthorizer implements Authorizer, PeeringAuthorizer {
  private readonly agent: RuleTree;
  private readonly event: RuleTree;
  private readonly intention: RuleTree;
  private readonly key: RuleTree;
  private readonly node: RuleTree;
  private readonly query: RuleTree;
  private readonly service: RuleTree;
  private readonly session: RuleTree;
  private readonly aclRule: Access;
  private readonly keyringRule: Access;
  private readonly meshRule: Access;
  private readonly operatorRule: Access;
  private readonly peeringRule: Access;
  // Whole-tree answers, fixed at compile time.
  private readonly nodeReadAllDecision: Decision;
  private readonly serviceReadAllDecision: Decision;
  private readonly serviceWriteAnyDecision: Decision;
  private readonly intentionReadAnyDecision: Decision;
  private readonly intentionWriteAllDecision: Decision;

  constructor(
    rules: ParsedRules,
    private readonly fallback: Authorizer,
  ) {
    const tree = (r: SegmentResource): RuleTree => buildTree(rules.exact[r], rules.prefix[r], (x) => x.policy);
    this.agent = tree('agent');
    this.event = tree('event');
    this.key = tree('key');
    this.node = tree('node');
    this.query = tree('query');
    this.service = tree('service');
    this.session = tree('session');
    this.intention = buildTree(rules.exact.service, rules.prefix.service, intentionPolicy);
    this.aclRule = accessFromString(rules.single.acl);
    this.keyringRule = accessFromString(rules.single.keyring);
    this.meshRule = accessFromString(rules.single.mesh);
    this.operatorRule = accessFromString(rules.single.operator);
    this.peeringRule = accessFromString(rules.single.peering);
    this.nodeReadAllDecision = this.node.allAllowed(Access.Read);
    this.serviceReadAllDecision = this.service.allAllowed(Access.Read);
    this.serviceWriteAnyDecision = this.service.anyAllowed(Access.Write);
    this.intentionReadAnyDecision = this.intention.anyAllowed(Access.Read);
    this.intentionWriteAllDecision = this.intention.allAllowed(Access.Write);
  }

  aclRead(): boolean {
    const d = enforce(this.aclRule, Access.Read);
    return d === Decision.Default ? this.fallback.aclRead() : d === Decision.Allow;
  }
  aclWrite(): boolean {
    const d = enforce(this.aclRule, Access.Write);
    return d === Decision.Default ? this.fallback.aclWrite() : d === Decision.Allow;
  }
  agentRead(node: string): boolean {
    const d = enforce(this.agent.lookup(node), Access.Read);
    return d === Decision.Default ? this.fallback.agentRead(node) : d === Decision.Allow;
  }
  agentWrite(node: string): boolean {
    const d = enforce(this.agent.lookup(node), Access.Write);
    return d === Decision.Default ? this.fallback.agentWrite(node) : d === Decision.Allow;
  }
  eventRead(name: string): boolean {
    const d = enforce(this.event.lookup(name), Access.Read);
    return d === Decision.Default ? this.fallback.eventRead(name) : d === Decision.Allow;
  }
  eventWrite(name: string): boolean {
    const d = enforce(this.event.lookup(name), Access.Write);
    return d === Decision.Default ? this.fallback.eventWrite(name) : d === Decision.Allow;
  }
  intentionRead(service: string): boolean {
    // Consul: "*" (all destinations) is readable when some service's intentions are.
    const d = service === '*' ? this.intentionReadAnyDecision : enforce(this.intention.lookup(service), Access.Read);
    return d === Decision.Default ? this.fallback.intentionRead(service) : d === Decision.Allow;
  }
  intentionWrite(service: string): boolean {
    // Consul: "*" is writable only when every service's intentions are.
    const d = service === '*' ? this.intentionWriteAllDecision : enforce(this.intention.lookup(service), Access.Write);
    return d === Decision.Default ? this.fallback.intentionWrite(service) : d === Decision.Allow;
  }
  intentionDefaultAllow(): boolean {
    return this.fallback.intentionDefaultAllow(); // a policy cannot decide it (always Default)
  }
  keyRead(key: string): boolean {
    const d = enforce(this.key.lookup(key), Access.Read);
    return d === Decision.Default ? this.fallback.keyRead(key) : d === Decision.Allow;
  }
  keyList(prefix: string): boolean {
    const d = enforce(this.key.lookup(prefix), Access.List);
    return d === Decision.Default ? this.fallback.keyList(prefix) : d === Decision.Allow;
  }
  keyWrite(key: string): boolean {
    const d = enforce(this.key.lookup(key), Access.Write);
    return d === Decision.Default ? this.fallback.keyWrite(key) : d === Decision.Allow;
  }
  keyWritePrefix(prefix: string): boolean {
    const d = this.key.writePrefix(prefix);
    return d === Decision.Default ? this.fallback.keyWritePrefix(prefix) : d === Decision.Allow;
  }
  keyringRead(): boolean {
    const d = enforce(this.keyringRule, Access.Read);
    return d === Decision.Default ? this.fallback.keyringRead() : d === Decision.Allow;
  }
  keyringWrite(): boolean {
    const d = enforce(this.keyringRule, Access.Write);
    return d === Decision.Default ? this.fallback.keyringWrite() : d === Decision.Allow;
  }
  meshRead(): boolean {
    // Consul: without a mesh rule, the policy's operator rule decides (then the fallback's meshRead).
    const rule = this.meshRule !== Access.Unknown ? this.meshRule : this.operatorRule;
    const d = enforce(rule, Access.Read);
    return d === Decision.Default ? this.fallback.meshRead() : d === Decision.Allow;
  }
  meshWrite(): boolean {
    const rule = this.meshRule !== Access.Unknown ? this.meshRule : this.operatorRule;
    const d = enforce(rule, Access.Write);
    return d === Decision.Default ? this.fallback.meshWrite() : d === Decision.Allow;
  }
  /** Not in the Authorizer contract yet (no peering API); same operator fallback as mesh. */
  peeringRead(): boolean {
    const rule = this.peeringRule !== Access.Unknown ? this.peeringRule : this.operatorRule;
    const d = enforce(rule, Access.Read);
    if (d !== Decision.Default) return d === Decision.Allow;
    const next = this.fallback as Partial<PeeringAuthorizer>;
    return next.peeringRead !== undefined ? next.peeringRead() : this.fallback.operatorRead();
  }
  peeringWrite(): boolean {
    const rule = this.peeringRule !== Access.Unknown ? this.peeringRule : this.operatorRule;
    const d = enforce(rule, Access.Write);
    if (d !== Decision.Default) return d === Decision.Allow;
    const next = this.fallback as Partial<PeeringAuthorizer>;
    return next.peeringWrite !== undefined ? next.peeringWrite() : this.fallback.operatorWrite();
  }
  nodeRead(name: string): boolean {
    const d = enforce(this.node.lookup(name), Access.Read);
    return d === Decision.Default ? this.fallback.nodeRead(name) : d === Decision.Allow;
  }
  nodeReadAll(): boolean {
    const d = this.nodeReadAllDecision;
    return d === Decision.Default ? this.fallback.nodeReadAll() : d === Decision.Allow;
  }
  nodeWrite(name: string): boolean {
    const d = enforce(this.node.lookup(name), Access.Write);
    return d === Decision.Default ? this.fallback.nodeWrite(name) : d === Decision.Allow;
  }
  operatorRead(): boolean {
    const d = enforce(this.operatorRule, Access.Read);
    return d === Decision.Default ? this.fallback.operatorRead() : d === Decision.Allow;
  }
  operatorWrite(): boolean {
    const d = enforce(this.operatorRule, Access.Write);
    return d === Decision.Default ? this.fallback.operatorWrite() : d === Decision.Allow;
  }
  preparedQueryRead(name: string): boolean {
    const d = enforce(this.query.lookup(name), Access.Read);
    return d === Decision.Default ? this.fallback.preparedQueryRead(name) : d === Decision.Allow;
  }
  preparedQueryWrite(name: string): boolean {
    const d = enforce(this.query.lookup(name), Access.Write);
    return d === Decision.Default ? this.fallback.preparedQueryWrite(name) : d === Decision.Allow;
  }
  serviceRead(name: string): boolean {
    const d = enforce(this.service.lookup(name), Access.Read);
    return d === Decision.Default ? this.fallback.serviceRead(name) : d === Decision.Allow;
  }
  serviceReadAll(): boolean {
    const d = this.serviceReadAllDecision;
    return d === Decision.Default ? this.fallback.serviceReadAll() : d === Decision.Allow;
  }
  serviceWrite(name: string): boolean {
    const d = enforce(this.service.lookup(name), Access.Write);
    return d === Decision.Default ? this.fallback.serviceWrite(name) : d === Decision.Allow;
  }
  serviceWriteAny(): boolean {
    const d = this.serviceWriteAnyDecision;
    return d === Decision.Default ? this.fallback.serviceWriteAny() : d === Decision.Allow;
  }
  sessionRead(node: string): boolean {
    const d = enforce(this.session.lookup(node), Access.Read);
    return d === Decision.Default ? this.fallback.sessionRead(node) : d === Decision.Allow;
  }
  sessionWrite(node: string): boolean {
    const d = enforce(this.session.lookup(node), Access.Write);
    return d === Decision.Default ? this.fallback.sessionWrite(node) : d === Decision.Allow;
  }
  snapshot(): boolean {
    const d = enforce(this.aclRule, Access.Write);
    return d === Decision.Default ? this.fallback.snapshot() : d === Decision.Allow;
  }
}
