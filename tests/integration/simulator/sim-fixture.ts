import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../../wms-simulator/index.js';

export const DEMO_AUTH = `Basic ${Buffer.from('demo:demo').toString('base64')}`;

export interface Page {
  status: number;
  headers: Headers;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
}

/** A simulator on a free port plus small HTTP helpers; everything goes over real HTTP. */
export class SimFixture {
  private constructor(readonly sim: RunningSimulator) {}

  static async start(options: SimulatorOptions = {}): Promise<SimFixture> {
    return new SimFixture(await startSimulator({ port: 0, ...options }));
  }

  /** `…/wms/lgfapi/v10/entity/` */
  get entityUrl(): string {
    return `${this.sim.baseUrl}/wms/lgfapi/v10/entity/`;
  }

  async get(pathOrUrl: string, init: RequestInit & { auth?: string | null } = {}): Promise<Page> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.entityUrl}${pathOrUrl}`;
    const headers = new Headers(init.headers);
    const auth = init.auth === undefined ? DEMO_AUTH : init.auth;
    if (auth !== null) headers.set('Authorization', auth);
    const res = await fetch(url, { ...init, headers });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  async admin(method: string, path: string, body?: unknown): Promise<Page> {
    const res = await fetch(`${this.sim.url}/__admin/${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
  }

  /** Follows next_page links verbatim from `first` and returns every record. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index records freely
  async drain(first: string): Promise<{ records: any[]; pages: number }> {
    const records: unknown[] = [];
    let url: string | null = first;
    let pages = 0;
    while (url !== null) {
      const page = await this.get(url);
      if (page.status !== 200) throw new Error(`HTTP ${page.status} on page ${pages + 1}: ${page.text.slice(0, 200)}`);
      records.push(...page.json.results);
      url = page.json.next_page;
      pages++;
    }
    return { records, pages };
  }

  close(): Promise<void> {
    return this.sim.close();
  }
}
