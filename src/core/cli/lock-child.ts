// The child process of `consul lock` (Consul: command/lock startChild/killChild and
// agent.ExecScript / ExecSubprocess / ForwardSignals).
import { spawn, type ChildProcess } from 'node:child_process';

/** Go's exec.ExitError text: "exit status 3", "signal: terminated". */
function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal: ${SIGNAL_NAMES[signal] ?? signal}`;
  return `exit status ${code ?? 0}`;
}

const SIGNAL_NAMES: Partial<Record<NodeJS.Signals, string>> = {
  SIGTERM: 'terminated',
  SIGKILL: 'killed',
  SIGINT: 'interrupt',
  SIGHUP: 'hangup',
  SIGQUIT: 'quit',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGPIPE: 'broken pipe',
  SIGUSR1: 'user defined signal 1',
  SIGUSR2: 'user defined signal 2',
};

export interface ChildOptions {
  args: readonly string[];
  shell: boolean;
  passStdin: boolean;
  env: NodeJS.ProcessEnv;
}

export class LockChild {
  readonly proc: ChildProcess;
  /** Resolves when the child is gone: undefined for a clean exit, else Go's error text. */
  readonly exited: Promise<string | undefined>;

  constructor(opts: ChildOptions) {
    const [cmd, cmdArgs] = opts.shell ? [process.env.SHELL || '/bin/sh', ['-c', opts.args.join(' ')]] : [opts.args[0] ?? '', opts.args.slice(1)];
    this.proc = spawn(cmd, cmdArgs, {
      env: { ...opts.env, CONSUL_LOCK_HELD: 'true' },
      stdio: [opts.passStdin ? 'inherit' : 'ignore', 'inherit', 'inherit'],
    });
    this.exited = new Promise((resolve) => {
      this.proc.once('error', (err) => resolve(err.message));
      this.proc.once('exit', (code, signal) => resolve(code === 0 ? undefined : exitText(code, signal)));
    });
  }

  get isRunning(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null && this.proc.pid !== undefined;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.isRunning) this.proc.kill(sig);
  }
}
