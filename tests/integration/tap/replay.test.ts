import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openBackend, runTarget, type TargetBackend } from '../../helpers/target-backend.js';
import { discoverCatalog, runTap, scratchDir, selectStreams, tapConfig } from './tap-harness.js';
import {
  LINKS_FILE,
  readRealRows,
  type ReplayRow,
  sequencedLink,
  skipWithoutPayloads,
  startReplay,
} from './wms-replay.js';

const RELATIONS = [
  'order_dtl_id',
  'from_inventory_id',
  'to_inventory_id',
  'type_id',
  'wave_id',
  'task_id',
  'alloc_uom_id',
  'cartonize_uom_id',
  'ob_lpn_type_id',
  'mhe_system_id',
];
const TEXT = ['url', 'create_user', 'mod_user', 'pick_user', 'pick_locn_str', 'final_oblpn_nbr'];
const INSTANTS = ['create_ts', 'mod_ts', 'picked_ts'];
const DECIMALS = ['alloc_qty', 'packed_qty'];

/**
 * Our describe of allocation (the real one was never captured): the literals the simulator guesses, or literals the
 * tap has never seen for the id and the relations, which discovery must then recognise from the sampled rows.
 */
function allocationDescribe(relationLiteral: string, idLiteral: string): unknown {
  const fields: Record<string, { type: string; required: boolean }> = { id: { type: idLiteral, required: true } };
  for (const name of TEXT.filter((n) => n !== 'url')) fields[name] = { type: 'varchar', required: false };
  for (const name of INSTANTS) fields[name] = { type: 'datetime', required: false };
  for (const name of RELATIONS) fields[name] = { type: relationLiteral, required: false };
  for (const name of DECIMALS) fields[name] = { type: 'decimal', required: false };
  fields.status_id = { type: 'relation', required: true };
  fields.task_seq_nbr = { type: 'integer', required: false };
  fields.is_picking_flg = { type: 'boolean', required: false };
  for (const name of ['alloc_qty', 'from_inventory_id', 'order_dtl_id']) fields[name].required = true;
  return { parameters: Object.keys(fields), fields };
}

/** `2020-11-20T11:57:01.140431-03:00` → `2020-11-20T14:57:01.140431Z`, microseconds kept (no Date rounding). */
function utc(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})([+-]\d{2}:\d{2})$/.exec(text);
  assert.ok(m, `unexpected instant format ${text}`);
  const seconds = new Date(`${m[1]}${m[3]}`).toISOString().slice(0, 19);
  return `${seconds}.${m[2]}Z`;
}

/** What PostgreSQL must hold for one real row: every field, relations flattened to <base>_id and <base>_key. */
function expected(row: ReplayRow): Record<string, string | null> {
  const real = JSON.parse(row.text) as Record<string, unknown>;
  const out: Record<string, string | null> = { id: String(real.id) };
  for (const name of TEXT) out[name] = real[name] as string;
  for (const name of INSTANTS) out[name] = real[name] === null ? null : utc(real[name] as string);
  for (const name of DECIMALS) out[name] = real[name] as string;
  for (const name of RELATIONS) {
    const relation = real[name] as { id: number; key: string } | null;
    const base = name.slice(0, -'_id'.length);
    out[`${base}_id`] = relation === null ? null : String(relation.id);
    out[`${base}_key`] = relation === null ? null : relation.key;
  }
  out.status_id = String(real.status_id);
  out.task_seq_nbr = String(real.task_seq_nbr);
  out.is_picking_flg = String(real.is_picking_flg);
  return out;
}

