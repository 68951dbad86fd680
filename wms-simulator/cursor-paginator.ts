import { decodeCursor, encodeCursor, type Cursor } from './cursor.js';
import { formatTimestamp } from './time-zone.js';
import { parseValue } from './value-codec.js';
import type { Value } from './entity-def.js';
import type { Ordering } from './ordering.js';
import type { ResultSet } from './result-set.js';
import type { RowRef } from './virtual-table.js';
import { WmsError } from './wms-error.js';

export interface CursorPage {
  readonly rows: RowRef[];
  /** Encoded cursors for the next and previous links, or null. */
  readonly next: string | null;
  readonly previous: string | null;
}

/**
 * `page_mode=sequenced`: a port of DRF's CursorPagination (keyset on the primary ordering term, an
 * offset to step over ties, `r=1` for previous pages) on top of a random-access {@link ResultSet}.
 */
export function paginateByCursor(
  rows: ResultSet,
  ordering: Ordering,
  rawCursor: string | undefined,
  pageSize: number,
  zone: string,
): CursorPage {
  const cursor: Cursor =
    rawCursor === undefined ? { offset: 0, reverse: false, position: null } : (decodeCursor(rawCursor) ?? invalid());
  const kind = ordering.primary.kind;
  let position: Value | null = null;
  if (cursor.position !== null) {
    const parsed = parseValue(kind, cursor.position, { zone, strictSeconds: false });
    if (!parsed.ok) invalid();
    position = parsed.value;
  }
  const key = (ref: RowRef) => encodePosition(ordering.primaryValue(ref), kind, zone);

  let page: RowRef[];
  let following: RowRef | undefined;
  if (!cursor.reverse) {
    const base = position === null ? 0 : rows.countBefore(position, true);
    const fetched = rows.slice(base + cursor.offset, base + cursor.offset + pageSize + 1);
    page = fetched.slice(0, pageSize);
    following = fetched[pageSize];
  } else {
    const end = (position === null ? rows.length : rows.countBefore(position, false)) - cursor.offset;
    const start = Math.max(0, end - pageSize - 1);
    const fetched = end > 0 ? rows.slice(start, end) : [];
    page = fetched.slice(Math.max(0, fetched.length - pageSize));
    following = fetched.length > pageSize ? fetched[0] : undefined;
  }
  const followingPosition = following === undefined ? null : key(following);
  const current = cursor.position;
  const pastStart = current !== null || cursor.offset > 0;
  const hasNext = cursor.reverse ? pastStart : following !== undefined;
  const hasPrevious = cursor.reverse ? following !== undefined : pastStart;
  const nextPosition = cursor.reverse ? current : followingPosition;
  const previousPosition = cursor.reverse ? followingPosition : current;

  const next = (): string | null => {
    if (!hasNext) return null;
    let compare = page.length > 0 && cursor.reverse && cursor.offset ? key(page[page.length - 1]) : nextPosition;
    let offset = 0;
    let pos: string | null = null;
    let unique = false;
    for (let k = page.length - 1; k >= 0; k--) {
      pos = key(page[k]);
      if (pos !== compare) {
        unique = true;
        break;
      }
      compare = pos;
      offset++;
    }
    if (page.length > 0 && !unique) {
      if (!hasPrevious) {
        offset = pageSize;
        pos = null;
      } else if (cursor.reverse) {
        offset = 0;
        pos = previousPosition;
      } else {
        offset = cursor.offset + pageSize;
        pos = previousPosition;
      }
    }
    if (page.length === 0) pos = nextPosition;
    return encodeCursor({ offset, reverse: false, position: pos });
  };

  const previous = (): string | null => {
    if (!hasPrevious) return null;
    let compare = page.length > 0 && !cursor.reverse && cursor.offset ? key(page[0]) : previousPosition;
    let offset = 0;
    let pos: string | null = null;
    let unique = false;
    for (const ref of page) {
      pos = key(ref);
      if (pos !== compare) {
        unique = true;
        break;
      }
      compare = pos;
      offset++;
    }
    if (page.length > 0 && !unique) {
      if (!hasNext) {
        offset = pageSize;
        pos = null;
      } else if (cursor.reverse) {
        offset = cursor.offset + pageSize;
        pos = nextPosition;
      } else {
        offset = 0;
        pos = nextPosition;
      }
    }
    if (page.length === 0) pos = previousPosition;
    return encodeCursor({ offset, reverse: true, position: pos });
  };

  return { rows: page, next: next(), previous: previous() };
}

/** The position token for a primary value (timestamps as ISO-8601 with the tenant zone's offset). */
export function encodePosition(value: Value, kind: string, zone: string): string {
  if (value === null) return '';
  if (kind === 'ts') return formatTimestamp(value as number, zone);
  return String(value);
}

function invalid(): never {
  throw WmsError.notFound('Invalid cursor');
}
