import type { TableSpec } from './dialect.js';
import { keyEncoder, type KeyEncoder } from './row-key.js';
import type { Cell } from './values.js';

/**
 * One stream's rows waiting for the next flush. With keys, a later row replaces an earlier one with the same key
 * (last wins), so one batch never holds a key twice and insert/update counts mean something.
 */
export class StreamBuffer {
  readonly table: TableSpec;
  /** Undefined when not deduplicating. */
  readonly #key: KeyEncoder | undefined;
  #rows = new Map<string, Cell[]>();
  #appended: Cell[][] = [];
  #deletes = new Map<string, Cell[]>();
  #oldest: number | undefined;
  #received = 0;

  /** `dedupe` false (append-only) keeps every record. */
  constructor(table: TableSpec, dedupe = true) {
    this.table = table;
    this.#key = dedupe && table.keyColumns.length > 0 ? keyEncoder(table) : undefined;
  }

  /** Rows held (after dedupe), deletes included. */
  get size(): number {
    return this.#rows.size + this.#appended.length + this.#deletes.size;
  }

  /** Records received since the last take (before dedupe). */
  get received(): number {
    return this.#received;
  }

  /** When the oldest held row arrived (ms), or undefined when empty. */
  get oldestAt(): number | undefined {
    return this.#oldest;
  }

  add(row: Cell[], now: number, deleted = false): void {
    this.#oldest ??= now;
    this.#received += 1;
    if (this.#key === undefined) {
      this.#appended.push(row);
      return;
    }
    const key = this.#key(row);
    if (deleted) {
      this.#rows.delete(key);
      this.#deletes.set(key, row);
    } else {
      this.#deletes.delete(key);
      this.#rows.set(key, row);
    }
  }

  /** Hands over everything held and empties the buffer. */
  take(): { rows: Cell[][]; deletes: Cell[][]; received: number } {
    const taken = {
      rows: this.#key === undefined ? this.#appended : [...this.#rows.values()],
      deletes: [...this.#deletes.values()],
      received: this.#received,
    };
    this.#rows = new Map();
    this.#appended = [];
    this.#deletes = new Map();
    this.#oldest = undefined;
    this.#received = 0;
    return taken;
  }
}
