// Connect wire and domain types (Consul: agent/structs/connect_ca.go CARoot, CAConfiguration,
// IssuedCert; agent/structs/config_entry*.go; agent/structs/intention.go). Field names are
// Consul's JSON names.

/** A CA root as stored in Raft. SigningKey never leaves the servers (stripped on every read). */
export interface CARoot {
  ID: string;
  Name: string;
  SerialNumber: number;
  SigningKeyID: string;
  ExternalTrustDomain: string;
  NotBefore: string;
  NotAfter: string;
  RootCert: string;
  IntermediateCerts: string[] | null;
  Active: boolean;
  /** Set on a retired root: when it stopped being active (RFC 3339). */
  RotatedOutAt: string;
  PrivateKeyType: string;
  PrivateKeyBits: number;
  /** The PEM private key of this root (provider state; Consul keeps it in the provider's Raft table). */
  SigningKey: string;
  /** The new root cross-signed by the old one (set on the active root after a rotation). */
  SigningCert?: string;
  CreateIndex: number;
  ModifyIndex: number;
}

/** The CA configuration (Consul: structs.CAConfiguration); ClusterID sets the trust domain. */
export interface CAConfiguration {
  ClusterID: string;
  Provider: string;
  Config: Record<string, unknown>;
  State: Record<string, string> | null;
  ForceWithoutCrossSigning: boolean;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A config entry as stored: Kind, Name and the kind's own fields, plus Raft indexes. */
export interface ConfigEntry {
  Kind: string;
  Name: string;
  [field: string]: unknown;
  CreateIndex: number;
  ModifyIndex: number;
}

/** A source of a service-intentions entry (Consul: structs.SourceIntention). */
export interface SourceIntention {
  Name: string;
  Peer?: string;
  Action?: 'allow' | 'deny';
  Permissions?: unknown[];
  Precedence: number;
  Type: string;
  Description?: string;
  LegacyID?: string;
  LegacyMeta?: Record<string, string>;
  LegacyCreateTime?: string;
  LegacyUpdateTime?: string;
}

/** An intention as the /v1/connect/intentions API shows it (Consul: structs.Intention). */
export interface Intention {
  ID?: string;
  Description?: string;
  SourceName: string;
  DestinationName: string;
  SourceType: string;
  Action: 'allow' | 'deny' | '';
  Permissions?: unknown[];
  Meta?: Record<string, string>;
  Precedence: number;
  CreatedAt?: string;
  UpdatedAt?: string;
  CreateIndex: number;
  ModifyIndex: number;
}
