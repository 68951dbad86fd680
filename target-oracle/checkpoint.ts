import { stringifyJson } from '../singer/index.js';

/** A STATE value as received, with its canonical text for the repeat check. */
export interface SeenState {
  readonly value: unknown;
  readonly text: string;
}

/**
 * The state barrier. A flush takes every buffered row of every stream, so the latest STATE seen when a batch is
 * taken is covered once that batch commits: the flush keeps it (`latest`) and releases it after its COMMIT.
 * `{}`/null and a repeat of the last released value are never released.
 */
export class Checkpoint {
  #latest: SeenState | undefined;
  #releasedText: string | undefined;

  saw(value: unknown): void {
    this.#latest = { value, text: stringifyJson(value) };
  }

  /** The latest STATE seen so far: what a commit of every record received so far covers. */
  get latest(): SeenState | undefined {
    return this.#latest;
  }

  /** The value to write now that `seen` is covered by a commit, or undefined. Marks it released. */
  release(seen: SeenState | undefined): unknown {
    if (seen === undefined || seen.text === this.#releasedText || isEmpty(seen.value)) return undefined;
    this.#releasedText = seen.text;
    return seen.value;
  }
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  return typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}
