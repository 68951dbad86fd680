import { writeFile } from 'node:fs/promises';
import {
  type CliContext,
  ConfigError,
  configSources,
  ExitCode,
  Metrics,
  packageVersion,
  parseArgs,
  printInfoIfAsked,
  runCli,
  stringifyJson,
} from '../singer/index.js';
import { createClient } from '../tap-oracle-wms/index.js';
import { renderHealth } from './health-checks.js';
import { createOrchestrator } from './orchestrator.js';
import { partitionJobsYaml, planPartitions } from './partition-plan.js';
import { effectiveTapConfig, tapConfigFor } from './plugin-configs.js';
import { ProgressLine } from './progress-line.js';
import type { RunResult } from './run-result.js';
import { renderSummary } from './run-report.js';
import { startService } from './serve.js';
import { checkSchedule } from './scheduler.js';
import { loadPipelineSettings, PIPELINE_SETTINGS, PLUGIN_NAME } from './settings.js';

const DESCRIPTION =
  'Runs tap-oracle-wms | target-oracle per company and facility (full and incremental), with retries, state, alerts (email, Slack, webhook), resource monitoring, consistency checks, reports, schedules and Prometheus metrics';

const USAGE = `Usage:
  wms-pipeline full --company <code> --facility <code>
  wms-pipeline incremental --company <code> --facility <code>
  wms-pipeline run <job>
  wms-pipeline jobs
  wms-pipeline health
  wms-pipeline serve
  wms-pipeline plan-partitions --entity <name> --parts <n> [--out <file>]
Options: --config <file|ENV> (repeatable, later wins; default ENV = WMS_PIPELINE_* variables), --json, --about [--format text|json|markdown], --version`;

/** runCli sets the exit code from thrown errors only; a failed run or health check is a result, not a throw. */
export async function run(): Promise<ExitCode> {
  const outcome = { exitCode: ExitCode.Ok as ExitCode };
  const code = await runCli(PLUGIN_NAME, (context) => main(context, outcome), { peakRssMetric: false });
  if (code === ExitCode.Ok && outcome.exitCode !== ExitCode.Ok) {
    process.exitCode = outcome.exitCode;
    return outcome.exitCode;
  }
  return code;
}

