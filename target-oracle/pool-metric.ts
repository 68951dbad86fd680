import type { Metrics } from '../singer/index.js';
import type { PoolStats } from './session.js';

/**
 * The `pool` METRIC (value: connections in use), after every committed flush and once after the pool closed, so an
 * orchestrator can compute reuse (opened vs pool size) and leaks (opened ≠ closed at the end).
 */
export function reportPoolMetric(metrics: Metrics, dialect: string, stats: PoolStats): void {
  metrics.counter('pool', stats.connectionsInUse, {
    dialect,
    pool_min: stats.poolMin,
    pool_max: stats.poolMax,
    connections_open: stats.connectionsOpen,
    connections_in_use: stats.connectionsInUse,
    connections_opened: stats.connectionsOpened,
    connections_closed: stats.connectionsClosed,
    ...(stats.queueLength === undefined ? {} : { queue_length: stats.queueLength }),
  });
}
