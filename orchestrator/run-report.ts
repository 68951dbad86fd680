import path from 'node:path';
import { stringifyJson } from '../singer/index.js';
import { writeFileAtomic } from './json-file.js';
import { runStatus, type RunResult } from './run-result.js';
import { pathSegment } from './state-store.js';

/** `<report_dir>/<startedAt>_<job>_<company>_<facility>.json`; reports never hold secrets or record values. */
export async function writeRunReport(reportDir: string, result: RunResult): Promise<string> {
  const { data } = result;
  const stamp = data.startedAt.replace(/[:.]/g, '-');
  const file = path.join(
    reportDir,
    `${stamp}_${pathSegment(data.job)}_${pathSegment(data.companyCode)}_${pathSegment(data.facilityCode)}.json`,
  );
  const report = {
    status: runStatus(result),
    success: result.success,
    error: result.error,
    retriable: result.retriable,
    ...data,
    reportFile: file,
  };
  await writeFileAtomic(file, `${stringifyJson(report)}\n`, 0o644);
  return file;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${decimal.format(seconds)} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`
    : `${m}m${String(s).padStart(2, '0')}s`;
}

/**
 * The terminal summary: outcome, then per stream the rows read (tap) and committed (target), rows/s and duration,
 * resources, consistency, files. A failed or interrupted run says how many rows were read but not committed.
 */
export function renderSummary(result: RunResult): string {
  const { data } = result;
  const attempts = data.attempts.length;
  const lines: string[] = [];
  const where = `${data.companyCode}/${data.facilityCode}`;
  const outcome = { succeeded: 'succeeded', failed: 'FAILED', interrupted: 'INTERRUPTED' }[runStatus(result)];
  lines.push(
    `wms-pipeline ${data.mode} sync '${data.job}' for ${where}: ${outcome} in ${formatDuration(data.durationSeconds)}${attempts > 1 ? ` after ${attempts} attempts` : ''}`,
  );
  if (!result.success && result.error) lines.push(`  error: ${result.error}`);
  const streams = Object.entries(data.recordsByStream).sort(([a], [b]) => a.localeCompare(b));
  if (streams.length > 0) {
    const rows = streams.map(([stream, s]) => [
      stream,
      integer.format(s.rowsRead),
      integer.format(s.rows),
      decimal.format(s.rowsPerSecond),
      formatDuration(s.durationSeconds),
    ]);
    const totalRate = data.durationSeconds > 0 ? data.recordsProcessed / data.durationSeconds : 0;
    rows.push([
      'total',
      integer.format(data.recordsRead),
      integer.format(data.recordsProcessed),
      decimal.format(totalRate),
      formatDuration(data.durationSeconds),
    ]);
    const header = ['stream', 'read', 'committed', 'rows/s', 'duration'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const format = (cells: string[]): string =>
      `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`;
    lines.push(format(header));
    for (const row of rows) lines.push(format(row));
    const uncommitted = data.recordsRead - data.recordsProcessed;
    if (!result.success && uncommitted > 0)
      lines.push(
        `  ${integer.format(uncommitted)} rows read were not committed (not loaded; the next run reads them again)`,
      );
  } else {
    lines.push('  no rows read');
  }
  for (const line of data.handoffs ?? []) lines.push(`  handoff: ${line}`);
  const r = data.resources;
  if (r) {
    const pool =
      r.connectionPoolEfficiency === null
        ? 'pool: no metric'
        : `pool efficiency ${r.connectionPoolEfficiency}, leaked connections ${r.connectionLeaks}`;
    const cpu =
      r.peakCpuPercent === null
        ? 'peak CPU n/a (run shorter than one window)'
        : `peak CPU ${decimal.format(r.peakCpuPercent)}% of one core (${decimal.format(r.peakCpuPercentOfMachine ?? 0)}% of ${r.cpuCores} cores)`;
    lines.push(
      `  peak memory ${decimal.format(r.peakMemoryMb)} MB · ${cpu} · memory trend ${r.memoryTrendMbPerMinute ?? 'n/a'} MB/min (${r.leakVerdict}) · ${pool}`,
    );
  }
  const c = data.consistency;
  if (c) {
    const bad = c.streams.filter((s) => !s.ok);
    const sampled = c.streams.reduce((sum, s) => sum + s.sampled, 0);
    lines.push(
      `  consistency: ${c.ok ? 'OK' : 'MISMATCH'} (${c.streams.length} streams, ${sampled} sampled rows compared)`,
    );
    for (const s of bad) {
      const why =
        s.error ??
        [
          s.countsMatch ? undefined : `source ${s.sourceCount} rows, target ${s.targetCount}`,
          s.rowsMissing > 0 ? `${s.rowsMissing} sampled rows missing` : undefined,
          Object.keys(s.fieldMismatches).length > 0
            ? `differing columns: ${Object.keys(s.fieldMismatches).join(', ')}`
            : undefined,
        ]
          .filter(Boolean)
          .join('; ');
      lines.push(`    ${s.stream}: ${why}`);
    }
  }
  for (const alert of data.alerts) lines.push(`  alert '${alert.title}': ${alert.status}`);
  if (data.stateFile) lines.push(`  state: ${data.stateFile}`);
  if (data.reportFile) lines.push(`  report: ${data.reportFile}`);
  return `${lines.join('\n')}\n`;
}