async function main(context: CliContext, outcome: { exitCode: ExitCode }): Promise<void> {
  const { logger, stdout } = context;
  // Commands are positional; singer's strict parser only knows options, so they are taken off first.
  const argv = [...context.argv];
  const positionals: string[] = [];
  while (argv.length > 0 && !argv[0].startsWith('-')) positionals.push(argv.shift()!);
  const args = await parseArgs(PLUGIN_NAME, argv, {
    company: { type: 'string', description: 'Company code (full, incremental)' },
    facility: { type: 'string', description: 'Facility code (full, incremental)' },
    json: { type: 'boolean', description: 'Print the result as JSON instead of the summary' },
    entity: { type: 'string', description: 'Entity whose ids are split (plan-partitions)' },
    parts: { type: 'number', description: 'Number of id ranges, one Meltano job each (plan-partitions)' },
    out: { type: 'string', description: 'File to write the Meltano jobs to instead of stdout (plan-partitions)' },
  });
  const info = {
    name: PLUGIN_NAME,
    description: DESCRIPTION,
    version: packageVersion(),
    capabilities: [] as string[],
    settings: PIPELINE_SETTINGS,
  };
  if (printInfoIfAsked(args, info, stdout)) return;
  const [command, ...rest] = positionals;
  if (!command) throw new ConfigError(`a command is required\n${USAGE}`);

  const settings = await loadPipelineSettings(configSources(args), context.env);
  for (const job of settings.jobs) {
    if (!job.schedule) continue;
    try {
      checkSchedule(job.schedule);
    } catch (error) {
      throw new ConfigError(
        `job '${job.name}': schedule '${job.schedule}' is not a valid cron expression (${(error as Error).message})`,
      );
    }
  }

  const tty = (process.stderr.isTTY ?? false) && !args.json;
  let progress: ProgressLine | undefined;
  const orchestrator = createOrchestrator(settings, {
    logger,
    signal: context.signal,
    onMetric: (_job, source, point) => {
      if (point.metric === 'record_count' && typeof point.tags.stream === 'string')
        progress?.update(source, point.tags.stream, point.value);
    },
  });
  const print = (text: string): void => {
    stdout.write(text);
  };
  const finishRun = (result: RunResult): void => {
    progress?.stop();
    print(args.json ? `${stringifyJson(result)}\n` : renderSummary(result));
    if (!result.success) outcome.exitCode = result.data.exitCode || ExitCode.Internal;
  };
  const withProgress = (label: string): void => {
    if (!tty) return;
    progress = new ProgressLine(process.stderr, label);
    progress.start();
  };

  try {
    switch (command) {
      case 'full':
      case 'incremental': {
        if (rest.length > 0) throw new ConfigError(`unexpected argument '${rest[0]}'\n${USAGE}`);
        const company = (args.company as string | undefined) ?? settings.company_code;
        const facility = (args.facility as string | undefined) ?? settings.facility_code;
        withProgress(`${command} ${company}/${facility}`);
        const result =
          command === 'full'
            ? await orchestrator.executeFullSync(company, facility)
            : await orchestrator.executeIncrementalSync(company, facility);
        finishRun(result);
        return;
      }
      case 'run': {
        if (rest.length !== 1) throw new ConfigError(`'run' takes one job name\n${USAGE}`);
        withProgress(rest[0]);
        finishRun(await orchestrator.runJob(rest[0]));
        return;
      }
      case 'jobs': {
        const jobs = orchestrator.listJobs();
        if (args.json) print(`${JSON.stringify(jobs, null, 2)}\n`);
        else if (jobs.length === 0) print('No jobs configured (setting: jobs)\n');
        else
          for (const job of jobs)
            print(
              `${job.name}\t${job.mode}\t${job.companyCode}/${job.facilityCode}\t${job.schedule ?? '(no schedule)'}\n`,
            );
        return;
      }
      case 'health': {
        const report = await orchestrator.health();
        print(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderHealth(report));
        if (!report.ok) {
          const failed = report.checks.filter((check) => !check.ok).map((check) => check.name);
          outcome.exitCode = failed.some((name) => name.startsWith('wms'))
            ? ExitCode.Source
            : failed.includes('database')
              ? ExitCode.Database
              : ExitCode.Internal;
        }
        return;
      }
      case 'serve': {
        const service = await startService(orchestrator, logger);
        print(
          `wms-pipeline serving on ${service.url} (/health, /metrics); ${service.scheduler.status().length} scheduled job(s)\n`,
        );
        await new Promise<void>((resolve) => {
          if (context.signal.aborted) resolve();
          else context.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        await service.stop();
        return;
      }
      case 'plan-partitions': {
        const entity = args.entity as string | undefined;
        const parts = args.parts as number | undefined;
        if (!entity || parts === undefined || !Number.isInteger(parts) || parts < 1 || parts > 1000)
          throw new ConfigError(`plan-partitions needs --entity and --parts (an integer from 1 to 1000)\n${USAGE}`);
        const tapConfig = effectiveTapConfig(
          tapConfigFor(settings, {
            job: 'plan-partitions',
            mode: 'full',
            companyCode: (args.company as string | undefined) ?? settings.company_code,
            facilityCode: (args.facility as string | undefined) ?? settings.facility_code,
            maxRetries: 0,
            runTimeoutSeconds: 0,
          }),
        );
        const handle = createClient(tapConfig, {
          logger,
          metrics: new Metrics(logger),
          version: packageVersion(),
          signal: context.signal,
        });
        try {
          const plan = await planPartitions(handle.client, tapConfig, entity, parts, logger);
          const yaml = partitionJobsYaml(plan, {
            extractor: 'tap-oracle-wms',
            loader: 'target-oracle',
            command: `wms-pipeline plan-partitions --entity ${entity} --parts ${parts}`,
          });
          const out = args.out as string | undefined;
          if (out) await writeFile(out, yaml);
          print(out ? `${plan.ranges.length} range jobs for ${entity} written to ${out}\n` : yaml);
        } finally {
          handle.close();
        }
        return;
      }
      default:
        throw new ConfigError(`unknown command '${command}'\n${USAGE}`);
    }
  } finally {
    progress?.stop();
    orchestrator.close();
  }
}
