import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ChannelError,
  type AlertChannel,
  type ChannelName,
  type PreparedAlert,
} from '../../../orchestrator/alerts/alert.js';
import { AlertManager, truncate, type AlertPolicy } from '../../../orchestrator/alerts/alert-manager.js';

/** An in-process channel that records what it was given and fails as scripted. */
class RecordingChannel implements AlertChannel {
  readonly received: PreparedAlert[] = [];
  attempts = 0;
  constructor(
    readonly name: ChannelName,
    private readonly failures: ChannelError[] = [],
  ) {}
  async deliver(alert: PreparedAlert): Promise<string> {
    this.attempts += 1;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.received.push(alert);
    return 'ok';
  }
}

const POLICY: AlertPolicy = {
  cooldownSeconds: 60,
  failureThreshold: 1,
  retries: 2,
  retryDelaySeconds: 0.001,
  maxMessageChars: 300,
};

function manager(
  channels: AlertChannel[],
  extra: Partial<AlertPolicy> = {},
  clock = { now: 1_000_000 },
  historyFile?: string,
): AlertManager {
  return new AlertManager({
    channels,
    policy: { ...POLICY, ...extra },
    secrets: ['s3cr3t/pw'],
    now: () => clock.now,
    historyFile,
  });
}

describe('orchestrator AlertManager (in-process, recording channels)', () => {
  it('scrubs secrets (raw and URL-encoded) from title, message and context', async () => {
    const channel = new RecordingChannel('webhook');
    const result = await manager([channel]).sendAlert({
      title: 'login s3cr3t/pw failed',
      message: 'url https://u:s3cr3t%2Fpw@host/ refused',
      severity: 'high',
      context: { job: 'nightly', dsn: 'pw=s3cr3t/pw' },
    });
    assert.equal(result.status, 'sent');
    const sent = JSON.stringify(channel.received[0]);
    assert.ok(!sent.includes('s3cr3t'), sent);
    assert.match(channel.received[0].title, /login \*+ failed/);
    assert.equal(channel.received[0].context.job, 'nightly');
  });

  it('truncates long messages to the configured size and says how much was cut', async () => {
    const channel = new RecordingChannel('slack');
    await manager([channel]).sendAlert({ title: 't', message: 'x'.repeat(1000), severity: 'info' });
    const message = channel.received[0].message;
    assert.equal(message.length, 300);
    assert.match(message, /\[truncated 700 characters\]$/);
    assert.equal(truncate('short', 10), 'short');
  });

  it('dedupes the same title+context within the cooldown, then sends again with the count held back', async () => {
    const channel = new RecordingChannel('webhook');
    const clock = { now: 1_000_000 };
    const alerts = manager([channel], {}, clock);
    const alert = { title: 'Run failed', message: 'first', severity: 'high' as const, context: { job: 'a' } };
    assert.equal((await alerts.sendAlert(alert)).status, 'sent');
    clock.now += 10_000;
    const second = await alerts.sendAlert({ ...alert, message: 'a different message is still the same alert' });
    assert.equal(second.status, 'suppressed');
    assert.equal(second.suppressedBy, 'cooldown');
    // A different context is a different alert.
    assert.equal((await alerts.sendAlert({ ...alert, context: { job: 'b' } })).status, 'sent');
    clock.now += 51_000;
    const third = await alerts.sendAlert(alert);
    assert.equal(third.status, 'sent');
    assert.equal(channel.received.length, 3);
    assert.equal(channel.received[2].suppressedSinceLast, 1);
  });

  it('lets a higher severity through the cooldown, but not an equal or lower one', async () => {
    const channel = new RecordingChannel('email');
    const alerts = manager([channel]);
    const alert = { title: 'Memory', message: 'm', context: { job: 'a' } };
    assert.equal((await alerts.sendAlert({ ...alert, severity: 'medium' })).status, 'sent');
    assert.equal((await alerts.sendAlert({ ...alert, severity: 'low' })).status, 'suppressed');
    assert.equal((await alerts.sendAlert({ ...alert, severity: 'critical' })).status, 'sent');
    assert.equal((await alerts.sendAlert({ ...alert, severity: 'high' })).status, 'suppressed');
  });

  it('waits for the threshold of consecutive failures; a success resets the count', async () => {
    const channel = new RecordingChannel('webhook');
    const alerts = manager([channel], { failureThreshold: 3, cooldownSeconds: 0 });
    const alert = { title: 'Run failed', message: 'm', severity: 'high' as const, context: { job: 'j' } };
    assert.equal((await alerts.sendAlert(alert, { failureKey: 'j' })).suppressedBy, 'threshold');
    assert.equal((await alerts.sendAlert(alert, { failureKey: 'j' })).suppressedBy, 'threshold');
    assert.equal((await alerts.sendAlert(alert, { failureKey: 'j' })).status, 'sent');
    assert.equal(await alerts.recordSuccess('j'), 3);
    assert.equal((await alerts.sendAlert(alert, { failureKey: 'j' })).suppressedBy, 'threshold');
    assert.equal(channel.received.length, 1);
  });

  it('retries a retriable channel failure with backoff, not a permanent one; each channel reports its own result', async () => {
    const flaky = new RecordingChannel('slack', [
      new ChannelError('HTTP 503', true),
      new ChannelError('HTTP 503', true),
    ]);
    const broken = new RecordingChannel('webhook', [new ChannelError('HTTP 404', false)]);
    const result = await manager([flaky, broken]).sendAlert({ title: 't', message: 'm', severity: 'low' });
    assert.equal(result.status, 'partial');
    assert.equal(result.success, false);
    const slack = result.deliveries.find((d) => d.channel === 'slack')!;
    const webhook = result.deliveries.find((d) => d.channel === 'webhook')!;
    assert.deepEqual([slack.success, slack.attempts], [true, 3]);
    assert.deepEqual([webhook.success, webhook.attempts, webhook.error], [false, 1, 'HTTP 404']);
  });

  it('gives up after the configured retries', async () => {
    const down = new RecordingChannel(
      'slack',
      Array.from({ length: 10 }, () => new ChannelError('request failed (ECONNREFUSED)', true)),
    );
    const result = await manager([down], { retries: 1 }).sendAlert({ title: 't', message: 'm', severity: 'low' });
    assert.equal(result.status, 'failed');
    assert.equal(down.attempts, 2);
  });

  it('reports no-channels instead of pretending it sent', async () => {
    const result = await manager([]).sendAlert({ title: 't', message: 'm', severity: 'critical' });
    assert.deepEqual([result.success, result.suppressedBy], [false, 'no-channels']);
  });

  it('rejects an unknown severity', async () => {
    await assert.rejects(
      manager([]).sendAlert({ title: 't', message: 'm', severity: 'urgent' as never }),
      /unknown alert severity/,
    );
  });

  it('remembers cooldown and failure counts in its history file across instances (real files)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'alert-history-'));
    try {
      const file = path.join(dir, 'alert-history.json');
      const channel = new RecordingChannel('webhook');
      const alert = { title: 'Run failed', message: 'm', severity: 'high' as const, context: { job: 'j' } };
      assert.equal(
        (await manager([channel], { failureThreshold: 2 }, undefined, file).sendAlert(alert, { failureKey: 'j' }))
          .suppressedBy,
        'threshold',
      );
      assert.equal(
        (await manager([channel], { failureThreshold: 2 }, undefined, file).sendAlert(alert, { failureKey: 'j' }))
          .status,
        'sent',
      );
      assert.equal(
        (await manager([channel], { failureThreshold: 2 }, undefined, file).sendAlert(alert, { failureKey: 'j' }))
          .suppressedBy,
        'cooldown',
      );
      assert.equal(channel.received.length, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
