export { startSimulator, type RunningSimulator } from './server.js';
export { SimulatorAdmin, AdminError } from './simulator-admin.js';
export {
  DEFAULT_CLIENTS,
  DEFAULT_ROWS,
  DEFAULT_USERS,
  type RuntimeSettings,
  type SimulatorOptions,
} from './simulator-options.js';
export { parseFaultSpec, type FaultRule } from './fault-plan.js';
export type { RequestLogEntry } from './request-log.js';
export type { ClientSpec, UserSpec } from './auth.js';
export {
  writeDataExtract,
  type DataExtractExportOptions,
  type DataExtractExportResult,
  type ExportedFile,
  type ExtractFileSink,
} from './data-extract-export.js';
