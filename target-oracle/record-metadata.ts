import type { RecordMessage } from '../singer/index.js';

/** The `_sdc_*` values a record gets when add_record_metadata is on (Meltano SDK meanings). */
export class RecordMetadata {
  readonly #runStarted: number;
  #sequence = 0;

  constructor(runStarted: number) {
    this.#runStarted = runStarted;
  }

  /** The value of metadata column `property` for `message` received at `receivedIso`, its batch begun at `batchStartedMs`. */
  value(property: string, message: RecordMessage, receivedIso: string, batchStartedMs: number): unknown {
    const record = message.record;
    switch (property) {
      case '_sdc_extracted_at':
        return message.time_extracted ?? null;
      case '_sdc_received_at':
        return receivedIso;
      case '_sdc_batched_at':
        return new Date(batchStartedMs).toISOString();
      case '_sdc_sequence':
        // Unique and increasing within and across runs (run start in ms × 10^3 + a counter).
        return this.#runStarted * 1000 + (this.#sequence += 1);
      case '_sdc_table_version':
        return message.version ?? record._sdc_table_version ?? null;
      default:
        return record[property];
    }
  }
}
