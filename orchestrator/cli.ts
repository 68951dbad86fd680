import { writeFile } from 'node:fs/promises';
import {
  type CliContext,
  ConfigError,
  INFO_ONLY,
  configSources,
  ExitCode,
  Metrics,
  packageVersion,
  parseArgs,
  printInfoIfAsked,
  runCli,
  stringifyJson,
  UsageError,
} from '../singer/index.js';
import { createClient } from '../tap-oracle-wms/index.js';
import { renderHealth } from './health-checks.js';
import { checkEntityListed, initialLoadRequest } from './initial-load.js';
import { createOrchestrator } from './orchestrator.js';
import { findMeltano } from './meltano-executable.js';
import { runMeltanoHandoff } from './meltano-handoff.js';
import { partitionJobsYaml, planPartitions } from './partition-plan.js';
import { COMMANDS, DESCRIPTION, helpFor, OPTIONS } from './commands.js';
import { commandConfigProblems } from './plugin-config-check.js';
import { effectiveTapConfig, tapConfigFor } from './plugin-configs.js';
import { ProgressLine } from './progress-line.js';
import type { RunResult } from './run-result.js';
import { renderSummary } from './run-report.js';
import { startService } from './serve.js';
import { checkSchedule } from './scheduler.js';
import { loadPipelineSettings, PIPELINE_SETTINGS, PLUGIN_NAME } from './settings.js';

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

async function main(context: CliContext, outcome: { exitCode: ExitCode }): Promise<void | typeof INFO_ONLY> {
  const { logger, stdout } = context;
  // Commands are positional; singer's strict parser only knows options, so they are taken off first.
  const argv = [...context.argv];
  const positionals: string[] = [];
  while (argv.length > 0 && !argv[0].startsWith('-')) positionals.push(argv.shift()!);
  const [command, ...rest] = positionals;
  const known = command !== undefined && command in COMMANDS;
  const program = known ? `${PLUGIN_NAME} ${command}` : PLUGIN_NAME;
  const args = await parseArgs(program, argv, OPTIONS);
  const info = {
    name: PLUGIN_NAME,
    description: DESCRIPTION,
    version: packageVersion(),
    capabilities: [] as string[],
    settings: PIPELINE_SETTINGS,
  };
  if (printInfoIfAsked(args, info, stdout, helpFor(known ? command : undefined))) return INFO_ONLY;
  const commandList = Object.keys(COMMANDS).join(', ');
  if (command === undefined) throw new UsageError(`a command is required (${commandList})`, PLUGIN_NAME);
  if (!known) throw new UsageError(`unknown command '${command}' (commands: ${commandList})`, PLUGIN_NAME);
  if (command === 'run' ? rest.length !== 1 : rest.length > 0)
    throw new UsageError(command === 'run' ? "'run' takes one job name" : `unexpected argument '${rest[0]}'`, program);

  if (command === 'meltano-handoff') {
    const [stream, full, incremental] = [args.stream, args['full-state-id'], args['incremental-state-id']];
    if (typeof stream !== 'string' || typeof full !== 'string' || typeof incremental !== 'string')
      throw new UsageError('meltano-handoff needs --stream, --full-state-id and --incremental-state-id', program);
    const meltano = await findMeltano(typeof args.meltano === 'string' ? args.meltano : undefined, context.env);
    const line = await runMeltanoHandoff(
      { stream, fullStateId: full, incrementalStateId: incremental, meltano },
      logger,
    );
    stdout.write(`${line}\n`);
    return;
  }
  const sources = configSources(args);
  const settings = await loadPipelineSettings(sources, context.env);
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
  if (command === 'run' && !settings.jobs.some((job) => job.name === rest[0]))
    throw new UsageError(
      `unknown job '${rest[0]}' (jobs: ${settings.jobs.map((job) => job.name).join(', ') || 'none configured'})`,
      program,
    );
  const entity = args.entity as string | undefined;
  if (command === 'initial-load' && (!entity || /[*?]/.test(entity)))
    throw new UsageError(
      entity
        ? `initial-load loads one entity: --entity '${entity}' is a pattern`
        : 'initial-load needs --entity <name>',
      program,
    );
  const problems = commandConfigProblems(settings, command, {
    company: args.company as string | undefined,
    facility: args.facility as string | undefined,
    job: rest[0],
    entity,
  });
  if (problems.length > 0) {
    // With no --config at all the user has not configured anything yet: say how, in one line.
    if (sources.length === 0)
      throw new UsageError(
        `'${command}' needs settings (${problems.join('; ')}): pass --config <file> or set WMS_PIPELINE_<SETTING> variables`,
        program,
      );
    throw new ConfigError(problems);
  }

  const company = (args.company as string | undefined) ?? settings.company_code;
  const facility = (args.facility as string | undefined) ?? settings.facility_code;
  const tty = (process.stderr.isTTY ?? false) && !args.json;
  let progress: ProgressLine | undefined;
  const orchestrator = createOrchestrator(settings, {
    logger,
    signal: context.signal,
    onMetric: (_job, source, point) => {
      if (typeof point.tags.stream !== 'string') return;
      if (point.metric === 'record_count') progress?.update(source, point.tags.stream, point.value);
      else if (point.metric === 'record_count_expected' && source === 'tap')
        progress?.expect(point.tags.stream, point.value);
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
        withProgress(`${command} ${company}/${facility}`);
        const result =
          command === 'full'
            ? await orchestrator.executeFullSync(company, facility)
            : await orchestrator.executeIncrementalSync(company, facility);
        finishRun(result);
        return;
      }
      case 'initial-load': {
        const request = initialLoadRequest(settings, entity!, company, facility);
        await checkEntityListed(settings, request, entity!, { logger, signal: context.signal });
        withProgress(`initial-load ${entity} ${company}/${facility}`);
        finishRun(await orchestrator.initialLoad(entity!, company, facility));
        return;
      }
      case 'run': {
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
              : ExitCode.Config; // state_dir, report_dir or meltano: what the settings point at is unusable
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
        const parts = args.parts as number | undefined;
        if (!entity || parts === undefined || !Number.isInteger(parts) || parts < 1 || parts > 1000)
          throw new UsageError('plan-partitions needs --entity and --parts (an integer from 1 to 1000)', program);
        const tapConfig = effectiveTapConfig(
          tapConfigFor(settings, {
            job: 'plan-partitions',
            mode: 'full',
            companyCode: company,
            facilityCode: facility,
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
    }
  } finally {
    progress?.stop();
    orchestrator.close();
  }
}
