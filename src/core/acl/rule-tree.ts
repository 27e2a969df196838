// The lookup structure behind one resource's rules (Consul: the go-radix trees of
// acl/policy_authorizer.go). A radix tree: built as a trie of UTF-16 code units, then compressed
// so that each edge is a run of characters; each node may hold an exact rule and a prefix rule
// for the path that leads to it.
//
// MUST: lookups compare at most `name.length` characters and allocate nothing (they run on every request).
// Most specific wins (getPolicy): an exact rule on the whole name beats every prefix rule; else the
// longest prefix rule along the path applies; else there is no rule (the caller falls through).

/** acl.AccessLevel. */
export const enum Access {
  Unknown = 0,
  Deny = 1,
  Read = 2,
  List = 3,
  Write = 4,
}

/** acl.EnforcementDecision: Default means "this authorizer has no opinion; ask the next one". */
export const enum Decision {
  Default = 0,
  Allow = 1,
  Deny = 2,
}

/** acl.AccessLevelFromString (case-insensitive); Unknown for anything else. */
export function accessFromString(policy: string): Access {
  switch (policy.toLowerCase()) {
    case 'deny':
      return Access.Deny;
    case 'read':
      return Access.Read;
    case 'list':
      return Access.List;
    case 'write':
      return Access.Write;
    default:
      return Access.Unknown;
  }
}

/** policy_authorizer.go enforce: write grants all, list grants list+read, read grants read. */
export function enforce(rule: Access, required: Access): Decision {
  switch (rule) {
    case Access.Write:
      return Decision.Allow;
    case Access.List:
      return required === Access.List || required === Access.Read ? Decision.Allow : Decision.Deny;
    case Access.Read:
      return required === Access.Read ? Decision.Allow : Decision.Deny;
    case Access.Deny:
      return Decision.Deny;
    default:
      return Decision.Default;
  }
}

class TrieNode {
  /** The edge from the parent: one code unit while building, longer after seal() compresses. */
  label: string;
  children: Map<number, TrieNode> | null = null;
  exact: Access = Access.Unknown;
  prefix: Access = Access.Unknown;
  /** Some rule at or below this node (exact or prefix) does not grant write (KeyWritePrefix). */
  nonWriteBelow = false;

  constructor(label: string) {
    this.label = label;
  }
}

export class RuleTree {
  private readonly root = new TrieNode('');
  /** Leaves (nodes holding a rule), for the whole-tree questions answered at compile time. */
  private readonly leaves: TrieNode[] = [];
  private sealed = false;

  get size(): number {
    return this.leaves.length;
  }

