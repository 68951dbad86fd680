import assert from 'node:assert/strict';
import { openBackend, runTarget, type TargetBackend } from '../helpers/target-backend.js';
import { captureOutputs } from '../helpers/captured-output.js';

captureOutputs();

function schemaLine(stream: string, datatype: string): string {
  return JSON.stringify({
    type: 'SCHEMA',
    stream,
    schema: { properties: { id: { type: 'integer' }, v: { type: 'string', 'x-sql-datatype': datatype } } },
    key_properties: ['id'],
  });
}

describe('reliability: SQL through x-sql-datatype (issue 15 item 2, real PostgreSQL)', function () {
  this.timeout(60_000);
  let backend: TargetBackend;
  before(async function () {
    backend = await openBackend(this, 'postgres', 'sqltype');
  });
  after(async () => backend?.close());

  const columnsOf = async (stream: string): Promise<string[]> =>
    (
      await backend.query(
        `SELECT column_name || ' ' || data_type AS c FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
        [String(backend.config.default_target_schema), `${String(backend.config.table_prefix)}${stream}`],
      )
    ).map((row) => String(row.c));

  for (const [stream, datatype] of [
    ['added_column', 'TEXT, INJECTED INTEGER'],
    ['check_clause', 'INTEGER CHECK (pg_terminate_backend(pg_backend_pid()) IS NOT NULL)'],
  ] as const) {
    it(`${JSON.stringify(datatype)}: exit 3 naming stream and field; no table, nothing ran`, async () => {
      const input = `${schemaLine(stream, datatype)}\n{"type":"RECORD","stream":"${stream}","record":{"id":1,"v":"1"}}\n`;
      const result = await runTarget(backend.config, input);
      assert.equal(result.exitCode, 3, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `x-sql-datatype .* is not a postgres type name with numeric parameters \\(stream '${stream}', field 'v'\\)`,
        ),
      );
      assert.deepEqual(await columnsOf(stream), []);
    });
  }

  it('a type name with numeric parameters is used, rebuilt from its parts', async () => {
    const input = `${schemaLine('money', 'numeric( 12 , 2 )')}\n{"type":"RECORD","stream":"money","record":{"id":1,"v":"12.5"}}\n`;
    const result = await runTarget(backend.config, input);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual(await columnsOf('money'), ['id bigint', 'v numeric']);
    const [row] = await backend.query(
      `SELECT numeric_precision, numeric_scale FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = $2 AND column_name = 'v'`,
      [String(backend.config.default_target_schema), `${String(backend.config.table_prefix)}money`],
    );
    assert.deepEqual(row, { numeric_precision: 12, numeric_scale: 2 });
    assert.deepEqual(await backend.rows('money', 'id'), [{ id: '1', v: '12.50' }]);
  });
});
