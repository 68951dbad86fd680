import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_ROWS } from '../../../wms-simulator/index.js';
import { JOB_ENTITIES } from '../../../tools/meltano-yml.js';
import { codeBlocks, markdownSection } from '../../helpers/markdown.js';
import { requireMeltano } from '../../helpers/meltano.js';
import { createTestSchema, requirePg, withClient, type PgConfig, type TestSchema } from '../../helpers/postgres.js';
import { repoRoot } from '../../helpers/repo-root.js';
import { runProcess, type ProcessResult } from '../../helpers/run-bin.js';

/** Exit status of the harness when the README's fixed simulator port is taken by something else. */
const PORT_BUSY = 75;
/**
 * Test runs of every checkout on this machine take turns on the README's fixed simulator port: the lock is in /tmp
 * itself, not in TMPDIR, which scripts/test.sh makes per run (and checks is left empty).
 */
const LOCK_FILE = '/tmp/wms-oracle-pipeline-readme-meltano.lock';

function skipOrFail(ctx: Mocha.Context, reason: string): void {
  if (process.env.CI) throw new Error(`${reason} (CI does not skip)`);
  console.warn(`      skipped: ${reason}`);
  ctx.skip();
}

/**
 * The README's blocks, verbatim, in one bash session (so `export` and `&` carry over), with the harness's own lines
 * around them: stop on the first failing command, refuse a port already in use, wait for the simulator to listen
 * before the next block, and stop what the blocks started in the background.
 */
function harness(blocks: string[], simulatorPort: number): string {
  const listening = `(exec 3<>/dev/tcp/127.0.0.1/${simulatorPort}) 2>/dev/null`;
  return [
    'set -euo pipefail',
    `if ${listening}; then echo "port ${simulatorPort} is already in use" >&2; exit ${PORT_BUSY}; fi`,
    "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
    ...blocks.flatMap((block, i) => [
      `echo "=== README block ${i + 1} ===" >&2`,
      block,
      i === 0 ? `for _ in $(seq 1 600); do if ${listening}; then break; fi; sleep 0.1; done; ${listening}` : '',
    ]),
  ].join('\n');
}

describe('README "## Meltano": its two command blocks run as written (real Meltano 4.4.1, simulator on the port the README gives, PostgreSQL of scripts/pg.sh) @integration', function () {
  this.timeout(900_000);
  let pg: PgConfig;
  let blocks: string[];
  let section: string;
  let schema: TestSchema;
  let dir: string;
  let result: ProcessResult;

  before(async function () {
    requireMeltano(this);
    pg = requirePg(this);
    const status = await runProcess('bash', ['scripts/pg.sh', 'status'], { cwd: repoRoot });
    if (status.exitCode !== 0 || Number(/127\.0\.0\.1:(\d+)/.exec(status.stdout)?.[1]) !== pg.port) {
      skipOrFail(this, `the README's steps use the server of scripts/pg.sh, and TEST_PG_PORT=${pg.port} is not it`);
      return;
    }
    section = markdownSection(await readFile(path.join(repoRoot, 'README.md'), 'utf8'), '## Meltano');
    blocks = codeBlocks(section, 'bash');
    assert.equal(blocks.length, 2, 'the Meltano section has a block that starts the servers and one of commands');
    const port = Number(/wms-simulator\.js --port (\d+)/.exec(blocks[0])?.[1]);
    assert.ok(port > 0, 'block 1 starts the simulator on a fixed port');

    schema = await createTestSchema('readme_meltano', pg);
    dir = await mkdtemp(path.join(os.tmpdir(), 'readme-meltano-'));
    result = await runProcess('flock', ['-w', '600', LOCK_FILE, 'bash', '-c', harness(blocks, port)], {
      cwd: repoRoot,
      timeoutMs: 880_000,
      env: {
        // Where this test differs from a reader's shell: Meltano's system database and run directories in a
        // throwaway folder, and the tables in a schema of their own instead of the dev environment's wms_dev.
        MELTANO_DATABASE_URI: `sqlite:///${path.join(dir, 'meltano.db')}`,
        MELTANO_SYS_DIR_ROOT: path.join(dir, '.meltano'),
        TARGET_ORACLE_DEFAULT_TARGET_SCHEMA: schema.schema,
        TARGET_ORACLE_PORT: undefined,
      },
    });
    if (result.exitCode === PORT_BUSY) skipOrFail(this, `port ${port} is in use: stop the simulator running there`);
  });

  after(async () => {
    await schema?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('every command of both blocks exits 0', () => {
    assert.equal(result.exitCode, 0, `${result.stderr.slice(-6000)}\n${result.stdout.slice(-2000)}`);
  });

  it('`meltano --environment dev config test tap-oracle-wms` passes', () => {
    assert.match(result.stdout, /Plugin configuration is valid/);
  });

  it('`meltano run tap-oracle-wms target-oracle` loaded every row of the 8 entities: the count the README states', async () => {
    const claimed = Number(/([\d,]+) rows into schema wms_dev/.exec(blocks[1])?.[1].replace(/,/g, ''));
    const generated = JOB_ENTITIES.reduce((sum, entity) => sum + DEFAULT_ROWS[entity], 0);
    assert.equal(claimed, generated, "the README's row count is the simulator's default tenant");
    const counts = await withClient(async (c) => {
      const out: Record<string, number> = {};
      for (const entity of JOB_ENTITIES)
        out[entity] = Number(
          (
            await c.query(
              `SELECT count(*) AS n FROM ${c.escapeIdentifier(schema.schema)}.${c.escapeIdentifier(entity)}`,
            )
          ).rows[0].n,
        );
      return out;
    }, pg);
    assert.deepEqual(counts, Object.fromEntries(JOB_ENTITIES.map((entity) => [entity, DEFAULT_ROWS[entity]])));
  });

  it('`meltano state get dev:tap-oracle-wms-to-target-oracle` prints a mod_ts bookmark for each of the 8 entities', () => {
    const line = result.stdoutLines.find((l) => l.includes('"singer_state"'));
    assert.ok(line, result.stdout.slice(-2000));
    const state = JSON.parse(line) as {
      singer_state: { bookmarks: Record<string, { replication_key: string; replication_key_value: string }> };
    };
    assert.deepEqual(Object.keys(state.singer_state.bookmarks).sort(), [...JOB_ENTITIES].sort());
    for (const bookmark of Object.values(state.singer_state.bookmarks))
      assert.equal(bookmark.replication_key, 'mod_ts');
  });

  it('the jobs ran under their own state ids, and `meltano schedule list` shows both schedules of every entity', () => {
    assert.match(result.stderr, /allocation-incremental/);
    assert.match(result.stderr, /order_hdr-full/);
    for (const entity of JOB_ENTITIES) {
      assert.match(result.stdout, new RegExp(`\\b${entity}-weekly-full\\b`), `${entity}-weekly-full`);
      assert.match(result.stdout, new RegExp(`\\b${entity}-every-15-minutes\\b`), `${entity}-every-15-minutes`);
    }
  });
});
