import { FaultPlan } from './fault-plan.js';
import { formatTimestamp, parseTimestamp } from './time-zone.js';
import { defaultValue, valueFromJson } from './row-values.js';
import { VirtualTable, type StoredRow } from './virtual-table.js';
import type { AuthService } from './auth.js';
import type { SimClock } from './clock.js';
import type { DataExtractService } from './data-extract-service.js';
import type { Value } from './entity-def.js';
import type { RequestLog, RequestLogEntry } from './request-log.js';
import type { RuntimeSettings } from './simulator-options.js';
import type { Tenant } from './tenant.js';

/** A mistake in an admin call (unknown entity or field, bad value); the HTTP layer answers 400/404. */
export class AdminError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const ADMIN_USER = 'wms_api';

/**
 * What tests do to the simulated tenant: write rows (updates stamp mod_ts with the simulator clock
 * unless a mod_ts is given, which is how late commits are simulated), delete and purge, move the
 * clock, change faults and settings, read the request log. The HTTP admin API calls the same methods.
 */
export class SimulatorAdmin {
  private faultPlan: FaultPlan;

  constructor(
    private readonly tenant: Tenant,
    readonly clock: SimClock,
    private readonly settings: RuntimeSettings,
    private readonly initialSettings: Readonly<RuntimeSettings>,
    private readonly auth: AuthService,
    private readonly log: RequestLog,
    private readonly initialFaults: string,
    private readonly seed: number,
    /** Object stores and exports of Data Extract (the admin API configures stores and lists exports). */
    readonly dataExtract: DataExtractService,
  ) {
    this.faultPlan = FaultPlan.parse(initialFaults, seed);
  }

  get faults(): FaultPlan {
    return this.faultPlan;
  }

  setFaults(spec: string): void {
    try {
      this.faultPlan = FaultPlan.parse(spec, this.seed);
    } catch (e) {
      throw new AdminError((e as Error).message);
    }
  }

  updateSettings(patch: Partial<RuntimeSettings>): RuntimeSettings {
    const current = new Map<string, unknown>(Object.entries(this.settings));
    for (const [key, value] of Object.entries(patch)) {
      if (!current.has(key)) throw new AdminError(`unknown setting '${key}'`);
      if (typeof value !== typeof current.get(key)) throw new AdminError(`setting '${key}' has the wrong type`);
      if (key === 'dataExtractBytesPerMb' && !(Number.isSafeInteger(value) && (value as number) > 0))
        throw new AdminError("setting 'dataExtractBytesPerMb' needs a positive integer");
    }
    Object.assign(this.settings, patch);
    return { ...this.settings };
  }

  getSettings(): RuntimeSettings {
    return { ...this.settings };
  }

  /** Inserts a row; returns its id (allocated above every generated id unless `values.id` is given). */
  insert(entity: string, values: Record<string, unknown>): number {
    const table = this.table(entity);
    const id = values.id === undefined ? table.allocateId() : this.convertId(values.id);
    if (table.resolve(id) !== null) throw new AdminError(`${entity} ${id} already exists`, 409);
    table.reserveId(id);
    const now = this.clock.nowUs();
    const row: Value[] = table.def.fields.map((f) => {
      if (f.name === 'id') return id;
      if (f.name === 'create_ts' || f.name === 'mod_ts') return now;
      if (f.name === 'create_user' || f.name === 'mod_user') return ADMIN_USER;
      return defaultValue(f);
    });
    this.apply(table, row, values, ['id']);
    table.store({ id, values: row, zone: this.zoneFor(table, row) });
    return id;
  }

  /** Changes fields of a row; mod_ts becomes the simulator's now unless `values.mod_ts` is given. */
  update(entity: string, id: number, values: Record<string, unknown>): void {
    const table = this.table(entity);
    const ref = table.resolve(id);
    if (ref === null) throw new AdminError(`${entity} ${id} does not exist`, 404);
    const row = table.materialise(ref);
    const modTs = table.fieldPos.get('mod_ts');
    if (modTs !== undefined) row[modTs] = this.clock.nowUs();
    const modUser = table.fieldPos.get('mod_user');
    if (modUser !== undefined) row[modUser] = ADMIN_USER;
    this.apply(table, row, values, ['id']);
    const stored: StoredRow = { id, values: row, zone: table.zoneOf(ref) };
    if ('facility_id' in values) stored.zone = this.zoneFor(table, row);
    table.store(stored);
  }

  delete(entity: string, id: number): boolean {
    return this.table(entity).remove(id);
  }

