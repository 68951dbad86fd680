import type { JsonSchema } from './messages.js';

/** A plugin's settings: one JSON Schema drives validation, defaults, redaction, `--about` and meltano.yml. */
export interface SettingsSchema extends JsonSchema {
  type: 'object';
  properties: Record<string, SettingSchema>;
  required?: string[];
}

export interface SettingSchema extends JsonSchema {
  description?: string;
  default?: unknown;
  /** Redact everywhere (logs, errors, --about, reports). Mirrors the SDK's `secret=True`. */
  secret?: boolean;
  writeOnly?: boolean;
  /** Older names accepted for this setting (e.g. `username` for `user`). */
  aliases?: string[];
  enum?: unknown[];
}

export function primaryType(schema: JsonSchema): string | undefined {
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  return types.find((type) => type !== 'null');
}

export function secretSettingNames(schema: SettingsSchema): string[] {
  return Object.entries(schema.properties)
    .filter(([, setting]) => setting.secret === true || setting.writeOnly === true)
    .map(([name]) => name);
}

/** `tap-oracle-wms` → `TAP_ORACLE_WMS` (Meltano's `to_env_var`). */
export function envPrefix(pluginName: string): string {
  return pluginName.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

export function settingEnvVar(pluginName: string, setting: string): string {
  return `${envPrefix(pluginName)}_${setting.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}`;
}

/**
 * Declares a plugin's settings schema with its literal types kept (enum values, `required`, which settings have a
 * `default`), so the validated config's type is derived from it ({@link SettingsConfig}) instead of written twice.
 */
export function defineSettings<const S extends SettingsSchema>(schema: S): S {
  return schema;
}

/**
 * The type of a config that passed `schema` (validated by ajv with `useDefaults`): a setting that is `required` or
 * has a `default` is always present; the others are optional. Values follow `enum`, `const` or `type` (`items`,
 * `properties` and `additionalProperties` recursively).
 */
export type SettingsConfig<S> = S extends { properties: infer P }
  ? string extends keyof P
    ? Readonly<Record<string, unknown>> // a schema not declared with defineSettings: nothing known per setting
    : ObjectValue<S>
  : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type TypeNames<S> = S extends { type: infer T } ? (T extends readonly (infer U)[] ? U : T) : never;

type SchemaValue<S> = S extends { enum: readonly (infer E)[] }
  ? E
  : S extends { const: infer C }
    ? C
    : TypeValue<S, TypeNames<S>>;

type TypeValue<S, N> = N extends 'string'
  ? string
  : N extends 'integer' | 'number'
    ? number
    : N extends 'boolean'
      ? boolean
      : N extends 'null'
        ? null
        : N extends 'array'
          ? S extends { items: infer I }
            ? SchemaValue<I>[]
            : unknown[]
          : N extends 'object'
            ? ObjectValue<S>
            : unknown;

type RequiredNames<S> = S extends { required: readonly (infer R)[] } ? R : never;

type PresentKeys<S, P> = {
  [K in keyof P]: K extends RequiredNames<S> ? K : P[K] extends { default: unknown } ? K : never;
}[keyof P];

type ObjectValue<S> = S extends { properties: infer P }
  ? Simplify<
      { -readonly [K in PresentKeys<S, P>]: SchemaValue<P[K]> } & {
        -readonly [K in Exclude<keyof P, PresentKeys<S, P>>]?: SchemaValue<P[K]>;
      }
    >
  : S extends { additionalProperties: infer A }
    ? A extends object
      ? Record<string, SchemaValue<A>>
      : Record<string, unknown>
    : Record<string, unknown>;

/** Declares some settings of a schema with their literal types kept, to spread into its `properties`. */
export function defineSettingGroup<const P extends Record<string, SettingSchema>>(settings: P): P {
  return settings;
}

/** Declares a JSON Schema fragment with its literal types kept, for {@link JsonSchemaValue}. */
export function defineSchema<const S extends JsonSchema>(schema: S): S {
  return schema;
}

/** The type of a value that passed `S` (see {@link SettingsConfig}). */
export type JsonSchemaValue<S> = SchemaValue<S>;
