// The agent's JSON as the pages read it (Consul's field names).
export interface ServiceSummary {
  Kind?: string;
  Name: string;
  Datacenter: string;
  Tags: string[] | null;
  Nodes: string[];
  InstanceCount: number;
  ChecksPassing: number;
  ChecksWarning: number;
  ChecksCritical: number;
}

export interface HealthCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: string;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  Type: string;
}

export interface NodeService {
  ID: string;
  Service: string;
  Kind: string;
  Tags: string[] | null;
  Address: string;
  Port: number;
  Meta: Record<string, string> | null;
}

export interface NodeInfo {
  ID: string;
  Node: string;
  Address: string;
  Meta: Record<string, string> | null;
  Services: NodeService[];
  Checks: HealthCheck[];
}

export interface ServiceEntry {
  Node: { Node: string; Address: string };
  Service: NodeService;
  Checks: HealthCheck[];
}

export interface Session {
  ID: string;
  Name: string;
  Node: string;
  LockDelay: number;
  Behavior: string;
  TTL: string;
  NodeChecks: string[] | null;
  ServiceChecks: { ID: string }[] | null;
  CreateIndex: number;
}

export interface KvEntry {
  Key: string;
  Value: string | null;
  Flags: number;
  ModifyIndex: number;
  CreateIndex: number;
  LockIndex: number;
  Session?: string;
}

const RANK: Record<string, number> = { passing: 0, warning: 1, maintenance: 2, critical: 3 };

/** The worst status of some checks (none = passing, as Consul's UI shows it). */
export function worstStatus(checks: readonly HealthCheck[]): string {
  let worst = 'passing';
  for (const c of checks) if ((RANK[c.Status] ?? 3) > (RANK[worst] ?? 0)) worst = c.Status;
  return worst;
}

export function summaryStatus(s: ServiceSummary): string {
  return s.ChecksCritical > 0 ? 'critical' : s.ChecksWarning > 0 ? 'warning' : 'passing';
}
