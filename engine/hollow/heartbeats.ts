/**
 * When each hollow node's heartbeats are due, spread evenly over the period so that 5,000 nodes
 * renew their Leases at a steady 500 a second instead of 5,000 at once. A deterministic state
 * machine on an injected clock: `due(now)` returns the nodes whose turn has come since the last call,
 * each at most once per period, in order.
 */
export class HeartbeatWheel {
  private readonly next: number[];

  /** `count` nodes, each due every `periodMs`, node i first at start + i × periodMs / count. */
  constructor(
    private count: number,
    private readonly periodMs: number,
    start: number,
  ) {
    this.next = Array.from({ length: count }, (_, i) => start + Math.floor((i * periodMs) / Math.max(1, count)));
  }

  /** Adds nodes (indexes count, count+1, ...), first due a full period from now, spread likewise. */
  grow(count: number, now: number): void {
    for (let i = this.count; i < count; i++) this.next[i] = now + Math.floor(((i - this.count) * this.periodMs) / Math.max(1, count - this.count));
    this.count = Math.max(this.count, count);
  }

  /** Indexes of the nodes due at `now`; each is then scheduled one period later. */
  due(now: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) {
      if (this.next[i]! <= now) {
        out.push(i);
        // Keep the phase: a late tick does not bunch the next round together.
        do this.next[i]! += this.periodMs;
        while (this.next[i]! <= now);
      }
    }
    return out;
  }
}
