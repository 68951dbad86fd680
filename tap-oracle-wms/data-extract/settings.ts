import { defineSettingGroup } from '../../singer/index.js';

/**
 * The tap's Data Extract settings (docs/data-extract.md): one object saying where the files are and how they are
 * read, plus the S3 access key as two top-level secret settings (top-level so that redaction, `--about` and Meltano's
 * `kind: password` treat them as secrets; a value inside an object setting is not one).
 */
/** Settings that only mean something for store s3. */
const S3_ONLY = ['bucket', 'region', 'endpoint'];

export const DATA_EXTRACT_SETTINGS = defineSettingGroup({
  data_extract: {
    type: 'object',
    properties: {
      store: {
        type: 'string',
        enum: ['local', 's3'],
        default: 'local',
        description:
          'Where the files are: s3 (AWS S3 or an S3-compatible store: OCI Object Storage, Google Cloud Storage with HMAC keys) or local (a directory, for development and tests)',
      },
      directory: { type: 'string', minLength: 1, description: 'The directory of store local' },
      bucket: { type: 'string', minLength: 1, description: 'The bucket of store s3 (the one WMS exports into)' },
      region: {
        type: 'string',
        minLength: 1,
        description:
          "The bucket's region, store s3 (the SDK signs with it; OCI: the tenancy region, e.g. eu-frankfurt-1)",
      },
      endpoint: {
        type: 'string',
        format: 'uri',
        pattern: '^https?://',
        description:
          'Store s3 on an S3-compatible service instead of AWS S3: OCI https://<namespace>.compat.objectstorage.<region>.oraclecloud.com, GCS https://storage.googleapis.com',
      },
      force_path_style: {
        type: 'boolean',
        default: false,
        description:
          'Store s3: the bucket in the path (endpoint/bucket/key) instead of the host name; OCI and most S3-compatible servers need true',
      },
      prefix: {
        type: 'string',
        default: '',
        description: 'Key prefix the export wrote under (e.g. exports/2026-12-01/)',
      },
      entity_prefix: {
        type: 'string',
        default: '{entity}/',
        description:
          "Where one entity's files are after prefix; {entity} is replaced by the entity name (e.g. {entity}/ or {entity}_)",
      },
      format: {
        type: 'string',
        enum: ['csv', 'json'],
        default: 'csv',
        description:
          'File format: csv (header line first) or json (JSON lines or one array); gzip is recognised by itself',
      },
      export_started_at: {
        type: 'string',
        format: 'date-time',
        description:
          "When the export started (RFC 3339): an incremental stream's bookmark after the load, so the next REST incremental run reads every change made during and after the export. Unset: the bookmark is left as it is (a warning)",
      },
      concurrent_files: {
        type: 'integer',
        minimum: 1,
        maximum: 16,
        default: 4,
        description: 'Files of one stream read at once (their records still go out in key order)',
      },
      trigger: {
        type: 'object',
        properties: {
          endpoint_name: {
            type: 'string',
            minLength: 1,
            description:
              'The object store as named in WMS ("Objectstore for Data Extract"); it must be the bucket this setting reads',
          },
          object_store_path: {
            type: 'string',
            default: '',
            description: 'Where in that store WMS writes the files (the status call then names each entity prefix)',
          },
          file_size_in_mb: {
            type: 'integer',
            minimum: 10,
            maximum: 1000,
            default: 10,
            description: "Size of one export file, 10 to 1,000 MB (Oracle's documented range)",
          },
          compressed: { type: 'boolean', default: true, description: 'Ask for gzip files' },
          window_field: {
            type: 'string',
            enum: ['mod_ts', 'create_ts'],
            default: 'mod_ts',
            description: 'The field of the optional window (Data Extract filters on mod_ts or create_ts, in UTC)',
          },
          window_start: {
            type: 'string',
            format: 'date-time',
            description: 'Export only rows with window_field at or after this instant (RFC 3339)',
          },
          window_end: {
            type: 'string',
            format: 'date-time',
            description: 'Export only rows with window_field before this instant (RFC 3339)',
          },
          poll_initial_seconds: {
            type: 'number',
            exclusiveMinimum: 0,
            default: 5,
            description: 'First wait between status polls; doubled after each poll up to poll_max_seconds',
          },
          poll_max_seconds: {
            type: 'number',
            exclusiveMinimum: 0,
            default: 60,
            description: 'Longest wait between status polls',
          },
          timeout_seconds: {
            type: 'number',
            exclusiveMinimum: 0,
            default: 21600,
            description:
              'An export still unfinished after this long fails the run (exit 4, retriable): a status stuck IN_PROGRESS',
          },
        },
        required: ['endpoint_name'],
        additionalProperties: false,
        description:
          'Trigger mode: ask WMS to export each selected stream (an unverified API, docs/data-extract-export.md), follow the export and load each file as it lands; the incremental bookmark becomes the instant the export was requested. Unset: load files already in the store',
      },
    },
    additionalProperties: false,
    // What each store needs: checked with every other problem, like auth_method's rules. A bucket, region or
    // endpoint says the files are in S3: without `store: s3` the default (local) would ask for a directory instead,
    // which hides the setting actually missing.
    allOf: [
      {
        if: {
          properties: { store: { const: 'local' } },
          not: { anyOf: S3_ONLY.map((name) => ({ required: [name] })) },
        },
        then: { required: ['directory'] },
      },
      {
        if: { anyOf: S3_ONLY.map((name) => ({ required: [name] })) },
        then: { required: ['store'], properties: { store: { const: 's3' } } },
      },
      {
        if: { properties: { store: { const: 's3' } }, required: ['store'] },
        then: { required: ['bucket', 'region'] },
      },
    ],
    description:
      'Load the selected streams from WMS Data Extract files in an object store instead of the REST API: a full-table load per stream (ACTIVATE_VERSION with emit_activate_version), resumable file by file (docs/data-extract.md)',
  },
  data_extract_access_key_id: {
    type: 'string',
    minLength: 1,
    secret: true,
    writeOnly: true,
    description:
      "Access key id of data_extract store s3 (OCI: a Customer Secret Key's access key; GCS: an HMAC key's access id); with data_extract_secret_access_key. Unset: the AWS SDK's default chain (environment, shared files, instance or task role)",
  },
  data_extract_secret_access_key: {
    type: 'string',
    minLength: 1,
    secret: true,
    writeOnly: true,
    description: 'Secret of data_extract_access_key_id',
  },
});
