import { Writable } from 'node:stream';
import { createLogger, type Logger, Metrics, packageVersion } from '../../singer/index.js';
import { createClient, type ClientHandle, type TapConfig } from '../../tap-oracle-wms/index.js';

/** The WMS calls of a health or consistency check: the tap's own client. */
export type WmsProbe = ClientHandle['client'];

/** Discards the probe's request METRIC lines: they describe the check, not the run the orchestrator reports. */
const quietMetrics = new Metrics(
  createLogger({ name: 'wms-pipeline', env: {}, out: new Writable({ write: (_chunk, _encoding, done) => done() }) }),
);

/**
 * The tap's client built from the tap's effective config, so a probe sees what a sync sees (URL, auth, TLS, custom
 * headers), with no retries: a failed probe is reported, not retried.
 */
export function openWmsProbe(config: TapConfig, timeoutSeconds: number, logger?: Logger): ClientHandle {
  return createClient(
    { ...config, max_retries: 0, connect_retry_seconds: 0, request_timeout: timeoutSeconds },
    {
      logger: logger ?? createLogger({ name: 'wms-pipeline' }),
      metrics: quietMetrics,
      version: packageVersion(),
    },
  );
}
