// Script checks (Consul: checks.CheckMonitor): run the command as a child process, combine
// stdout and stderr, map the exit code. Never blocks the event loop.
//
// MUST: on timeout the whole process group is killed and the check goes critical with
// `Timed out (<timeout>) running check`.
import { spawn } from 'node:child_process';
import { formatGoDuration } from '../support/duration.js';
import type { Probe, ProbeResult } from './runner.js';
import { scriptOutput, scriptStatus } from './status-rules.js';
import type { Timers } from './timers.js';

export interface ScriptProbeOptions {
  args: readonly string[];
  timeoutMs: number;
  outputMaxBytes: number;
  timers: Timers;
}

/** Consul: the default timeout of script checks. */
export const SCRIPT_TIMEOUT_MS = 30_000;

export function scriptProbe(o: ScriptProbeOptions): Probe {
  return () => runScript(o);
}

function runScript(o: ScriptProbeOptions): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const [cmd, ...rest] = o.args;
    if (cmd === undefined) return resolve({ status: 'critical', output: 'Failed to invoke: no command' });
    const chunks: Buffer[] = [];
    let kept = 0;
    let total = 0;
    let done = false;
    const child = spawn(cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const collect = (b: Buffer): void => {
      total += b.length;
      chunks.push(b);
      kept += b.length;
      // Drop whole chunks that fall out of the window; scriptOutput trims the rest.
      while (chunks.length > 1 && kept - (chunks[0] as Buffer).length >= o.outputMaxBytes) kept -= (chunks.shift() as Buffer).length;
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const finish = (r: ProbeResult): void => {
      if (done) return;
      done = true;
      o.timers.clearTimeout(timer);
      resolve(r);
    };
    const timer = o.timers.setTimeout(() => {
      killGroup(child.pid);
      finish({ status: 'critical', output: `Timed out (${formatGoDuration(o.timeoutMs)}) running check` });
    }, o.timeoutMs);
    child.once('error', (err) => finish({ status: 'critical', output: `Failed to invoke: ${err.message}` }));
    child.once('close', (code) => {
      const data = Buffer.concat(chunks);
      const output = total > data.length ? scriptOutputWithTotal(data, o.outputMaxBytes, total) : scriptOutput(data, o.outputMaxBytes);
      finish({ status: scriptStatus(code), output });
    });
  });
}

function scriptOutputWithTotal(data: Buffer, max: number, total: number): string {
  const kept = data.subarray(Math.max(0, data.length - max)).toString('utf8');
  return `Captured ${max} of ${total} bytes\n...\n${kept}`;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
