// Check runners with Consul's status rules: script, http, tcp, ttl (Consul: agent/checks).
// Must not import the agent, http or server layers: runners report through CheckNotifier and
// keep time through the Timers seam, so unit tests drive them with a manual clock.
export { IntervalRunner, type CheckNotifier, type CheckRunner, type Probe, type ProbeResult } from './runner.js';
export { scriptProbe, SCRIPT_TIMEOUT_MS } from './script.js';
export { httpProbe, HTTP_TIMEOUT_MS } from './http.js';
export { tcpProbe } from './tcp.js';
export { TtlCheck } from './ttl.js';
export * from './status-rules.js';
export { systemTimers, ManualTimers, type Timers, type TimerHandle } from './timers.js';
