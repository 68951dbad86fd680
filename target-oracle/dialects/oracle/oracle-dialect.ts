import { errorCode, retryLostCreateRace, type CreateRace } from '../../concurrent-ddl.js';
import { dbStep } from '../../db-error.js';
import type { Dialect, LoadRequest, LoadStats, TableSpec } from '../../dialect.js';
import type { LogicalType } from '../../logical-type.js';
import type { NamingRules } from '../../names.js';
import type { SchemaChangePolicy, TargetConfig } from '../../settings.js';
import type { Cell } from '../../values.js';
import type { BindDef, BindValue, OracleSession } from './oracle-session.js';
import { CLOB_BIND_BYTES, sizedChunks, type SizedChunk } from './oracle-chunks.js';
import * as sql from './oracle-sql.js';
import { storedRows, storedTable } from './oracle-keys.js';
import { rebuildColumn } from './oracle-rebuild.js';
import { mergeRowwise, mergeThroughStage, sum } from './oracle-merge.js';
import { detectStringLimit, overflowingColumns } from './oracle-strings.js';
import { ensureOracleTable, ensureStaging, stagingTable, usesStage } from './oracle-tables.js';

/** Bind memory one executeMany call may reserve (rows × Σ maxSize); keeps far below the DPI-1015 array limits. */
export const BIND_BUDGET_BYTES = 64 * 1024 * 1024;

export type OracleDialectOptions = Pick<
  TargetConfig,
  'oracleBooleanType' | 'oracleJsonType' | 'oracleMaxIdentifierBytes' | 'oracleChunkRows' | 'oracleMergeStrategy'
>;

/** Upper case, like Oracle folds unquoted names; the byte limit depends on the database's COMPATIBLE setting. */
export function oracleNaming(options: Pick<TargetConfig, 'oracleMaxIdentifierBytes'>): NamingRules {
  return { case: 'upper', maxBytes: options.oracleMaxIdentifierBytes };
}

/**
 * Another writer created the same object first: ORA-00955 (name already used: the table, its staging table),
 * ORA-01430 (column being added already exists), ORA-02260 (table can have only one primary key).
 */
const ALREADY_EXISTS = new Set(['ORA-00955', 'ORA-01430', 'ORA-02260']);
/** Oracle DDL commits by itself, so a lost race leaves nothing to undo. */
const ORACLE_CREATE_RACE: CreateRace = {
  lost: (error) => ALREADY_EXISTS.has(errorCode(error) ?? ''),
  begin: () => Promise.resolve(),
  end: () => Promise.resolve(),
  undo: () => Promise.resolve(),
};

/** Cells in Oracle's terms: booleans as 1/0 for NUMBER(1). '' binds as NULL in Oracle (documented). */
function bindCell(cell: Cell, type: LogicalType, booleanAsNumber: boolean): BindValue {
  if (cell !== null && type.kind === 'boolean' && booleanAsNumber) return cell === 'true' ? '1' : '0';
  return cell;
}

/** The Oracle adapter: the core's `Dialect` port over one OracleSession (its SQL comes from oracle-sql.ts). */
export class OracleDialect implements Dialect {
  readonly name = 'oracle' as const;
  readonly naming: NamingRules;
  readonly #options: OracleDialectOptions;
  readonly #types: sql.OracleTypeOptions;
  readonly #session: OracleSession;
  /** The VARCHAR2 byte limit (MAX_STRING_SIZE), read once per connection. */
  #maxStringBytes: number | undefined;
  /** Each table as it is now stored, by qualified name: a flush may have widened a VARCHAR2 to CLOB since SCHEMA. */
  readonly #tables = new Map<string, TableSpec>();

  constructor(options: OracleDialectOptions, session: OracleSession) {
    this.#options = options;
    this.#session = session;
    this.naming = oracleNaming(options);
    this.#types = { booleanType: options.oracleBooleanType, jsonType: options.oracleJsonType };
  }

  nativeType(text: string): string | undefined {
    return sql.oracleNativeType(text);
  }

  commit(): Promise<void> {
    return this.#session.commit();
  }

  rollback(): Promise<void> {
    return this.#session.rollback();
  }

