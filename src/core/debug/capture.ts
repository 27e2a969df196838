// `consul debug`: validate, capture static information (host, agent, members), then for the
// duration capture the dynamic targets (logs through /v1/agent/monitor at TRACE, metrics through
// /v1/agent/metrics/stream) while reporting each interval, then index.json, listpeers.json and
// the archive. Consul: command/debug/debug.go; the messages are its words.
// pprof is never captured: the agent reports enable_debug = false (a Node agent has no Go pprof),
// so the target is dropped with Consul's warning, as Consul does for an agent without enable_debug.
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import type { ApiClient } from '../client/index.js';
import { COLUMN_DELIM as D, columnize } from '../cli/columnize.js';
import { goMarshalIndent } from '../cli/go-json.js';
import { formatGoDuration } from '../support/duration.js';
import { createArchive } from './archive.js';
import type { DebugReporter } from './reporter.js';

export const DEBUG_INTERVAL_MS = 30_000;
export const DEBUG_DURATION_MS = 5 * 60_000;
const DEBUG_DURATION_GRACE_MS = 2_000;
const DEBUG_MIN_INTERVAL_MS = 5_000;
const DEBUG_MIN_DURATION_MS = 10_000;
const DEBUG_PROTOCOL_VERSION = 1;

export const DEFAULT_TARGETS = ['metrics', 'logs', 'pprof', 'host', 'agent', 'members'] as const;
const DEPRECATED_TARGETS = ['cluster'];

export interface DebugOptions {
  client: ApiClient;
  intervalMs: number;
  durationMs: number;
  /** The capture directory; the archive is `<output>.tar.gz`. */
  output: string;
  archive: boolean;
  capture: string[];
  /** Aborted on SIGINT/SIGTERM: collection stops and what was captured is still archived. */
  signal: AbortSignal;
}

