import { dbStep } from '../../db-error.js';
import type { ColumnSpec, Dialect, LoadRequest, LoadStats, TableSpec } from '../../dialect.js';
import { planEvolution, type ExistingType } from '../../evolution.js';
import type { LogicalType } from '../../logical-type.js';
import { conformIdentifier, type NamingRules } from '../../names.js';
import type { BindDef, BindValue, Session } from '../../session.js';
import type { SchemaChangePolicy, TargetConfig } from '../../settings.js';
import type { Cell } from '../../values.js';
import * as sql from './oracle-sql.js';

/** Bind memory one executeMany call may reserve (rows × Σ maxSize); keeps far below the DPI-1015 array limits. */
export const BIND_BUDGET_BYTES = 64 * 1024 * 1024;
/** A CLOB bind counts as this many bytes for the budget. */
const CLOB_BIND_BYTES = 64 * 1024;
/** Keys per existence pre-count query (the split of merged rows into inserted and updated). */
const COUNT_KEYS_PER_QUERY = 500;

export type OracleDialectOptions = Pick<
  TargetConfig,
  'oracleBooleanType' | 'oracleJsonType' | 'oracleMaxIdentifierBytes' | 'oracleChunkRows' | 'oracleMergeStrategy'
>;

function existingType(row: Record<string, unknown>, booleanAsNumber: boolean): ExistingType {
  const type = String(row.DATA_TYPE);
  const precision =
    row.DATA_PRECISION === null || row.DATA_PRECISION === undefined ? undefined : Number(row.DATA_PRECISION);
  const scale = Number(row.DATA_SCALE ?? 0);
  if (type === 'NUMBER') {
    if (precision === undefined) return row.DATA_SCALE === 0 ? { kind: 'integer' } : { kind: 'decimal' };
    if (precision === 1 && scale === 0 && booleanAsNumber) return { kind: 'boolean' };
    if (scale === 0) return precision >= 38 ? { kind: 'integer' } : { kind: 'integer', digits: precision };
    return { kind: 'decimal', precision, scale };
  }
  if (type === 'VARCHAR2' || type === 'NVARCHAR2') return { kind: 'string', maxLength: Number(row.CHAR_LENGTH) };
  if (type === 'CLOB' || type === 'NCLOB') return { kind: 'string' };
  if (/^TIMESTAMP\(\d\) WITH TIME ZONE$/.test(type)) return { kind: 'timestamp' };
  if (type === 'DATE') return { kind: 'date' };
  if (type === 'BOOLEAN') return { kind: 'boolean' };
  if (type === 'JSON') return { kind: 'json' };
  return { kind: 'other', sql: type };
}

/** Oracle has no unbounded VARCHAR2: a string without maxLength is VARCHAR2(4000 CHAR); longer ones are CLOB. */
function oracleLogical(type: LogicalType): LogicalType {
  if (type.kind !== 'string') return type;
  if (type.maxLength === undefined) return { kind: 'string', maxLength: sql.VARCHAR2_MAX };
  return type.maxLength > sql.VARCHAR2_MAX ? { kind: 'string' } : type;
}

/** Cells in Oracle's terms: booleans as 1/0 for NUMBER(1). '' binds as NULL in Oracle (documented). */
function bindCell(cell: Cell, type: LogicalType, booleanAsNumber: boolean): BindValue {
  if (cell !== null && type.kind === 'boolean' && booleanAsNumber) return cell === 'true' ? '1' : '0';
  return cell;
}

export class OracleDialect implements Dialect<Session> {
  readonly name = 'oracle' as const;
  readonly naming: NamingRules;
  readonly #options: OracleDialectOptions;
  readonly #types: sql.OracleTypeOptions;

  constructor(options: OracleDialectOptions) {
    this.#options = options;
    this.naming = { case: 'upper', maxBytes: options.oracleMaxIdentifierBytes };
    this.#types = { booleanType: options.oracleBooleanType, jsonType: options.oracleJsonType };
  }

  conformName(name: string): string {
    return conformIdentifier(name, this.naming);
  }

  nativeType(text: string): string | undefined {
    return sql.oracleNativeType(text);
  }

