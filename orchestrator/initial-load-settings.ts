import { defineSettingGroup } from '../singer/index.js';
import { DATA_EXTRACT_SETTINGS } from '../tap-oracle-wms/index.js';

/**
 * The settings `wms-pipeline initial-load` gives the tap for a Data Extract load: the tap's own, under the same names.
 * Pipeline settings, not tap_config, which every run shares: a `full` or `incremental` run given data_extract would
 * load files instead of reading the WMS.
 */
export const INITIAL_LOAD_SETTINGS = defineSettingGroup({
  data_extract: {
    ...DATA_EXTRACT_SETTINGS.data_extract,
    description:
      "`initial-load` only: load the entity from WMS Data Extract files instead of the REST API (the tap's data_extract setting, passed to that run alone; `full` and `incremental` runs stay on REST). Needs company and facility '*' and the tap's flatten_relations true (its default)",
  },
  data_extract_access_key_id: {
    ...DATA_EXTRACT_SETTINGS.data_extract_access_key_id,
    description:
      "`initial-load` only: access key id of data_extract store s3 (the tap's setting of that name); with data_extract_secret_access_key. Unset: the AWS SDK's default chain",
  },
  data_extract_secret_access_key: {
    ...DATA_EXTRACT_SETTINGS.data_extract_secret_access_key,
    description: '`initial-load` only: secret of data_extract_access_key_id',
  },
});
