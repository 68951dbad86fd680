import { Writable } from 'node:stream';
import {
  createLogger,
  type Logger,
  MessageWriter,
  Metrics,
  parseJsonExact,
  type SingerMessage,
} from '../../../singer/index.js';

/** A writable that keeps everything written, for stdout/stderr captures. */
export class Capture extends Writable {
  text = '';

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString('utf8');
    done();
  }

  lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }

  messages(): SingerMessage[] {
    return this.lines().map((line) => parseJsonExact(line) as SingerMessage);
  }
}

export function testLogger(): { logger: Logger; metrics: Metrics; stderr: Capture } {
  const stderr = new Capture();
  const logger = createLogger({ name: 'tap-oracle-wms', env: {}, out: stderr });
  return { logger, metrics: new Metrics(logger), stderr };
}

export function testWriter(): { writer: MessageWriter; stdout: Capture } {
  const stdout = new Capture();
  return { writer: new MessageWriter(stdout), stdout };
}

export { expect } from 'chai';
