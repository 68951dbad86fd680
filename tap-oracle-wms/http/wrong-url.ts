import { ConfigError } from '../../singer/index.js';
import { shownUrl } from './url-text.js';

/**
 * A 404 where the WMS cannot mean "no rows" is a wrong URL. lgfapi answers a list that matches nothing with 404, so
 * without these checks a wrong environment segment in base_url reads as an empty tenant: nothing loaded, exit 0,
 * bookmarks written. Both errors are configuration errors (exit 2): retrying cannot help.
 */

const ENVIRONMENT_HINT =
  "check the environment segment after the host in base_url (the one in the WMS UI's URL: https://<pod>.wms.ocs.oraclecloud.com/<environment>) and api_version";

/** The entity list (`GET …/entity/`) answered 404: base_url or api_version is wrong. */
export function wrongBaseUrl(url: string, detail: string | undefined): ConfigError {
  return new ConfigError(
    `'base_url' does not lead to a WMS environment: GET ${shownUrl(url)} answered HTTP 404${detail ? ` (${detail})` : ''}: ${ENVIRONMENT_HINT}`,
  );
}

/**
 * A list sent with empty_response_http_code=200|204 answered 404: the tenant would have answered an empty result
 * with that code, so the URL (base_url, api_version or the entity) is wrong, or the tenant ignores the parameter.
 */
export function listNotFound(url: string, entity: string, code: number, detail: string | undefined): ConfigError {
  return new ConfigError(
    `GET ${shownUrl(url)} answered HTTP 404${detail ? ` (${detail})` : ''} although empty_response_http_code=${code} asks for ${code} when nothing matches, so the URL is wrong: ${ENVIRONMENT_HINT}, and that entity '${entity}' exists on this tenant; if the tenant is older than release 26A (which added the parameter), unset empty_response_http_code`,
  );
}
