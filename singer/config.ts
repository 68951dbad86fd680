import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError } from './errors.js';
import { jsonErrorWhere } from './parse-json.js';
import {
  primaryType,
  settingEnvVar,
  type SettingsConfig,
  type SettingSchema,
  type SettingsSchema,
} from './settings-schema.js';

export type Config = Readonly<Record<string, unknown>>;

/** The literal that makes `--config` read `<PLUGIN>_<SETTING>` variables (and `.env`) instead of a file. */
export const ENV_CONFIG = 'ENV';

export interface LoadConfigOptions<S extends SettingsSchema = SettingsSchema> {
  pluginName: string;
  schema: S;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LoadedConfig<C = Config> {
  /** Typed by the schema it passed (`SettingsConfig<typeof SCHEMA>`): defaults applied, frozen. */
  config: Readonly<C>;
  /** Keys that are not settings of this plugin (worth a warning, not an error). */
  unknownKeys: string[];
}

/**
 * Merges `--config` sources in order (later wins; `ENV` reads the environment and `.env`, environment over `.env`),
 * resolves setting aliases, applies defaults, validates with ajv and reports every problem at once.
 */
export async function loadConfig<S extends SettingsSchema>(
  sources: readonly string[],
  options: LoadConfigOptions<S>,
): Promise<LoadedConfig<SettingsConfig<S>>> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  let merged: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const source of sources) {
    if (source === ENV_CONFIG) {
      merged = { ...merged, ...(await configFromEnv(options.pluginName, options.schema, env, cwd)) };
      continue;
    }
    try {
      // Aliases are resolved per source so that a later file wins even when it uses a legacy name.
      merged = { ...merged, ...resolveAliases(await readConfigFile(path.resolve(cwd, source)), options.schema) };
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return validateConfig(merged, options.schema);
}

export function validateConfig<S extends SettingsSchema>(
  input: Record<string, unknown>,
  schema: S,
): LoadedConfig<SettingsConfig<S>> {
  const config = resolveAliases(input, schema);
  const validate = compileSettingsSchema<SettingsConfig<S>>(schema);
  if (!validate(config))
    throw new ConfigError(
      (validate.errors ?? [])
        // ajv adds a summary line for each failed if/then (a store's or an auth method's rules): the settings the
        // `then` asked for are listed already, each by its own error.
        .filter((error) => error.keyword !== 'if')
        .map(describeAjvError),
    );
  const unknownKeys = Object.keys(config).filter((key) => !(key in schema.properties));
  return { config: Object.freeze(config), unknownKeys };
}

async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    // `/dev/fd/N` is an inherited descriptor (a supervisor passing a config with secrets without a file). Node's
    // child pipes are socket pairs, which cannot be opened by path (ENXIO): read the descriptor itself.
    const fd = /^\/dev\/fd\/(\d+)$/.exec(file)?.[1];
    text = fd === undefined ? await readFile(file, 'utf8') : readFileSync(Number(fd), 'utf8');
  } catch (error) {
    throw new Error(`cannot read config file ${file} (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`config file ${file} is not valid JSON${jsonErrorWhere(text)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`config file ${file} must hold a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

async function configFromEnv(
  pluginName: string,
  schema: SettingsSchema,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<Record<string, unknown>> {
  let dotenv: Record<string, string> = {};
  try {
    dotenv = parseDotenv(await readFile(path.join(cwd, '.env'), 'utf8'));
  } catch {
    // No .env file: only the environment counts.
  }
  const config: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(schema.properties)) {
    // The environment wins over .env, whichever name (canonical first, then aliases) each one uses.
    const variables = [name, ...(setting.aliases ?? [])].map((settingName) => settingEnvVar(pluginName, settingName));
    const raw =
      variables.map((variable) => env[variable]).find((value) => value !== undefined) ??
      variables.map((variable) => dotenv[variable]).find((value) => value !== undefined);
    if (raw !== undefined) config[name] = castEnvValue(raw, setting);
  }
  return config;
}

/** Casts an environment string by the setting's JSON Schema type; leaves it alone when it does not fit. */
export function castEnvValue(raw: string, setting: SettingSchema): unknown {
  const text = raw.trim();
  switch (primaryType(setting)) {
    case 'integer':
      return /^-?\d+$/.test(text) ? Number(text) : raw;
    case 'number':
      return text !== '' && Number.isFinite(Number(text)) ? Number(text) : raw;
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      return raw;
    case 'array':
      if (text.startsWith('[')) return parseJsonOr(text, raw);
      return text === '' ? [] : text.split(',').map((item) => item.trim());
    case 'object':
      return parseJsonOr(text, raw);
    default:
      return raw;
  }
}

function parseJsonOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

function resolveAliases(input: Record<string, unknown>, schema: SettingsSchema): Record<string, unknown> {
  const config = { ...input };
  for (const [name, setting] of Object.entries(schema.properties)) {
    for (const alias of setting.aliases ?? []) {
      if (alias in config) {
        if (config[name] === undefined) config[name] = config[alias];
        delete config[alias];
      }
    }
  }
  return config;
}

const compiled = new WeakMap<SettingsSchema, ValidateFunction>();

/** ajv's type guard for `schema`: a config it accepts has the type the schema declares (defaults filled in). */
function compileSettingsSchema<T>(schema: SettingsSchema): ValidateFunction<T> {
  let validate = compiled.get(schema);
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
    addFormatsPlugin.default(ajv);
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate as ValidateFunction<T>;
}

/** Error text names the setting and the rule, never the value (it may be a secret). */
function describeAjvError(error: ErrorObject): string {
  const setting = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  switch (error.keyword) {
    case 'required':
      // Named by its path: a setting inside an object setting (data_extract.bucket) is not a top-level one.
      return `'${setting ? `${setting}.` : ''}${(error.params as { missingProperty: string }).missingProperty}' is required`;
    case 'const':
      return `'${setting}' must be ${String((error.params as { allowedValue: unknown }).allowedValue)}`;
    case 'enum':
      return `'${setting}' must be one of: ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    default:
      return `'${setting || '(root)'}' ${error.message ?? 'is invalid'}`;
  }
}
