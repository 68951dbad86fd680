/**
 * Children must die with their parent: a supervisor killed with SIGKILL (wms-pipeline, Meltano) cannot stop its
 * children, and a tap and target left running would overlap the next run of the same job. Linux has no portable
 * parent-death signal for Node, so a child started by a supervisor polls: its parent changed (it was re-parented)
 * or the supervisor named in `WMS_PIPELINE_PID` is gone.
 *
 * Only children of a supervisor watch (wms-pipeline sets `WMS_PIPELINE_PID`; Meltano sets `MELTANO_PROJECT_ROOT`):
 * a tap or target started by hand under `nohup` keeps running when its shell exits.
 */

/** The variable a supervisor sets to its own pid for the processes it starts (and theirs). */
export const SUPERVISOR_PID_ENV = 'WMS_PIPELINE_PID';

const POLL_MS = 500;
/** After asking the work to stop, how long it may take to commit before the process exits anyway. */
const HARD_STOP_MS = 15_000;

export interface ParentWatchOptions {
  env: NodeJS.ProcessEnv;
  /** Called once, with what went away: stop the work as on SIGTERM. */
  onOrphaned(why: string): void;
  /** Ends the process if the stop takes longer than HARD_STOP_MS (tests pass a spy). */
  exit?: (code: number) => void;
  pollMs?: number;
  hardStopMs?: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts watching when started by a supervisor; returns the function that stops watching. */
export function watchParent(options: ParentWatchOptions): () => void {
  const supervisor = Number(options.env[SUPERVISOR_PID_ENV]);
  const hasSupervisor = Number.isInteger(supervisor) && supervisor > 1;
  if (!hasSupervisor && options.env.MELTANO_PROJECT_ROOT === undefined) return () => undefined;
  const parent = process.ppid;
  let hardStop: NodeJS.Timeout | undefined;
  const timer = setInterval(() => {
    const why =
      process.ppid !== parent
        ? `parent process ${parent} exited`
        : hasSupervisor && !isAlive(supervisor)
          ? `supervisor process ${supervisor} exited`
          : undefined;
    if (why === undefined) return;
    clearInterval(timer);
    options.onOrphaned(why);
    hardStop = setTimeout(() => (options.exit ?? process.exit)(130), options.hardStopMs ?? HARD_STOP_MS);
    hardStop.unref();
  }, options.pollMs ?? POLL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    clearTimeout(hardStop);
  };
}
