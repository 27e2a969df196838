// Catalog wire and domain types (Consul: agent/structs/structs.go Node, ServiceNode, HealthCheck).
// Field names are Consul's JSON names so the HTTP layer can serialize them as they are.

export type HealthStatus = 'passing' | 'warning' | 'critical' | 'maintenance';

export interface Weights {
  Passing: number;
  Warning: number;
}

export interface ServiceAddress {
  Address: string;
  Port: number;
}

export interface CatalogNode {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string>;
  Meta: Record<string, string>;
  CreateIndex: number;
  ModifyIndex: number;
}

/** Consul: structs.Upstream (the fields the built-in proxy uses). */
export interface Upstream {
  DestinationType: string;
  DestinationName: string;
  Datacenter: string;
  LocalBindAddress?: string;
  LocalBindPort?: number;
  Config?: Record<string, unknown>;
  MeshGateway?: Record<string, unknown>;
}

/** Consul: structs.ConnectProxyConfig, on services of kind connect-proxy. */
export interface ConnectProxyConfig {
  DestinationServiceName: string;
  DestinationServiceID: string;
  LocalServiceAddress: string;
  LocalServicePort: number;
  Mode: string;
  Config?: Record<string, unknown>;
  Upstreams: Upstream[];
  MeshGateway: Record<string, unknown>;
  Expose: Record<string, unknown>;
}

/** Consul: structs.ServiceConnect (only Native survives registration; SidecarService is expanded). */
export interface ServiceConnect {
  Native?: boolean;
}

export interface NodeService {
  Kind: string;
  ID: string;
  Service: string;
  Tags: string[];
  Address: string;
  TaggedAddresses: Record<string, ServiceAddress>;
  Meta: Record<string, string>;
  Port: number;
  Weights: Weights;
  EnableTagOverride: boolean;
  /** Set on kind connect-proxy (Connect). */
  Proxy?: ConnectProxyConfig;
  /** Set on Connect-native services. */
  Connect?: ServiceConnect;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface HealthCheck {
  Node: string;
  CheckID: string;
  Name: string;
  Status: HealthStatus;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  ServiceTags: string[];
  Type: string;
  Interval: string;
  Timeout: string;
  ExposedPort: number;
  Definition: Record<string, unknown>;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A catalog registration (PUT /v1/catalog/register, Consul: structs.RegisterRequest). */
export interface RegisterRequest {
  ID: string;
  Node: string;
  Address: string;
  Datacenter: string;
  TaggedAddresses: Record<string, string>;
  NodeMeta: Record<string, string>;
  Service: Omit<NodeService, 'CreateIndex' | 'ModifyIndex'> | null;
  Checks: Omit<HealthCheck, 'CreateIndex' | 'ModifyIndex'>[];
  SkipNodeUpdate: boolean;
}

export interface DeregisterRequest {
  Node: string;
  ServiceID: string;
  CheckID: string;
}
