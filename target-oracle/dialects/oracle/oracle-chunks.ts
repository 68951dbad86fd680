import type { BindDef, BindValue } from './oracle-session.js';

/**
 * executeMany calls whose STRING binds are sized by the values they carry. node-oracledb Thin turns every
 * non-empty value of a CLOB bind into a temporary LOB (a create and a write round trip each), so CLOB columns are
 * bound as STRING instead; a STRING bind needs a maxSize, and the tightest one is the longest value of its call.
 * A value over the database's string limit makes the bind a LONG bind, which Oracle accepts only as a value
 * inserted into a LOB column: the callers use these chunks only for a plain INSERT … VALUES.
 */

export interface SizedChunk {
  rows: BindValue[][];
  bindDefs: BindDef[];
}

/** What a CLOB bind (still bound as a LOB, e.g. a 21c JSON column) counts for in the bind-memory budget. */
export const CLOB_BIND_BYTES = 64 * 1024;

function bytes(value: BindValue): number {
  if (value === null) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : Buffer.byteLength(String(value));
}

/**
 * Splits `rows` in order into calls of at most `maxRows` rows, each reserving at most `budget` bytes of bind memory
 * (rows × Σ maxSize; a single row over the budget gets a call of its own). `defs[i].type` 'string' binds get
 * maxSize = the longest value of column i in their call (at least 1); 'clob' binds stay as they are.
 */
export function sizedChunks(rows: BindValue[][], defs: BindDef[], maxRows: number, budget: number): SizedChunk[] {
  const chunks: SizedChunk[] = [];
  let start = 0;
  let sizes = defs.map(() => 1);
  const close = (end: number): void => {
    chunks.push({
      rows: rows.slice(start, end),
      bindDefs: defs.map((d, i) => (d.type === 'clob' ? d : { type: 'string', maxSize: sizes[i] })),
    });
    start = end;
    sizes = defs.map(() => 1);
  };
  for (let r = 0; r < rows.length; r += 1) {
    const grown = sizes.map((s, i) => (defs[i].type === 'clob' ? s : Math.max(s, bytes(rows[r][i]))));
    const rowBytes = grown.reduce((sum, s, i) => sum + (defs[i].type === 'clob' ? CLOB_BIND_BYTES : s), 0);
    const count = r - start + 1;
    if (count > 1 && (count > maxRows || count * rowBytes > budget)) {
      close(r);
      r -= 1;
      continue;
    }
    sizes = grown;
  }
  if (start < rows.length) close(rows.length);
  return chunks;
}
