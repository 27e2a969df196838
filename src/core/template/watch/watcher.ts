// The Watcher (consul-template watch/watcher.go): the set of live views, one per dependency id.
// The runner adds what templates use and removes what they no longer use.
import type { Dependency } from '../dependency/index.js';
import { View, type ViewOptions } from './view.js';

export type WatcherOptions = Omit<ViewOptions, 'onData' | 'onError'> & {
  onData: (dep: Dependency, data: unknown) => void;
  onError: (dep: Dependency, err: Error) => void;
};

export class Watcher {
  private readonly views = new Map<string, View>();

  constructor(private readonly opts: WatcherOptions) {}

  /** Start watching; false when already watched. */
  add(dep: Dependency): boolean {
    if (this.views.has(dep.id)) return false;
    const view = new View(dep, {
      ...this.opts,
      onData: (v) => {
        if (this.views.get(dep.id) === v) this.opts.onData(v.dependency, v.data);
      },
      onError: (v, err) => {
        if (this.views.get(dep.id) === v) this.opts.onError(v.dependency, err);
      },
    });
    this.views.set(dep.id, view);
    this.opts.log.debug(`(watcher) adding ${dep.id}`);
    view.start();
    return true;
  }

  watching(id: string): boolean {
    return this.views.has(id);
  }

  remove(id: string): boolean {
    const v = this.views.get(id);
    if (!v) return false;
    this.opts.log.debug(`(watcher) removing ${id}`);
    v.stop();
    this.views.delete(id);
    return true;
  }

  ids(): string[] {
    return [...this.views.keys()];
  }

  get size(): number {
    return this.views.size;
  }

  stop(): void {
    for (const v of this.views.values()) v.stop();
    this.views.clear();
  }
}
