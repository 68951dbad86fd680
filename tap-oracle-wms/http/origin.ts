import { SourceError } from '../../singer/index.js';

/**
 * Requests carry the WMS credentials (Authorization, custom API-key headers), so they may only go to the origin of
 * base_url. A `next_page` link or a redirect naming another scheme, host or port is refused, never followed.
 *
 * Origins are compared as the URL standard serialises them, which drops a scheme's default port: real lgfapi links
 * say `https://host:443/…` while base_url usually says `https://host/…`, and those are the same origin.
 */
export class OriginGuard {
  readonly origin: string;

  constructor(baseUrl: string) {
    this.origin = originOf(baseUrl);
  }

  /** Throws (exit 4) unless `url` is on the configured origin. `what` says where the URL came from. */
  check(url: string, what: string): void {
    const origin = originOf(url);
    if (origin === this.origin) return;
    throw new SourceError(
      `${what} points to ${origin}, which is not the configured WMS origin ${this.origin}: not followed, because requests carry the WMS credentials (check base_url, or the proxy or gateway in front of the WMS)`,
      { retriable: false },
    );
  }
}

/** `scheme://host[:port]` without the default port, userinfo, path or query; a readable stand-in if unparsable. */
export function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    // `URL.origin` is "null" for schemes it does not know; say what the scheme and host were instead.
    return parsed.origin !== 'null' ? parsed.origin : `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '(an invalid URL)';
  }
}
