/** Module resolve hook (node:module register): `import 'oracledb'` loads the rules session's fake driver. */
export async function resolve(
  specifier: string,
  context: unknown,
  nextResolve: (specifier: string, context: unknown) => Promise<{ url: string }>,
): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === 'oracledb') return { url: new URL('./fake-oracledb.js', import.meta.url).href, shortCircuit: true };
  return nextResolve(specifier, context);
}
