// The supervised process of `-exec` / `exec { }` (consul-template child/child.go): started once
// every template has rendered, sent the reload signal after each render, stopped with the kill
// signal; its exit ends consul-template with the same code.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from './log.js';

export interface ExecConfig {
  command: string;
  killSignal: string;
  reloadSignal: string;
  killTimeoutMs: number;
}

export class ExecChild {
  private proc: ChildProcess | undefined;
  private stopping = false;

  constructor(
    private readonly cfg: ExecConfig,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
    private readonly onExit: (code: number) => void,
  ) {}

  start(): void {
    this.log.info(`(child) spawning: sh -c ${this.cfg.command}`);
    this.proc = spawn('/bin/sh', ['-c', this.cfg.command], { stdio: 'inherit', env: this.env });
    this.proc.on('exit', (code, signal) => {
      if (this.stopping) return;
      this.log.info(`(child) process exited${signal ? ` (signal ${signal})` : ''}`);
      this.onExit(code ?? 1);
    });
  }

  reload(): void {
    if (!this.proc || !this.cfg.reloadSignal) return;
    this.log.info(`(child) receiving signal "${this.cfg.reloadSignal}"`);
    try {
      this.proc.kill(this.cfg.reloadSignal as NodeJS.Signals);
    } catch {
      /* gone */
    }
  }

  stop(): void {
    if (!this.proc || this.stopping) return;
    this.stopping = true;
    const p = this.proc;
    try {
      p.kill((this.cfg.killSignal || 'SIGINT') as NodeJS.Signals);
    } catch {
      return;
    }
    const t = setTimeout(() => {
      try {
        p.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }, this.cfg.killTimeoutMs);
    t.unref();
  }
}
