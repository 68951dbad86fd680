/** target-oracle's public surface for other packages (the orchestrator); every other module is internal. */
export { openIntrospector } from './dialect-loader.js';
export type { Introspector } from './introspector.js';
export { targetConfigProblems } from './settings.js';
