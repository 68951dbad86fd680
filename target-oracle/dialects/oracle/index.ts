import type { DialectConnection } from '../../dialect.js';
import type { Introspector } from '../../introspector.js';
import type { TargetConfig } from '../../settings.js';
import { OracleDialect, oracleNaming } from './oracle-dialect.js';
import { connectOracle } from './oracle-driver.js';
import { OracleIntrospector } from './oracle-introspector.js';
import { lockOracleRun } from './oracle-run-lock.js';
import { dbStep } from '../../db-error.js';
import { conformIdentifier } from '../../names.js';

/**
 * The Oracle dialect as the core and the orchestrator see it (kysely's split: driver oracle-driver.ts, SQL
 * oracle-sql.ts + oracle-tables.ts, adapter oracle-dialect.ts, introspector oracle-introspector.ts).
 */
export async function openOracle(config: TargetConfig): Promise<DialectConnection> {
  const connection = await connectOracle(config);
  return {
    dialect: new OracleDialect(config, connection.session),
    stats: () => connection.stats(),
    close: () => connection.close(),
    async lockRun(key) {
      const lockConnection = await connectOracle(config);
      const schema = config.schema === undefined ? undefined : conformIdentifier(config.schema, oracleNaming(config));
      try {
        return await dbStep('taking the run lock', () => lockOracleRun(lockConnection.session, schema, key));
      } catch (error) {
        await lockConnection.close();
        throw error;
      }
    },
  };
}

export async function openOracleIntrospector(config: TargetConfig): Promise<Introspector> {
  const connection = await connectOracle(config);
  return new OracleIntrospector(connection.session, config, oracleNaming(config));
}
