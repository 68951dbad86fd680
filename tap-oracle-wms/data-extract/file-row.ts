/** One row of a Data Extract file, before it becomes a REST-shaped record: where it is, and its values. */
export interface FileRow {
  /** The line the row starts on (1-based), for errors. */
  readonly line: number;
  /** CSV: text or null (an unquoted empty field); JSON: the parsed object (numbers exact). */
  readonly values: Record<string, unknown>;
}

/** A file's text is not what its format says; the message names the file and line, never a value. */
export class FileFormatError extends Error {
  readonly line?: number;

  constructor(problem: string, line?: number) {
    super(problem);
    this.line = line;
  }
}
