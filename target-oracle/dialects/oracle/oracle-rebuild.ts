import { dbStep } from '../../db-error.js';
import type { ColumnSpec, TableSpec } from '../../dialect.js';
import type { ExistingType } from '../../evolution.js';
import { conformIdentifier, type NamingRules } from '../../names.js';
import type { ExistingTable } from './oracle-columns.js';
import type { OracleSession } from './oracle-session.js';
import * as sql from './oracle-sql.js';

/**
 * A column type Oracle cannot MODIFY to (VARCHAR2 → CLOB, anything → text) is rebuilt in four statements: add the
 * twin `<COLUMN>__NEW`, copy with an explicit conversion (committed: the next DDL would commit it anyway, and DDL
 * after uncommitted DML is refused), drop the old column, rename the twin. Every DDL commits, so a crash can stop
 * between any two; what the dictionary then shows says where it stopped, and `resumeRebuilds` finishes the job.
 */

export function twinName(column: string, naming: NamingRules): string {
  return conformIdentifier(`${column}__NEW`, naming);
}

async function copyDropRename(
  session: OracleSession,
  table: TableSpec,
  column: string,
  from: ExistingType,
  twin: ColumnSpec,
): Promise<void> {
  await dbStep('rebuilding a column (copy)', () => session.execute(sql.copyColumnSql(table, column, from.kind, twin)));
  await dbStep('rebuilding a column (commit the copy)', () => session.commit());
  await dbStep('rebuilding a column (drop the old one)', () => session.execute(sql.dropColumnSql(table, column)));
  await dbStep('rebuilding a column (rename)', () => session.execute(sql.renameColumnSql(table, twin.name, column)));
}

/** Rebuilds `column` (its new type) from its current type `from`. */
export async function rebuildColumn(
  session: OracleSession,
  table: TableSpec,
  column: ColumnSpec,
  from: ExistingType,
  types: sql.OracleTypeOptions,
  naming: NamingRules,
): Promise<void> {
  const twin = { ...column, name: twinName(column.name, naming) };
  await dbStep('rebuilding a column (add)', () => session.execute(sql.addColumnSql(table, twin, types)));
  await copyDropRename(session, table, column.name, from, twin);
}

/**
 * Finishes rebuilds a crash interrupted: a twin beside its column is copied again (the copy may not have been
 * committed) and swapped in; a twin alone (the old column already dropped) is renamed. True when it changed anything.
 */
export async function resumeRebuilds(
  session: OracleSession,
  table: TableSpec,
  existing: ExistingTable,
  naming: NamingRules,
): Promise<boolean> {
  let changed = false;
  const names = new Set(table.columns.map((c) => c.name));
  for (const column of table.columns) {
    const twin = twinName(column.name, naming);
    const twinType = existing.columns.get(twin);
    // A property of that very name is a column of its own, never a twin.
    if (twinType === undefined || twinType.kind === 'other' || names.has(twin)) continue;
    const from = existing.columns.get(column.name);
    if (from === undefined) {
      await dbStep('finishing a column rebuild (rename)', () =>
        session.execute(sql.renameColumnSql(table, twin, column.name)),
      );
    } else {
      await copyDropRename(session, table, column.name, from, { ...column, name: twin, type: twinType });
    }
    changed = true;
  }
  return changed;
}
