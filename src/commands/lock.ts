import { Flags } from '@oclif/core';
import { BaseCommand } from '../core/cli/base-command.js';
import { boolFlag, clientFlags, intFlag, serverFlags, stringFlag } from '../core/cli/flags.js';
import { LockChild } from '../core/cli/lock-child.js';
import { ErrLockInUse, Lock, joinKey } from '../core/client/lock.js';
import { ErrSemaphoreInUse, Semaphore } from '../core/client/semaphore.js';
import type { ApiClient } from '../core/client/index.js';
import { parseGoDuration } from '../core/support/duration.js';

/** Consul: lockKillGracePeriod, between the child's SIGTERM and its SIGKILL. */
const LOCK_KILL_GRACE_MS = 5_000;
const MONITOR_RETRY_MS = 1_000;

/** A lock or a semaphore, seen the same way (Consul: LockUnlock). */
interface LockUnlock {
  lock(stop: AbortSignal): Promise<AbortSignal | null>;
  unlock(): Promise<void>;
  cleanup(): Promise<void>;
  inUseErr: Error;
}

export default class LockCommand extends BaseCommand {
  static override summary = 'Execute a command holding a lock';
  static override description = `
Usage: consul lock [options] prefix child...

  Acquires a lock or semaphore at a given path, and invokes a child process
  when successful. The child process can assume the lock is held while it
  executes. If the lock is lost or communication is disrupted the child
  process will be sent a SIGTERM signal and given time to gracefully exit.
  After the grace period expires the process will be hard terminated.

  When -n=1, only a single lock holder or leader exists providing mutual
  exclusion. Setting a higher value switches to a semaphore allowing multiple
  holders to coordinate.

  The prefix provided must have write privileges.
`;
  static override flags = {
    ...clientFlags,
    ...serverFlags,
    'child-exit-code': boolFlag(
      'Exit 2 if the child process exited with an error if this is true, otherwise this does not propagate an error from the child. The default value is false.',
    ),
    n: intFlag('Optional limit on the number of concurrent lock holders. The underlying implementation switches from a lock to a semaphore when the value is greater than 1. The default value is 1.', 1),
    'monitor-retry': intFlag(
      'Number of times to retry if Consul returns a 500 error while monitoring the lock. This allows riding out brief periods of unavailability without causing leader elections, but increases the amount of time required to detect a lost lock in some cases. The default value is 3, with a 1s wait between retries. Set this value to 0 to disable retires.',
      3,
    ),
    name: stringFlag('Optional name to associate with the lock session. It not provided, one is generated based on the provided child command.'),
    'pass-stdin': boolFlag('Pass stdin to the child process.'),
    shell: Flags.boolean({ description: 'Use a shell to run the command (can set a custom shell via the SHELL environment variable).', default: true, allowNo: true }),
    timeout: stringFlag('Maximum amount of time to wait to acquire the lock, specified as a duration like "1s" or "3h". The default value is 0.'),
    try: stringFlag('DEPRECATED. Use -timeout instead.'),
    verbose: boolFlag('Enable verbose (debugging) output.'),
  };

  private verbose = false;

  private info(line: string): void {
    if (this.verbose) this.out(line);
  }

