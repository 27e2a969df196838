// The agent's periodic metrics (Consul: lib/telemetry.go runtime metrics, agent/consul/usagemetrics
// member counts, autopilot's health gauges), started with the agent and stopped at shutdown.
import { metrics, startRuntimeMetrics } from '../telemetry/index.js';
import { parseGoDuration } from '../support/duration.js';
import type { AgentFacade } from '../http/deps.js';

export function startAgentTelemetry(agent: AgentFacade): () => void {
  const t = agent.config.telemetry;
  metrics.configure({
    metricsPrefix: t.metricsPrefix,
    disableHostname: t.disableHostname,
    prometheusRetentionMs: t.prometheusRetentionMs,
  });
  const dc = [{ name: 'datacenter', value: agent.config.datacenter }];
  return startRuntimeMetrics(metrics, () => {
    const server = agent.server;
    if (!server) return;
    // Servers report the LAN pool: consul.members.clients / consul.members.servers.
    let clients = 0;
    let servers = 0;
    for (const m of agent.members(false)) {
      if (m.Status !== 1) continue; // alive only
      if (m.Tags['role'] === 'consul') servers++;
      else clients++;
    }
    metrics.setGauge(['members', 'clients'], clients, dc);
    metrics.setGauge(['members', 'servers'], servers, dc);
    if (!server.isLeader()) return;
    // Autopilot runs on the leader: its health, and each follower's last contact with it.
    const h = server.operator.autopilotHealth();
    metrics.setGauge(['autopilot', 'healthy'], h.Healthy ? 1 : 0);
    metrics.setGauge(['autopilot', 'failure_tolerance'], h.FailureTolerance);
    for (const s of h.Servers) {
      if (s.Leader) continue;
      try {
        metrics.addSample(['raft', 'leader', 'lastContact'], parseGoDuration(s.LastContact));
      } catch {
        // an unparsable duration is skipped, never fatal
      }
    }
  });
}
