import { canonicalUtcText } from '../instant.js';

/** Data Extract's own spelling of an instant: UTC, microseconds, `Z`. */
const UTC_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index += 1) value = value * 10 + text.charCodeAt(index) - 0x30;
  return value;
}

/**
 * A date-time as the tap writes instants (formatInstant: UTC, microseconds, `+00:00`), undefined when it is none.
 * Data Extract writes `2024-06-23T23:25:00.812995Z`: when every part is in its range, that text is already the
 * instant's canonical one but for the zone, and parsing it into a number and printing it back (a third of the
 * reader's instant work, and Data Extract rows hold several instants) gives the same characters. Any other
 * spelling, or a part out of range (which parseInstant rolls over: month 13 is January of the next year), goes the
 * long way (exact in every year too).
 */
export function utcInstantText(text: string): string | undefined {
  if (text.length === 27 && UTC_MICROS.test(text)) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
    // Years below 100 are read by Date.UTC as 19xx.
    if (
      year >= 100 &&
      day >= 1 &&
      days !== undefined &&
      day <= days &&
      digits(text, 11, 2) < 24 &&
      digits(text, 14, 2) < 60 &&
      digits(text, 17, 2) < 60
    )
      return `${text.slice(0, 26)}+00:00`;
  }
  return canonicalUtcText(text);
}
