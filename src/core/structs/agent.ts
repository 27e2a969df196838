// Agent wire types (Consul: api/agent.go AgentMember), shared by the HTTP API and the client.

/** /v1/agent/members entry. Status is serf's integer (0 none, 1 alive, 2 leaving, 3 left, 4 failed). */
export interface AgentMember {
  Name: string;
  Addr: string;
  Port: number;
  Tags: Record<string, string>;
  Status: number;
  ProtocolMin: number;
  ProtocolMax: number;
  ProtocolCur: number;
  DelegateMin: number;
  DelegateMax: number;
  DelegateCur: number;
}
