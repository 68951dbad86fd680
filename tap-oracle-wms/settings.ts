import { defineSettings, type SettingsConfig } from '../singer/index.js';
import { DATA_EXTRACT_SETTINGS } from './data-extract/settings.js';
import { REQUEST_SETTINGS } from './http/request-settings.js';
import { DEFAULT_SCOPE_FILTERS, SCOPE_FILTER_SCHEMA } from './scope-filters.js';

/** The tap's settings: one JSON Schema drives validation, defaults, redaction, `--about` and meltano.yml. */
export const TAP_SETTINGS = defineSettings({
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
      additionalProperties: SCOPE_FILTER_SCHEMA,
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
    ...REQUEST_SETTINGS,
    incremental_overlap_minutes: {
      type: 'number',
      minimum: 0,
      default: 15,
      description:
        'Incremental windows start this long before the bookmark, to catch rows committed late with a back-dated mod_ts',
    },
    incremental_subwindows: {
      type: 'integer',
      minimum: 1,
      maximum: 64,
      default: 1,
      description:
        'Time sub-windows one incremental window is split into and read concurrently (at most max_concurrent_requests at once), for entities that change faster than one request in flight can read; the one bookmark only moves past a sub-window once every earlier one is complete',
    },
    replication_lag_seconds: {
      type: 'integer',
      minimum: 0,
      default: 60,
      description: 'The upper bound (signpost) of an incremental sync is its start time minus this lag',
    },
    allow_future_bookmarks: {
      type: 'boolean',
      default: false,
      description:
        'A bookmark in the input state later than the run start (it would read nothing until then) fails the run with exit 3; true only warns and syncs from it',
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
    ...DATA_EXTRACT_SETTINGS,
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
});

/** The validated config, with defaults applied: its type is derived from TAP_SETTINGS. */
export type TapConfig = SettingsConfig<typeof TAP_SETTINGS>;
