/** `*` and `?` globs, matched case-insensitively against the whole entity name. */
export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/** The entities the `entities` patterns name and the `exclude_entities` patterns do not, in input order. */
export function selectEntities(
  names: readonly string[],
  include: readonly string[],
  exclude: readonly string[],
): string[] {
  const includes = include.map(globToRegExp);
  const excludes = exclude.map(globToRegExp);
  return names.filter((name) => includes.some((re) => re.test(name)) && !excludes.some((re) => re.test(name)));
}
