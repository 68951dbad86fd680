import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';
import { repoRoot } from '../../helpers/repo-root.js';

const BOUNDARY_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);

/**
 * The repository's own eslint.config.js, run on source text placed at a path of the tree (nothing is written to
 * disk). Only the import-boundary rules run: the type-checked rules need a file the TypeScript project knows.
 */
const eslint = new ESLint({
  cwd: repoRoot,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => BOUNDARY_RULES.has(ruleId),
});

async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(repoRoot, file) });
  return result.messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`);
}

describe('lint import boundaries (the real ESLint config through its Node API)', function () {
  this.timeout(30_000);

  const violations: [string, string, RegExp][] = [
    [
      'orchestrator/consistency/probe.ts',
      "import oracledb from 'oracledb';\nexport const x = oracledb;\n",
      /no-restricted-imports: 'oracledb' import is restricted/,
    ],
    [
      'target-oracle/run-target-probe.ts',
      "import pg from 'pg';\nexport const x = pg;\n",
      /no-restricted-imports: 'pg' import is restricted/,
    ],
    [
      'target-oracle/dialects/oracle/probe.ts',
      "import copyStreams from 'pg-copy-streams';\nexport const x = copyStreams;\n",
      /no-restricted-imports: 'pg-copy-streams' import is restricted/,
    ],
    [
      'target-oracle/dialects/postgres/probe.ts',
      "export const load = () => import('oracledb');\n",
      /no-restricted-syntax: Database drivers are imported only by their dialect/,
    ],
    [
      'orchestrator/probe.ts',
      "const DRIVER = 'oracledb';\nexport const load = () => import(DRIVER);\n",
      /no-restricted-syntax: Name the module literally/,
    ],
    ['tests/helpers/probe.ts', "import oracledb from 'oracledb';\nexport const x = oracledb;\n", /'oracledb' import/],
    [
      'orchestrator/probe.ts',
      "import { createClient } from '../tap-oracle-wms/tap.js';\nexport const x = createClient;\n",
      /no-restricted-imports: '..\/tap-oracle-wms\/tap.js' import is restricted .*only through its index.ts/,
    ],
    [
      'orchestrator/consistency/probe.ts',
      "import type { Introspector } from '../../target-oracle/introspector.js';\nexport type X = Introspector;\n",
      /no-restricted-imports: .*target-oracle\/introspector.js' import is restricted .*only through its index.ts/,
    ],
    [
      'orchestrator/probe.ts',
      "export const load = () => import('../target-oracle/dialects/oracle/index.js');\n",
      /no-restricted-syntax: The orchestrator imports a plugin only through its index.ts/,
    ],
  ];
  for (const [file, source, expected] of violations) {
    it(`fails: ${JSON.stringify(source.split('\n')[0])} in ${file}`, async () => {
      const errors = await boundaryErrors(file, source);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0], expected);
    });
  }

  const allowed: [string, string][] = [
    ['target-oracle/dialects/oracle/probe.ts', "import oracledb from 'oracledb';\nexport const x = oracledb;\n"],
    [
      'target-oracle/dialects/postgres/probe.ts',
      "import pg from 'pg';\nimport copyStreams from 'pg-copy-streams';\nexport const x = [pg, copyStreams];\n",
    ],
    ['target-oracle/dialect-probe.ts', "export const load = () => import('./dialects/oracle/index.js');\n"],
    ['tests/integration/probe.test.ts', "import pg from 'pg';\nexport const x = pg;\n"],
    ['bench/probe.ts', "import pg from 'pg';\nexport const x = pg;\n"],
    [
      'orchestrator/consistency/probe.ts',
      "import { createClient } from '../../tap-oracle-wms/index.js';\nimport { openIntrospector } from '../../target-oracle/index.js';\nexport const x = [createClient, openIntrospector];\n",
    ],
    ['orchestrator/probe.ts', "export const load = () => import('../target-oracle/index.js');\n"],
  ];
  for (const [file, source] of allowed) {
    it(`passes: ${JSON.stringify(source.split('\n')[0])} in ${file}`, async () => {
      assert.deepEqual(await boundaryErrors(file, source), []);
    });
  }
});
