import { AdminError, type SimulatorAdmin } from './simulator-admin.js';

export interface AdminReply {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The admin API under `/__admin/` (never under `/wms/`, so a tap cannot reach it by accident).
 * Unauthenticated: the simulator binds 127.0.0.1 and holds synthetic data only.
 *
 *   GET    /__admin/health
 *   GET    /__admin/clock                    POST /__admin/clock {advanceSeconds? | set? , freeze?}
 *   POST   /__admin/rows/{entity}            {field: value, …}        → 201 {id}
 *   PATCH  /__admin/rows/{entity}/{id}       {field: value, …}        (mod_ts := now unless given)
 *   DELETE /__admin/rows/{entity}/{id}
 *   POST   /__admin/purge/{entity}           {modTsBefore?, idBelow?} → {purged}
 *   GET    /__admin/faults                   PUT /__admin/faults {spec}   DELETE /__admin/faults
 *   GET    /__admin/settings                 PATCH /__admin/settings {…}
 *   GET    /__admin/requests                 DELETE /__admin/requests
 *   GET    /__admin/stats                    (process memory, row counts)
 *   GET    /__admin/object-stores            PUT /__admin/object-stores/{name} {type, …}   (Data Extract's stores)
 *   GET    /__admin/exports                  (Data Extract exports: files in landing order, faults drawn)
 *   POST   /__admin/reset
 */
export function handleAdmin(
  admin: SimulatorAdmin,
  method: string,
  segments: readonly string[],
  body: unknown,
): AdminReply {
  const [resource, a, b] = segments;
  const input = (body ?? {}) as Record<string, unknown>;
  try {
    switch (`${method} ${resource ?? ''}`) {
      case 'GET health':
        return ok({ ok: true });
      case 'GET clock':
        return ok(clock(admin));
      case 'POST clock': {
        // Freeze before setting, unfreeze after: setting a running clock and then freezing it reads the wall clock
        // twice, and a millisecond that ticks between the two is kept in the frozen time.
        if (input.freeze === true) admin.freezeClock(true);
        if (typeof input.set === 'string') admin.setClock(input.set);
        if (typeof input.advanceSeconds === 'number') admin.advanceClock(input.advanceSeconds);
        if (input.freeze === false) admin.freezeClock(false);
        return ok(clock(admin));
      }
      case 'POST rows':
        if (a === undefined || b !== undefined) break;
        return { status: 201, body: { id: admin.insert(a, input) } };
      case 'PATCH rows':
        if (a === undefined || b === undefined) break;
        admin.update(a, idOf(b), input);
        return ok({ id: idOf(b) });
      case 'DELETE rows': {
        if (a === undefined || b === undefined) break;
        const deleted = admin.delete(a, idOf(b));
        return { status: deleted ? 200 : 404, body: { deleted } };
      }
      case 'POST purge':
        if (a === undefined) break;
        return ok({ purged: admin.purge(a, input) });
      case 'GET faults':
        return ok({ rules: admin.faults.rules.map((r) => r.text) });
      case 'PUT faults':
      case 'POST faults':
        admin.setFaults(typeof input.spec === 'string' ? input.spec : '');
        return ok({ rules: admin.faults.rules.map((r) => r.text) });
      case 'DELETE faults':
        admin.setFaults('');
        return ok({ rules: [] });
      case 'GET settings':
        return ok(admin.getSettings());
      case 'PATCH settings':
        return ok(admin.updateSettings(input));
      case 'GET requests':
        return ok({ requests: admin.requests() });
      case 'DELETE requests':
        admin.clearRequests();
        return ok({ cleared: true });
      case 'GET stats': {
        const mem = process.memoryUsage();
        return ok({ rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, rows: admin.rowCounts() });
      }
      case 'GET object-stores':
        return ok({ stores: admin.dataExtract.storeNames() });
      case 'PUT object-stores':
        if (a === undefined || b !== undefined) break;
        return ok({ name: a, description: admin.dataExtract.configureStore(a, input) });
      case 'GET exports':
        return ok({ exports: admin.dataExtract.exports() });
      case 'POST reset':
        admin.reset();
        return ok({ reset: true });
    }
    return { status: 404, body: { error: `no admin route ${method} /__admin/${segments.join('/')}` } };
  } catch (e) {
    if (e instanceof AdminError) return { status: e.status, body: { error: e.message } };
    throw e;
  }
}

function ok(body: unknown): AdminReply {
  return { status: 200, body };
}

function clock(admin: SimulatorAdmin) {
  return { now: admin.now(), wms: admin.nowWms(), frozen: admin.clock.frozen };
}

function idOf(text: string): number {
  if (!/^\d+$/.test(text)) throw new AdminError('id must be an integer', 404);
  return Number(text);
}
