// Rules Consul synthesizes for a token's or role's service and node identities
// (agent/structs/acl_ce.go aclPolicyTemplateServiceIdentity / aclPolicyTemplateNodeIdentity).
// The resolver parses them like any policy and merges them with the token's other policies.

/** `service_identities = [{ service_name = "web" }]`: write on the service and its sidecar, read on the catalog. */
export function serviceIdentityRules(serviceName: string): string {
  return `
service "${serviceName}" {
	policy = "write"
}
service "${serviceName}-sidecar-proxy" {
	policy = "write"
}
service_prefix "" {
	policy = "read"
}
node_prefix "" {
	policy = "read"
}`;
}

/** `node_identities = [{ node_name = "n1", datacenter = "dc1" }]`: register itself, read services. */
export function nodeIdentityRules(nodeName: string): string {
  return `
node "${nodeName}" {
	policy = "write"
}
service_prefix "" {
	policy = "read"
}`;
}
