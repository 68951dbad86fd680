import type { ClientSpec, UserSpec } from './auth.js';
import type { RequiredStyle } from './describe.js';
import { GENERATED_ENTITIES } from './tenant.js';

export interface SimulatorOptions {
  /** Interface to bind; 127.0.0.1 unless told otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The environment segment of every URL (`/demo/wms/lgfapi/v10/...`). */
  env?: string;
  seed?: number;
  /** Generated row counts by entity; unnamed entities keep their defaults. */
  rows?: Record<string, number>;
  pageSizeDefault?: number;
  /** Answer an empty filtered list with 200 and no rows instead of the real 404. */
  emptyList200?: boolean;
  /** Reject sub-second precision in query date-times (FIVETRAN's observation). */
  strictSeconds?: boolean;
  requiredStyle?: RequiredStyle;
  entityListStyle?: 'dict' | 'list';
  users?: UserSpec[];
  clients?: ClientSpec[];
  tokenTtlSeconds?: number;
  latencyMs?: number;
  latencyMsPerRow?: number;
  /** See fault-plan.ts for the syntax. */
  faults?: string;
  /** Newest generated mod_ts (ISO-8601); fixed so the default tenant's data never changes. */
  dataEpoch?: string;
  /** How far back generated mod_ts values reach. */
  historyDays?: number;
  /** Initial simulator clock (ISO-8601); real time when omitted. */
  clockStart?: string;
  /**
   * Bytes in a Data Extract "MB" (default 1,048,576): tests lower it so an export's 10 MB minimum file size gives
   * several small files.
   */
  dataExtractBytesPerMb?: number;
}

/** Settings tests may change at runtime through the admin API. */
export interface RuntimeSettings {
  pageSizeDefault: number;
  emptyList200: boolean;
  strictSeconds: boolean;
  requiredStyle: RequiredStyle;
  entityListStyle: 'dict' | 'list';
  tokenTtlSeconds: number;
  latencyMs: number;
  latencyMsPerRow: number;
  dataExtractBytesPerMb: number;
}

export const DEFAULT_USERS: readonly UserSpec[] = [
  { username: 'demo', password: 'demo', canRead: true },
  // A user without lgfapi_read_access, so tests can see the 403.
  { username: 'noread', password: 'noread', canRead: false },
];

export const DEFAULT_CLIENTS: readonly ClientSpec[] = [{ clientId: 'demo-client', clientSecret: 'demo-secret' }];

export const DEFAULT_ROWS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(GENERATED_ENTITIES).map(([name, spec]) => [name, spec.rows]),
);

export interface ResolvedOptions {
  host: string;
  port: number;
  env: string;
  seed: number;
  rows: Record<string, number>;
  users: UserSpec[];
  clients: ClientSpec[];
  faults: string;
  dataEpochMs: number;
  historyDays: number;
  clockStartMs: number | null;
  settings: RuntimeSettings;
}

export function resolveOptions(o: SimulatorOptions = {}): ResolvedOptions {
  for (const [name, n] of Object.entries(o.rows ?? {})) {
    if (!(name in GENERATED_ENTITIES))
      throw new Error(`--rows: '${name}' is not a generated entity (${Object.keys(GENERATED_ENTITIES).join(', ')})`);
    if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 31)
      throw new Error(`--rows: '${name}' needs a row count between 0 and 2^31`);
  }
  const dataEpochMs = Date.parse(o.dataEpoch ?? '2025-07-01T00:00:00Z');
  if (Number.isNaN(dataEpochMs)) throw new Error('dataEpoch is not an ISO-8601 date-time');
  const clockStartMs = o.clockStart === undefined ? null : Date.parse(o.clockStart);
  if (Number.isNaN(clockStartMs)) throw new Error('clockStart is not an ISO-8601 date-time');
  if (
    o.dataExtractBytesPerMb !== undefined &&
    !(Number.isSafeInteger(o.dataExtractBytesPerMb) && o.dataExtractBytesPerMb > 0)
  )
    throw new Error('dataExtractBytesPerMb needs a positive integer');
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    env: o.env ?? 'demo',
    seed: o.seed ?? 1,
    rows: { ...DEFAULT_ROWS, ...o.rows },
    users: o.users ?? [...DEFAULT_USERS],
    clients: o.clients ?? [...DEFAULT_CLIENTS],
    faults: o.faults ?? '',
    dataEpochMs,
    historyDays: o.historyDays ?? 365,
    clockStartMs,
    settings: {
      pageSizeDefault: o.pageSizeDefault ?? 50,
      emptyList200: o.emptyList200 ?? false,
      strictSeconds: o.strictSeconds ?? false,
      requiredStyle: o.requiredStyle ?? 'boolean',
      entityListStyle: o.entityListStyle ?? 'dict',
      tokenTtlSeconds: o.tokenTtlSeconds ?? 3600,
      latencyMs: o.latencyMs ?? 0,
      latencyMsPerRow: o.latencyMsPerRow ?? 0,
      dataExtractBytesPerMb: o.dataExtractBytesPerMb ?? 1024 * 1024,
    },
  };
}
