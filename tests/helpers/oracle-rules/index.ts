/**
 * The Oracle rules session: a model of an Oracle Database that enforces Oracle's and node-oracledb's documented
 * restrictions on every statement and bind (rules.ts), reachable through a fake `oracledb` driver in process or,
 * for real target processes, over a local socket. Not Oracle: label tests that use it "rules session".
 */
export { RULES_PASSWORD, RulesBackend, type BackendEvent, type BackendOptions } from './backend.js';
export { FakeConnection, FakeOracledb } from './driver.js';
export { FakeLob } from './fetch-conversion.js';
export { inProcessLink } from './link.js';
export { OracleError } from './oracle-error.js';
export { rulesConnectionConfig, rulesProcessEnv, serveRules, type RulesServer } from './server.js';
