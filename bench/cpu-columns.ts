/**
 * The report's CPU columns of the servers a load ran against (simulator, PostgreSQL, moto) and the sum of every
 * process's CPU per row: on 2 cores, that sum bounds the end-to-end rate.
 */
import type { ServerCpu } from './process-cpu.js';

/** A server's CPU µs/row, or — when it was not measured (an older report, or its process was not found). */
export const serverCpu = (servers: ServerCpu | undefined, name: keyof ServerCpu): string =>
  servers?.[name] === undefined ? '—' : String(servers[name]);

/** The CPU µs/row of every process measured in one load, added up: what the machine's cores spent per row. */
export function cpuSum(processes: number[], servers: ServerCpu | undefined): number {
  const all = [...processes, ...Object.values(servers ?? {}).filter((v): v is number => v !== undefined)];
  return Math.round(all.reduce((sum, v) => sum + v, 0) * 10) / 10;
}

/** How the server columns are measured: printed under the tables that have them. */
export const SERVER_CPU_NOTE = [
  'simulator µs/row is the CPU (utime + stime, /proc/<pid>/stat) of the simulator, a child process of its own',
  '(bin/wms-simulator.js), over the load; PostgreSQL µs/row is the whole server over the load: the postmaster of',
  "scripts/pg.sh's data directory and every process under it, backends that exit in between counted through the",
  "postmaster's cutime + cstime (anything else using that server meanwhile counts too); moto µs/row is",
  "scripts/s3-server.sh's moto_server process. sum µs/row adds every process of the row. — : not measured.",
];
