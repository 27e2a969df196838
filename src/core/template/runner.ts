// The Runner (consul-template manager/runner.go): executes every template against the brain,
// watches what they use (and stops watching what they no longer use), renders when nothing is
// missing, waits for quiescence (`wait`) after the first render, and runs each changed template's
// command once per run even when several templates share it.
import { unlinkSync, writeFileSync } from 'node:fs';
import type { ClientConfig } from '../client/index.js';
import { Brain } from './brain.js';
import { runCommand } from './child.js';
import { type Config, displayTemplate, type TemplateConfig } from './config.js';
import type { Dependency } from './dependency/index.js';
import { unifiedDiff } from './diff.js';
import type { Logger } from './log.js';
import { RenderError, readExisting, render } from './renderer.js';
import { ConsulTemplate } from './template.js';
import { ExecChild } from './exec-child.js';
import { Watcher } from './watch/watcher.js';

export interface RunnerOptions {
  dry: boolean;
  once: boolean;
  diff: boolean;
  env: NodeJS.ProcessEnv;
  log: Logger;
  stdout: (s: string) => void;
  client: ClientConfig;
}

interface RenderEvent {
  wouldRender: boolean;
  didRender: boolean;
  error?: Error;
  usedIds: string[];
}

/** Exit status carried by a runner error (a supervised child's code, or 13 by default). */
export class RunnerError extends Error {
  constructor(message: string, readonly exitCode = 13) {
    super(message);
  }
}

const COALESCE_MS = 25;

class Quiescence {
  private timer: NodeJS.Timeout | undefined;
  private deadline = 0;

  constructor(private readonly minMs: number, private readonly maxMs: number, private readonly fire: () => void) {}

