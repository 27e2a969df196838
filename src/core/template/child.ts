// Running a template's command (consul-template manager/runner.go spawnChild, child/child.go):
// through `sh -c`, with the command timeout, output passed through, and the exit status and the
// tail of stderr kept for the error message.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stderrTail: string;
}

const STDERR_TAIL = 2048;

export function runCommand(command: string, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'inherit', 'pipe'], env, detached: true });
    let tail = '';
    let timedOut = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            try {
              if (child.pid) process.kill(-child.pid, 'SIGTERM');
            } catch {
              /* already gone */
            }
          }, timeoutMs)
        : undefined;
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      resolve({ code: 127, signal: null, timedOut: false, stderrTail: err.message });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, timedOut, stderrTail: tail.trim() });
    });
  });
}
