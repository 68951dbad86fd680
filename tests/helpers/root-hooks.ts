import type { RootHookObject } from 'mocha';
import { removeTempDirs } from './temp-dirs.js';

// Mocha's root hook plugin, loaded for every suite by .mocharc.cjs (`require`): what runs once around the run.
export const mochaHooks: RootHookObject = {
  afterAll: removeTempDirs,
};
