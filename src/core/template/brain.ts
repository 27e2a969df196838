// The Brain (consul-template template/brain.go): the last data received for each dependency id.
// Templates read from it; a dependency absent from it is "missing" and blocks the render.
export class Brain {
  private readonly data = new Map<string, unknown>();

  remember(id: string, value: unknown): void {
    this.data.set(id, value);
  }

  recall(id: string): { ok: true; value: unknown } | { ok: false } {
    return this.data.has(id) ? { ok: true, value: this.data.get(id) } : { ok: false };
  }

  forget(id: string): void {
    this.data.delete(id);
  }
}
