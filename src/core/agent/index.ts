// The agent: lifecycle, config, local state; starts http/dns (and the server role with -server).
export { Agent } from './agent.js';
export { runAgent } from './run.js';