describe('replay of real WMS rows and next_page links: tap → target → PostgreSQL, every value exact (real processes)', function () {
  this.timeout(300_000);
  const dir = scratchDir();
  let rows: ReplayRow[];
  let db: TargetBackend;

  before(async function () {
    skipWithoutPayloads(this);
    rows = readRealRows();
    db = await openBackend(this, 'postgres', 'replay');
  });
  after(async () => {
    await db?.close();
  });

  it('the replay writes sequenced next_page links exactly as the real ones (all 137)', function () {
    const links = readFileSync(LINKS_FILE, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    assert.equal(links.length, 137);
    for (const link of links) {
      const url = new URL(link);
      const query = Object.fromEntries(url.searchParams);
      const lastId = Number(/^p=(\d+)$/.exec(atob(query.cursor))?.[1]);
      delete query.cursor;
      // `new URL` drops :443; the real links keep it, and so does the replay (it echoes host:port).
      const origin = `${url.protocol}//${url.hostname}:443`;
      assert.equal(sequencedLink(origin, url.pathname, query, lastId), link);
    }
  });

  const modes: [string, 'paged' | 'sequenced', string, string][] = [
    ['paged mode, describe literals pk/relation', 'paged', 'relation', 'pk'],
    [
      'sequenced mode, describe literals the tap has never seen (recognised from samples)',
      'sequenced',
      'lookup',
      'serial',
    ],
  ];
  for (const [title, mode, relationLiteral, idLiteral] of modes) {
    it(title, async () => {
      const replay = await startReplay({
        entity: 'allocation',
        rows,
        describe: allocationDescribe(relationLiteral, idLiteral),
        env: 'replay',
      });
      try {
        const config = tapConfig(replay.baseUrl, {
          entities: ['allocation'],
          enable_incremental: false,
          full_sync_partitions: 1,
          page_mode: mode,
          page_size: 200,
        });
        const catalog = selectStreams(await discoverCatalog(dir, config), ['allocation']);
        const tap = await runTap({ dir, config, catalog });
        assert.equal(tap.exitCode, 0, tap.stderr);
        assert.deepEqual(tap.report.problems, []);
        assert.equal(tap.report.counts.allocation, rows.length);
        // The tap followed the links it was given: one request per page, the cursor or page as served.
        const pages = replay.requests.filter((r) => r.includes('ordering=id'));
        const served = Math.ceil(rows.length / 200);
        if (mode === 'sequenced') {
          assert.equal(pages.length, served);
          assert.ok(pages.slice(1).every((r) => /[?&]cursor=cD0[^&]*(%3D)*&/.test(r)));
        } else {
          // Paged mode confirms the end with one listing after the last id (an empty answer).
          assert.equal(pages.length, served + 1);
          assert.ok(pages.slice(1, served).every((r) => /[?&]page=\d+&/.test(r)));
          assert.match(pages[served], new RegExp(`[?&]id__gt=${Math.max(...rows.map((row) => row.id))}(&|$)`));
        }

        const output = path.join(dir, `replay-${mode}.singer`);
        writeFileSync(output, tap.stdout);
        const target = await runTarget(db.config, { file: output });
        assert.equal(target.exitCode, 0, target.stderr);
        const loaded = await db.rows('allocation', 'id');
        assert.equal(loaded.length, rows.length);
        const types = await db.query(
          'SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 AND column_name = ANY($2)',
          [
            db.table('allocation').split('.')[1].replaceAll('"', ''),
            ['id', 'alloc_qty', 'create_ts', 'order_dtl_id', 'order_dtl_key'],
          ],
        );
        assert.deepEqual(Object.fromEntries(types.map((t) => [t.column_name, t.data_type])), {
          id: 'bigint',
          alloc_qty: 'numeric',
          create_ts: 'timestamp with time zone',
          order_dtl_id: 'bigint',
          order_dtl_key: 'text',
        });
        const sorted = [...rows].sort((a, b) => a.id - b.id);
        sorted.forEach((row, i) => {
          const want = expected(row);
          const got = Object.fromEntries(Object.keys(want).map((key) => [key, loaded[i][key]]));
          assert.deepEqual(got, want, `allocation id ${row.id}`);
        });
      } finally {
        await replay.close();
      }
    });
  }
});
