import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import {
  EXACT_NUMBER_PATTERN,
  ExactNumber,
  type JsonSchema,
  parseMessage,
  type SingerMessage,
} from '../../singer/index.js';

/**
 * A Singer output checker in the spirit of singer-check-tap, stricter where the SDK is:
 * - every line is a valid Singer message;
 * - a RECORD comes after a SCHEMA of its stream and validates against the latest one (ajv + ajv-formats, so
 *   date-time/date/time formats are checked); ExactNumber values count as numbers;
 * - SCHEMA has key_properties naming properties of its schema; ACTIVATE_VERSION has an integer version;
 * - STATE has the SDK's shape: `{bookmarks: {stream: {replication_key?, replication_key_value?, partitions?: [{context, …}]}}}`,
 *   and the last STATE holds no `progress_markers`.
 */
export interface SingerReport {
  problems: string[];
  messages: SingerMessage[];
  /** RECORD count per stream. */
  counts: Record<string, number>;
  /** Records per stream, in output order. */
  records: Record<string, Record<string, unknown>[]>;
  states: unknown[];
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormatsPlugin.default(ajv);
// The Meltano SDK's exact-decimal strings (the tap's use_singer_decimal): a JSON number literal as text.
ajv.addFormat('x-singer.decimal', EXACT_NUMBER_PATTERN);
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

/** ExactNumber → number, only for type checking (the value itself is never compared). */
function plain(value: unknown): unknown {
  if (value instanceof ExactNumber) return value.toNumber();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stateShapeProblems(value: unknown): string[] {
  if (!isObject(value)) return ['STATE value is not an object'];
  if (!isObject(value.bookmarks)) return ['STATE value has no "bookmarks" object'];
  const problems: string[] = [];
  for (const [stream, bookmark] of Object.entries(value.bookmarks)) {
    if (!isObject(bookmark)) {
      problems.push(`bookmark of ${stream} is not an object`);
      continue;
    }
    if (bookmark.replication_key !== undefined && typeof bookmark.replication_key !== 'string')
      problems.push(`${stream}.replication_key is not a string`);
    if ('replication_key_value' in bookmark && bookmark.replication_key === undefined)
      problems.push(`${stream} has a replication_key_value without replication_key`);
    if (bookmark.partitions !== undefined) {
      if (!Array.isArray(bookmark.partitions)) problems.push(`${stream}.partitions is not a list`);
      else
        for (const partition of bookmark.partitions)
          if (!isObject(partition) || !isObject(partition.context))
            problems.push(`${stream}.partitions has an entry without a context object`);
    }
  }
  return problems;
}

export function validateSingerOutput(output: string | readonly string[]): SingerReport {
  const lines = (typeof output === 'string' ? output.split('\n') : [...output]).filter((line) => line.trim() !== '');
  const report: SingerReport = { problems: [], messages: [], counts: {}, records: {}, states: [] };
  const schemas = new Map<string, ValidateFunction>();
  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    let message: SingerMessage;
    try {
      message = parseMessage(line, lineNumber);
    } catch (error) {
      report.problems.push((error as Error).message);
      return;
    }
    report.messages.push(message);
    switch (message.type) {
      case 'SCHEMA': {
        const properties = message.schema.properties ?? {};
        if (!Array.isArray(message.key_properties))
          report.problems.push(`line ${lineNumber}: SCHEMA ${message.stream} has no key_properties list`);
        for (const key of message.key_properties ?? [])
          if (!(key in properties))
            report.problems.push(`line ${lineNumber}: key property ${key} is not in the ${message.stream} schema`);
        try {
          schemas.set(message.stream, validatorFor(message.schema));
        } catch (error) {
          report.problems.push(
            `line ${lineNumber}: SCHEMA ${message.stream} is not a valid JSON Schema (${(error as Error).message})`,
          );
        }
        break;
      }
      case 'RECORD': {
        report.counts[message.stream] = (report.counts[message.stream] ?? 0) + 1;
        (report.records[message.stream] ??= []).push(message.record);
        const validate = schemas.get(message.stream);
        if (!validate) {
          report.problems.push(`line ${lineNumber}: RECORD of ${message.stream} before its SCHEMA`);
          break;
        }
        if (!validate(plain(message.record))) {
          const where = (validate.errors ?? [])
            .slice(0, 3)
            .map((e) => `${e.instancePath || '(record)'} ${e.message}`)
            .join('; ');
          report.problems.push(`line ${lineNumber}: RECORD of ${message.stream} does not match its SCHEMA: ${where}`);
        }
        if (message.time_extracted !== undefined && Number.isNaN(Date.parse(message.time_extracted)))
          report.problems.push(`line ${lineNumber}: bad time_extracted`);
        break;
      }
      case 'STATE':
        report.states.push(message.value);
        for (const problem of stateShapeProblems(message.value)) report.problems.push(`line ${lineNumber}: ${problem}`);
        break;
      case 'ACTIVATE_VERSION':
        if (!Number.isInteger(message.version))
          report.problems.push(`line ${lineNumber}: ACTIVATE_VERSION without an integer version`);
        if (!schemas.has(message.stream))
          report.problems.push(`line ${lineNumber}: ACTIVATE_VERSION of ${message.stream} before its SCHEMA`);
        break;
      default:
        break;
    }
  });
  const last = report.states.at(-1);
  if (isObject(last) && isObject(last.bookmarks)) {
    for (const [stream, bookmark] of Object.entries(last.bookmarks)) {
      if (isObject(bookmark) && 'progress_markers' in bookmark)
        report.problems.push(`the final STATE still has progress_markers for ${stream}`);
    }
  }
  return report;
}