  tick(): void {
    const now = Date.now();
    if (!this.timer) {
      this.deadline = now + this.maxMs;
      this.timer = setTimeout(this.fire, this.minMs);
      return;
    }
    clearTimeout(this.timer);
    const wait = now + this.minMs < this.deadline ? this.minMs : Math.max(0, this.deadline - now);
    this.timer = setTimeout(this.fire, wait);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

export class Runner {
  readonly templates: ConsulTemplate[];
  private readonly brain = new Brain();
  private readonly watcher: Watcher;
  private readonly dependencies = new Map<string, Dependency>();
  private readonly renderEvents = new Map<string, RenderEvent>();
  private readonly quiescence = new Map<string, Quiescence>();
  /** Templates whose quiescence timer fired since the last run (Go receives them one by one). */
  private readonly quiescenceFired = new Set<string>();
  private running = false;
  private pending = false;
  private stopped = false;
  private commandFailed = false;
  private child: ExecChild | undefined;
  private settle!: { resolve: () => void; reject: (err: Error) => void };
  /** Settles when the runner is done: once mode finished, a fatal error, or stop(). */
  readonly done: Promise<void>;

  /** Reads and parses every template; throws on a missing file or a syntax error. */
  constructor(private readonly config: Config, private readonly opts: RunnerOptions) {
    const { log } = opts;
    log.info(`(runner) creating new runner (dry: ${opts.dry}, once: ${opts.once})`);
    this.templates = config.templates.map((t) => new ConsulTemplate(t, opts.env));
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.watcher = new Watcher({
      client: opts.client,
      retry: config.consul.retry,
      maxStaleMs: config.maxStaleMs,
      blockWaitMs: config.blockQueryWaitMs,
      once: opts.once,
      log,
      onData: (dep, data) => {
        if (!this.dependencies.has(dep.id)) return; // no longer needed (consul-template issue #198)
        log.debug(`(runner) receiving dependency ${dep.id}`);
        this.brain.remember(dep.id, data);
        // When every template waits for quiescence anyway, the wait already gathers the changes.
        this.schedule(this.templates.every((t) => this.quiescence.has(t.id)) ? 0 : COALESCE_MS);
      },
      onError: (_dep, err) => this.fail(err),
    });
  }

  start(): void {
    this.opts.log.info('(runner) starting');
    if (this.config.pidFile) {
      this.opts.log.info(`creating pid file at ${JSON.stringify(this.config.pidFile)}`);
      try {
        writeFileSync(this.config.pidFile, `${process.pid}`, { mode: 0o666 });
      } catch (err) {
        this.fail(new RunnerError(`runner: could not write to pid file: ${(err as Error).message}`));
        return;
      }
    }
    this.opts.log.debug('(runner) running initial templates');
    this.schedule(0);
  }

  /** Stop watching, stop timers and the supervised child, remove the pid file. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.opts.log.info('(runner) stopping');
    for (const q of this.quiescence.values()) q.stop();
    this.watcher.stop();
    this.child?.stop();
    if (this.config.pidFile) {
      try {
        unlinkSync(this.config.pidFile);
      } catch {
        /* already gone */
      }
    }
    this.settle.resolve();
  }

  private fail(err: Error): void {
    if (this.stopped) return;
    this.settle.reject(err); // settles first: the stop() below must not report success
    this.stop();
  }

  /**
   * Run soon. Data arriving within COALESCE_MS is handled by one run: one commit that touches
   * several dependencies wakes several views at almost the same time, and should give one render
   * and one command run, not one per dependency.
   */
  private schedule(delayMs = COALESCE_MS): void {
    if (this.stopped) return;
    this.pending = true;
    if (this.running) return;
    this.running = true;
    setTimeout(() => void this.loop(), delayMs);
  }

  private async loop(): Promise<void> {
    try {
      while (this.pending && !this.stopped) {
        this.pending = false;
        await this.run();
        this.afterRun();
      }
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.running = false;
    }
  }

  /** One pass over every template, then the commands of those that changed. */
  private async run(): Promise<void> {
    const { log } = this.opts;
    log.debug('(runner) initiating run');
    const depsMap = new Map<string, Dependency>();
    const commands: TemplateConfig[] = [];
    let renderedAny = false;
    for (const tmpl of this.templates) {
      const event = this.runTemplate(tmpl, depsMap, commands);
      if (!event) continue;
      this.renderEvents.set(tmpl.id, event);
      if (event.didRender) renderedAny = true;
    }
    this.quiescenceFired.clear();
    this.diffAndUpdateDeps(depsMap);
    for (const t of commands) {
      log.info(`(runner) executing command ${JSON.stringify(JSON.stringify(t.command))} from ${displayTemplate(t)}`);
      const res = await runCommand(t.command, t.commandTimeoutMs, this.opts.env);
      if (this.stopped) return;
      if (res.code !== 0 || res.timedOut) {
        this.commandFailed = true;
        const why = res.timedOut
          ? `command timed out after ${t.commandTimeoutMs}ms`
          : res.signal
            ? `signal: ${res.signal}`
            : `exit status ${res.code}`;
        log.error(
          `(runner) failed to execute command ${JSON.stringify(JSON.stringify(t.command))} from ${displayTemplate(t)}: ${why}${res.stderrTail ? `: ${res.stderrTail}` : ''}`,
        );
      }
    }
    if (renderedAny) this.child?.reload();
  }

  private runTemplate(tmpl: ConsulTemplate, depsMap: Map<string, Dependency>, commands: TemplateConfig[]): RenderEvent | undefined {
    const { log } = this.opts;
    const cfg = tmpl.config;
    log.debug(`(runner) checking template ${tmpl.id}`);
    const last = this.renderEvents.get(tmpl.id);
    if (this.opts.once && last && (last.wouldRender || last.didRender)) return undefined;
    const fatal = cfg.errFatal ?? this.config.templateErrFatal;
    let result;
    try {
      result = tmpl.execute(this.brain);
    } catch (err) {
      if (fatal) throw err;
      log.error(`(runner) ${tmpl.source}: ${(err as Error).message}`);
      for (const id of last?.usedIds ?? []) {
        const d = this.dependencies.get(id);
        if (d && !depsMap.has(id)) depsMap.set(id, d);
      }
      return { wouldRender: false, didRender: false, error: err as Error, usedIds: last?.usedIds ?? [] };
    }
    const event: RenderEvent = { wouldRender: false, didRender: false, usedIds: result.used.list().map((d) => d.id) };
    for (const d of result.missing.list()) log.debug(`(runner) missing dependency: ${d.id}`);
    for (const d of result.used.list()) if (!depsMap.has(d.id)) depsMap.set(d.id, d);
    const unwatched = result.missing.list().filter((d) => !this.watcher.watching(d.id));
    if (unwatched.length > 0) {
      log.debug(`(runner) was not watching ${unwatched.length} dependencies`);
      for (const d of unwatched) {
        this.dependencies.set(d.id, d);
        this.watcher.add(d);
      }
      return event;
    }
    if (result.missing.size > 0) {
      log.debug(`(runner) missing data for ${result.missing.size} dependencies`);
      return event;
    }
    if (this.quiescenceFired.size > 0 && !this.quiescenceFired.has(tmpl.id)) return event;
    const q = this.quiescence.get(tmpl.id);
    if (q) {
      q.tick();
      return event;
    }
    log.debug(`(runner) rendering ${displayTemplate(cfg)}`);
    try {
      if (this.opts.diff) {
        const before = readExisting(cfg.destination) ?? '';
        if (before !== result.output) this.opts.stdout(unifiedDiff(cfg.destination, before, result.output));
      }
      const r = render({
        path: cfg.destination,
        contents: result.output,
        perms: cfg.perms,
        backup: cfg.backup,
        createDestDirs: cfg.createDestDirs,
        dry: this.opts.dry || (this.opts.diff && this.opts.dry),
        dryWrite: (s) => {
          if (!this.opts.diff) this.opts.stdout(s);
        },
      });
      event.wouldRender = r.wouldRender;
      event.didRender = r.didRender;
    } catch (err) {
      const msg = `error rendering ${displayTemplate(cfg)}: ${(err as Error).message}`;
      if (fatal) throw new RenderError(msg);
      log.error(`(runner) ${msg}`);
      event.error = err as Error;
      return event;
    }
    if (event.didRender) {
      log.info(`(runner) rendered ${displayTemplate(cfg)}`);
      if (!this.opts.dry && cfg.command !== '') {
        const existing = commands.find((c) => c.command === cfg.command);
        if (existing) log.debug(`(runner) skipping command ${JSON.stringify(cfg.command)} from ${displayTemplate(cfg)} (already appended from ${displayTemplate(existing)})`);
        else commands.push(cfg);
      }
    }
    return event;
  }

  /** Stop watching what no template uses any more. */
  private diffAndUpdateDeps(depsMap: Map<string, Dependency>): void {
    for (const id of [...this.dependencies.keys()]) {
      if (depsMap.has(id)) continue;
      this.opts.log.debug(`(runner) ${id} is no longer needed`);
      this.watcher.remove(id);
      this.brain.forget(id);
      this.dependencies.delete(id);
    }
    for (const [id, d] of depsMap) this.dependencies.set(id, d);
  }

  private allTemplatesRendered(): boolean {
    return this.templates.every((t) => {
      const e = this.renderEvents.get(t.id);
      return e !== undefined && (e.wouldRender || e.didRender);
    });
  }

  private afterRun(): void {
    if (this.stopped || !this.allTemplatesRendered()) return;
    this.opts.log.debug('(runner) all templates rendered');
    for (const t of this.templates) {
      if (this.quiescence.has(t.id)) continue;
      const wait = t.config.wait ?? this.config.wait;
      if (!wait || this.opts.once) continue;
      this.quiescence.set(
        t.id,
        new Quiescence(wait.minMs, wait.maxMs, () => {
          this.opts.log.debug(`(runner) received template ${JSON.stringify(t.id)} from quiescence`);
          this.quiescence.delete(t.id);
          this.quiescenceFired.add(t.id);
          this.schedule(0);
        }),
      );
    }
    if (this.config.exec && this.config.exec.command !== '' && !this.child) {
      this.child = new ExecChild(this.config.exec, this.opts.env, this.opts.log, (code) => {
        if (code === 0) {
          this.stop();
        } else this.fail(new RunnerError(`child process died with exit code ${code}`, code));
      });
      this.child.start();
    }
    if (this.opts.once && !this.child) {
      this.opts.log.info('(runner) once mode and all templates rendered');
      if (this.commandFailed) this.fail(new RunnerError('one or more commands failed'));
      else this.stop();
    }
  }
}
