// Over 250 lines: one JSON reader (a page, its rows, relation objects, scalars, skipped values) whose checks must
// add up to what JSON.parse checks; split across files, no one of them could be read as the whole grammar.
import { ExactNumber, MAX_JSON_DEPTH, parseJsonExact, parseNumberText, stringifyJson } from '../singer/index.js';
import type { RecordPlan } from './transform.js';

/**
 * A list page's body decoded straight into what the tap writes: each result's Singer record as JSON text, and of
 * each result only the `probes` fields the sync loop reads (id, the replication key), in the envelope shape
 * JSON.parse would give (`results`, `next_page`, `result_count`).
 */
export interface TranscodedPage {
  results: Record<string, unknown>[];
  recordTexts: string[];
  next_page?: unknown;
  result_count?: unknown;
}

/** Body text → TranscodedPage, or undefined when the text is not of the plain shape it handles. */
export type PageTranscoder = (text: string) => TranscodedPage | undefined;

/**
 * Parsing a page to objects, transforming each and serializing it again cost most of the tap's CPU (JSON.parse,
 * the exact-number scan, the transform, JSON.stringify and the garbage of all three). This reads the page's JSON
 * once and writes each record's JSON from it: strings are copied as written, numbers go through parseNumberText
 * (exact as parseJsonExact), fields follow recordTransform's plan. The bytes are those JSON.stringify of
 * recordTransform's output gives; a test compares both on every shape.
 *
 * It handles only the plain case and answers undefined for anything else, and the caller then takes the general
 * path (which also reports what is wrong with a page): a body with a backslash (escapes), a control character or
 * a lone surrogate (JSON.stringify could write those otherwise), a result that is no object, a duplicate or numeric key
 * (JSON.parse keeps the last value, objects list numeric keys first), a relation whose key is no string, a decimal
 * that is no number, or anything that is not valid JSON. Every token is checked as JSON.parse checks it.
 */
export function pageTranscoder(plan: RecordPlan, probes: readonly string[]): PageTranscoder {
  const fields = new Map<string, Field>();
  const columns = new Map<string, Column>();
  const column = (name: string | undefined): Column | undefined => {
    if (name === undefined) return undefined;
    let found = columns.get(name);
    if (found === undefined) {
      found = { prefix: `${JSON.stringify(name)}:`, commaPrefix: `,${JSON.stringify(name)}:`, row: -1 };
      columns.set(name, found);
    }
    return found;
  };
  const fieldOf = (name: string): Field => {
    let field = fields.get(name);
    if (field === undefined) {
      const relation = plan.flattenRelations && !name.endsWith('_set') ? plan.relationColumns(name) : undefined;
      field = {
        name,
        quoted: `"${name}"`,
        row: -1,
        plain: plan.keep.has(name) ? column(name) : undefined,
        decimal: plan.decimals.has(name),
        probe: probes.includes(name),
        relationId: column(relation?.id),
        relationKey: column(relation?.key),
        mayBeRelation: relation !== undefined,
      };
      fields.set(name, field);
    }
    return field;
  };
  const shared: Shared = { plan, fieldOf, shape: [], row: 0 };
  return (text) => {
    if (UNHANDLED.test(text)) return undefined;
    try {
      const reader = new PageReader(text, shared);
      return reader.page();
    } catch (error) {
      if (error === NOT_PLAIN) return undefined;
      throw error;
    }
  };
}

/**
 * Characters the copy-as-written rule cannot take: backslash (escapes), controls, lone surrogates (a pair, an
 * astral character, is one code point to a unicode pattern and passes).
 */
// eslint-disable-next-line no-control-regex
const UNHANDLED = /[\u0000-\u001f\\\ud800-\udfff]/u;

/** Thrown inside the reader for anything it leaves to the general path. */
const NOT_PLAIN = new Error('not a plain page');

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** What the pages of one stream share: the plan, the fields met so far, the last row's field order. */
interface Shared {
  plan: RecordPlan;
  fieldOf: (name: string) => Field;
  /** The fields of the last row in order: the next row most likely has the same, checked without a new string. */
  shape: Field[];
  /** Rows read so far (all pages): the stamp for duplicate checks. */
  row: number;
}

