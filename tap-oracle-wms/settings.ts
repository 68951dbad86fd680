import { ConfigError, type SettingsSchema, validateConfig } from '../singer/index.js';

/** How the company and facility codes narrow one entity: the lgfapi filter (relation path + `__code`) for each. */
export interface ScopeFilter {
  company?: string | null;
  facility?: string | null;
}

/**
 * Defaults for the entities whose company/facility live behind a relation (wms-api.md §4.6). Entities not listed
 * fall back to their own `company_id`/`facility_id` relation when describe has one; `null` means "cannot be
 * narrowed this way" (the filter is not sent).
 */
export const DEFAULT_SCOPE_FILTERS: Record<string, ScopeFilter> = {
  allocation: {
    facility: 'order_dtl_id__order_id__facility_id__code',
    company: 'order_dtl_id__order_id__company_id__code',
  },
  order_hdr: { facility: 'facility_id__code', company: 'company_id__code' },
  order_dtl: { facility: 'order_id__facility_id__code', company: 'order_id__company_id__code' },
  inventory: { facility: 'facility_id__code', company: 'item_id__company_id__code' },
  location: { facility: 'facility_id__code', company: null },
  item: { facility: null, company: 'company_id__code' },
  facility: { facility: 'code', company: 'parent_company_id__code' },
  company: { facility: null, company: 'code' },
};

