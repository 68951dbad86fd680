import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode } from '../singer/errors.js';
import { packageVersion } from '../singer/version.js';
import { parseFaultSpec } from './fault-plan.js';
import { startSimulator } from './server.js';
import { DEFAULT_USERS, resolveOptions, type SimulatorOptions } from './simulator-options.js';
import type { ClientSpec, UserSpec } from './auth.js';

/**
 * `wms-simulator`: serves the simulated tenant until SIGINT/SIGTERM, then closes and exits 0.
 * Prints the base URL and the credentials to use on stdout; errors go to stderr with
 * ExitCode.Config (bad usage) or ExitCode.Internal (could not start, e.g. port in use).
 */
export async function run(argv: string[] = hideBin(process.argv)): Promise<void> {
  let options: SimulatorOptions | null;
  try {
    options = await parseArgs(argv);
  } catch (e) {
    process.stderr.write(`wms-simulator: ${(e as Error).message}\n`);
    process.exitCode = ExitCode.Config;
    return;
  }
  if (options === null) {
    process.exitCode = ExitCode.Ok;
    return;
  }
  let sim;
  try {
    sim = await startSimulator(options);
  } catch (e) {
    process.stderr.write(`wms-simulator: cannot start: ${(e as Error).message}\n`);
    process.exitCode = ExitCode.Internal;
    return;
  }
  const users = options.users ?? [...DEFAULT_USERS];
  const reader = users.find((u) => u.canRead);
  const isDemo = (u: UserSpec) => DEFAULT_USERS.some((d) => d.username === u.username && d.password === u.password);
  process.stdout.write(`wms-simulator listening on ${sim.baseUrl}\n`);
  process.stdout.write(`base_url=${sim.baseUrl}\n`);
  if (reader) {
    // Only the built-in demo credentials are echoed; passwords given on the command line are not.
    process.stdout.write(
      isDemo(reader)
        ? `basic auth: ${reader.username} / ${reader.password}\n`
        : `basic auth: ${reader.username} / (as given)\n`,
    );
  }
  const client = options.clients?.[0] ?? { clientId: 'demo-client', clientSecret: 'demo-secret' };
  const demoClient = client.clientId === 'demo-client' && client.clientSecret === 'demo-secret';
  process.stdout.write(
    `oauth2: POST ${sim.baseUrl}/api/oauth2/token/ client ${client.clientId} / ${demoClient ? client.clientSecret : '(as given)'}\n`,
  );
  process.stdout.write(`admin: ${sim.url}/__admin/\n`);

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
  // A requested shutdown is this server's normal end, not an interrupted job.
  process.exitCode = ExitCode.Ok;
}

async function parseArgs(argv: string[]): Promise<SimulatorOptions | null> {
  const parser = yargs(argv)
    .scriptName('wms-simulator')
    .usage('$0 [options]\n\nA local Oracle WMS Cloud lgfapi v10 server with deterministic data, faults and latency.')
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to bind' })
    .option('port', { type: 'number', default: 8765, describe: 'port (0 = any free port)' })
    .option('env', { type: 'string', default: 'demo', describe: 'environment segment of the URLs' })
    .option('seed', { type: 'number', default: 1, describe: 'data and fault seed' })
    .option('rows', { type: 'string', array: true, default: [], describe: 'ENTITY=N generated rows (repeatable)' })
    .option('page-size-default', {
      type: 'number',
      default: 50,
      describe: 'page size when page_size is absent or invalid',
    })
    .option('empty-list-200', {
      type: 'boolean',
      default: false,
      describe: 'answer an empty filtered list with 200 [] instead of 404',
    })
    .option('strict-seconds', {
      type: 'boolean',
      default: false,
      describe: 'reject sub-second precision in query date-times',
    })
    .option('required-yn', {
      type: 'boolean',
      default: false,
      describe: 'describe "required" as "Y"/"N" instead of booleans',
    })
    .option('entity-list', {
      choices: ['dict', 'list'] as const,
      default: 'dict' as const,
      describe: 'entity list shape',
    })
    .option('user', {
      type: 'string',
      array: true,
      describe: 'NAME:PASSWORD[:noread] (repeatable; replaces demo:demo and noread:noread)',
    })
    .option('client', { type: 'string', array: true, describe: 'CLIENT_ID:SECRET for the token endpoint (repeatable)' })
    .option('token-ttl', {
      type: 'number',
      default: 3600,
      describe: 'bearer token lifetime, seconds (simulator clock)',
    })
    .option('latency-ms', { type: 'number', default: 0, describe: 'added to every lgfapi response' })
    .option('latency-ms-per-row', { type: 'number', default: 0, describe: 'added per returned record (real WMS: ~20)' })
    .option('faults', {
      type: 'string',
      default: '',
      describe: 'fault rules, e.g. "allocation:429@3,*:500@0.1" (see docs/wms-simulator.md)',
    })
    .option('data-epoch', { type: 'string', describe: 'newest generated mod_ts (ISO-8601)' })
    .option('clock-start', { type: 'string', describe: 'initial simulator clock (ISO-8601)' })
    .strict()
    .help()
    .version(packageVersion())
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new Error(message);
    });
  const args = await parser.parseAsync();
  if (argv.includes('--help') || argv.includes('-h') || argv.includes('--version')) return null;
  const rows: Record<string, number> = {};
  for (const item of args.rows) {
    const m = /^([a-z_]+)=(\d+)$/.exec(item);
    if (!m) throw new Error(`--rows '${item}' is not ENTITY=N`);
    rows[m[1]] = Number(m[2]);
  }
  parseFaultSpec(args.faults);
  const options: SimulatorOptions = {
    host: args.host,
    port: args.port,
    env: args.env,
    seed: args.seed,
    rows,
    pageSizeDefault: args['page-size-default'],
    emptyList200: args['empty-list-200'],
    strictSeconds: args['strict-seconds'],
    requiredStyle: args['required-yn'] ? 'yn' : 'boolean',
    entityListStyle: args['entity-list'],
    tokenTtlSeconds: args['token-ttl'],
    latencyMs: args['latency-ms'],
    latencyMsPerRow: args['latency-ms-per-row'],
    faults: args.faults,
    ...(args.user ? { users: args.user.map(parseUser) } : {}),
    ...(args.client ? { clients: args.client.map(parseClient) } : {}),
    ...(args['data-epoch'] ? { dataEpoch: args['data-epoch'] } : {}),
    ...(args['clock-start'] ? { clockStart: args['clock-start'] } : {}),
  };
  resolveOptions(options);
  return options;
}

function parseUser(text: string): UserSpec {
  const m = /^([^:]+):([^:]*)(?::(noread))?$/.exec(text);
  if (!m) throw new Error('--user needs NAME:PASSWORD[:noread]');
  return { username: m[1], password: m[2], canRead: m[3] === undefined };
}

function parseClient(text: string): ClientSpec {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Error('--client needs CLIENT_ID:SECRET');
  return { clientId: text.slice(0, colon), clientSecret: text.slice(colon + 1) };
}