  protected async execute(): Promise<number> {
    const { flags, argv } = await this.parseGo(LockCommand.flags);
    this.verbose = flags.verbose;
    if (flags.n <= 0) return this.fail('Lock holder limit must be positive');
    if (argv.length < 2) return this.fail('Key prefix and child command must be specified');
    const prefix = argv[0]!.replace(/^\//, '');
    const child = argv.slice(1);
    const timeoutRaw = flags.timeout ?? flags.try ?? '0';
    let timeoutMs: number;
    try {
      timeoutMs = parseGoDuration(timeoutRaw);
    } catch {
      return this.fail(`invalid value "${timeoutRaw}" for flag -${flags.timeout !== undefined ? 'timeout' : 'try'}: parse error`);
    }
    if (timeoutMs < 0) return this.fail('Timeout must be positive');
    const name = flags.name || `Consul lock for '${child.join(' ')}' at '${prefix}'`;
    if (flags['monitor-retry'] < 0) return this.fail("Number for 'monitor-retry' must be >= 0");
    const client = this.api(flags);
    if (!client) return 1;
    const unreachable = await this.agentUnreachable(client);
    if (unreachable !== undefined) return unreachable;
    let lu: LockUnlock;
    try {
      lu = this.setup(client, flags.n, prefix, name, timeoutMs, flags['monitor-retry']);
    } catch (e) {
      return this.fail(`Lock setup failed: ${this.message(e)}`);
    }
    const shutdown = new AbortController();
    const onSignal = (): void => shutdown.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      return await this.holdAndRun(lu, shutdown.signal, child, flags);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  private setup(client: ApiClient, limit: number, prefix: string, name: string, timeoutMs: number, retries: number): LockUnlock {
    const oneshot = timeoutMs > 0 ? { tryOnce: true, waitMs: timeoutMs } : { tryOnce: false, waitMs: 0 };
    if (limit === 1) {
      const key = joinKey(prefix, '.lock');
      this.info(`Setting up lock at path: ${key}`);
      const l = new Lock(client, { key, sessionName: name, monitorRetries: retries, monitorRetryMs: MONITOR_RETRY_MS, tryOnce: oneshot.tryOnce, lockWaitMs: oneshot.waitMs });
      return { lock: (s) => l.lock(s), unlock: () => l.unlock(), cleanup: () => l.destroy(), inUseErr: ErrLockInUse };
    }
    this.info(`Setting up semaphore (limit ${limit}) at prefix: ${prefix}`);
    const s = new Semaphore(client, { prefix, limit, sessionName: name, monitorRetries: retries, monitorRetryMs: MONITOR_RETRY_MS, ...oneshot });
    return { lock: (stop) => s.acquire(stop), unlock: () => s.release(), cleanup: () => s.destroy(), inUseErr: ErrSemaphoreInUse };
  }

  private async holdAndRun(
    lu: LockUnlock,
    shutdown: AbortSignal,
    args: string[],
    flags: { shell: boolean; 'pass-stdin': boolean; 'child-exit-code': boolean },
  ): Promise<number> {
    this.info('Attempting lock acquisition');
    let lost: AbortSignal | null;
    try {
      lost = await lu.lock(shutdown);
    } catch (e) {
      return this.fail(`Lock acquisition failed: ${this.message(e)}`);
    }
    if (!lost) return this.fail('Shutdown triggered or timeout during lock acquisition');
    let childCode = 0;
    if (shutdown.aborted) {
      this.err('Shutdown triggered during lock acquisition');
    } else {
      childCode = await this.runChild(lost, shutdown, args, flags);
    }
    try {
      await lu.unlock();
    } catch (e) {
      return this.fail(`Lock release failed: ${this.message(e)}`);
    }
    try {
      await lu.cleanup();
      this.info('Cleanup succeeded');
    } catch (e) {
      if (e !== lu.inUseErr) return this.fail(`Lock cleanup failed: ${this.message(e)}`);
      this.info('Cleanup aborted, lock in use');
    }
    return flags['child-exit-code'] ? childCode : 0;
  }

  /** Run the child while the lock is held; 2 if it failed on its own, else 0. */
  private async runChild(lost: AbortSignal, shutdown: AbortSignal, args: string[], flags: { shell: boolean; 'pass-stdin': boolean }): Promise<number> {
    this.info('Starting handler');
    if (flags['pass-stdin']) this.info('Stdin passed to handler process');
    const child = new LockChild({ args, shell: flags.shell, passStdin: flags['pass-stdin'], env: process.env });
    // Printed whenever the child fails, killed by us or not, as Consul's startChild does.
    const reported = child.exited.then((err) => {
      if (err !== undefined) this.err(`Error running handler: ${err}`);
      return err;
    });
    // Consul forwards SIGINT/SIGTERM to the child as well as shutting down.
    const forward = (sig: NodeJS.Signals) => (): void => child.signal(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    try {
      const why = await Promise.race([reported.then((err) => ({ kind: 'child' as const, err })), abortOf(lost, 'lost'), abortOf(shutdown, 'shutdown')]);
      if (why.kind === 'child') {
        this.info('Child terminated, releasing lock');
        return why.err !== undefined ? 2 : 0;
      }
      this.info(why.kind === 'lost' ? 'Lock lost, killing child' : 'Shutdown triggered, killing child');
      await this.killChild(child, reported);
      return 0;
    } finally {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    }
  }

  /** SIGTERM, then SIGKILL after the grace period (Consul: killChild). */
  private async killChild(child: LockChild, exited: Promise<unknown>): Promise<void> {
    if (!child.isRunning) return;
    this.info(`Terminating child pid ${child.proc.pid}`);
    child.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), LOCK_KILL_GRACE_MS)));
    const done = await Promise.race([exited.then(() => true), graceOver]);
    clearTimeout(timer);
    if (done) {
      this.info('Child terminated');
      return;
    }
    this.info(`Child did not exit after grace period of 5s`);
    this.info(`Killing child pid ${child.proc.pid}`);
    child.signal('SIGKILL');
    await exited;
  }
}

function abortOf<K extends string>(signal: AbortSignal, kind: K): Promise<{ kind: K }> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve({ kind });
    signal.addEventListener('abort', () => resolve({ kind }), { once: true });
  });
}
