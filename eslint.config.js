// ESLint flat config: typescript-eslint's type-checked rules over every TypeScript file of the package.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Each dialect owns its driver: `oracledb` is imported only under target-oracle/dialects/oracle/, `pg` and
 * `pg-copy-streams` only under target-oracle/dialects/postgres/ (tests and benches may read a PostgreSQL database
 * with `pg` directly). A dynamic import must name its module literally, so that the compiler and this rule see it.
 */
const ORACLE_DRIVER = ['oracledb'];
const POSTGRES_DRIVER = ['pg', 'pg-copy-streams'];
const NON_LITERAL_IMPORT = {
  selector: "ImportExpression[source.type!='Literal']",
  message: 'Name the module literally: a computed specifier hides the import from the compiler and the lint rules.',
};

/**
 * The orchestrator sees each plugin only through its public surface, `<plugin>/index.ts`: any deeper path into
 * tap-oracle-wms/ or target-oracle/ is an internal module. The patterns are gitignore-style (`!` re-allows).
 */
const PLUGIN_MESSAGE =
  "The orchestrator imports a plugin only through its index.ts (e.g. '../tap-oracle-wms/index.js').";
const PLUGIN_INTERNALS = {
  static: {
    group: ['**/tap-oracle-wms/*', '!**/tap-oracle-wms/index.js', '**/target-oracle/*', '!**/target-oracle/index.js'],
    message: PLUGIN_MESSAGE,
  },
  dynamic: {
    selector: 'ImportExpression[source.value=/(tap-oracle-wms|target-oracle)\\/(?!index\\.js$)/]',
    message: PLUGIN_MESSAGE,
  },
};

/**
 * `no-restricted-imports` (static imports) and `no-restricted-syntax` (dynamic ones) forbidding these modules, and
 * optionally the plugins' internal modules.
 */
function forbidDrivers(modules, internals) {
  const message = 'Database drivers are imported only by their dialect (target-oracle/dialects/<dialect>/).';
  return {
    'no-restricted-imports': [
      'error',
      { paths: modules.map((name) => ({ name, message })), patterns: internals ? [internals.static] : [] },
    ],
    'no-restricted-syntax': [
      'error',
      NON_LITERAL_IMPORT,
      ...modules.map((name) => ({ selector: `ImportExpression[source.value='${name}']`, message })),
      ...(internals ? [internals.dynamic] : []),
    ],
  };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.cache/', 'bin/', '**/*.cjs', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Tests and benches read parsed JSON and child-process output, typed `any` by nature; asserting on it is the point.
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/only-throw-error': 'off',
      'no-control-regex': 'off',
    },
  },
  // Import boundaries; a later block replaces an earlier one's rule for the files it matches.
  { files: ['**/*.ts'], rules: forbidDrivers([...ORACLE_DRIVER, ...POSTGRES_DRIVER]) },
  { files: ['target-oracle/dialects/oracle/**/*.ts'], rules: forbidDrivers(POSTGRES_DRIVER) },
  { files: ['target-oracle/dialects/postgres/**/*.ts'], rules: forbidDrivers(ORACLE_DRIVER) },
  { files: ['tests/**/*.ts', 'bench/**/*.ts'], rules: forbidDrivers(ORACLE_DRIVER) },
  { files: ['orchestrator/**/*.ts'], rules: forbidDrivers([...ORACLE_DRIVER, ...POSTGRES_DRIVER], PLUGIN_INTERNALS) },
);