/** The tap's settings: one JSON Schema drives validation, defaults, redaction, `--about` and meltano.yml. */
export const TAP_SETTINGS: SettingsSchema = {
  type: 'object',
  properties: {
    base_url: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      description:
        'Tenant URL including its environment segment, e.g. https://<pod>.wms.ocs.oraclecloud.com/<environment> (no /wms/lgfapi)',
    },
    auth_method: {
      type: 'string',
      enum: ['basic', 'oauth2_password', 'oauth2_client_credentials'],
      default: 'basic',
      description:
        'basic (username/password on every call), oauth2_password (WMS-hosted POST {base_url}/api/oauth2/token/), or oauth2_client_credentials (IDCS token URL)',
    },
    username: { type: 'string', description: 'WMS API user (basic and oauth2_password)' },
    password: { type: 'string', secret: true, writeOnly: true, description: 'Password of the WMS API user' },
    oauth_client_id: {
      type: 'string',
      description: 'OAuth2 client id (oauth2_password and oauth2_client_credentials)',
    },
    oauth_client_secret: { type: 'string', secret: true, writeOnly: true, description: 'OAuth2 client secret' },
    oauth_token_url: {
      type: 'string',
      description:
        'Token endpoint for oauth2_client_credentials (e.g. https://idcs-<tenant>.identity.oraclecloud.com/oauth2/v1/token); oauth2_password defaults to {base_url}/api/oauth2/token/',
    },
    oauth_scope: { type: 'string', description: 'OAuth2 scope, e.g. urn:resource:fusion:scm:logistics:wms:lgfapi/' },
    api_version: { type: 'string', pattern: '^v[0-9]+$', default: 'v10', description: 'lgfapi version segment' },
    company_code: {
      type: 'string',
      default: '*',
      description: 'Company code to narrow extraction to; * means every company the user can see',
    },
    facility_code: {
      type: 'string',
      default: '*',
      description: 'Facility code to narrow extraction to; * means every facility the user can see',
    },
    scope_filters: {
      type: 'object',
      default: DEFAULT_SCOPE_FILTERS,
      additionalProperties: {
        type: 'object',
        properties: { company: { type: ['string', 'null'] }, facility: { type: ['string', 'null'] } },
        additionalProperties: false,
      },
      description:
        'Per entity, the lgfapi filter that company_code / facility_code become (e.g. {"order_dtl": {"facility": "order_id__facility_id__code"}}); merged over the built-in defaults; entities not listed use their own company_id / facility_id relation when they have one; null disables',
    },
    entities: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: ['*'],
      description: 'Entity names or glob patterns (* and ?) to discover and sync',
    },
    exclude_entities: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: [],
      description: 'Entity names or glob patterns to leave out',
    },
    catalog_cache_dir: {
      type: 'string',
      description:
        'Directory where discovery keeps its catalog and reuses it (no describe calls) while it is younger than catalog_cache_max_age_hours; unset discovers on every run',
    },
    catalog_cache_max_age_hours: {
      type: 'number',
      minimum: 0,
      default: 24,
      description: 'Age after which a cached catalog is discovered again; 0 rediscovers now and rewrites the cache',
    },
    start_date: {
      type: 'string',
      format: 'date-time',
      description: 'RFC 3339 lower bound of the first incremental sync (used when the state has no bookmark)',
    },
    initial_sync: {
      type: 'string',
      enum: ['lookback', 'full'],
      default: 'lookback',
      description:
        'First run of an incremental stream with no bookmark and no start_date: lookback reads the last initial_lookback_minutes; full runs a full (partitioned, resumable) sync, and its start signpost becomes the bookmark, so nothing changed while it ran is lost',
    },
    initial_lookback_minutes: {
      type: 'integer',
      minimum: 1,
      default: 1440,
      description:
        'Without a bookmark and without start_date, incremental streams start this long before the sync (never the whole table)',
    },
    page_size: {
      type: 'integer',
      minimum: 1,
      maximum: 1250,
      default: 1000,
      description: 'Rows per page (lgfapi maximum 1250)',
    },
    page_mode: {
      type: 'string',
      enum: ['sequenced', 'paged'],
      default: 'sequenced',
      description: 'lgfapi page_mode: sequenced (keyset cursor, recommended) or paged',
    },
    request_timeout: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 300,
      description: 'Seconds before one HTTP request is abandoned (then retried)',
    },
    max_response_mb: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 100,
      description:
        'Largest decoded (decompressed) response body in MB; a larger one (a gzip bomb, a runaway page) fails the run (exit 4) instead of exhausting memory. (a real order_hdr row is about 7 KB of JSON, so a 1250-row page is about 10 MB)',
    },
    max_retries: {
      type: 'integer',
      minimum: 0,
      default: 5,
      description: 'Retries of a failed request (429, 5xx, timeouts, resets) before the run fails',
    },
    backoff_initial_seconds: {
      type: 'number',
      minimum: 0,
      default: 1,
      description: 'First backoff delay; doubles every retry, with jitter',
    },
    backoff_max_seconds: {
      type: 'number',
      minimum: 0,
      default: 60,
      description: 'Upper bound of one backoff delay (a longer Retry-After is still honoured, up to 300 s)',
    },
    max_concurrent_requests: {
      type: 'integer',
      minimum: 1,
      maximum: 32,
      default: 4,
      description: 'Requests in flight at once, across streams and partitions (Oracle recommends fewer than 10)',
    },
    rate_limit_per_second: {
      type: 'number',
      minimum: 0,
      default: 0,
      description: 'Client-side limit of requests started per second; 0 disables',
    },
    incremental_overlap_minutes: {
      type: 'number',
      minimum: 0,
      default: 15,
      description:
        'Incremental windows start this long before the bookmark, to catch rows committed late with a back-dated mod_ts',
    },
    replication_lag_seconds: {
      type: 'integer',
      minimum: 0,
      default: 60,
      description: 'The upper bound (signpost) of an incremental sync is its start time minus this lag',
    },
    enable_incremental: { type: 'boolean', default: true, description: 'false makes every stream FULL_TABLE' },
    full_sync_partitions: {
      type: 'integer',
      minimum: 0,
      maximum: 64,
      default: 0,
      description: 'Id ranges a full sync is split into and fetched concurrently; 0 means max_concurrent_requests',
    },
    id_range: {
      type: 'object',
      properties: {
        gte: { type: ['integer', 'string'], pattern: '^-?[0-9]+$', description: 'Lowest id (inclusive)' },
        lt: { type: ['integer', 'string'], pattern: '^-?[0-9]+$', description: 'Id bound (exclusive)' },
      },
      additionalProperties: false,
      description:
        'Restricts every stream to ids in [gte, lt) (either end may be left out): the min/max lookups and every page; one range per Meltano job spreads one entity over processes (wms-pipeline plan-partitions). Refused with emit_activate_version',
    },
    entity_filters: {
      type: 'object',
      default: {},
      additionalProperties: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
      description:
        'Query parameters passed through per entity, e.g. {"allocation": {"status_id__lt": 99}}; key "*" applies to every entity',
    },
    flatten_relations: {
      type: 'boolean',
      default: true,
      description:
        'Relations {id,key,url} become <name>_id (integer) and <name>_key (string) columns; false keeps the object',
    },
    use_singer_decimal: {
      type: 'boolean',
      default: false,
      description:
        'Send decimals as strings with format x-singer.decimal (the Meltano SDK setting) instead of exact JSON numbers, for targets that would read those numbers as floats',
    },
    custom_headers: {
      type: 'object',
      default: {},
      additionalProperties: { type: 'string' },
      description: 'Extra HTTP headers sent with every request',
    },
    verify_tls: { type: 'boolean', default: true, description: 'Verify the server certificate' },
    ca_file: { type: 'string', description: 'PEM file with extra certificate authorities to trust' },
    user_agent: { type: 'string', description: 'User-Agent header (default tap-oracle-wms/<version>)' },
    emit_activate_version: {
      type: 'boolean',
      default: false,
      aliases: ['emit_activate_version_messages'],
      description:
        'Send ACTIVATE_VERSION before and after each FULL_TABLE sync, so the target can drop rows gone from the source',
    },
  },
  required: ['base_url'],
  // What each auth_method needs: checked with every other problem, not after them.
  allOf: [
    { if: { properties: { auth_method: { const: 'basic' } } }, then: { required: ['username', 'password'] } },
    {
      if: { properties: { auth_method: { const: 'oauth2_password' } }, required: ['auth_method'] },
      then: { required: ['username', 'password', 'oauth_client_id', 'oauth_client_secret'] },
    },
    {
      if: { properties: { auth_method: { const: 'oauth2_client_credentials' } }, required: ['auth_method'] },
      then: { required: ['oauth_client_id', 'oauth_client_secret', 'oauth_token_url'] },
    },
  ],
};

