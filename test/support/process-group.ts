// Stopping a process the tests started in its own group (setsid/detached): a signal to the whole
// group, SIGKILL after a grace period, then wait for the exit.
import type { ChildProcess } from 'node:child_process';

export async function stopProcessGroup(
  proc: ChildProcess,
  exited: Promise<number | null>,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
  const pid = proc.pid as number;
  const send = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  send(signal);
  const timer = setTimeout(() => send('SIGKILL'), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
