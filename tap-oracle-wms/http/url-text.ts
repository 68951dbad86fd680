/**
 * URLs as error messages show them: enough to find the mistake (scheme, host, port, path), never credentials. The
 * userinfo and the query (which may carry filter values or tokens) are left out; the port is always written, because
 * "which port did it try?" is the first question about a connection that failed.
 */

/** `scheme://host:port`, the port explicit even when it is the scheme's default. */
export function shownOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    // An IPv6 hostname keeps its brackets here.
    return `${parsed.protocol}//${parsed.hostname}:${portOf(parsed)}`;
  } catch {
    return '(an invalid URL)';
  }
}

/** `scheme://host:port/path`: shownOrigin plus the path, without query or fragment. */
export function shownUrl(url: string): string {
  try {
    return `${shownOrigin(url)}${new URL(url).pathname}`;
  } catch {
    return '(an invalid URL)';
  }
}

function portOf(url: URL): string {
  if (url.port !== '') return url.port;
  if (url.protocol === 'https:') return '443';
  if (url.protocol === 'http:') return '80';
  return '';
}
