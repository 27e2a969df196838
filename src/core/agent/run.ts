// `consul agent`: load config, start, run until a signal or a leave (Consul: command/agent).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadRuntimeConfig, type RuntimeConfig, type SourceSpec } from '../config/index.js';
import { Agent } from './agent.js';
import { banner } from './banner.js';
import { resolveNodeId } from './node-id.js';

/** Returns the exit code. */
export async function runAgent(spec: SourceSpec): Promise<number> {
  let config: RuntimeConfig;
  let nodeId: string;
  try {
    config = await loadRuntimeConfig(spec);
    if (config.dataDir) await fs.mkdir(config.dataDir, { recursive: true });
    nodeId = await resolveNodeId(config.nodeId, config.dataDir);
  } catch (err) {
    process.stderr.write(`==> ${(err as Error).message}\n`);
    return 1;
  }
  if (config.pidFile) {
    await fs.mkdir(path.dirname(config.pidFile), { recursive: true });
    await fs.writeFile(config.pidFile, String(process.pid));
  }
  process.stdout.write(banner(config, nodeId));
  const agent = new Agent(config, nodeId);
  try {
    await agent.start();
  } catch (err) {
    process.stderr.write(`==> Error starting agent: ${(err as Error).message}\n`);
    await agent.shutdown(1);
    return 1;
  }
  // Consul: an interrupt leaves gracefully unless skip_leave_on_interrupt (servers' default), a
  // terminate only with leave_on_terminate (clients' default); a second signal exits at once.
  let signalled = false;
  const onSignal = (name: string, leave: boolean) => () => {
    process.stdout.write(`==> Caught signal: ${name}\n`);
    if (signalled) return void agent.shutdown(1);
    signalled = true;
    void agent.stop(leave);
  };
  process.on('SIGINT', onSignal('interrupt', !config.skipLeaveOnInterrupt));
  process.on('SIGTERM', onSignal('terminated', config.leaveOnTerminate));
  process.on('SIGHUP', () => {
    process.stdout.write('==> Caught signal: hangup\n');
    agent.reload().catch((err: unknown) => process.stdout.write(`==> Failed to reload configs: ${(err as Error).message}\n`));
  });
  return agent.exited;
}
