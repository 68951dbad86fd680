import { secretSettingNames, secretValues } from '../singer/index.js';
import { TAP_SETTINGS } from '../tap-oracle-wms/index.js';
import { PIPELINE_SETTINGS, type PipelineSettings } from './settings.js';

/**
 * Every secret value these settings carry: the pipeline's own secret settings, the webhook header values, and the
 * secret settings of the pass-through tap/target configs (by the tap's schema, and by name for the target).
 */
export function pipelineSecrets(settings: PipelineSettings): string[] {
  const secrets = secretValues(settings, PIPELINE_SETTINGS);
  for (const value of Object.values(settings.alert_webhook_headers)) {
    if (typeof value !== 'string' || value.length === 0) continue;
    secrets.push(value);
    // `Bearer <token>` / `Basic <credential>`: the credential alone is secret too.
    const credential = /^[A-Za-z-]+ (.{4,})$/.exec(value)?.[1];
    if (credential) secrets.push(credential);
  }
  const tapSecretNames = new Set(secretSettingNames(TAP_SETTINGS));
  const passThrough = [
    settings.tap_config,
    settings.target_config,
    settings.full_sync_target_config,
    settings.incremental_target_config,
  ];
  for (const job of settings.jobs) passThrough.push(job.tap_config ?? {}, job.target_config ?? {});
  for (const config of passThrough) {
    for (const [name, value] of Object.entries(config ?? {})) {
      if (typeof value !== 'string' || value.length === 0) continue;
      if (tapSecretNames.has(name) || /password|secret|token|private_key|wallet/i.test(name)) secrets.push(value);
    }
  }
  // A URL's password part and the base64 Basic credential can leak through error texts too.
  for (const value of [...secrets]) {
    try {
      const url = new URL(value);
      if (url.password) secrets.push(url.password);
    } catch {
      // not a URL
    }
  }
  if (settings.wms_username && settings.wms_password)
    secrets.push(Buffer.from(`${settings.wms_username}:${settings.wms_password}`).toString('base64'));
  return [...new Set(secrets)].sort((a, b) => b.length - a.length);
}
