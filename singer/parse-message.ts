import { ProtocolError } from './errors.js';
import { MESSAGE_TYPES, type RecordMessage, type SingerMessage, type SingerMessageType } from './messages.js';
import { JsonTooDeepError, parseJsonExact, parseJsonVerbatim } from './parse-json.js';

/**
 * Parses and shape-checks one Singer line. Errors name the line and the problem, never the values: a record may
 * hold personal data and an error message ends up in logs and alerts.
 */
export function parseMessage(line: string, lineNumber: number): SingerMessage {
  let parsed: unknown;
  try {
    parsed = parseJsonExact(line);
  } catch (error) {
    if (error instanceof JsonTooDeepError) throw new ProtocolError(error.message, { line: lineNumber });
    throw new ProtocolError('Invalid JSON', { line: lineNumber });
  }
  if (!isObject(parsed)) throw new ProtocolError('A Singer message must be a JSON object', { line: lineNumber });
  if (typeof parsed.type !== 'string') throw new ProtocolError("Message is missing 'type'", { line: lineNumber });

  // The spec says types are case-insensitive. RECORD is checked first: it is almost every line.
  const type = (parsed.type === 'RECORD' ? 'RECORD' : parsed.type.toUpperCase()) as SingerMessageType;
  const { stream, record, time_extracted: extracted, version } = parsed;
  if (
    type === 'RECORD' &&
    typeof stream === 'string' &&
    stream !== '' &&
    isObject(record) &&
    (extracted === undefined || typeof extracted === 'string') &&
    (version === undefined || (typeof version === 'number' && Number.isFinite(version)))
  ) {
    const message: RecordMessage = { type, stream, record };
    if (extracted !== undefined) message.time_extracted = extracted;
    if (version !== undefined) message.version = version;
    return message;
  }
  if (!MESSAGE_TYPES.includes(type)) {
    throw new ProtocolError(`Unknown message type '${truncate(parsed.type)}'`, { line: lineNumber });
  }
  const location = { line: lineNumber, stream: typeof parsed.stream === 'string' ? parsed.stream : undefined };
  const need = (condition: boolean, problem: string): void => {
    if (!condition) throw new ProtocolError(`${type} ${problem}`, location);
  };
  if (type !== 'STATE') need(typeof parsed.stream === 'string' && parsed.stream.length > 0, "is missing 'stream'");

  switch (type) {
    case 'SCHEMA': {
      need(isObject(parsed.schema), "is missing 'schema'");
      const schema = parsed.schema as Record<string, unknown>;
      need(isObject(schema.properties), "schema is missing 'properties'");
      // key_properties must be present per the spec, but the SDK fixture pk_updates puts them inside the schema.
      const keys = parsed.key_properties ?? schema.key_properties ?? [];
      need(Array.isArray(keys) && keys.every((key) => typeof key === 'string'), "has invalid 'key_properties'");
      const bookmarks = parsed.bookmark_properties;
      need(
        bookmarks === undefined || bookmarks === null || Array.isArray(bookmarks),
        "has invalid 'bookmark_properties'",
      );
      return {
        type,
        stream: parsed.stream as string,
        schema: schema,
        key_properties: keys as string[],
        ...(Array.isArray(bookmarks) ? { bookmark_properties: bookmarks as string[] } : {}),
      };
    }
    case 'RECORD': {
      need(isObject(parsed.record), "is missing 'record'");
      need(
        parsed.time_extracted === undefined ||
          parsed.time_extracted === null ||
          typeof parsed.time_extracted === 'string',
        "has invalid 'time_extracted'",
      );
      need(
        parsed.version === undefined || parsed.version === null || isFiniteNumber(parsed.version),
        "has invalid 'version'",
      );
      const message: SingerMessage = {
        type,
        stream: parsed.stream as string,
        record: parsed.record as Record<string, unknown>,
      };
      if (typeof parsed.time_extracted === 'string') message.time_extracted = parsed.time_extracted;
      if (isFiniteNumber(parsed.version)) message.version = Number(parsed.version);
      return message;
    }
    case 'STATE': {
      need('value' in parsed, "is missing 'value'");
      // Passed on as it came: every number keeps its text (`1e400` stays 1e400, `1.0` stays 1.0).
      let verbatim: Record<string, unknown>;
      try {
        verbatim = parseJsonVerbatim(line) as Record<string, unknown>;
      } catch {
        // JSON.parse took it; the exact parser refuses a key written twice in one object.
        throw new ProtocolError('STATE has an object with a duplicate key', location);
      }
      return { type, value: verbatim.value };
    }
    case 'ACTIVATE_VERSION':
      need(isFiniteNumber(parsed.version), "is missing 'version'");
      return { type, stream: parsed.stream as string, version: Number(parsed.version) };
    case 'BATCH':
      need(isObject(parsed.encoding), "is missing 'encoding'");
      need(Array.isArray(parsed.manifest), "is missing 'manifest'");
      return {
        type,
        stream: parsed.stream as string,
        encoding: parsed.encoding as { format: string; compression?: string },
        manifest: parsed.manifest as string[],
      };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  // An ExactNumber version (ms epoch never needs it, but accept it rather than fail).
  return (
    typeof value === 'object' &&
    value !== null &&
    'text' in value &&
    Number.isFinite(Number((value as { text: string }).text))
  );
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
