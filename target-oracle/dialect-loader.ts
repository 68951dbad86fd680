import type { DialectConnection } from './dialect.js';
import type { Introspector } from './introspector.js';
import { parseTargetConfig, type TargetConfig } from './settings.js';

/** Loads only the chosen dialect: an oracle run never imports `pg`, a postgres run never imports `oracledb`. */
export async function openDialect(config: TargetConfig): Promise<DialectConnection> {
  if (config.dialect === 'postgres') return (await import('./dialects/postgres/index.js')).openPostgres(config);
  return (await import('./dialects/oracle/index.js')).openOracle(config);
}

/**
 * An introspector on the database a target config points at: `settings` as a target config file holds them (keys
 * set to undefined count as absent), validated with defaults filled like the target does, so it connects and names
 * tables exactly as the target did.
 */
export async function openIntrospector(settings: Record<string, unknown>): Promise<Introspector> {
  const given = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  const config = parseTargetConfig(given);
  if (config.dialect === 'postgres')
    return (await import('./dialects/postgres/index.js')).openPostgresIntrospector(config);
  return (await import('./dialects/oracle/index.js')).openOracleIntrospector(config);
}
