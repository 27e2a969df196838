// `consul agent`: load config, start, run until a signal or a leave (Consul: command/agent).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadRuntimeConfig, type RuntimeConfig, type SourceSpec } from '../config/index.js';
import { Agent } from './agent.js';
import { banner } from './banner.js';
import { resolveNodeId } from './node-id.js';
import { ensureDir } from '../support/go-errors.js';
import { Logger, stdoutSink, type LogSink } from '../support/logger.js';
import { SyslogSink, teeSink } from '../support/syslog.js';
import { loadAgentTls, type AgentTls } from '../tls/index.js';

/** The data dir (created as Consul's lib.EnsurePath does) and the node ID kept in it. */
async function setupNodeId(config: RuntimeConfig): Promise<string> {
  if (config.dataDir) {
    await ensureDir(config.dataDir);
  }
  return resolveNodeId(config.nodeId, config.dataDir);
}

/** Returns the exit code. */
export async function runAgent(spec: SourceSpec): Promise<number> {
  let config: RuntimeConfig;
  let nodeId: string;
  let tls: AgentTls;
  try {
    config = await loadRuntimeConfig(spec);
    // Consul reads the certificates with the config (agent.NewBaseDeps, tlsutil.NewConfigurator)
    // and refuses to start on tlsutil's error.
    tls = await loadAgentTls(config.tls);
  } catch (err) {
    process.stderr.write(`==> ${(err as Error).message}\n`);
    return 1;
  }
  try {
    nodeId = await setupNodeId(config);
  } catch (err) {
    // Consul: agent/setup.go wraps every node-ID failure (the data dir included) in these words.
    process.stderr.write(`==> failed to setup node ID: ${(err as Error).message}\n`);
    return 1;
  }
  if (config.pidFile) {
    await fs.mkdir(path.dirname(config.pidFile), { recursive: true });
    await fs.writeFile(config.pidFile, String(process.pid));
  }
  const { sink, syslog, syslogError } = logSinks(config);
  const log = new Logger(sink, config.logLevel);
  process.stdout.write(banner(config, nodeId));
  // Consul logs the config warnings once logging is set up; they show after the banner.
  for (const w of config.warnings) log.warn(w);
  if (syslogError) log.warn(syslogError);
  const agent = new Agent(config, nodeId, sink, tls);
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
  const code = await agent.exited;
  await syslog?.close();
  return code;
}

/**
 * stdout, plus syslog with enable_syslog. Consul refuses to start when syslog cannot be set up;
 * we keep running and say why in the log, so an agent in a container without a syslog daemon
 * still starts (issue 10 asks for a warning).
 */
function logSinks(config: RuntimeConfig): { sink: LogSink; syslog?: SyslogSink; syslogError?: string } {
  if (!config.enableSyslog) return { sink: stdoutSink };
  let log: Logger | undefined;
  const opened = SyslogSink.open({
    facility: config.syslogFacility,
    onFailure: (reason) => log?.warn(`Syslog setup failed: ${reason}; logging to stdout only`),
  });
  if (!opened.ok) return { sink: stdoutSink, syslogError: `Syslog setup failed: ${opened.error}; logging to stdout only` };
  log = new Logger(stdoutSink, config.logLevel);
  return { sink: teeSink(stdoutSink, opened.sink), syslog: opened.sink };
}
