import { ExitCode, SourceError } from '../../../../singer/index.js';
import { BasicAuth } from '../../../../tap-oracle-wms/http/auth.js';
import { WmsClient } from '../../../../tap-oracle-wms/http/client.js';
import { RetryPolicy } from '../../../../tap-oracle-wms/http/retry.js';
import type { Transport, TransportRequest, TransportResponse } from '../../../../tap-oracle-wms/http/transport.js';
import { type ExportRequest, parseExportStatus, pushBody } from '../../../../tap-oracle-wms/data-extract/export-api.js';
import { type ModuleCaller, runExport } from '../../../../tap-oracle-wms/data-extract/export-follow.js';
import { expect, testLogger } from '../helpers.js';

const REQUEST: ExportRequest = {
  entity: 'order_hdr',
  filter: { mod_ts__gte: '2026-11-01T00:00:00Z' },
  endpointName: 'dx-store',
  objectStorePath: 'exports/run-1/',
  fileFormat: 'csv',
  fileSizeInMb: 10,
  compressed: true,
  uniqueIdentifier: 'tap-run-1-order_hdr',
};

const status = (state: string, prefix: string | null = null) => ({
  status: state,
  entities: [{ entity: 'order_hdr', status: state, file_prefix: prefix }],
});

/** Answers status polls from a script (the trigger's answer is `{}`), keeping every call. */
class ScriptedExport implements ModuleCaller {
  readonly calls: { path: string; query?: string; body?: unknown }[] = [];
  readonly #answers: unknown[];

  constructor(answers: unknown[]) {
    this.#answers = answers;
  }

  moduleCall(path: string, request: { query?: URLSearchParams; body?: unknown }): Promise<unknown> {
    this.calls.push({ path, query: request.query?.toString(), body: request.body });
    if (request.body !== undefined) return Promise.resolve({});
    const next = this.#answers.length > 1 ? this.#answers.shift() : this.#answers[0];
    return Promise.resolve(next);
  }
}

/** A clock that moves only when the follower waits: no real time passes. */
function fakeTime() {
  let ms = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => ms,
    wait: (delay: number) => {
      waits.push(delay);
      ms += delay;
      return Promise.resolve();
    },
  };
}

async function failure(work: Promise<unknown>): Promise<SourceError> {
  try {
    await work;
  } catch (error) {
    expect(error).to.be.instanceOf(SourceError);
    return error as SourceError;
  }
  throw new Error('expected a failure');
}

