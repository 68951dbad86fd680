import { parse as parseLossless } from 'lossless-json';
import { parseNumberText } from './exact-number.js';

/**
 * Integer literals of 16+ digits may exceed 2^53, and long decimals may not survive a double. Only such texts
 * (rare) take the slower lossless parser; everything else uses the native JSON.parse.
 */
const LONG_NUMBER = /\d{16}/;

/** JSON.parse that keeps big integers and long decimals exact (as ExactNumber). Throws SyntaxError. */
export function parseJsonExact(text: string): unknown {
  if (!LONG_NUMBER.test(text)) return JSON.parse(text);
  return parseLossless(text, null, parseNumberText);
}
