/**
 * Django REST framework's CursorPagination cursor: base64 of a query string with `o` (offset among
 * rows tied on the position), `r=1` (a previous-page cursor) and `p` (the position: the primary
 * ordering value). Oracle's documented `cD0xNDAw` decodes to `p=1400` (docs/lgfapi.md §4.1).
 */
export interface Cursor {
  readonly offset: number;
  readonly reverse: boolean;
  readonly position: string | null;
}

export function encodeCursor(cursor: Cursor): string {
  const tokens = new URLSearchParams();
  if (cursor.offset !== 0) tokens.set('o', String(cursor.offset));
  if (cursor.reverse) tokens.set('r', '1');
  if (cursor.position !== null) tokens.set('p', cursor.position);
  return Buffer.from(tokens.toString(), 'ascii').toString('base64');
}

/** null for anything that is not a cursor this server could have issued (DRF: 404 "Invalid cursor"). */
export function decodeCursor(encoded: string): Cursor | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return null;
  const text = Buffer.from(encoded, 'base64').toString('latin1');
  if (!/^[\x20-\x7e]*$/.test(text)) return null;
  const tokens = new URLSearchParams(text);
  const offsetText = tokens.get('o') ?? '0';
  const reverseText = tokens.get('r') ?? '0';
  if (!/^\d+$/.test(offsetText) || !/^[01]$/.test(reverseText)) return null;
  return { offset: Number(offsetText), reverse: reverseText === '1', position: tokens.get('p') };
}
