// Versions reported by the agent and the CLI.
// CONSUL_API_VERSION is the Consul release whose HTTP API, CLI and config we implement: clients gate
// features on /v1/agent/self Config.Version, so it must look like a real Consul version.

export const CONSUL_API_VERSION = '1.21.5';
export const CONSUL_TS_VERSION = '0.1.0';
/** Consul's "Revision" line; ours names the implementation instead of a git sha. */
export const REVISION = 'consul-ts';
export const BUILD_DATE = '2026-11-21T00:00:00Z';
/** Serf/memberlist protocol versions Consul 1.x speaks (consul version prints them). */
export const PROTOCOL_VERSION = { min: 2, max: 3, default: 2 } as const;
