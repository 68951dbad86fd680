import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../../../wms-simulator/index.js';

export type Sim = RunningSimulator;

/** The WMS simulator in this process, on a free port of 127.0.0.1 (the default tenant unless told otherwise). */
export function startSim(options: SimulatorOptions = {}): Promise<Sim> {
  return startSimulator({ port: 0, ...options });
}