/** time.Time.Format("2006-01-02T15-04-05Z0700") of a UTC time: the default output name. */
export function defaultOutputName(now: Date): string {
  return `consul-debug-${now.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
}

/** go-multierror's text. */
function multiError(errs: string[]): string {
  const points = errs.map((e) => `* ${e}`).join('\n\t');
  return `${errs.length} error${errs.length === 1 ? '' : 's'} occurred:\n\t${points}\n\n`;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await fs.writeFile(file, goMarshalIndent(value ?? null, '\t'), { mode: 0o644 });
}

export class DebugCapture {
  private capture: string[] = [];

  constructor(
    private readonly o: DebugOptions,
    private readonly r: DebugReporter,
  ) {}

  private has(target: string): boolean {
    return this.capture.some((t) => t === target || (target === 'members' && t === 'cluster'));
  }

  async run(): Promise<number> {
    const o = this.o;
    const r = this.r;
    let version: string;
    try {
      version = await this.prepare();
    } catch (e) {
      r.error(`Capture validation failed: ${messageOf(e)}`);
      return 1;
    }
    const archiveName = o.archive ? `${o.output}.tar.gz` : o.output;
    r.output('Starting debugger and capturing static information...');
    r.info(` Agent Version: '${version}'`);
    r.info(`      Interval: '${formatGoDuration(o.intervalMs)}'`);
    r.info(`      Duration: '${formatGoDuration(o.durationMs)}'`);
    r.info(`        Output: '${archiveName}'`);
    r.info(`       Capture: '${this.capture.join(', ')}'`);
    const durationMs = o.durationMs + DEBUG_DURATION_GRACE_MS;
    const staticErrors = await this.captureStatic();
    if (staticErrors.length > 0) r.warn(`Static capture failed: ${multiError(staticErrors)}`);
    if (this.has('metrics') || this.has('logs') || this.has('pprof')) {
      const started = Date.now();
      r.captureStarted({ targets: this.capture, startedAtMs: started, durationMs, intervalMs: o.intervalMs }, new Date(started));
      const results = await Promise.allSettled([this.captureInterval(durationMs), this.captureLongRunning(durationMs)]);
      const failed = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      await r.captureEnded();
      if (failed) r.error(`Error encountered during collection: ${messageOf(failed.reason)}`);
    }
    const index = { Version: DEBUG_PROTOCOL_VERSION, AgentVersion: version, Interval: formatGoDuration(o.intervalMs), Duration: formatGoDuration(durationMs), Targets: this.capture };
    try {
      await writeJsonFile(path.join(o.output, 'index.json'), index);
    } catch (e) {
      r.error(`Error creating index document: ${messageOf(e)}`);
      return 1;
    }
    try {
      await this.captureRaft();
    } catch (e) {
      r.warn(`Raft list peers capture failed: ${messageOf(e)}`);
    }
    if (o.archive) {
      try {
        await createArchive(o.output);
      } catch (e) {
        r.warn(`Archive creation failed: ${messageOf(e)}`);
        return 1;
      }
    }
    r.info(`Saved debug archive: ${archiveName}`);
    return 0;
  }

  /** Validate the flags and the agent, and create the output directory. Returns the agent version. */
  private async prepare(): Promise<string> {
    const o = this.o;
    if (o.durationMs < DEBUG_MIN_DURATION_MS) throw new Error(`duration must be longer than ${formatGoDuration(DEBUG_MIN_DURATION_MS)}`);
    // Consul names the minimum duration here too (debug.go), so the text does as well.
    if (o.intervalMs < DEBUG_MIN_INTERVAL_MS) throw new Error(`interval must be longer than ${formatGoDuration(DEBUG_MIN_DURATION_MS)}`);
    if (o.durationMs < o.intervalMs) throw new Error(`duration (${formatGoDuration(o.durationMs)}) must be longer than interval (${formatGoDuration(o.intervalMs)})`);
    let self: Record<string, Record<string, unknown> | undefined>;
    try {
      self = await o.client.agent.self();
    } catch (e) {
      throw new Error(`error querying target agent: ${messageOf(e)}. verify connectivity and agent address`);
    }
    const version = self['Config']?.['Version'];
    if (typeof version !== 'string') throw new Error('agent response did not contain version key');
    this.capture = o.capture.length > 0 ? [...o.capture] : [...DEFAULT_TARGETS];
    const enableDebug = self['DebugConfig']?.['EnableDebug'];
    const aclsEnabled = self['DebugConfig']?.['ACLsEnabled'];
    if (typeof enableDebug !== 'boolean' || typeof aclsEnabled !== 'boolean') throw new Error('agent response did not contain EnableDebug key');
    if (!enableDebug && !aclsEnabled && this.capture.includes('pprof')) {
      this.capture = this.capture.filter((t) => t !== 'pprof');
      this.r.warn('[WARN] Unable to capture pprof. Set enable_debug to true on target agent to enable profiling.');
    }
    for (const t of this.capture) {
      if (!(DEFAULT_TARGETS as readonly string[]).includes(t) && !DEPRECATED_TARGETS.includes(t)) throw new Error(`target not found: ${t}`);
    }
    try {
      await fs.stat(o.output);
    } catch {
      try {
        await fs.mkdir(o.output, { recursive: true, mode: 0o755 });
      } catch (e) {
        throw new Error(`could not create output directory: ${messageOf(e)}`);
      }
      return version;
    }
    throw new Error(`output directory already exists: ${o.output}`);
  }

  private async captureStatic(): Promise<string[]> {
    const errs: string[] = [];
    const grab = async (target: string, fetch: () => Promise<unknown>): Promise<void> => {
      if (!this.has(target)) return;
      this.r.targetState(target, 'capturing');
      let value: unknown = null;
      try {
        value = await fetch();
      } catch (e) {
        errs.push(messageOf(e));
      }
      try {
        await writeJsonFile(path.join(this.o.output, `${target}.json`), value);
      } catch (e) {
        errs.push(messageOf(e));
      }
      this.r.targetState(target, value === null ? 'failed' : 'done');
    };
    const c = this.o.client;
    await grab('host', () => c.agent.host());
    await grab('agent', () => c.agent.self());
    await grab('members', () => c.agent.members({ wan: true }));
    return errs;
  }

  /** Report each interval until the duration ends (profiles would be taken here; see above). */
  private captureInterval(durationMs: number): Promise<void> {
    const { intervalMs, signal } = this.o;
    return new Promise<void>((resolve, reject) => {
      let count = 0;
      this.r.intervalCaptured(0, new Date());
      const ticker = setInterval(() => this.r.intervalCaptured(++count, new Date()), intervalMs);
      const stop = (fn: () => void): void => {
        clearInterval(ticker);
        clearTimeout(done);
        signal.removeEventListener('abort', onAbort);
        fn();
      };
      const done = setTimeout(() => stop(resolve), durationMs);
      const onAbort = (): void => stop(() => reject(new Error('stopping collection due to shutdown signal')));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort);
    });
  }

  private async captureLongRunning(durationMs: number): Promise<void> {
    const jobs: Promise<void>[] = [];
    // A plain controller and timer: Node 20's AbortSignal.any may let a timeout signal be
    // collected before it fires, which would leave the streams open.
    const stopper = new AbortController();
    const stop = stopper.signal;
    const abort = (): void => stopper.abort();
    const timer = setTimeout(abort, durationMs);
    this.o.signal.addEventListener('abort', abort, { once: true });
    try {
      if (this.has('logs')) jobs.push(this.track('logs', this.captureLogs(stop)));
      if (this.has('metrics')) jobs.push(this.track('metrics', this.captureMetrics(stop)));
      await Promise.all(jobs);
    } finally {
      clearTimeout(timer);
      this.o.signal.removeEventListener('abort', abort);
    }
  }

  private async track(target: string, job: Promise<void>): Promise<void> {
    this.r.targetState(target, 'capturing');
    try {
      await job;
      this.r.targetState(target, 'done');
    } catch (e) {
      this.r.targetState(target, 'failed');
      throw e;
    }
  }

  private async captureLogs(stop: AbortSignal): Promise<void> {
    const file = createWriteStream(path.join(this.o.output, 'consul.log'), { mode: 0o644 });
    try {
      for await (const line of this.o.client.agent.monitor('TRACE', false, stop)) {
        if (!file.write(`${line}\n`)) await new Promise<void>((r) => file.once('drain', () => r()));
      }
    } finally {
      await new Promise<void>((r) => file.end(r));
    }
  }

  private async captureMetrics(stop: AbortSignal): Promise<void> {
    const file = createWriteStream(path.join(this.o.output, 'metrics.json'), { mode: 0o644 });
    try {
      const body = await this.o.client.agent.metricsStream(stop);
      try {
        for await (const chunk of body) file.write(chunk);
      } catch {
        // the deadline or an interrupt ended the stream: what arrived is kept
      }
    } catch (e) {
      if (!stop.aborted) throw new Error(`failed to collect metrics: ${messageOf(e)}`);
    } finally {
      await new Promise<void>((r) => file.end(r));
    }
  }

  /** listpeers.json: `operator raft list-peers` as a table with each server's commit lag. */
  private async captureRaft(): Promise<void> {
    let servers;
    try {
      servers = (await this.o.client.operator.raftGetConfiguration()).Servers ?? [];
    } catch (e) {
      throw new Error(`Failed to retrieve raft configuration: ${messageOf(e)}`);
    }
    const leaderIndex = servers.find((s) => s.Leader)?.LastIndex ?? 0;
    const rows = [['Node', 'ID', 'Address', 'State', 'Voter', 'RaftProtocol', 'Commit Index', 'Trails Leader By'].join(D)];
    for (const s of servers) {
      const last = s.LastIndex ?? 0;
      const trails = leaderIndex - last;
      const trailsText = s.Leader ? '-' : trails === 1 ? '1 commit' : `${trails} commits`;
      rows.push([s.Node, s.ID, s.Address, s.Leader ? 'leader' : 'follower', String(s.Voter), s.ProtocolVersion || '<=1', String(last), trailsText].join(D));
    }
    await fs.writeFile(path.join(this.o.output, 'listpeers.json'), columnize(rows));
  }
}
