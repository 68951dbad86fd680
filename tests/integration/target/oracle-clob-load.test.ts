// node:assert, not chai: chai 6 ships no types.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  FakeOracledb,
  inProcessLink,
  RULES_PASSWORD,
  rulesConnectionConfig,
  RulesBackend,
  rulesProcessEnv,
  serveRules,
  type BackendOptions,
  type RulesServer,
} from '../../helpers/oracle-rules/index.js';
import { runBin } from '../../helpers/run-bin.js';

const SCHEMA = {
  type: 'SCHEMA',
  stream: 'order_hdr',
  key_properties: ['id'],
  schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      status: { type: ['string', 'null'], maxLength: 20 },
      notes: { type: ['string', 'null'], maxLength: 100000 },
      order_dtl_set: { type: ['object', 'null'] },
    },
  },
};

/** Long values around both string limits (4,000 bytes STANDARD, 32,767 EXTENDED), multi-byte ones included. */
function notes(i: number, round: number): string | null {
  const tag = `r${round}-${i}:`;
  switch (i % 50) {
    case 1:
      return `${tag}${'a'.repeat(4001)}`;
    case 2:
      return `${tag}${'é'.repeat(2500)}`; // 5,000+ bytes, 2,500+ characters
    case 3:
      return `${tag}${'z'.repeat(40_000)}`;
    case 4:
      return `${tag}${'€'.repeat(11_000)}`; // 33,000+ bytes
    default:
      return i % 8 === 0 ? null : `${tag}${'x'.repeat(i % 300)}`;
  }
}

function record(i: number, round: number): Record<string, unknown> {
  return {
    id: i,
    status: `S${round}`,
    notes: notes(i, round),
    order_dtl_set:
      i % 10 === 0 ? null : { result_count: i, url: `https://wms.example/${'p'.repeat(i % 97 === 0 ? 33_000 : 10)}` },
  };
}

function singer(ids: number[], round: number): string {
  const lines: unknown[] = [
    SCHEMA,
    ...ids.map((i) => ({ type: 'RECORD', stream: 'order_hdr', record: record(i, round) })),
  ];
  lines.push({ type: 'STATE', value: { bookmarks: { order_hdr: { round, rows: ids.length } } } });
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
}

/**
 * Tables with CLOB columns load with STRING binds into the staging table and one MERGE (rules session: a model of
 * Oracle's documented rules, not Oracle; the real target process talks to it through the fake driver).
 */
describe('target-oracle CLOB columns (rules session: real target process, modelled Oracle)', function () {
  this.timeout(600_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'oracle-clob-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function load(server: RulesServer, input: string, extra: Record<string, unknown> = {}) {
    const config = path.join(dir, `config-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(
      config,
      JSON.stringify({
        ...rulesConnectionConfig(server),
        batch_size_rows: 1000,
        ...extra,
      }),
    );
    // The rules session evaluates joins row by row: generous on a loaded machine.
    const result = await runBin('target-oracle', ['--config', config], {
      input,
      env: rulesProcessEnv(),
      timeoutMs: 300_000,
    });
    assert.equal(result.exitCode, 0, result.stderr);
    return result;
  }

  async function readBack(backend: RulesBackend): Promise<Map<number, unknown[]>> {
    const oracledb = new FakeOracledb(inProcessLink(backend));
    oracledb.fetchAsString = [oracledb.DB_TYPE_CLOB];
    const connection = await oracledb.getConnection({
      user: 'test',
      password: RULES_PASSWORD,
      connectString: '127.0.0.1:1521/FREEPDB1',
    });
    try {
      await connection.execute("ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '.,' TIME_ZONE = '+00:00'");
      const result = await connection.execute(
        'SELECT "ID", "STATUS", "NOTES", "ORDER_DTL_SET" FROM "ORDER_HDR" ORDER BY "ID"',
      );
      return new Map((result.rows as unknown[][]).map((row) => [Number(row[0]), row.slice(1)]));
    } finally {
      await connection.close();
    }
  }

  /** Compares without printing values (some are 40,000 characters): names the row and column that differ. */
  function assertRow(rows: Map<number, unknown[]>, i: number, round: number): void {
    const want = expected(i, round);
    const got = rows.get(i);
    assert.ok(got, `row ${i} is missing`);
    ['STATUS', 'NOTES', 'ORDER_DTL_SET'].forEach((column, c) =>
      assert.ok(
        got[c] === want[c],
        `row ${i} column ${column}: ${typeof got[c] === 'string' ? `${Buffer.byteLength(got[c])} bytes` : String(got[c])} read back, ${typeof want[c] === 'string' ? `${Buffer.byteLength(want[c])} bytes` : String(want[c])} sent`,
      ),
    );
  }

  function expected(i: number, round: number): unknown[] {
    const r = record(i, round);
    // Oracle stores '' as NULL; none of these values is empty.
    return [r.status, r.notes, r.order_dtl_set === null ? null : JSON.stringify(r.order_dtl_set)];
  }

  for (const [label, options] of [
    ['MAX_STRING_SIZE = STANDARD', {}],
    ['MAX_STRING_SIZE = EXTENDED', { maxStringSize: 'EXTENDED' }],
  ] as [string, BackendOptions][]) {
    it(`${label}: values exact (strings over 4,000 and 32,767 bytes), no temporary LOB, a few round trips per 1,000 rows`, async () => {
      const backend = new RulesBackend(options);
      const server = await serveRules(backend);
      try {
        await load(server, singer([], 1));
        const before = { ...backend.stats };
        const first = Array.from({ length: 1000 }, (_, i) => i + 1);
        const r1 = await load(server, singer(first, 1));
        const roundTrips = backend.stats.roundTrips - before.roundTrips;
        assert.equal(backend.stats.temporaryLobs, 0, 'no CLOB bind: Thin would create a temporary LOB per value');
        // The empty run already paid the connection and DDL; the load is the stage INSERT, the count, the MERGE and
        // the COMMIT plus the SCHEMA's table checks. CLOB binds would cost two more per non-empty value (~1,800).
        assert.ok(roundTrips <= 20, `round trips for 1,000 rows: ${roundTrips}`);
        assert.deepEqual(
          r1.stdoutLines.map((l) => JSON.parse(l) as unknown),
          [{ bookmarks: { order_hdr: { round: 1, rows: 1000 } } }],
        );
        let rows = await readBack(backend);
        assert.equal(rows.size, 1000);
        for (const i of first) assertRow(rows, i, 1);

        // Upsert: some rows again with new long values (MERGE's update branch), new rows beside them.
        const second = Array.from({ length: 200 }, (_, i) => i + 901);
        const r2 = await load(server, singer(second, 2));
        assert.match(r2.stderr, /"metric":"rows_updated","value":100/);
        assert.match(r2.stderr, /"metric":"rows_inserted","value":100/);
        rows = await readBack(backend);
        assert.equal(rows.size, 1100);
        for (let i = 1; i <= 1100; i += 1) assertRow(rows, i, i <= 900 ? 1 : 2);
        assert.equal(backend.stats.temporaryLobs, 0);
      } finally {
        await server.close();
      }
    });
  }

  it('append-only: a plain INSERT takes the long values as STRING binds too', async () => {
    const backend = new RulesBackend();
    const server = await serveRules(backend);
    try {
      const ids = Array.from({ length: 40 }, (_, i) => i + 1);
      await load(server, singer(ids, 1), { load_method: 'append-only' });
      assert.equal(backend.stats.temporaryLobs, 0);
      const rows = await readBack(backend);
      for (const i of ids) assertRow(rows, i, 1);
    } finally {
      await server.close();
    }
  });
});
