// The built-in Connect proxy (`consul connect proxy`): public mTLS listener with per-connection
// authorization, upstream listeners dialing healthy instances, certificates kept current.
// Runs in the CLI process; reaches the agent only through the API client (no server imports).
export { ConnectProxy, type ProxyConfig } from './proxy.js';
export type { PublicListenerConfig } from './public-listener.js';
export type { UpstreamConfig } from './upstream-listener.js';
export { RegisterMonitor } from './register.js';
