import { ChannelError } from './alert.js';

/**
 * POSTs JSON and returns the status. Errors never include the URL (webhook URLs are secrets). 429 and 5xx and
 * network failures are retriable; other 4xx are not.
 */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutSeconds: number,
): Promise<number> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'wms-pipeline', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutSeconds * 1000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutSeconds} s`
        : (cause?.code ?? (error as Error).name);
    throw new ChannelError(`request failed (${reason})`, true);
  }
  // Drain the body so the connection is released.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status >= 400) {
    throw new ChannelError(`HTTP ${response.status}`, response.status === 429 || response.status >= 500);
  }
  return response.status;
}
