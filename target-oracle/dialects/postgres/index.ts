import type { DialectConnection } from '../../dialect.js';
import type { Introspector } from '../../introspector.js';
import type { TargetConfig } from '../../settings.js';
import { PostgresDialect } from './postgres-dialect.js';
import { connectPostgres } from './postgres-driver.js';
import { PostgresIntrospector } from './postgres-introspector.js';
import { lockPostgresRun } from './postgres-run-lock.js';
import { dbStep } from '../../db-error.js';

/**
 * The PostgreSQL dialect as the core and the orchestrator see it (kysely's split: driver postgres-driver.ts, SQL
 * postgres-sql.ts + copy-text.ts, adapter postgres-dialect.ts, introspector postgres-introspector.ts).
 */
export async function openPostgres(config: TargetConfig): Promise<DialectConnection> {
  const connection = await connectPostgres(config);
  return {
    dialect: new PostgresDialect(connection.session),
    stats: () => connection.stats(),
    close: () => connection.close(),
    async lockRun(key) {
      const lockConnection = await connectPostgres(config);
      try {
        return await dbStep('taking the run lock', () => lockPostgresRun(lockConnection.session, key));
      } catch (error) {
        await lockConnection.close();
        throw error;
      }
    },
  };
}

export async function openPostgresIntrospector(config: TargetConfig): Promise<Introspector> {
  const connection = await connectPostgres(config);
  return new PostgresIntrospector(connection.session, config);
}
