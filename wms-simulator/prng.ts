/**
 * Stateless hashing for on-demand row generation: any field of any row is a pure function of
 * (seed, entity, row index, field salt), so the simulator never has to hold a table in memory.
 */

/** murmur3's 32-bit finaliser: cheap and avalanches well enough for synthetic data. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units; used to turn seed and entity names into 32-bit keys. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 32-bit hash of one (row, field) pair under an entity key. */
export function rowHash(entityKey: number, index: number, salt: number): number {
  // Row counts stay below 2^32, so folding the high word in keeps large indices distinct.
  const high = Math.floor(index / 0x100000000);
  return mix32(entityKey ^ mix32(index ^ Math.imul(salt + 1, 0x9e3779b9) ^ mix32(high + salt)));
}

/** A seeded sequential generator (mulberry32) for decisions that happen in request order, e.g. faults. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
