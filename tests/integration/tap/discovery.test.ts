import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Catalog } from '../../../singer/index.js';
import { repoRoot } from '../../helpers/repo-root.js';
import { runBin } from '../../helpers/run-bin.js';
import { startSim, type Sim } from './sim.js';
import { scratchDir, tapConfig, writeJson } from './tap-harness.js';

const GOLDEN = path.join(repoRoot, 'catalogs/tap-oracle-wms.catalog.json');

describe('tap-oracle-wms discovery (real tap process against the in-process wms-simulator, default tenant)', function () {
  this.timeout(120_000);
  let sim: Sim;
  const dir = scratchDir();
  before(async () => {
    sim = await startSim();
  });
  after(async () => {
    await sim?.close();
  });

  it('--discover equals the committed catalogs/tap-oracle-wms.catalog.json (golden; regenerate with scripts/update-catalog.sh)', async () => {
    const config = writeJson(dir, 'config.json', tapConfig(sim.baseUrl));
    // Meltano passes --state with --discover: accepted and ignored.
    const state = writeJson(dir, 'state.json', { bookmarks: {} });
    const result = await runBin('tap-oracle-wms', ['--config', config, '--discover', '--state', state]);
    expect(result.exitCode, result.stderr).to.equal(0);
    expect(result.stdout.trimEnd()).to.equal(readFileSync(GOLDEN, 'utf8').trimEnd());
  });

  it('the catalog follows the rules: sorted streams, key ["id"], mod_ts ⇒ INCREMENTAL else forced FULL_TABLE, automatic key and replication key', () => {
    const catalog = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Catalog;
    const names = catalog.streams.map((s) => s.tap_stream_id);
    expect(names).to.deep.equal([...names].sort());
    expect(names).to.include.members([
      'allocation',
      'order_hdr',
      'order_dtl',
      'item',
      'location',
      'inventory',
      'facility',
    ]);
    let incremental = 0;
    let full = 0;
    for (const entry of catalog.streams) {
      const props = entry.schema.properties ?? {};
      expect(entry.key_properties, entry.stream).to.deep.equal(['id']);
      expect(props.id, entry.stream).to.deep.equal({ type: 'integer' });
      const stream = entry.metadata?.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};
      const inclusion = (name: string) => entry.metadata?.find((m) => m.breadcrumb[1] === name)?.metadata.inclusion;
      expect(inclusion('id')).to.equal('automatic');
      if ('mod_ts' in props) {
        incremental += 1;
        expect(entry.replication_method).to.equal('INCREMENTAL');
        expect(stream['valid-replication-keys']).to.deep.equal(['mod_ts']);
        expect(inclusion('mod_ts')).to.equal('automatic');
      } else {
        full += 1;
        expect(stream['forced-replication-method']).to.equal('FULL_TABLE');
      }
      for (const [name, schema] of Object.entries(props)) {
        expect(name, `${entry.stream}.${name}`).to.not.match(/_id_id$|_id_key$/);
        if (name.endsWith('_key')) expect(schema.type, `${entry.stream}.${name}`).to.deep.equal(['string', 'null']);
      }
    }
    expect(incremental).to.be.greaterThan(0);
    expect(full).to.be.greaterThan(0);
    const allocation = catalog.streams.find((s) => s.stream === 'allocation')!.schema.properties!;
    expect(allocation.from_inventory_id.type).to.include('integer');
    expect(allocation.from_inventory_key).to.deep.equal({ type: ['string', 'null'] });
    expect(allocation.mod_ts.format).to.equal('date-time');
    expect(allocation.alloc_qty.type).to.include('number');
  });

  it('keys seen in records but missing from describe are added (order_hdr facility_id, url)', () => {
    const catalog = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Catalog;
    const props = catalog.streams.find((s) => s.stream === 'order_hdr')!.schema.properties!;
    expect(props).to.have.property('url');
    expect(props).to.have.property('facility_id');
    expect(props).to.have.property('facility_key');
  });

  it('entities and exclude_entities globs narrow discovery', async () => {
    const config = writeJson(
      dir,
      'config.json',
      tapConfig(sim.baseUrl, { entities: ['order_*', 'allocation'], exclude_entities: ['order_dtl'] }),
    );
    const result = await runBin('tap-oracle-wms', ['--config', config, '--discover']);
    expect(result.exitCode, result.stderr).to.equal(0);
    const names = (JSON.parse(result.stdout) as Catalog).streams.map((s) => s.stream);
    expect(names).to.include('allocation').and.include('order_hdr').and.not.include('order_dtl');
    expect(names.every((n) => n === 'allocation' || n.startsWith('order_'))).to.equal(true);
  });
});
