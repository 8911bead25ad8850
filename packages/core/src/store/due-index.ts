/** A row a worker may claim: where it lives (its tenant and its key there), its id, and when it is due. */
export interface DueEntry {
  readonly tenantId: string;
  readonly key: string;
  readonly id: string;
  /** ISO 8601, UTC: compares as text. */
  readonly due: string;
}

const before = (a: DueEntry, b: DueEntry) => a.due < b.due || (a.due === b.due && a.id < b.id);

/**
 * The memory store's index of claimable rows (outbox effects, timers): a
 * binary heap by due time, then id, and where each row id lives. Entries are
 * hints, checked against the live rows when used: a row that changed since
 * (settled, rescheduled, deleted, rolled back) leaves a stale entry that the
 * next claim drops. So a claim costs the rows it looks at (the due ones, up
 * to its limit, and the ones leased right now), not every row ever written.
 */
export class DueIndex {
  readonly #heap: DueEntry[] = [];
  readonly #where = new Map<string, { readonly tenantId: string; readonly key: string }>();

  /** Records a row that is (or may become) claimable at `entry.due`. */
  add(entry: DueEntry): void {
    this.#where.set(entry.id, { tenantId: entry.tenantId, key: entry.key });
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as DueEntry, heap[parent] as DueEntry)) break;
      [heap[i], heap[parent]] = [heap[parent] as DueEntry, heap[i] as DueEntry];
      i = parent;
    }
  }

  /** The earliest entry, without taking it. */
  peek(): DueEntry | undefined {
    return this.#heap[0];
  }

  /** Takes the earliest entry. */
  pop(): DueEntry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let first = i;
      if (left < heap.length && before(heap[left] as DueEntry, heap[first] as DueEntry)) first = left;
      if (right < heap.length && before(heap[right] as DueEntry, heap[first] as DueEntry)) first = right;
      if (first === i) return top;
      [heap[i], heap[first]] = [heap[first] as DueEntry, heap[i] as DueEntry];
      i = first;
    }
  }

  /** Where the row with this id was last recorded; check it against the live row. */
  where(id: string): { readonly tenantId: string; readonly key: string } | undefined {
    return this.#where.get(id);
  }

  /** Forgets where a deleted row lived. */
  forget(id: string): void {
    this.#where.delete(id);
  }
}
