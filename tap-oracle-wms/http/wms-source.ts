import type { PageTranscoder } from '../page-transcoder.js';
import type { WmsPage } from './pagination.js';

/** What discovery and sync need from the WMS. The HTTP client implements it; unit tests use an in-memory one. */
export interface WmsSource {
  entities(): Promise<string[]>;
  describe(entity: string): Promise<Record<string, unknown>>;
  /**
   * One page after another of a list request; an empty result (lgfapi: 404, or 200/204 when asked) yields nothing.
   * With a transcoder, pages may come with `recordTexts` (a source that does not decode text ignores it).
   */
  pages(entity: string, params: URLSearchParams, transcoder?: PageTranscoder): AsyncGenerator<WmsPage>;
  /** Rows matching these filters (`result_count`), where the source can count. */
  count?(entity: string, filters: URLSearchParams): Promise<number>;
}