describe('tap Data Extract trigger/status adapter (unverified API) and its follower', () => {
  it('POSTs the trigger body and GETs the status through WmsClient at …/wms/lgfapi/v10/data_extract/…', async () => {
    const requests: TransportRequest[] = [];
    const answers = [{}, status('COMPLETED', 'exports/run-1/order_hdr_')];
    const transport: Transport = {
      send(request: TransportRequest): Promise<TransportResponse> {
        requests.push(request);
        return Promise.resolve({
          status: 200,
          headers: { 'content-type': 'application/json' },
          text: JSON.stringify(answers.shift()),
        });
      },
      close() {},
    };
    const { logger, metrics } = testLogger();
    const client = new WmsClient({
      baseUrl: 'https://h/env/',
      apiVersion: 'v10',
      transport,
      auth: new BasicAuth('demo', 'fake-password'),
      retry: new RetryPolicy({ maxRetries: 0, initialSeconds: 0.001, maxSeconds: 0.001 }, () => 0),
      timeoutMs: 1000,
      maxConcurrentRequests: 1,
      ratePerSecond: 0,
      headers: {},
      logger,
      metrics,
    });
    const time = fakeTime();
    const done = await runExport(client, REQUEST, {
      pollInitialSeconds: 1,
      pollMaxSeconds: 4,
      timeoutSeconds: 60,
      logger,
      ...time,
    });
    expect(done.entities).to.deep.equal([
      { entity: 'order_hdr', status: 'COMPLETED', filePrefix: 'exports/run-1/order_hdr_' },
    ]);
    expect(requests.map((r) => [r.method, r.url])).to.deep.equal([
      ['POST', 'https://h/env/wms/lgfapi/v10/data_extract/push_to_object_store'],
      ['GET', 'https://h/env/wms/lgfapi/v10/data_extract/export_async_status?unique_identifier=tap-run-1-order_hdr'],
    ]);
    expect(requests[0].headers['Content-Type']).to.equal('application/json');
    expect(JSON.parse(requests[0].body!)).to.deep.equal({
      options: {
        endpoint: { name: 'dx-store', object_store_path: 'exports/run-1/' },
        file_format: 'CSV',
        file_size_in_mb: 10,
        compressed: true,
        unique_identifier: 'tap-run-1-order_hdr',
      },
      parameters: {
        entities: [{ entity: 'order_hdr', fields: [], filter: { mod_ts__gte: '2026-11-01T00:00:00Z' } }],
      },
    });
    expect(requests[1].body).to.equal(undefined);
  });

  it('polls with doubling waits bounded by pollMaxSeconds, reporting each status, until COMPLETED', async () => {
    const wms = new ScriptedExport([
      ...Array.from({ length: 5 }, () => status('IN_PROGRESS')),
      status('COMPLETED', 'exports/run-1/order_hdr_'),
    ]);
    const seen: string[] = [];
    const time = fakeTime();
    const { logger, stderr } = testLogger();
    await runExport(wms, REQUEST, {
      pollInitialSeconds: 1,
      pollMaxSeconds: 4,
      timeoutSeconds: 600,
      logger,
      onStatus: (s) => {
        seen.push(s.status);
        return Promise.resolve();
      },
      ...time,
    });
    expect(time.waits).to.deep.equal([1000, 2000, 4000, 4000, 4000]);
    expect(seen).to.deep.equal([...Array.from({ length: 5 }, () => 'IN_PROGRESS'), 'COMPLETED']);
    expect(wms.calls[0]).to.deep.equal({
      path: 'data_extract/push_to_object_store',
      query: undefined,
      body: pushBody(REQUEST),
    });
    expect(stderr.text).to.include(
      "order_hdr: the Data Extract export of 'order_hdr' ('tap-run-1-order_hdr') is IN_PROGRESS",
    );
    expect(stderr.text).to.include('is COMPLETED after 15 s');
  });

  it('a status stuck IN_PROGRESS ends with a retriable SourceError (exit 4) at the timeout, naming entity and identifier', async () => {
    const time = fakeTime();
    const error = await failure(
      runExport(new ScriptedExport([status('IN_PROGRESS')]), REQUEST, {
        pollInitialSeconds: 5,
        pollMaxSeconds: 30,
        timeoutSeconds: 120,
        logger: testLogger().logger,
        ...time,
      }),
    );
    expect(error.exitCode).to.equal(ExitCode.Source);
    expect(error.retriable).to.equal(true);
    expect(error.message).to.match(
      /export of 'order_hdr' \('tap-run-1-order_hdr'\) is still IN_PROGRESS after \d+ s, past the export timeout \(120 s\)/,
    );
    expect(time.now()).to.be.at.most(120_000);
    expect(time.waits).to.deep.equal([5000, 10000, 20000, 30000, 30000]);
  });

  it('a FAILED export (cumulative or per entity) ends with a SourceError (exit 4) naming it', async () => {
    for (const answer of [
      status('FAILED'),
      { status: 'IN_PROGRESS', entities: [{ entity: 'order_hdr', status: 'FAILED', file_prefix: null }] },
    ]) {
      const error = await failure(
        runExport(new ScriptedExport([answer]), REQUEST, {
          pollInitialSeconds: 1,
          pollMaxSeconds: 1,
          timeoutSeconds: 60,
          logger: testLogger().logger,
          ...fakeTime(),
        }),
      );
      expect(error.exitCode).to.equal(ExitCode.Source);
      expect(error.message).to.include(
        "export of 'order_hdr' ('tap-run-1-order_hdr') FAILED in WMS (order_hdr FAILED)",
      );
    }
  });

  it('an answer of another shape is a SourceError naming the field and the unverified API', () => {
    const cases: [unknown, RegExp][] = [
      [{ status: 'DONE', entities: [] }, /status is 'DONE', not one of IN_PROGRESS, COMPLETED, FAILED/],
      [{ status: 'COMPLETED' }, /entities is not a list/],
      [{ status: 'COMPLETED', entities: [{ status: 'COMPLETED' }] }, /entities\[0\]\.entity is not text/],
      [{ status: 'COMPLETED', entities: [{ entity: 'x', status: 'COMPLETED', file_prefix: 3 }] }, /file_prefix/],
      [[], /the answer is not an object/],
    ];
    for (const [answer, message] of cases) {
      let thrown: unknown;
      try {
        parseExportStatus(answer, 'id-1');
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(answer)).to.be.instanceOf(SourceError);
      expect((thrown as Error).message)
        .to.match(message)
        .and.include("export_async_status for 'id-1' (an unverified API");
    }
    expect(parseExportStatus(status('IN_PROGRESS', ''), 'id-1').entities[0].filePrefix).to.equal(undefined);
  });
});