export type AuthMethod = 'basic' | 'oauth2_password' | 'oauth2_client_credentials';

/** The validated config, with defaults applied. */
export interface TapConfig {
  base_url: string;
  auth_method: AuthMethod;
  username?: string;
  password?: string;
  oauth_client_id?: string;
  oauth_client_secret?: string;
  oauth_token_url?: string;
  oauth_scope?: string;
  api_version: string;
  company_code: string;
  facility_code: string;
  scope_filters: Record<string, ScopeFilter>;
  entities: string[];
  exclude_entities: string[];
  catalog_cache_dir?: string;
  catalog_cache_max_age_hours: number;
  start_date?: string;
  initial_sync: 'lookback' | 'full';
  initial_lookback_minutes: number;
  page_size: number;
  page_mode: 'sequenced' | 'paged';
  request_timeout: number;
  max_response_mb: number;
  max_retries: number;
  backoff_initial_seconds: number;
  backoff_max_seconds: number;
  max_concurrent_requests: number;
  rate_limit_per_second: number;
  incremental_overlap_minutes: number;
  replication_lag_seconds: number;
  enable_incremental: boolean;
  full_sync_partitions: number;
  id_range?: { gte?: number | string; lt?: number | string };
  entity_filters: Record<string, Record<string, string | number | boolean>>;
  flatten_relations: boolean;
  use_singer_decimal: boolean;
  custom_headers: Record<string, string>;
  verify_tls: boolean;
  ca_file?: string;
  user_agent?: string;
  emit_activate_version: boolean;
}

/** Cross-setting rules JSON Schema cannot say clearly; every problem is returned. */
export function configProblems(config: TapConfig): string[] {
  const problems: string[] = [];
  if (/\/wms\/lgfapi/.test(config.base_url))
    problems.push("'base_url' must stop at the environment segment (leave out /wms/lgfapi/…)");
  const range = config.id_range;
  if (range) {
    // ACTIVATE_VERSION retires every row of the table the run did not send: the rows of the other ranges too.
    if (config.emit_activate_version)
      problems.push(
        "'id_range' cannot be combined with 'emit_activate_version': ACTIVATE_VERSION would retire the rows of the other id ranges",
      );
    if (range.gte !== undefined && range.lt !== undefined && BigInt(range.gte) >= BigInt(range.lt))
      problems.push(`'id_range' is empty: gte ${range.gte} is not below lt ${range.lt}`);
  }
  return problems;
}

/**
 * Every problem `--config` would be refused for (schema and cross-setting rules), without a request: for a
 * supervisor that builds the config and wants to refuse a run before it starts anything.
 */
export function tapConfigProblems(input: Record<string, unknown>): string[] {
  try {
    return configProblems(validateConfig(structuredClone(input), TAP_SETTINGS).config as unknown as TapConfig);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // ajv adds a summary line for each failed if/then (the auth_method rules); the missing settings are listed already.
    return error.problems.filter((problem) => !problem.includes('"then" schema'));
  }
}
