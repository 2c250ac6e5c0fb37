/**
 * The simulation's only clock: a priority queue of callbacks ordered by virtual time, then by the
 * order they were scheduled. It also runs the machines' `after` timers (see SimActor), so a
 * SYN retransmission timer and a packet arrival are ordered by one queue.
 */
interface Scheduled {
  at: number;
  order: number;
  run: () => void;
  cancelled: boolean;
}

/** An opaque handle to a scheduled callback. */
export type TimerHandle = object;

export class EventQueue {
  /** Virtual milliseconds since the scenario started. */
  now = 0;
  private heap: Scheduled[] = [];
  private nextOrder = 0;

  /** Schedules `run` at virtual time `at`; the returned handle cancels it. */
  schedule(at: number, run: () => void): TimerHandle {
    const item: Scheduled = {
      at: Math.max(at, this.now),
      order: this.nextOrder++,
      run,
      cancelled: false,
    };
    this.push(item);
    return item;
  }

  cancel(handle: TimerHandle): void {
    (handle as Scheduled).cancelled = true;
  }

  /** XState clock interface. */
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): TimerHandle {
    return this.schedule(this.now + timeout, fn);
  }

  clearTimeout(handle: TimerHandle): void {
    this.cancel(handle);
  }

  /** Runs the earliest pending callback; false when nothing is left. */
  step(): boolean {
    for (;;) {
      const item = this.pop();
      if (!item) return false;
      if (item.cancelled) continue;
      this.now = item.at;
      item.run();
      return true;
    }
  }

  peekTime(): number | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0]?.at;
  }

  private before(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  private push(item: Scheduled): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Scheduled | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && this.before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && this.before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}
