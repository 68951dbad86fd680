import assert from 'node:assert/strict';
import { validateConfig } from '../../../../singer/index.js';
import { TAP_SETTINGS, type TapConfig } from '../../../../tap-oracle-wms/settings.js';
import { loadPath } from '../../../../tap-oracle-wms/sync.js';

function config(extra: Record<string, unknown> = {}): TapConfig {
  return validateConfig({ base_url: 'https://h/env', username: 'demo', password: 'demo', ...extra }, TAP_SETTINGS)
    .config;
}

const store = { description: "S3 bucket 'wms-exports' at AWS S3 (eu-frankfurt-1)" };

describe('tap: the load path a run takes, and why (the line it logs once, pure)', () => {
  it('REST without data_extract, whatever else is set', () => {
    assert.equal(
      loadPath(config({ enable_incremental: false, emit_activate_version: true }), undefined),
      'Loading through the REST API: data_extract is not set',
    );
  });

  it('Data Extract files with data_extract, naming the prefix and the store; the trigger mode naming its endpoint', () => {
    const files = config({
      data_extract: { store: 's3', bucket: 'wms-exports', region: 'eu-frankfurt-1', prefix: 'exports/2026-12-01/' },
    });
    assert.equal(
      loadPath(files, store),
      "Loading from Data Extract files, not the REST API: data_extract is set (the files already under data_extract.prefix 'exports/2026-12-01/' in S3 bucket 'wms-exports' at AWS S3 (eu-frankfurt-1))",
    );
    const trigger = config({
      data_extract: {
        store: 's3',
        bucket: 'wms-exports',
        region: 'eu-frankfurt-1',
        trigger: { endpoint_name: 'WMS_EXPORTS' },
      },
    });
    assert.match(
      loadPath(trigger, store),
      /^Loading from Data Extract files, not the REST API: data_extract is set \(an export asked of WMS for each stream \(data_extract.trigger, endpoint 'WMS_EXPORTS'\) in S3 bucket 'wms-exports'/,
    );
  });
});
