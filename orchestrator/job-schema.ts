import { defineSchema } from '../singer/index.js';

/** One named job of the `jobs` setting: what it runs, for whom, when, and its own overrides. */
export const JOB_SCHEMA = defineSchema({
  type: 'object',
  required: ['name', 'mode'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    mode: { type: 'string', enum: ['full', 'incremental'] },
    company_code: { type: 'string', minLength: 1 },
    facility_code: { type: 'string', minLength: 1 },
    schedule: { type: 'string', minLength: 1 },
    entities: { type: 'array', items: { type: 'string', minLength: 1 } },
    tap_config: { type: 'object' },
    target_config: { type: 'object' },
    max_retries: { type: 'integer', minimum: 0, maximum: 20 },
    run_timeout_seconds: { type: 'number', exclusiveMinimum: 0 },
  },
});