  insert(name: string, access: Access, isPrefix: boolean): void {
    if (this.sealed) throw new Error('RuleTree: insert after seal');
    let node = this.root;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      node.children ??= new Map();
      let next = node.children.get(c);
      if (next === undefined) {
        next = new TrieNode(name[i]!);
        node.children.set(c, next);
      }
      node = next;
    }
    if (node.exact === Access.Unknown && node.prefix === Access.Unknown) this.leaves.push(node);
    if (isPrefix) node.prefix = access;
    else node.exact = access;
  }

  /** Compresses rule-less chains into single edges (a radix tree) and computes the per-node summaries; no insert after this. */
  seal(): void {
    this.sealed = true;
    compress(this.root);
    markNonWrite(this.root);
  }

  /** The access of the most specific rule for `name`; Unknown when none applies (getPolicy). */
  lookup(name: string): Access {
    let node = this.root;
    let found = node.prefix;
    const n = name.length;
    let i = 0;
    while (i < n) {
      const child = node.children?.get(name.charCodeAt(i));
      if (child === undefined) return found;
      const len = child.label.length;
      if (len > 1 && !name.startsWith(child.label, i)) return found; // the name leaves the edge: no rule further down
      i += len;
      node = child;
      if (node.prefix !== Access.Unknown) found = node.prefix;
    }
    return node.exact !== Access.Unknown ? node.exact : found;
  }

  /**
   * KeyWritePrefix: Deny when the longest prefix rule covering `prefix` does not grant write, or
   * any rule at or under `prefix` does not; Allow when a covering prefix rule grants write;
   * Default when no prefix rule covers it and nothing beneath says otherwise.
   */
  writePrefix(prefix: string): Decision {
    let node = this.root;
    let base = ruleBase(node.prefix, Decision.Default);
    let i = 0;
    while (i < prefix.length) {
      const child = node.children?.get(prefix.charCodeAt(i));
      if (child === undefined) return base; // no rule at or under the prefix
      const rest = prefix.length - i;
      if (child.label.length > rest) {
        // The prefix ends inside this edge: every rule under `child` is under the prefix.
        if (base === Decision.Deny || !edgeStartsWith(child.label, prefix, i)) return base;
        return child.nonWriteBelow ? Decision.Deny : base;
      }
      if (!prefix.startsWith(child.label, i)) return base;
      i += child.label.length;
      node = child;
      base = ruleBase(node.prefix, base);
    }
    if (base === Decision.Deny) return Decision.Deny;
    return node.nonWriteBelow ? Decision.Deny : base;
  }

  /**
   * allAllowed: whether every name gets `required` (NodeReadAll, ServiceReadAll, intention "*"
   * write). The catch-all `""` prefix rule sets the baseline; any rule that would deny overrides.
   */
  allAllowed(required: Access): Decision {
    let decision = Decision.Default;
    const root = this.root;
    if (root.exact !== Access.Unknown || root.prefix !== Access.Unknown) {
      decision = root.prefix !== Access.Unknown ? enforce(root.prefix, required) : Decision.Default;
      if (decision === Decision.Deny) return Decision.Deny;
    }
    for (const leaf of this.leaves) {
      const p = leaf.prefix !== Access.Unknown ? enforce(leaf.prefix, required) : Decision.Default;
      if (p === Decision.Deny) return Decision.Deny;
      if (leaf.exact !== Access.Unknown && enforce(leaf.exact, required) === Decision.Deny) return Decision.Deny;
    }
    return decision;
  }

  /**
   * anyAllowed: whether some name gets `required` (ServiceWriteAny, intention "*" read). A
   * denying catch-all `""` prefix rule makes the baseline Deny, which any granting rule overrides.
   */
  anyAllowed(required: Access): Decision {
    let decision = Decision.Default;
    const root = this.root;
    if (root.prefix !== Access.Unknown) {
      decision = enforce(root.prefix, required);
      if (decision === Decision.Allow) return Decision.Allow;
    }
    for (const leaf of this.leaves) {
      if (leaf.prefix !== Access.Unknown && enforce(leaf.prefix, required) === Decision.Allow) return Decision.Allow;
      if (leaf.exact !== Access.Unknown && enforce(leaf.exact, required) === Decision.Allow) return Decision.Allow;
    }
    return decision;
  }
}

/** Whether `label` starts with `text` from `from` on (text's tail is shorter than label). */
function edgeStartsWith(label: string, text: string, from: number): boolean {
  for (let j = 0; from + j < text.length; j++) if (label.charCodeAt(j) !== text.charCodeAt(from + j)) return false;
  return true;
}

/** Merges every rule-less node that has a single child into that child (path compression). */
function compress(node: TrieNode): void {
  if (node.children === null) return;
  for (const [c, first] of node.children) {
    let child = first;
    while (child.exact === Access.Unknown && child.prefix === Access.Unknown && child.children !== null && child.children.size === 1) {
      const only = child.children.values().next().value as TrieNode;
      only.label = child.label + only.label;
      child = only;
    }
    if (child !== first) node.children.set(c, child);
    compress(child);
  }
}

function ruleBase(prefixRule: Access, current: Decision): Decision {
  if (prefixRule === Access.Unknown) return current;
  return prefixRule === Access.Write ? Decision.Allow : Decision.Deny;
}

/** Post-order: a node is marked when it, or anything below it, holds a rule that is not write. */
function markNonWrite(node: TrieNode): boolean {
  let below = false;
  if (node.children !== null) for (const child of node.children.values()) below = markNonWrite(child) || below;
  const self = (node.exact !== Access.Unknown && node.exact !== Access.Write) || (node.prefix !== Access.Unknown && node.prefix !== Access.Write);
  node.nonWriteBelow = below || self;
  return node.nonWriteBelow;
}
