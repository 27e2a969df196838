// GET /v1/agent/monitor: the agent's log as a stream (Consul: agent/agent_endpoint.go AgentMonitor).
// ?loglevel (default INFO, hclog names, any case), ?logjson for hclog's JSON lines.
// The stream pulls from a bounded LogSubscription (support/log-fanout.ts) and writes only while
// the socket takes it: a client that stops reading loses lines (and is told how many), the
// agent and its other clients never wait for it.
import type { ServerResponse } from 'node:http';
import { HttpError } from '../../errors.js';
import { DROP_CHECK_INTERVAL_MS, parseMonitorLevel, type LogSubscription } from '../../support/log-fanout.js';
import type { Logger } from '../../support/logger.js';
import type { Reply, RequestContext } from '../context.js';
import type { ApiDeps } from '../deps.js';
import { requireAgent, requireOperator } from './agent-acl.js';

export function agentMonitor(ctx: RequestContext, deps: ApiDeps): Reply {
  requireAgent(ctx.acl, deps, 'read');
  const raw = ctx.get('loglevel') || 'INFO';
  const level = parseMonitorLevel(raw);
  if (level === undefined) throw new HttpError(400, `Unknown log level: ${raw}`);
  const streams = deps.agent.logStreams;
  if (!streams) throw new HttpError(500, 'Streaming not supported');
  const sub = streams.fanout.subscribe({ level, json: ctx.has('logjson') });
  return { status: 200, stream: (res) => pumpLogs(res, sub, streams.logger) };
}

function pumpLogs(res: ServerResponse, sub: LogSubscription, log: Logger): void {
  // Go sniffs an empty first write as text/plain; headers go out at once so the client starts.
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.flushHeaders();
  let scheduled = false;
  let waitingDrain = false;
  const pump = (): void => {
    scheduled = false;
    if (waitingDrain || res.destroyed) return;
    while (sub.pending > 0) {
      if (!res.write(sub.take().join(''))) {
        waitingDrain = true;
        res.once('drain', () => {
          waitingDrain = false;
          pump();
        });
        return;
      }
    }
  };
  // Lines arrive from logging calls anywhere in the agent: write them on a later turn, batched.
  sub.onReadable(() => {
    if (scheduled || waitingDrain) return;
    scheduled = true;
    setImmediate(pump);
  });
  const dropCheck = setInterval(() => sub.noticeDropped(), DROP_CHECK_INTERVAL_MS);
  dropCheck.unref();
  res.once('close', () => {
    clearInterval(dropCheck);
    const dropped = sub.droppedTotal;
    sub.close();
    if (dropped > 0) log.warn(`Dropped logs during monitor request: dropped_count=${dropped}`);
  });
  pump();
}
