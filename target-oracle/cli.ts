import {
  configSources,
  loadConfig,
  MessageWriter,
  Metrics,
  packageVersion,
  parseArgs,
  printInfoIfAsked,
  readNumberedMessages,
  runCli,
  secretValues,
  type CliContext,
  type ExitCode,
  type PluginInfo,
} from '../singer/index.js';
import type { Dialect } from './dialect.js';
import { reportPoolMetric } from './pool-metric.js';
import type { Connection, Session } from './session.js';
import { TARGET_NAME, TARGET_SETTINGS, toTargetConfig, type TargetConfig } from './settings.js';
import { runTarget } from './target.js';

export function pluginInfo(): PluginInfo {
  return {
    name: TARGET_NAME,
    description: 'Singer target for Oracle Database (node-oracledb Thin) and PostgreSQL: batched exact loads, STATE only after commit.',
    version: packageVersion(),
    capabilities: ['about', 'activate-version', 'hard-delete', 'soft-delete', 'structured-logging', 'target-schema', 'validate-records'],
    settings: TARGET_SETTINGS,
  };
}

interface Backend {
  dialect: Dialect<Session>;
  connection: Connection<Session>;
}

/** Loads only the chosen driver: an oracle run never imports `pg`, a postgres run never imports `oracledb`. */
async function openBackend(config: TargetConfig): Promise<Backend> {
  if (config.dialect === 'postgres') {
    const [{ PostgresDialect }, { openPostgres }] = await Promise.all([
      import('./dialects/postgres/postgres-dialect.js'),
      import('./dialects/postgres/postgres-connection.js'),
    ]);
    return { dialect: new PostgresDialect() as unknown as Dialect<Session>, connection: await openPostgres(config) };
  }
  const [{ OracleDialect }, { openOracle }] = await Promise.all([
    import('./dialects/oracle/oracle-dialect.js'),
    import('./dialects/oracle/oracle-connection.js'),
  ]);
  return { dialect: new OracleDialect(config), connection: await openOracle(config) };
}

async function main(ctx: CliContext): Promise<void> {
  const args = await parseArgs(TARGET_NAME, ctx.argv, {});
  if (await printInfoIfAsked(args, pluginInfo(), ctx.stdout)) return;
  const { config, unknownKeys } = await loadConfig(configSources(args), { pluginName: TARGET_NAME, schema: TARGET_SETTINGS, env: ctx.env });
  ctx.logger.addSecrets(secretValues(config, TARGET_SETTINGS));
  for (const key of unknownKeys) ctx.logger.warning(`Ignoring unknown setting '${key}'`);
  const target = toTargetConfig(config, ctx.env);
  const metrics = new Metrics(ctx.logger);
  const { dialect, connection } = await openBackend(target);
  const writer = new MessageWriter(ctx.stdout);
  try {
    const summary = await runTarget({
      config: target,
      dialect,
      session: connection.session,
      messages: readNumberedMessages(ctx.stdin),
      states: writer,
      logger: ctx.logger,
      metrics,
      signal: ctx.signal,
      poolStats: () => connection.stats(),
    });
    ctx.logger.info(
      `${summary.interrupted ? 'Stopped early' : 'Done'}: ${summary.records} records in ${summary.flushes} committed batches, ${summary.statesEmitted} states emitted`,
    );
    if (summary.interrupted) ctx.stdin.destroy();
  } finally {
    await connection.close();
    reportPoolMetric(metrics, dialect.name, connection.stats());
    await writer.end();
  }
}

export function run(): Promise<ExitCode> {
  return runCli(TARGET_NAME, main);
}
