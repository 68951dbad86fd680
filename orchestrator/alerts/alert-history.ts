import { readJsonFile, writeJsonAtomic } from '../json-file.js';
import type { Severity } from './alert.js';

export interface SentAlert {
  lastSentAt: number;
  severity: Severity;
  suppressed: number;
}

export interface AlertHistoryData {
  sent: Record<string, SentAlert>;
  /** Consecutive failures per key (e.g. a job), reset by a success. */
  failures: Record<string, number>;
}

/**
 * What the cooldown and the failure threshold remember. Kept in a file (state_dir/alert-history.json) so that they
 * work across one-shot CLI runs started by cron, not only inside `serve`. Updates are serialized in-process.
 */
export class AlertHistory {
  #data: AlertHistoryData | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file?: string) {}

  /** Runs `change` on the current data and saves it; serialized so concurrent alerts do not lose updates. */
  update<T>(change: (data: AlertHistoryData) => T): Promise<T> {
    const next = this.#queue.then(async () => {
      if (!this.#data)
        this.#data = (this.file ? await readJsonFile<AlertHistoryData>(this.file) : undefined) ?? {
          sent: {},
          failures: {},
        };
      const result = change(this.#data);
      if (this.file) await writeJsonAtomic(this.file, this.#data);
      return result;
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
