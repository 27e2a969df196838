// GET /v1/agent/metrics (JSON summary of the last finished interval, or Prometheus text with
// ?format=prometheus or an OpenMetrics Accept header), GET /v1/agent/metrics/stream (one JSON
// summary per finished interval), GET /v1/agent/host (what `consul debug` saves as host.json).
// Consul: agent/agent_endpoint.go AgentMetrics/AgentMetricsStream/AgentHost, go-metrics
// inmem_endpoint.go, agent/debug/host.go.
import os from 'node:os';
import type { ServerResponse } from 'node:http';
import { HttpError } from '../../errors.js';
import { INTERVAL_MS, metrics } from '../../telemetry/index.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';
import { requireAgent, requireOperator } from './agent-acl.js';

/** enablePrometheusOutput: ?format=prometheus, or an Accept header asking for OpenMetrics. */
function wantsPrometheus(ctx: RequestContext): boolean {
  if (ctx.get('format') === 'prometheus') return true;
  const accept = ctx.req.headers.accept ?? '';
  return accept.split(',').some((v) => {
    const [mime = '', param] = v.split(';').map((p) => p.trim());
    const m = mime.toLowerCase();
    return m === 'application/openmetrics-text' || (m === 'text/plain' && param === 'version=0.4.0');
  });
}

export async function agentMetrics(ctx: RequestContext, deps: ApiDeps): Promise<Reply> {
  requireAgent(ctx.acl, deps, 'read');
  if (wantsPrometheus(ctx)) {
    const out = await metrics.prometheus();
    if (!out) {
      return { status: 415, raw: 'Prometheus is not enabled since its retention time is not positive', contentType: 'text/plain' };
    }
    return { status: 200, raw: out.text, contentType: out.contentType };
  }
  const summary = metrics.summary();
  if (!summary) throw new HttpError(500, 'no metric intervals have been initialized yet');
  return { status: 200, body: summary };
}

export function agentMetricsStream(ctx: RequestContext, deps: ApiDeps): Reply {
  requireAgent(ctx.acl, deps, 'read');
  return { status: 200, stream: streamSummaries };
}

/** Each interval's summary when it ends, 4-space indented as Consul's encoder writes them. */
function streamSummaries(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.flushHeaders();
  let start = metrics.sink.currentStartMs();
  let timer: NodeJS.Timeout | undefined;
  const next = (): void => {
    const wait = start + INTERVAL_MS - Date.now();
    timer = setTimeout(() => {
      const summary = metrics.sink.summaryOf(start);
      start = metrics.sink.currentStartMs();
      // A client that does not read gets no more than what the socket already holds.
      if (summary && !res.writableNeedDrain) res.write(JSON.stringify(summary, null, 4) + '\n');
      next();
    }, Math.max(0, wait) + 5);
  };
  next();
  res.once('close', () => clearTimeout(timer));
}

/** debug.CollectHostInfo in Node terms: the host, its memory, CPUs and load. */
export function agentHost(ctx: RequestContext, _deps: ApiDeps): Reply {
  requireOperator(ctx.acl, 'read');
  const total = os.totalmem();
  const free = os.freemem();
  const cpus = os.cpus();
  const body = {
    Memory: { total, available: free, used: total - free, usedPercent: total > 0 ? ((total - free) / total) * 100 : 0, free },
    CPU: cpus.map((c, i) => ({ cpu: i, vendorId: '', modelName: c.model, mhz: c.speed, cores: 1 })),
    Host: {
      hostname: os.hostname(),
      uptime: Math.round(os.uptime()),
      os: process.platform,
      platform: os.type(),
      platformVersion: os.release(),
      kernelVersion: os.release(),
      kernelArch: os.machine(),
      procs: 0,
    },
    Disk: {},
    CollectionTime: Date.now() * 1e6,
    Errors: [] as string[],
  };
  return { status: 200, body };
}