  /**
   * Removes the oldest rows, as WMS's scheduled purge does: every row whose mod_ts is before
   * `modTsBefore` and/or whose id is below `idBelow`. Returns how many rows went.
   */
  purge(entity: string, criteria: { modTsBefore?: string; idBelow?: number }): number {
    const table = this.table(entity);
    let cutoffUs: number | null = null;
    if (criteria.modTsBefore !== undefined) {
      if (!table.def.hasModTs) throw new AdminError(`${entity} has no mod_ts`);
      const parsed = parseTimestamp(criteria.modTsBefore, this.tenant.defaultZone);
      if (!parsed.ok) throw new AdminError('modTsBefore is not an ISO-8601 date-time');
      cutoffUs = parsed.epochUs;
    }
    const idBelow = criteria.idBelow;
    if (cutoffUs === null && idBelow === undefined) throw new AdminError('purge needs modTsBefore or idBelow');
    let index = table.count;
    if (cutoffUs !== null)
      index = Math.min(
        index,
        VirtualTable.lowerBound(0, table.count, (i) => table.modTsAt(i) >= cutoffUs),
      );
    if (idBelow !== undefined)
      index = Math.min(
        index,
        VirtualTable.lowerBound(0, table.count, (i) => table.idAt(i) >= idBelow),
      );
    let purged = 0;
    for (let i = table.purgeFloor; i < index; i++) if (!table.isShadowed(i)) purged++;
    table.purgeBelow(index);
    const modPos = table.fieldPos.get('mod_ts');
    for (const row of [...table.stored.values()]) {
      const old =
        (cutoffUs !== null && modPos !== undefined && (row.values[modPos] as number) < cutoffUs) ||
        (idBelow !== undefined && row.id < idBelow);
      if (old && table.remove(row.id)) purged++;
    }
    return purged;
  }

  now(): string {
    return new Date(this.clock.nowMs()).toISOString();
  }

  /** The simulator's now rendered as WMS renders timestamps (tenant zone, microseconds). */
  nowWms(): string {
    return formatTimestamp(this.clock.nowUs(), this.tenant.defaultZone);
  }

  advanceClock(seconds: number): void {
    this.clock.advance(seconds);
  }

  setClock(iso: string): void {
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) throw new AdminError('clock value is not an ISO-8601 date-time');
    this.clock.set(ms);
  }

  freezeClock(frozen: boolean): void {
    this.clock.freeze(frozen);
  }

  requests(): readonly RequestLogEntry[] {
    return this.log.list();
  }

  /** Calls `listener` as each request is answered (tests that act on the Nth request, not after a delay). */
  onRequest(listener: (entry: RequestLogEntry) => void): () => void {
    return this.log.subscribe(listener);
  }

  clearRequests(): void {
    this.log.clear();
  }

  /** Back to the state at start: data, clock, tokens, faults (counters restarted), settings, log, exports, stores. */
  reset(): void {
    this.tenant.reset();
    this.dataExtract.reset();
    this.clock.reset();
    this.auth.reset();
    this.faultPlan = FaultPlan.parse(this.initialFaults, this.seed);
    Object.assign(this.settings, this.initialSettings);
    this.log.clear();
  }

  rowCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, table] of this.tenant.tables)
      if (table.count > 0 || table.stored.size > 0) out[name] = table.count;
    return out;
  }

  private table(entity: string): VirtualTable {
    const table = this.tenant.table(entity);
    if (!table) throw new AdminError(`unknown entity '${entity}'`, 404);
    return table;
  }

  private convertId(value: unknown): number {
    if (!Number.isSafeInteger(value) || (value as number) < 0)
      throw new AdminError("field 'id' needs a non-negative integer");
    return value as number;
  }

  private apply(table: VirtualTable, row: Value[], values: Record<string, unknown>, skip: readonly string[]): void {
    for (const [name, input] of Object.entries(values)) {
      if (skip.includes(name)) continue;
      const pos = table.fieldPos.get(name);
      if (pos === undefined) throw new AdminError(`${table.def.name} has no field '${name}'`);
      try {
        row[pos] = valueFromJson(table.def.fields[pos], input, this.tenant.defaultZone);
      } catch (e) {
        throw new AdminError((e as Error).message);
      }
    }
  }

  /** A stored row's zone: its facility's, else its order's or order line's, else the tenant default. */
  private zoneFor(table: VirtualTable, row: readonly Value[]): string {
    for (const name of ['facility_id', 'order_id', 'order_dtl_id']) {
      const pos = table.fieldPos.get(name);
      if (pos === undefined || row[pos] === null) continue;
      const target = this.tenant.table(table.def.fields[pos].relation!.target);
      const ref = target?.resolve(row[pos] as number) ?? null;
      if (target && ref !== null) return target.zoneOf(ref);
    }
    return this.tenant.defaultZone;
  }
}
