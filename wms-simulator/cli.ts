import { hideBin } from 'yargs/helpers';
import {
  createLogger,
  ExitCode,
  type HelpSpec,
  INFO_OPTIONS,
  packageVersion,
  parseArgs as parseCommandLine,
  type PluginInfo,
  printInfoIfAsked,
  UsageError,
} from '../singer/index.js';
import { parseFaultSpec } from './fault-plan.js';
import { startSimulator } from './server.js';
import { DEFAULT_USERS, resolveOptions, type SimulatorOptions } from './simulator-options.js';
import type { ClientSpec, UserSpec } from './auth.js';

const NAME = 'wms-simulator';
const DESCRIPTION = 'A local Oracle WMS Cloud lgfapi v10 server with deterministic data, faults and latency.';

const OPTIONS = {
  host: { type: 'string', default: '127.0.0.1', description: 'interface to bind' },
  port: { type: 'number', default: 8765, description: 'port (0 = any free port)' },
  env: { type: 'string', default: 'demo', description: 'environment segment of the URLs' },
  seed: { type: 'number', default: 1, description: 'data and fault seed' },
  rows: { type: 'string', array: true, default: [], description: 'ENTITY=N generated rows' },
  'page-size-default': {
    type: 'number',
    default: 50,
    description: 'page size when page_size is absent or invalid',
  },
  'empty-list-200': {
    type: 'boolean',
    default: false,
    description: 'answer an empty filtered list with 200 [] instead of 404',
  },
  'strict-seconds': {
    type: 'boolean',
    default: false,
    description: 'reject sub-second precision in query date-times',
  },
  'required-yn': {
    type: 'boolean',
    default: false,
    description: 'describe "required" as "Y"/"N" instead of booleans',
  },
  'entity-list': { choices: ['dict', 'list'], default: 'dict', description: 'entity list shape' },
  user: {
    type: 'string',
    array: true,
    description: 'NAME:PASSWORD[:noread] (replaces demo:demo and noread:noread)',
  },
  client: { type: 'string', array: true, description: 'CLIENT_ID:SECRET for the token endpoint' },
  'token-ttl': { type: 'number', default: 3600, description: 'bearer token lifetime, seconds (simulator clock)' },
  'latency-ms': { type: 'number', default: 0, description: 'added to every lgfapi response' },
  'latency-ms-per-row': { type: 'number', default: 0, description: 'added per returned record (real WMS: ~20)' },
  faults: {
    type: 'string',
    default: '',
    description: 'fault rules, e.g. "allocation:429@3,*:500@0.1" (see docs/wms-simulator.md)',
  },
  'data-epoch': { type: 'string', description: 'newest generated mod_ts (ISO-8601)' },
  'clock-start': { type: 'string', description: 'initial simulator clock (ISO-8601)' },
} as const;

const HELP: HelpSpec = {
  name: NAME,
  description: DESCRIPTION,
  usage: [
    `${NAME} [--port <n>] [--env <segment>] [--rows ENTITY=N]... [--faults <rules>] [options]`,
    `${NAME} --about [--format text|json|markdown] | --version | --help`,
  ],
  options: { ...INFO_OPTIONS, ...OPTIONS },
  docs: ['docs/wms-simulator.md', 'README.md'],
};

/** `--about`: the simulator is configured by its command line, not by Singer settings, so it lists none. */
function pluginInfo(): PluginInfo {
  return {
    name: NAME,
    description: `${DESCRIPTION} Configured by command-line options (${NAME} --help), not by a config file.`,
    version: packageVersion(),
    capabilities: [],
    settings: { type: 'object', properties: {} },
  };
}

/**
 * `wms-simulator`: serves the simulated tenant until SIGINT/SIGTERM, then closes and exits 0.
 * Prints the base URL and the credentials to use on stdout; errors go to stderr as CRITICAL lines with
 * ExitCode.Config (a usage mistake, or the port is taken) or ExitCode.Internal (could not start otherwise).
 */
export async function run(argv: string[] = hideBin(process.argv)): Promise<void> {
  const logger = createLogger({ name: NAME, env: process.env, out: process.stderr });
  let options: SimulatorOptions | null;
  try {
    options = await parseArgs(argv);
  } catch (e) {
    const error = e instanceof UsageError ? e : new UsageError((e as Error).message, NAME);
    logger.critical(error.message);
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
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      logger.critical(
        `cannot listen on ${options.host}:${options.port} (${code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'}): pick another --port, or 0 for any free port`,
      );
      process.exitCode = ExitCode.Config;
    } else {
      logger.critical(`cannot start: ${(e as Error).message}`);
      process.exitCode = ExitCode.Internal;
    }
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
  const args = await parseCommandLine(NAME, argv, OPTIONS, INFO_OPTIONS);
  if (printInfoIfAsked(args, pluginInfo(), process.stdout, HELP)) return null;
  const arg = <T>(name: keyof typeof OPTIONS): T => args[name] as T;
  const rows: Record<string, number> = {};
  for (const item of arg<string[]>('rows')) {
    const m = /^([a-z_]+)=(\d+)$/.exec(item);
    if (!m) throw new Error(`--rows '${item}' is not ENTITY=N`);
    rows[m[1]] = Number(m[2]);
  }
  const faults = arg<string>('faults');
  parseFaultSpec(faults);
  const users = arg<string[] | undefined>('user');
  const clients = arg<string[] | undefined>('client');
  const dataEpoch = arg<string | undefined>('data-epoch');
  const clockStart = arg<string | undefined>('clock-start');
  const options: SimulatorOptions = {
    host: arg('host'),
    port: arg('port'),
    env: arg('env'),
    seed: arg('seed'),
    rows,
    pageSizeDefault: arg('page-size-default'),
    emptyList200: arg('empty-list-200'),
    strictSeconds: arg('strict-seconds'),
    requiredStyle: arg<boolean>('required-yn') ? 'yn' : 'boolean',
    entityListStyle: arg('entity-list'),
    tokenTtlSeconds: arg('token-ttl'),
    latencyMs: arg('latency-ms'),
    latencyMsPerRow: arg('latency-ms-per-row'),
    faults,
    ...(users ? { users: users.map(parseUser) } : {}),
    ...(clients ? { clients: clients.map(parseClient) } : {}),
    ...(dataEpoch ? { dataEpoch } : {}),
    ...(clockStart ? { clockStart } : {}),
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
