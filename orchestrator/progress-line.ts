import type { Writable } from 'node:stream';

/**
 * One line rewritten in place on a TTY (rows, rows/s, elapsed, busiest streams), fed from the METRIC lines of the
 * tap (rows sent) and the target (rows committed). Not used when the output is not a terminal.
 */
export class ProgressLine {
  readonly #out: Writable & { columns?: number };
  readonly #started = Date.now();
  #timer: NodeJS.Timeout | undefined;
  #sent: Record<string, number> = {};
  #loaded: Record<string, number> = {};
  #drawn = false;

  constructor(
    out: Writable,
    private readonly label: string,
  ) {
    this.#out = out;
  }

  start(intervalMs = 500): void {
    this.#timer = setInterval(() => this.draw(), intervalMs);
    this.#timer.unref();
  }

  update(source: 'tap' | 'target', stream: string, rows: number): void {
    const table = source === 'tap' ? this.#sent : this.#loaded;
    table[stream] = (table[stream] ?? 0) + rows;
  }

  render(now = Date.now()): string {
    const elapsed = (now - this.#started) / 1000;
    const sum = (t: Record<string, number>): number => Object.values(t).reduce((a, b) => a + b, 0);
    const loaded = sum(this.#loaded);
    const sent = sum(this.#sent);
    const rate = elapsed > 0 ? Math.round(loaded / elapsed) : 0;
    const m = Math.floor(elapsed / 60);
    const s = Math.floor(elapsed % 60);
    const streams = Object.entries(this.#loaded)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ');
    return `${this.label}: ${loaded} rows loaded (${sent} read), ${rate} rows/s, ${m}:${String(s).padStart(2, '0')} elapsed${streams ? ` [${streams}]` : ''}`;
  }

  draw(): void {
    const width = this.#out.columns ?? 120;
    this.#out.write(`\r\x1b[K${this.render().slice(0, width - 1)}`);
    this.#drawn = true;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#drawn) this.#out.write('\r\x1b[K');
  }
}
