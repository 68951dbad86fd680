import { defineSettingGroup } from '../../singer/index.js';

/** The tap's Data Extract settings (one object): where the files are and how they are read (docs/data-extract.md). */
export const DATA_EXTRACT_SETTINGS = defineSettingGroup({
  data_extract: {
    type: 'object',
    properties: {
      store: {
        type: 'string',
        enum: ['local'],
        default: 'local',
        description: 'Where the files are: local (a directory, for development and tests)',
      },
      directory: { type: 'string', minLength: 1, description: 'The directory of store local' },
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
    },
    required: ['directory'],
    additionalProperties: false,
    description:
      'Load the selected streams from WMS Data Extract files in an object store instead of the REST API: a full-table load per stream (ACTIVATE_VERSION with emit_activate_version), resumable file by file (docs/data-extract.md)',
  },
});