interface Column {
  /** `"name":` */
  prefix: string;
  /** `,"name":` */
  commaPrefix: string;
  /** The last row that wrote this column: a second write in one row is a collision JSON.parse would resolve. */
  row: number;
}

interface Field {
  name: string;
  /** `"name"`: the key as the body spells it (it has no escapes). */
  quoted: string;
  row: number;
  plain: Column | undefined;
  decimal: boolean;
  probe: boolean;
  mayBeRelation: boolean;
  relationId: Column | undefined;
  relationKey: Column | undefined;
}

class PageReader {
  readonly #text: string;
  readonly #shared: Shared;
  /** The record being written: parts joined once per row, and a run of the body copied as it is. */
  readonly #parts: string[] = [];
  #runStart = -1;
  #runEnd = -1;
  #at = 0;
  /** The value of the scalar #scalar read last, where it began, and whether its JSON is its text in the body. */
  #value: unknown;
  #valueStart = 0;
  #verbatim = false;

  constructor(text: string, shared: Shared) {
    this.#text = text;
    this.#shared = shared;
  }

  page(): TranscodedPage {
    const page: TranscodedPage = { results: [], recordTexts: [] };
    this.#space();
    if (this.#peek() === 0x5b) {
      this.#rows(page);
    } else {
      this.#expect(0x7b);
      let seenResults = false;
      this.#space();
      if (this.#peek() === 0x7d) this.#at += 1;
      else
        for (;;) {
          const key = this.#string();
          this.#space();
          this.#expect(0x3a);
          this.#space();
          if (key === 'results') {
            if (seenResults) throw NOT_PLAIN;
            seenResults = true;
            this.#rows(page);
          } else {
            const start = this.#at;
            this.#skipValue(1);
            if (key === 'next_page' || key === 'result_count')
              page[key] = parseJsonExact(this.#text.slice(start, this.#at));
          }
          if (this.#endOf(0x7d)) break;
        }
      if (!seenResults) throw NOT_PLAIN;
    }
    this.#space();
    if (this.#at !== this.#text.length) throw NOT_PLAIN;
    return page;
  }

  #rows(page: TranscodedPage): void {
    this.#expect(0x5b);
    this.#space();
    if (this.#peek() === 0x5d) {
      this.#at += 1;
      return;
    }
    for (;;) {
      this.#space();
      this.#row(page);
      if (this.#endOf(0x5d)) return;
    }
  }

  /** One result: its record's JSON text, and its probe fields. */
  #row(page: TranscodedPage): void {
    const shared = this.#shared;
    const text = this.#text;
    const row = (shared.row += 1);
    const probe: Record<string, unknown> = {};
    this.#parts.length = 0;
    this.#runStart = -1;
    this.#expect(0x7b);
    this.#space();
    if (this.#peek() === 0x7d) this.#at += 1;
    else
      for (let index = 0; ; index += 1) {
        this.#space();
        const keyStart = this.#at;
        let field = shared.shape[index];
        if (field !== undefined && text.startsWith(field.quoted, keyStart)) {
          this.#at += field.quoted.length;
        } else {
          const name = this.#string();
          const first = name.charCodeAt(0);
          if ((first >= 0x30 && first <= 0x39) || name === '__proto__') throw NOT_PLAIN;
          field = shared.fieldOf(name);
          shared.shape[index] = field;
        }
        if (field.row === row) throw NOT_PLAIN;
        field.row = row;
        this.#space();
        this.#expect(0x3a);
        this.#space();
        const code = this.#peek();
        if ((code === 0x7b || code === 0x5b) && field.probe) {
          throw NOT_PLAIN;
        } else if (code === 0x7b && field.mayBeRelation) {
          this.#objectField(field, row);
        } else if (code === 0x7b || code === 0x5b) {
          const start = this.#at;
          this.#skipValue(2);
          if (field.plain) this.#put(field.plain, row, stringifyJson(parseJsonExact(text.slice(start, this.#at))));
        } else if (field.plain === undefined && !field.probe) {
          this.#skipValue(2);
        } else {
          const json = this.#scalar();
          // A string from the body is a slice that keeps the whole body alive: the probe gets its own copy (the
          // quoted text has no escapes), or each page's body would live as long as its probes (issue 18).
          if (field.probe) probe[field.name] = typeof this.#value === 'string' ? JSON.parse(json) : this.#value;
          if (field.plain === undefined) {
            // Read for the probe only.
          } else if (field.decimal) {
            this.#put(field.plain, row, this.#decimalJson(this.#value, field.name));
          } else if (this.#verbatim) {
            this.#copy(field.plain, row, keyStart);
          } else {
            this.#put(field.plain, row, json);
          }
        }
        if (this.#endOf(0x7d)) break;
      }
    this.#flush();
    page.results.push(probe);
    page.recordTexts.push(`{${this.#parts.join('')}}`);
  }

  /** Writes a column: a second write to one column in a row is a collision the general path resolves. */
  #put(column: Column, row: number, json: string): void {
    if (column.row === row) throw NOT_PLAIN;
    column.row = row;
    this.#flush();
    this.#parts.push(this.#parts.length === 0 ? column.prefix : column.commaPrefix, json);
  }

  /** A member written as the body has it, from `keyStart` to here: joined to the run before when adjacent. */
  #copy(column: Column, row: number, keyStart: number): void {
    if (column.row === row) throw NOT_PLAIN;
    column.row = row;
    if (this.#runStart >= 0 && this.#runEnd === keyStart - 1) {
      this.#runEnd = this.#at;
      return;
    }
    this.#flush();
    if (this.#parts.length > 0) this.#parts.push(',');
    if (this.#valueStart !== keyStart + column.prefix.length) {
      // Spaces around the colon: the member as stringifyJson writes it.
      this.#parts.push(column.prefix, this.#text.slice(this.#valueStart, this.#at));
      return;
    }
    this.#runStart = keyStart;
    this.#runEnd = this.#at;
  }

  #flush(): void {
    if (this.#runStart < 0) return;
    this.#parts.push(this.#text.slice(this.#runStart, this.#runEnd));
    this.#runStart = -1;
  }

  /**
   * An object value where a relation may be: `{id, key, …}` flattens into its columns (as recordTransform does);
   * without an `id` it is a plain value.
   */
  #objectField(field: Field, row: number): void {
    const start = this.#at;
    this.#at += 1;
    let id: string | undefined;
    let key: string | undefined;
    this.#space();
    if (this.#peek() === 0x7d) this.#at += 1;
    else
      for (;;) {
        this.#space();
        const member = this.#memberName();
        this.#space();
        this.#expect(0x3a);
        this.#space();
        if (member === 'id' || member === 'key') {
          if ((member === 'id' ? id : key) !== undefined) throw NOT_PLAIN;
          const code = this.#peek();
          if (code === 0x7b || code === 0x5b) throw NOT_PLAIN;
          const json = this.#scalar();
          if (member === 'id') id = json;
          // relationKeyText turns a number or boolean into text: rare enough for the general path.
          else if (this.#value === null || typeof this.#value === 'string') key = json;
          else throw NOT_PLAIN;
        } else {
          this.#skipValue(3);
        }
        if (this.#endOf(0x7d)) break;
      }
    if (id !== undefined) {
      if (field.relationId) this.#put(field.relationId, row, id);
      if (field.relationKey) this.#put(field.relationKey, row, key ?? 'null');
    } else if (field.plain) {
      this.#put(field.plain, row, stringifyJson(parseJsonExact(this.#text.slice(start, this.#at))));
    }
  }

  /** A decimal field's JSON, as recordTransform's plan.decimal turns the value (a bad decimal: the general path). */
  #decimalJson(value: unknown, name: string): string {
    let out: unknown;
    try {
      out = this.#shared.plan.decimal(value, name);
    } catch {
      throw NOT_PLAIN;
    }
    if (out === null) return 'null';
    if (typeof out === 'number') return String(out);
    if (out instanceof ExactNumber) return out.text;
    return stringifyJson(out);
  }

  /**
   * A string, number, true, false or null: returns its JSON as stringifyJson writes it, and leaves its value as
   * parseJsonExact gives it in #value.
   */
  #scalar(): string {
    const text = this.#text;
    const code = this.#peek();
    const start = this.#at;
    this.#valueStart = start;
    this.#verbatim = true;
    if (code === 0x22) {
      this.#value = this.#string();
      return text.slice(start, this.#at);
    }
    const end = this.#plainInteger();
    if (end > 0) {
      this.#at = end;
      const json = text.slice(start, end);
      this.#value = Number(json);
      return json;
    }
    this.#verbatim = false;
    if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
      NUMBER.lastIndex = this.#at;
      const match = NUMBER.exec(text);
      if (match === null) throw NOT_PLAIN;
      this.#at = NUMBER.lastIndex;
      const value = parseNumberText(match[0]);
      this.#value = value;
      if (typeof value === 'number') return String(value);
      // parseJsonExact reads -0 with JSON.parse (written back as 0) unless the page has a long number.
      if (value.toNumber() === 0) throw NOT_PLAIN;
      return value.text;
    }
    for (const [word, value] of LITERALS)
      if (text.startsWith(word, this.#at)) {
        this.#at += word.length;
        this.#value = value;
        this.#verbatim = true;
        return word;
      }
    throw NOT_PLAIN;
  }

  /**
   * The end of an integer of at most 15 digits here (a double holds it, and prints it back as written), else 0:
   * most numbers of a page, read without the number pattern and parseNumberText.
   */
  #plainInteger(): number {
    const text = this.#text;
    let at = this.#at;
    if (text.charCodeAt(at) === 0x2d) at += 1;
    const first = at;
    let code = text.charCodeAt(at);
    while (code >= 0x30 && code <= 0x39) code = text.charCodeAt((at += 1));
    const digits = at - first;
    if (digits === 0 || digits > 15 || code === 0x2e || code === 0x65 || code === 0x45) return 0;
    // A leading zero: 0 itself only (-0 is written back as 0; 01 is no JSON).
    if (text.charCodeAt(first) === 0x30 && (digits > 1 || first > this.#at)) return 0;
    return at;
  }

  /** A relation member's name: `id` and `key` recognised without a new string. */
  #memberName(): string {
    const text = this.#text;
    if (text.startsWith('"id"', this.#at)) {
      this.#at += 4;
      return 'id';
    }
    if (text.startsWith('"key"', this.#at)) {
      this.#at += 5;
      return 'key';
    }
    return this.#string();
  }

  /** A string without escapes (the body has no backslash): its content. */
  #string(): string {
    if (this.#peek() !== 0x22) throw NOT_PLAIN;
    const end = this.#text.indexOf('"', this.#at + 1);
    if (end === -1) throw NOT_PLAIN;
    const value = this.#text.slice(this.#at + 1, end);
    this.#at = end + 1;
    return value;
  }

  /** Steps over any JSON value, checking it; `depth` is the nesting of the value itself. */
  #skipValue(depth: number): void {
    if (depth > MAX_JSON_DEPTH) throw NOT_PLAIN;
    const code = this.#peek();
    if (code === 0x22) {
      const end = this.#text.indexOf('"', this.#at + 1);
      if (end === -1) throw NOT_PLAIN;
      this.#at = end + 1;
      return;
    }
    if (code !== 0x7b && code !== 0x5b) {
      this.#scalar();
      return;
    }
    const close = code === 0x7b ? 0x7d : 0x5d;
    this.#at += 1;
    this.#space();
    if (this.#peek() === close) {
      this.#at += 1;
      return;
    }
    for (;;) {
      this.#space();
      if (close === 0x7d) {
        this.#memberName();
        this.#space();
        this.#expect(0x3a);
        this.#space();
      }
      this.#skipValue(depth + 1);
      if (this.#endOf(close)) return;
    }
  }

  /** After a member: true at the closing bracket (consumed), false at a comma (consumed); anything else is invalid. */
  #endOf(close: number): boolean {
    this.#space();
    const code = this.#peek();
    this.#at += 1;
    if (code === close) return true;
    if (code === 0x2c) return false;
    throw NOT_PLAIN;
  }

  #expect(code: number): void {
    if (this.#peek() !== code) throw NOT_PLAIN;
    this.#at += 1;
  }

  /** JSON whitespace here can only be spaces: the body has no control characters. */
  #space(): void {
    while (this.#text.charCodeAt(this.#at) === 0x20) this.#at += 1;
  }

  #peek(): number {
    return this.#text.charCodeAt(this.#at);
  }
}

const LITERALS: readonly (readonly [string, unknown])[] = [
  ['null', null],
  ['true', true],
  ['false', false],
];
