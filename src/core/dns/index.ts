// The DNS interface (Consul: agent/dns.go). Job: answer DNS questions about the catalog on UDP and
// TCP, and forward the rest to recursors.
// Layout: server.ts (sockets) -> handler.ts (decode, route, consistency) -> parse-name.ts (name ->
// question) -> lookup/*.ts (Prepared answers from a CatalogView) -> limits.ts (shuffle, limits,
// EDNS, truncation) -> encode.ts (wire format). recursor.ts forwards; config.ts reads dns_config.
// Must not import: http, agent (the agent hands us a `() => Server | undefined`).
// Invariants: never throw out of a socket handler; answers never outlive the catalog index they
// were prepared at (CatalogView).
export { DnsServer } from './server.js';
export { dnsOptionsFromConfig, type DnsOptions } from './config.js';
