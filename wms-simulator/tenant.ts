import { hashString } from './prng.js';
import { VirtualTable, type IdLayout } from './virtual-table.js';
import type { BuildContext } from './build-context.js';
import type { EntityDef } from './entity-def.js';
import { buildAllocation } from './entities/allocation.js';
import { buildCompany } from './entities/company.js';
import { buildContainer } from './entities/container.js';
import { buildContainerView, buildDescribeOnly } from './entities/describe-only.js';
import { DESCRIBE_ONLY_ENTITIES } from './entities/entity-names.js';
import { buildFacility, facilitySeed } from './entities/facility.js';
import { buildInventory } from './entities/inventory.js';
import { buildItem } from './entities/item.js';
import { buildLocation } from './entities/location.js';
import { buildOrderDtl } from './entities/order-dtl.js';
import { buildOrderHdr } from './entities/order-hdr.js';
import { buildOrderStatus } from './entities/order-status.js';
import { buildTask } from './entities/task.js';
import { buildUom } from './entities/uom.js';
import { buildWave } from './entities/wave.js';

/** Entities with generated rows, their default row counts and their id layouts (sparse, large ids). */
export const GENERATED_ENTITIES: Readonly<
  Record<string, { rows: number; ids: IdLayout; build: (ctx: BuildContext) => EntityDef }>
> = {
  company: { rows: 2, ids: { base: 1, stride: 1 }, build: buildCompany },
  facility: { rows: 3, ids: { base: 11, stride: 1 }, build: buildFacility },
  uom: { rows: 8, ids: { base: 1, stride: 1 }, build: buildUom },
  order_status: { rows: 10, ids: { base: 0, stride: 10 }, build: buildOrderStatus },
  item: { rows: 500, ids: { base: 77001, stride: 7 }, build: buildItem },
  location: { rows: 800, ids: { base: 901001, stride: 3 }, build: buildLocation },
  inventory: { rows: 2000, ids: { base: 41_000_001, stride: 4 }, build: buildInventory },
  container: { rows: 1500, ids: { base: 7_000_001, stride: 2 }, build: buildContainer },
  order_hdr: { rows: 1000, ids: { base: 88_100_001, stride: 5 }, build: buildOrderHdr },
  order_dtl: { rows: 3000, ids: { base: 316_000_001, stride: 3 }, build: buildOrderDtl },
  wave: { rows: 100, ids: { base: 5_080_001, stride: 3 }, build: buildWave },
  task: { rows: 2500, ids: { base: 9_900_001, stride: 2 }, build: buildTask },
  allocation: { rows: 5000, ids: { base: 49_000_001, stride: 3 }, build: buildAllocation },
};

export interface TenantOptions {
  seed: number;
  rows: Readonly<Record<string, number>>;
  /** Newest generated mod_ts, epoch ms. */
  dataEpochMs: number;
  /** How far back generated mod_ts values reach, days. */
  historyDays: number;
}

/**
 * Every entity of the simulated tenant as a {@link VirtualTable}: the generated ones and the
 * describe-only ones (zero rows), sorted by name as the entity list shows them.
 */
export class Tenant {
  readonly tables = new Map<string, VirtualTable>();
  readonly names: readonly string[];
  readonly defaultZone: string;

  constructor(readonly options: TenantOptions) {
    const rowCount = (name: string) => options.rows[name] ?? GENERATED_ENTITIES[name]?.rows ?? 0;
    const facilities = rowCount('facility');
    this.defaultZone = facilitySeed(0).zone;
    const ctx: BuildContext = {
      seed: options.seed,
      table: (name) => this.tables.get(name)!,
      rowCount,
      facilityZone: (i) => (facilities > 0 ? facilitySeed(i).zone : this.defaultZone),
      defaultZone: this.defaultZone,
    };
    const modTs = { endUs: options.dataEpochMs * 1000, spanUs: options.historyDays * 86_400_000_000 };
    const add = (def: EntityDef, rows: number, ids: IdLayout) => {
      this.tables.set(def.name, new VirtualTable(def, rows, ids, modTs, hashString(`${options.seed}:${def.name}:ids`)));
    };
    for (const [name, spec] of Object.entries(GENERATED_ENTITIES)) add(spec.build(ctx), rowCount(name), spec.ids);
    const container = this.tables.get('container')!.def;
    for (const name of DESCRIBE_ONLY_ENTITIES) {
      const def =
        name === 'iblpn' || name === 'oblpn' ? buildContainerView(container, name) : buildDescribeOnly(ctx, name);
      add(def, 0, { base: 1, stride: 1 });
    }
    this.names = [...this.tables.keys()].sort();
  }

  table(name: string): VirtualTable | undefined {
    return this.tables.get(name);
  }

  /** Changes whenever any table changes (filters may traverse into other tables). */
  get version(): number {
    let v = 0;
    for (const table of this.tables.values()) v += table.version;
    return v;
  }

  reset(): void {
    for (const table of this.tables.values()) table.reset();
  }
}
