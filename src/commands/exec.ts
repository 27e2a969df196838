import { Flags } from '@oclif/core';
import { eventFilterError } from '../core/cli/event-filters.js';
import { BaseCommand } from '../core/cli/base-command.js';
import { boolFlag, clientFlags, serverFlags, stringFlag } from '../core/cli/flags.js';
import { commandHelpText } from '../core/cli/self-help.js';
import type { ApiClient, KVPair } from '../core/client/index.js';
import { SessionRenewer } from '../core/client/session.js';
import { parseGoDuration } from '../core/support/duration.js';

/** Consul's exec constants: the job file, the session TTL, the KV suffixes. */
const REXEC_FILE = 'job';
const REXEC_TTL = '15s';
const REXEC_TTL_MS = 15_000;
const ACK_SUFFIX = '/ack';
const EXIT_SUFFIX = '/exit';
const OUTPUT_DIVIDER = '/out/';

type ExecEvent = { kind: 'ack' | 'heartbeat'; node: string } | { kind: 'output'; node: string; output: Buffer } | { kind: 'exit'; node: string; code: number } | { kind: 'error' };

export default class Exec extends BaseCommand {
  static override summary = 'Executes a command on Consul nodes';
  static override description = `
Usage: consul exec [options] [-|command...]

  Evaluates a command on remote Consul nodes. The nodes responding can
  be filtered using regular expressions on node name, service, and tag
  definitions. If a command is '-', stdin will be read until EOF
  and used as a script input.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    node: stringFlag('Regular expression to filter on node names.'),
    service: stringFlag('Regular expression to filter on service instances.'),
    tag: stringFlag('Regular expression to filter on service tags. Must be used with -service.'),
    prefix: stringFlag('Prefix in the KV store to use for request data.', '_rexec'),
    shell: Flags.boolean({ description: 'Use a shell to run the command.', default: true, allowNo: true }),
    wait: stringFlag('Period to wait with no responses before terminating execution.', '2s'),
    'wait-repl': stringFlag('Period to wait for replication before firing event. This is an optimization to allow stale reads to be performed.', '200ms'),
    verbose: boolFlag('Enables verbose output.'),
  };

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(Exec.flags);
    let waitMs: number;
    let replMs: number;
    try {
      waitMs = parseGoDuration(flags.wait ?? '2s');
    } catch {
      return this.fail(`invalid value "${flags.wait}" for flag -wait: parse error`);
    }
    try {
      replMs = parseGoDuration(flags['wait-repl'] ?? '200ms');
    } catch {
      return this.fail(`invalid value "${flags['wait-repl']}" for flag -wait-repl: parse error`);
    }
    let cmd = argv.join(' ');
    let args: string[] | undefined;
    let script: Buffer | undefined;
    if (cmd === '-') {
      if (!flags.shell) return this.fail('Cannot configure -shell=false when reading from stdin');
      cmd = '';
      try {
        script = await readStdin();
      } catch (e) {
        return this.usageError(`Failed to read stdin: ${this.message(e)}`);
      }
    } else if (!flags.shell) {
      cmd = '';
      args = argv;
    }
    if (cmd === '' && (script?.length ?? 0) === 0 && (args?.length ?? 0) === 0) return this.usageError('Must specify a command to execute');
    const filterError = eventFilterError(flags);
    if (filterError) return this.fail(filterError);

    const client = this.api(flags);
    if (!client) return 1;
    const unreachable = await this.agentUnreachable(client);
    if (unreachable !== undefined) return unreachable;
    const prefix = cleanPath(flags.prefix ?? '_rexec');
    // The job spec as Consul's CLI encodes it: Script base64, Wait in nanoseconds.
    const spec: Record<string, unknown> = {};
    if (cmd) spec.Command = cmd;
    if (args && args.length > 0) spec.Args = args;
    if (script && script.length > 0) spec.Script = script.toString('base64');
    spec.Wait = Math.round(waitMs * 1e6);

    let sessionId: string;
    try {
      sessionId = await client.session.create({ Name: 'Remote Exec', Behavior: 'delete', TTL: REXEC_TTL });
    } catch (e) {
      return this.fail(`Failed to create session: ${this.message(e)}`);
    }
    const renewer = new SessionRenewer(client.session, sessionId, REXEC_TTL_MS);
    const dir = `${prefix}/${sessionId}`;
    const shutdown = new AbortController();
    const onSignal = (): void => shutdown.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      if (flags.verbose) this.out(`Created remote execution session: ${sessionId}`);
      try {
        const ok = await client.kv.acquire({ Key: `${dir}/${REXEC_FILE}`, Value: Buffer.from(JSON.stringify(spec)), Session: sessionId });
        if (!ok) throw new Error(`failed to acquire key ${dir}/${REXEC_FILE}`);
      } catch (e) {
        return this.fail(`Failed to create job file: ${this.message(e)}`);
      }
      if (flags.verbose) this.out('Uploaded remote execution spec');
      if (!(await sleep(replMs, shutdown.signal))) return 1;
      let id: string;
      try {
        id = await client.event.fire({
          Name: '_rexec',
          Payload: Buffer.from(JSON.stringify({ Prefix: prefix, Session: sessionId })),
          NodeFilter: flags.node,
          ServiceFilter: flags.service,
          TagFilter: flags.tag,
        });
      } catch (e) {
        return this.fail(`Failed to fire event: ${this.message(e)}`);
      }
      if (flags.verbose) this.out(`Fired remote execution event: ${id}`);
      return await this.waitForJob(client, dir, waitMs, flags.verbose, shutdown.signal, renewer);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // Destroying the session first makes any late agent write fail, then the data goes.
      await renewer.stop();
      await client.kv.deleteTree(dir).catch(() => undefined);
    }
  }

  /** Consul: waitForJob. Ends after a quiet period (doubled while acknowledged nodes are still running). */
  private async waitForJob(client: ApiClient, dir: string, waitMs: number, verbose: boolean, shutdown: AbortSignal, renewer: SessionRenewer): Promise<number> {
    const start = Date.now();
    const queue: ExecEvent[] = [];
    let wake: (() => void) | undefined;
    const push = (e: ExecEvent): void => {
      queue.push(e);
      wake?.();
    };
    const stop = new AbortController();
    const streaming = this.streamResults(client, dir, waitMs, push, stop.signal);
    let acks = 0;
    let exits = 0;
    let bad = 0;
    try {
      for (;;) {
        const interval = acks > exits ? waitMs * 2 : waitMs;
        const next = queue.shift() ?? (await this.nextEvent(queue, interval, shutdown, (w) => (wake = w)));
        if (next === 'shutdown') return 1;
        if (next === 'timeout') {
          this.out(`${exits} / ${acks} node(s) completed / acknowledged`);
          if (verbose) this.out(`Completed in ${((Date.now() - start) / 1000).toFixed(2)} seconds`);
          if (exits < acks) bad++;
          break;
        }
        switch (next.kind) {
          case 'ack':
            acks++;
            if (verbose) this.out(targeted('==>', next.node, 'acknowledged'));
            break;
          case 'heartbeat':
            if (verbose) this.out(targeted('==>', next.node, 'heartbeat received'));
            break;
          case 'output':
            this.out(targeted('   ', next.node, next.output.toString('utf8')));
            break;
          case 'exit':
            exits++;
            this.out(targeted('==>', next.node, `finished with exit code ${next.code}`));
            if (next.code !== 0) bad++;
            break;
          case 'error':
            return 1;
        }
      }
    } finally {
      stop.abort();
      // Invalidate the session before the data is deleted, as Consul does.
      await renewer.stop();
      await streaming;
    }
    return bad > 0 ? 2 : 0;
  }

  private nextEvent(queue: ExecEvent[], ms: number, shutdown: AbortSignal, setWake: (w: (() => void) | undefined) => void): Promise<ExecEvent | 'timeout' | 'shutdown'> {
    return new Promise((resolve) => {
      const done = (v: ExecEvent | 'timeout' | 'shutdown'): void => {
        clearTimeout(timer);
        shutdown.removeEventListener('abort', onAbort);
        setWake(undefined);
        resolve(v);
      };
      const onAbort = (): void => done('shutdown');
      const timer = setTimeout(() => done('timeout'), ms);
      if (shutdown.aborted) return done('shutdown');
      shutdown.addEventListener('abort', onAbort, { once: true });
      setWake(() => {
        const e = queue.shift();
        if (e) done(e);
      });
    });
  }

  /** Consul: streamResults. Blocking reads of the job directory; each new key becomes one event. */
  private async streamResults(client: ApiClient, dir: string, waitMs: number, push: (e: ExecEvent) => void, stop: AbortSignal): Promise<void> {
    const seen = new Set<string>();
    let index = 0;
    const base = `${dir}/`;
    while (!stop.aborted) {
      let pairs: KVPair[];
      let last: number;
      try {
        const r = await client.kv.listWithMeta(base, { waitIndex: index, waitTimeMs: waitMs, signal: stop });
        pairs = r.pairs;
        last = r.meta.lastIndex;
      } catch (e) {
        if (stop.aborted) return;
        this.err(`Failed to read results: ${this.message(e)}`);
        push({ kind: 'error' });
        return;
      }
      if (last === index) continue;
      index = last;
      // One answer can hold a node's last output and its exit code; the exit key sorts first, so
      // report it after the rest of the batch to keep the output ahead of its "finished" line.
      const exits: ExecEvent[] = [];
      for (const pair of pairs) {
        if (seen.has(pair.Key)) continue;
        seen.add(pair.Key);
        const key = pair.Key.slice(base.length);
        if (key === REXEC_FILE) continue;
        if (key.endsWith(ACK_SUFFIX)) {
          push({ kind: 'ack', node: key.slice(0, -ACK_SUFFIX.length) });
        } else if (key.endsWith(EXIT_SUFFIX)) {
          const text = pair.Value.toString('utf8');
          const code = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
          if (!Number.isInteger(code)) {
            this.err(`Failed to parse exit code '${text}': invalid syntax`);
            continue;
          }
          exits.push({ kind: 'exit', node: key.slice(0, -EXIT_SUFFIX.length), code });
        } else if (key.lastIndexOf(OUTPUT_DIVIDER) !== -1) {
          const node = key.slice(0, key.lastIndexOf(OUTPUT_DIVIDER));
          push(pair.Value.length === 0 ? { kind: 'heartbeat', node } : { kind: 'output', node, output: pair.Value });
        } else {
          this.err(`Unknown key '${key}', ignoring.`);
        }
      }
      for (const e of exits) push(e);
    }
  }

  private usageError(message: string): number {
    this.err(message);
    this.err('');
    this.err(commandHelpText(this.config, 'exec'));
    return 1;
  }
}

/** Consul's TargetedUI: every line prefixed with the arrow (or blanks) and the node; trailing space trimmed. */
function targeted(arrow: string, node: string, message: string): string {
  return message
    .split('\n')
    .map((line) => `${arrow} ${node}: ${line}`)
    .join('\n')
    .trimEnd();
}

function cleanPath(p: string): string {
  return p
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
