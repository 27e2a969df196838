// Watch plans shared by `consul watch` and the agent's `watches` config (Consul: api/watch,
// agent/watch_handler.go). A plan is a blocking-query loop against the agent's HTTP API that calls
// a handler (a process or an HTTP endpoint) each time its view changes.
//   params.ts / assign.ts / types.ts  pure: parameters -> WatchSpec, one factory per watch type
//   plan.ts                           the loop (index, back-off, reset, change detection)
//   handlers.ts                       script and HTTP handlers (JSON on stdin / in the body)
//   agent-watches.ts                  the agent's config watches: validation and the running set
//   transport.ts                      plans reach the agent through the API client's transport
// Must not import agent, http or server code: it talks to an agent only over HTTP.
export { WatchParamError, parseWatch, type HttpHandlerConfig, type WatchParams, type WatchSpec } from './params.js';
export { WATCH_TYPES, WatchStatusError, type WatchQuery, type WatchRequest, type WatchResponse } from './types.js';
export { deepEqual, nextIndex, WatchPlan, type WatchHandlerFn, type WatchPlanOptions, type WatchTransport } from './plan.js';
export { encodeForHandler, OutputRing, runHttpHandler, runScriptHandler, WATCH_OUTPUT_MAX_BYTES, type ScriptCommand } from './handlers.js';
export { AgentWatches, parseAgentWatch, parseAgentWatches, type AgentWatch } from './agent-watches.js';
export { httpWatchTransport, planClientConfig } from './transport.js';
