import type { RootHookObject } from 'mocha';
import { shareOwnOutput } from './captured-output.js';
import { removeTempDirs } from './temp-dirs.js';

// Mocha's root hook plugin, loaded for every suite by .mocharc.cjs (`require`): what runs once around the run (around
// each file in a mocha --parallel worker).
export const mochaHooks: RootHookObject = {
  afterAll() {
    removeTempDirs();
    shareOwnOutput();
  },
};
