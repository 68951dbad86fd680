export * from './alerts/alert.js';
export { AlertManager, type AlertPolicy } from './alerts/alert-manager.js';
export { createAlertManager } from './alerts/create-alert-manager.js';
export type { ConsistencyReport, StreamConsistency } from './consistency/consistency-check.js';
export type { HealthCheck, HealthReport } from './health-checks.js';
export { createOrchestrator, type JobInfo, type Orchestrator, type OrchestratorDeps } from './orchestrator.js';
export { ResourceMonitor, type ResourceReport } from './resource-monitor.js';
export type { RunData, RunResult, StreamStats } from './run-result.js';
export { loadPipelineSettings, PIPELINE_SETTINGS, resolvePipelineSettings, type PipelineSettings } from './settings.js';
