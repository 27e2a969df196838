// The values templates see, shaped like consul-template's dependency structs (field names, order
// and sorting), so `.Address`, `.Port`, `.Tags.Contains "x"` and friends behave the same.
import { GO_TYPE } from '../text/index.js';

/** ServiceTags: a sorted []string with a Contains method. */
export class ServiceTags extends Array<string> {
  static from2(tags: readonly string[] | null | undefined): ServiceTags {
    const t = new ServiceTags();
    t.push(...[...(tags ?? [])].sort());
    Object.defineProperty(t, GO_TYPE, { value: 'dependency.ServiceTags', enumerable: false });
    return t;
  }
  Contains(tag: string): boolean {
    return this.includes(tag);
  }
}

/** A map[string]string (missing keys read as ""). */
export function stringMap(m: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = { ...(m ?? {}) };
  Object.defineProperty(out, GO_TYPE, { value: 'map[string]string', enumerable: false });
  return out;
}

export class HealthService {
  static goType = '*dependency.HealthService';
  constructor(
    public Node: string,
    public NodeID: string,
    public NodeAddress: string,
    public NodeTaggedAddresses: Record<string, string>,
    public NodeMeta: Record<string, string>,
    public ServiceMeta: Record<string, string>,
    public Address: string,
    public ServiceTaggedAddresses: Record<string, unknown>,
    public ID: string,
    public Name: string,
    public Tags: ServiceTags,
    public Checks: unknown[],
    public Status: string,
    public Port: number,
    public Weights: Record<string, unknown>,
  ) {}
}

export class CatalogSnippet {
  static goType = '*dependency.CatalogSnippet';
  constructor(public Name: string, public Tags: ServiceTags) {}
}

export class CatalogNodeEntry {
  static goType = '*dependency.Node';
  constructor(
    public ID: string,
    public Node: string,
    public Address: string,
    public Datacenter: string,
    public TaggedAddresses: Record<string, string>,
    public Meta: Record<string, string>,
  ) {}
}

export class CatalogNodeService {
  static goType = '*dependency.CatalogNodeService';
  constructor(
    public ID: string,
    public Service: string,
    public Tags: ServiceTags,
    public Meta: Record<string, string>,
    public Port: number,
    public Address: string,
    public EnableTagOverride: boolean,
  ) {}
}

export class CatalogNode {
  static goType = '*dependency.CatalogNode';
  constructor(public Node: CatalogNodeEntry | null, public Services: CatalogNodeService[]) {}
}

export class KeyPair {
  static goType = '*dependency.KeyPair';
  constructor(
    public Path: string,
    public Key: string,
    public Value: string,
    public CreateIndex: number,
    public ModifyIndex: number,
    public LockIndex: number,
    public Flags: number,
    public Session: string,
  ) {}
}
