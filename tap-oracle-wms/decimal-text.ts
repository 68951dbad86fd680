import { EXACT_NUMBER_PATTERN, type ExactNumber, parseNumberText } from '../singer/index.js';

/**
 * A WMS decimal (a JSON string on the wire) as an exact number: null for "", undefined when the text is not a
 * number. Lenient spellings a JSON literal does not allow are read too: "+5", ".5", "5.", "-.5".
 */
export function decimalValue(text: string): number | ExactNumber | null | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  if (EXACT_NUMBER_PATTERN.test(trimmed)) return parseNumberText(trimmed);
  const normalized = trimmed
    .replace(/^\+/, '')
    .replace(/^(-?)\./, '$10.')
    .replace(/\.$/, '');
  return EXACT_NUMBER_PATTERN.test(normalized) ? parseNumberText(normalized) : undefined;
}
