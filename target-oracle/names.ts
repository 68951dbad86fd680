import { createHash } from 'node:crypto';
import { ProtocolError } from '../singer/index.js';

export interface NamingRules {
  case: 'upper' | 'lower';
  maxBytes: number;
}

const HASH_CHARS = 8;

function hash(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex').slice(0, HASH_CHARS).toUpperCase();
}

/** Cuts to at most `maxBytes` UTF-8 bytes without splitting a character. */
function cutBytes(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}

/**
 * A name as it will appear (quoted) in the database. Characters other than letters, digits, `_`, `$` and `#`
 * (quotes, `;`, `-`, spaces, control characters…) become `_`; the case is folded so users can query without quotes
 * where the result is a plain identifier. Leading digits and underscores and reserved words are kept: every
 * identifier is quoted. Names over the byte limit keep a readable head plus a hash of the full original name.
 */
export function conformIdentifier(name: string, rules: NamingRules): string {
  // Case first: folding can make non-letters (`İ` lower-cases to `i` + U+0307, `ǰ` upper-cases to `J` + U+030C),
  // which the replacement then turns into `_`, so a conformed name conforms to itself.
  const nfc = name.normalize('NFC');
  let conformed = (rules.case === 'upper' ? nfc.toUpperCase() : nfc.toLowerCase()).normalize('NFC');
  conformed = conformed.replace(/[^\p{L}\p{N}_$#]/gu, '_');
  if (conformed === '') conformed = '_';
  if (Buffer.byteLength(conformed, 'utf8') <= rules.maxBytes) return conformed;
  return withHashSuffix(conformed, name, rules);
}

function withHashSuffix(conformed: string, original: string, rules: NamingRules): string {
  const suffix = `_${rules.case === 'upper' ? hash(original) : hash(original).toLowerCase()}`;
  return `${cutBytes(conformed, rules.maxBytes - suffix.length)}${suffix}`;
}

/**
 * Conforms every property name of one table, resolving clashes deterministically (independent of property order):
 * a property whose raw name already equals the conformed name keeps it; every other clashing property gets a hash
 * suffix of its raw name. Throws when names still clash.
 */
export function conformColumnNames(
  properties: readonly string[],
  rules: NamingRules,
  stream: string,
): Map<string, string> {
  const first = new Map<string, string>();
  const owners = new Map<string, string[]>();
  for (const property of properties) {
    const name = conformIdentifier(property, rules);
    first.set(property, name);
    owners.set(name, [...(owners.get(name) ?? []), property]);
  }
  const result = new Map<string, string>();
  const used = new Set<string>();
  for (const [name, props] of owners) {
    if (props.length === 1) {
      result.set(props[0], name);
      used.add(name);
      continue;
    }
    const exact = props.find((p) => p === name);
    for (const property of props) {
      const finalName = property === exact ? name : withHashSuffix(name, property, rules);
      result.set(property, finalName);
    }
  }
  const seen = new Map<string, string>();
  for (const property of properties) {
    const name = result.get(property)!;
    const other = seen.get(name);
    if (other !== undefined)
      throw new ProtocolError(`Properties '${other}' and '${property}' map to the same column name`, { stream });
    seen.set(name, property);
  }
  return result;
}