  columnType(type: LogicalType): string {
    return sql.oracleType(oracleLogical(type), this.#types);
  }

  /** The global temporary table of the staging strategy: `<TABLE>$STG`, shortened like any name. */
  stagingTable(table: TableSpec): Pick<TableSpec, 'schema' | 'name'> {
    return { schema: table.schema, name: conformIdentifier(`${table.name}$STG`, this.naming) };
  }

  /**
   * Introspects, then creates or evolves. Oracle DDL commits implicitly, so the core only calls this between flushes
   * (on SCHEMA, after flushing), never with rows of a batch pending.
   */
  async ensureTable(session: Session, requested: TableSpec, policy: SchemaChangePolicy): Promise<TableSpec> {
    const desired: TableSpec = {
      ...requested,
      columns: requested.columns.map((c) => ({ ...c, type: oracleLogical(c.type) })),
    };
    const where = [desired.schema ?? null, desired.name];
    const rows =
      (await dbStep('reading the table definition', () => session.execute(sql.COLUMNS_SQL, where))).rows ?? [];
    let table = desired;
    let changed = true;
    if (rows.length === 0) {
      await dbStep('creating table', () => session.execute(sql.createTableSql(desired, this.#types)));
    } else {
      const booleanAsNumber = this.#options.oracleBooleanType === 'number';
      const existing = new Map(rows.map((row) => [String(row.COLUMN_NAME), existingType(row, booleanAsNumber)]));
      const plan = planEvolution(existing, desired, policy, this.naming);
      changed = plan.actions.length > 0;
      for (const action of plan.actions) {
        if (action.kind === 'add')
          await dbStep('adding a column', () => session.execute(sql.addColumnSql(desired, action.column, this.#types)));
        else if (action.kind === 'rename')
          await dbStep('renaming a column', () =>
            session.execute(sql.renameColumnSql(desired, action.from, action.to)),
          );
        else await this.#retype(session, desired, action.column, action.from);
      }
      table = plan.table;
      const pk =
        (await dbStep('reading the primary key', () => session.execute(sql.PRIMARY_KEY_SQL, where))).rows ?? [];
      if (
        desired.keyColumns.length > 0 &&
        pk.map((r) => String(r.COLUMN_NAME)).join('\u0001') !== desired.keyColumns.join('\u0001')
      ) {
        if (pk.length > 0)
          await dbStep('dropping the old primary key', () =>
            session.execute(sql.dropPrimaryKeySql(desired, String(pk[0].CONSTRAINT_NAME))),
          );
        await dbStep('adding the primary key', () => session.execute(sql.addPrimaryKeySql(desired)));
        changed = true;
      }
    }
    if (this.#options.oracleMergeStrategy === 'staging' && table.keyColumns.length > 0) {
      const stage = this.stagingTable(table);
      const found = (await session.execute(sql.COLUMNS_SQL, [stage.schema ?? null, stage.name])).rows ?? [];
      if (found.length > 0 && changed)
        await dbStep('dropping the staging table', () => session.execute(sql.dropTableSql(stage)));
      if (found.length === 0 || changed)
        await dbStep('creating the staging table', () => session.execute(sql.createStagingSql(stage, table)));
    }
    return table;
  }

  /** Widening MODIFY where Oracle allows it, else add a twin column, copy with explicit conversion, swap. */
  async #retype(session: Session, table: TableSpec, column: ColumnSpec, from: ExistingType): Promise<void> {
    const sameFamily =
      (from.kind === 'string' &&
        column.type.kind === 'string' &&
        from.maxLength !== undefined &&
        column.type.maxLength !== undefined) ||
      ((from.kind === 'integer' || from.kind === 'decimal') &&
        (column.type.kind === 'integer' || column.type.kind === 'decimal'));
    if (sameFamily) {
      await dbStep('widening a column', () => session.execute(sql.modifyColumnSql(table, column, this.#types)));
      return;
    }
    const twin = conformIdentifier(`${column.name}__NEW`, this.naming);
    const twinColumn = { ...column, name: twin };
    await dbStep('rebuilding a column (add)', () => session.execute(sql.addColumnSql(table, twinColumn, this.#types)));
    await dbStep('rebuilding a column (copy)', () =>
      session.execute(sql.copyColumnSql(table, column.name, from.kind, twinColumn)),
    );
    await dbStep('rebuilding a column (swap)', () => session.execute(sql.dropColumnSql(table, column.name)));
    await dbStep('rebuilding a column (rename)', () => session.execute(sql.renameColumnSql(table, twin, column.name)));
  }

  /** Rows per executeMany call: the configured chunk, lowered so rows × Σ maxSize stays within the bind budget. */
  chunkRows(bindDefs: BindDef[]): number {
    const rowBytes = bindDefs.reduce((sum, d) => sum + (d.type === 'clob' ? CLOB_BIND_BYTES : (d.maxSize ?? 1)), 0);
    return Math.max(1, Math.min(this.#options.oracleChunkRows, Math.floor(BIND_BUDGET_BYTES / Math.max(1, rowBytes))));
  }

  #binds(table: TableSpec, rows: Cell[][]): BindValue[][] {
    const booleanAsNumber = this.#options.oracleBooleanType === 'number';
    const types = table.columns.map((c) => c.type);
    return rows.map((row) => row.map((cell, i) => bindCell(cell, types[i], booleanAsNumber)));
  }

  async load(session: Session, request: LoadRequest): Promise<LoadStats> {
    const { table } = request;
    const stats: LoadStats = { inserted: 0, updated: 0, deleted: 0, sanitized: 0 };
    if (request.replace)
      await dbStep('deleting old rows for overwrite', () => session.execute(sql.deleteAllSql(table)));
    const bindDefs = table.columns.map((c) => sql.bindDef(c.type));
    const chunk = this.chunkRows(bindDefs);
    const chunks = Math.ceil(request.rows.length / chunk);

    if (request.deletes.length > 0 && table.keyColumns.length > 0) {
      const keyIndexes = table.keyColumns.map((k) => table.columns.findIndex((c) => c.name === k));
      const keyBinds = this.#binds(table, request.deletes).map((row) => keyIndexes.map((i) => row[i]));
      const keyDefs = keyIndexes.map((i) => bindDefs[i]);
      const deleteSql = sql.deleteByKeySql(table, this.#types);
      for (let start = 0; start < keyBinds.length; start += chunk) {
        const result = await dbStep(`delete chunk starting at row ${start}`, () =>
          session.executeMany(deleteSql, keyBinds.slice(start, start + chunk), {
            bindDefs: keyDefs,
            dmlRowCounts: true,
          }),
        );
        stats.deleted += sum(result.dmlRowCounts) ?? result.rowsAffected ?? 0;
      }
    }
    if (request.rows.length === 0) return stats;
    const binds = this.#binds(table, request.rows);

    if (request.mode === 'append') {
      const insert = sql.insertSql(sql.tableName(table), table, this.#types);
      for (let c = 0; c < chunks; c += 1) {
        const result = await dbStep(`chunk ${c + 1}/${chunks}`, () =>
          session.executeMany(insert, binds.slice(c * chunk, (c + 1) * chunk), { bindDefs, dmlRowCounts: true }),
        );
        stats.inserted += sum(result.dmlRowCounts) ?? result.rowsAffected ?? 0;
      }
      return stats;
    }

    const history = request.mode === 'history';
    if (this.#options.oracleMergeStrategy === 'staging') {
      const stage = this.stagingTable(table);
      const insert = sql.insertSql(sql.tableName(stage), table, this.#types);
      for (let c = 0; c < chunks; c += 1) {
        await dbStep(`staging chunk ${c + 1}/${chunks}`, () =>
          session.executeMany(insert, binds.slice(c * chunk, (c + 1) * chunk), { bindDefs }),
        );
      }
      const existing = await dbStep('counting existing keys', () =>
        session.execute(sql.countStagedExistingSql(stage, table)),
      );
      const matched = Number(existing.rows?.[0]?.N ?? 0);
      const merged = await dbStep('MERGE from the staging table', () =>
        session.execute(sql.mergeFromSql(table, sql.tableName(stage), history)),
      );
      const affected = merged.rowsAffected ?? 0;
      stats.updated = history ? 0 : matched;
      stats.inserted = affected - stats.updated;
      // ON COMMIT DELETE ROWS empties the stage; the next flush of this session starts clean.
      return stats;
    }

    const merge = sql.mergeSql(table, this.#types, history);
    const keyIndexes = table.keyColumns.map((k) => table.columns.findIndex((c) => c.name === k));
    for (let c = 0; c < chunks; c += 1) {
      const part = binds.slice(c * chunk, (c + 1) * chunk);
      const matched = history ? 0 : await this.#countExisting(session, table, part, keyIndexes, c, chunks);
      const result = await dbStep(`chunk ${c + 1}/${chunks}`, () =>
        session.executeMany(merge, part, { bindDefs, dmlRowCounts: true }),
      );
      // dmlRowCounts: 1 per merged row (inserted or updated), 0 for a history duplicate that was ignored.
      const affected = sum(result.dmlRowCounts) ?? result.rowsAffected ?? 0;
      stats.updated += matched;
      stats.inserted += affected - matched;
    }
    return stats;
  }

  /** Keys of this chunk already in the table: the MERGE updates exactly these rows (keys are unique in a batch). */
  async #countExisting(
    session: Session,
    table: TableSpec,
    part: BindValue[][],
    keyIndexes: number[],
    c: number,
    chunks: number,
  ): Promise<number> {
    let matched = 0;
    for (let start = 0; start < part.length; start += COUNT_KEYS_PER_QUERY) {
      const group = part.slice(start, start + COUNT_KEYS_PER_QUERY);
      const binds = group.flatMap((row) => keyIndexes.map((i) => row[i]));
      const result = await dbStep(`chunk ${c + 1}/${chunks} (existing keys)`, () =>
        session.execute(sql.countExistingSql(table, group.length, this.#types), binds),
      );
      matched += Number(result.rows?.[0]?.N ?? 0);
    }
    return matched;
  }

  async activateVersion(session: Session, table: TableSpec, version: number, hardDelete: boolean): Promise<number> {
    const versionColumn = table.columns.find((c) => c.property === '_sdc_table_version');
    const deletedColumn = table.columns.find((c) => c.property === '_sdc_deleted_at');
    if (!versionColumn || !deletedColumn) return 0;
    const result = await dbStep('activating the version', () =>
      session.execute(sql.activateVersionSql(table, versionColumn.name, deletedColumn.name, hardDelete), [
        String(version),
      ]),
    );
    return result.rowsAffected ?? 0;
  }
}

function sum(values: number[] | undefined): number | undefined {
  return values === undefined ? undefined : values.reduce((a, b) => a + b, 0);
}
