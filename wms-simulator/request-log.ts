/** One served request, as tests see it: never headers (credentials) or bodies (record values). */
export interface RequestLogEntry {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  /** The raw query string, without the leading '?'. */
  readonly query: string;
  readonly status: number;
  readonly durationMs: number;
  /** Rules of the faults injected into this request. */
  readonly faults: readonly string[];
}

/** A bounded in-memory log of lgfapi and token requests (admin calls are not logged). */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;
  private readonly listeners = new Set<(entry: RequestLogEntry) => void>();

  constructor(private readonly capacity = 100_000) {}

  add(entry: Omit<RequestLogEntry, 'seq'>): void {
    const logged = { seq: ++this.seq, ...entry };
    this.entries.push(logged);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    for (const listener of this.listeners) listener(logged);
  }

  /** Calls `listener` with each request as it is logged (answered); returns the way to stop. */
  subscribe(listener: (entry: RequestLogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): readonly RequestLogEntry[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
  }
}
