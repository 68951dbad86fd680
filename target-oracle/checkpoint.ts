import { stringifyJson } from '../singer/index.js';

/**
 * The state barrier. Every flush writes all streams, so after a commit every STATE seen so far is covered: the
 * latest one may be released. `{}`/null and a repeat of the last released value are never released.
 */
export class Checkpoint {
  #latest: unknown;
  #latestText: string | undefined;
  #releasedText: string | undefined;

  saw(value: unknown): void {
    this.#latest = value;
    this.#latestText = stringifyJson(value);
  }

  /** The state to write after a commit, or undefined. Marks it released. */
  release(): unknown {
    const text = this.#latestText;
    if (text === undefined || text === this.#releasedText || isEmpty(this.#latest)) return undefined;
    this.#releasedText = text;
    return this.#latest;
  }
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  return typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}