  async #stringLimit(): Promise<number> {
    this.#maxStringBytes ??= await dbStep('reading MAX_STRING_SIZE', () => detectStringLimit(this.#session));
    return this.#maxStringBytes;
  }

  /**
   * Introspects, then creates or evolves (oracle-tables.ts); DDL commits implicitly in Oracle. A CREATE race lost to
   * another writer re-reads the table it made.
   */
  async ensureTable(requested: TableSpec, policy: SchemaChangePolicy): Promise<TableSpec> {
    const limit = await this.#stringLimit();
    const table = await retryLostCreateRace(ORACLE_CREATE_RACE, () =>
      ensureOracleTable(this.#session, requested, policy, this.#options, this.naming, limit),
    );
    this.#tables.set(sql.tableName(table), table);
    return table;
  }

  /**
   * Widens to CLOB each VARCHAR2 column a value of this batch does not fit (MAX_STRING_SIZE bytes, or the column's
   * characters), by a column rebuild: DDL, so before any row of the flush is written.
   */
  async prepareLoad(requested: TableSpec, rows: Cell[][]): Promise<void> {
    const limit = await this.#stringLimit();
    const key = sql.tableName(requested);
    let table = this.#tables.get(key) ?? requested;
    for (const name of overflowingColumns(table, rows, limit)) {
      const column = table.columns.find((c) => c.name === name)!;
      const widened = { ...column, type: { kind: 'string' as const } };
      await rebuildColumn(
        this.#session,
        table,
        widened,
        column.type,
        { ...this.#types, maxStringBytes: limit },
        this.naming,
      );
      table = { ...table, columns: table.columns.map((c) => (c.name === name ? widened : c)) };
      this.#tables.set(key, table);
      if (usesStage(table, this.#options, limit))
        await ensureStaging(this.#session, storedTable(table, this.naming).table, this.naming);
    }
  }

  /** Rows per executeMany call: the configured chunk, lowered so rows × Σ maxSize stays within the bind budget. */
  chunkRows(bindDefs: BindDef[]): number {
    const rowBytes = bindDefs.reduce((sum, d) => sum + (d.type === 'clob' ? CLOB_BIND_BYTES : (d.maxSize ?? 1)), 0);
    return Math.max(1, Math.min(this.#options.oracleChunkRows, Math.floor(BIND_BUDGET_BYTES / Math.max(1, rowBytes))));
  }

  /**
   * Calls for a plain INSERT … VALUES: every STRING bind sized by its values, CLOB columns bound as STRING too;
   * only a JSON-typed column (oracle_json_type json, converted by JSON(:n)) keeps its CLOB bind.
   */
  #sizedChunks(table: TableSpec, binds: BindValue[][]): SizedChunk[] {
    const defs = table.columns.map((c): BindDef => {
      const types = { ...this.#types, maxStringBytes: this.#maxStringBytes };
      const def = sql.bindDef(c.type, types);
      return def.type === 'clob' && sql.oracleType(c.type, types) !== 'CLOB' ? def : { type: 'string' };
    });
    return sizedChunks(binds, defs, this.#options.oracleChunkRows, BIND_BUDGET_BYTES);
  }

  #binds(table: TableSpec, rows: Cell[][]): BindValue[][] {
    const booleanAsNumber = this.#options.oracleBooleanType === 'number';
    const types = table.columns.map((c) => c.type);
    return rows.map((row) => row.map((cell, i) => bindCell(cell, types[i], booleanAsNumber)));
  }

  async load(request: LoadRequest): Promise<LoadStats> {
    const session = this.#session;
    // The table as Oracle stores it: widened columns, and timestamp key columns keyed through their UTC twins.
    const current = this.#tables.get(sql.tableName(request.table)) ?? request.table;
    const { table, sources } = storedTable(current, this.naming);
    const types = { ...this.#types, maxStringBytes: await this.#stringLimit() };
    const rows = storedRows(request.rows, sources);
    const deletes = storedRows(request.deletes, sources);
    const stats: LoadStats = { inserted: 0, updated: 0, deleted: 0, sanitized: 0 };
    const bindDefs = table.columns.map((c) => sql.bindDef(c.type, types));
    const chunk = this.chunkRows(bindDefs);

    if (deletes.length > 0 && table.keyColumns.length > 0) {
      const keyIndexes = table.keyColumns.map((k) => table.columns.findIndex((c) => c.name === k));
      const keyBinds = this.#binds(table, deletes).map((row) => keyIndexes.map((i) => row[i]));
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
    if (rows.length === 0) return stats;
    const binds = this.#binds(table, rows);

    if (request.mode === 'append') {
      // A plain INSERT … VALUES: CLOB columns take STRING binds of any length (no temporary LOBs).
      const insert = sql.insertSql(sql.tableName(table), table, this.#types);
      const parts = this.#sizedChunks(table, binds);
      for (const [c, part] of parts.entries()) {
        const result = await dbStep(`chunk ${c + 1}/${parts.length}`, () =>
          session.executeMany(insert, part.rows, { bindDefs: part.bindDefs, dmlRowCounts: true }),
        );
        stats.inserted += sum(result.dmlRowCounts) ?? result.rowsAffected ?? 0;
      }
      return stats;
    }

    const history = request.mode === 'history';
    if (usesStage(table, this.#options, types.maxStringBytes)) {
      // Rows into the session's global temporary table with STRING binds (CLOBs included), then one set-based
      // MERGE. The stage holds this batch only (deduplicated by key: no ORA-30926) and empties at COMMIT.
      const stage = stagingTable(table, this.naming);
      const parts = this.#sizedChunks(table, binds);
      return { ...stats, ...(await mergeThroughStage(session, table, stage, parts, { types: this.#types, history })) };
    }
    const merge = { bindDefs, chunk, types: this.#types, history };
    return { ...stats, ...(await mergeRowwise(session, table, binds, merge)) };
  }

  /** Drops the table and its staging table when they exist (the dictionary says; DROP commits by itself). */
  async dropTable(table: Pick<TableSpec, 'schema' | 'name'>): Promise<void> {
    const session = this.#session;
    for (const name of [stagingTable(table, this.naming), table]) {
      const found = await session.execute(sql.COLUMNS_SQL, [name.schema ?? null, name.name]);
      if ((found.rows ?? []).length > 0)
        await dbStep('dropping a table', () => session.execute(sql.dropTableSql(name)));
    }
    this.#tables.delete(sql.tableName(table));
  }

  /** DELETE and INSERT … SELECT in one transaction: Oracle readers see the old rows until the COMMIT, never fewer. */
  async replaceFrom(requested: TableSpec, shadow: TableSpec): Promise<number> {
    const session = this.#session;
    const { table } = storedTable(this.#tables.get(sql.tableName(requested)) ?? requested, this.naming);
    await dbStep('deleting old rows for overwrite', () => session.execute(sql.deleteAllSql(table)));
    const result = await dbStep('copying the overwrite rows', () => session.execute(sql.insertFromSql(table, shadow)));
    return result.rowsAffected ?? 0;
  }

  async activateVersion(table: TableSpec, version: number, hardDelete: boolean): Promise<number> {
    const session = this.#session;
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
