import type { Metrics } from '../singer/index.js';

/**
 * Connection figures for the `pool` METRIC. The target writes through one connection (the core has at most one
 * transaction open), so this is a pool of one: leaks show as opened ≠ closed at the end.
 */
export interface PoolStats {
  poolMin: number;
  poolMax: number;
  connectionsOpen: number;
  connectionsInUse: number;
  connectionsOpened: number;
  connectionsClosed: number;
}

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
  });
}
