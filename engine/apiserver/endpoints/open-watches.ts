/**
 * The watch streams a server has open (plain bookkeeping, no I/O of its own). closeAll() ends each
 * stream cleanly, as an apiserver restart or a watch timeout does; pause() holds new watches until
 * resumed. Tests use both to show an informer resuming from its last resourceVersion and relisting
 * after a 410.
 */
export class OpenWatches {
  private readonly open = new Set<() => void>();
  private gate?: { promise: Promise<void>; release: () => void };

  add(finish: () => void): () => void {
    this.open.add(finish);
    return () => this.open.delete(finish);
  }

  /** Ends every open watch; returns how many there were. */
  closeAll(): number {
    const all = [...this.open];
    for (const finish of all) finish();
    return all.length;
  }

  get size(): number {
    return this.open.size;
  }

  /** New watches wait until the returned function is called. */
  pause(): () => void {
    if (!this.gate) {
      let release!: () => void;
      const promise = new Promise<void>((resolve) => (release = resolve));
      this.gate = { promise, release };
    }
    const gate = this.gate;
    return () => {
      if (this.gate === gate) this.gate = undefined;
      gate.release();
    };
  }

  /** Resolves when new watches may start. */
  async admitted(): Promise<void> {
    while (this.gate) await this.gate.promise;
  }
}
