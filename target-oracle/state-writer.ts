import type { TargetSummary } from './run-target.js';

/** Where state values go: `MessageWriter` in production, anything recording in tests. */
export interface StateSink {
  writeValue(value: unknown): Promise<void>;
}

/** Drives a run, writing each state it yields before it goes on; returns its summary. */
export async function writeStates(
  run: AsyncGenerator<unknown, TargetSummary, undefined>,
  states: StateSink,
): Promise<TargetSummary> {
  for (;;) {
    const step = await run.next();
    if (step.done) return step.value;
    try {
      await states.writeValue(step.value);
    } catch (error) {
      // Ends the run (its finally runs); nothing more is loaded once a state cannot be written.
      await run.return(undefined as never);
      throw error;
    }
  }
}
