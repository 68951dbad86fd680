import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Catalog, Logger } from '../singer/index.js';
import type { TapConfig } from './settings.js';

/**
 * Discovery costs one describe and one sample page per entity (~600 requests on a 300-entity tenant), and Meltano
 * asks for it before every run of a plugin without pip_url. With catalog_cache_dir set, the catalog discovered
 * once is reused while it is younger than catalog_cache_max_age_hours; 0 rediscovers and rewrites it.
 */
export interface CachedCatalog {
  created_at: string;
  /** What the catalog was discovered for (no secrets): a different key is a different file. */
  key: Record<string, unknown>;
  catalog: Catalog;
}

/** The settings that change what discovery returns, plus the tap version (a new version may map types anew). */
export function discoveryKey(config: TapConfig, version: string): Record<string, unknown> {
  return {
    tap_version: version,
    base_url: config.base_url,
    api_version: config.api_version,
    user: config.username ?? config.oauth_client_id ?? null,
    entities: config.entities,
    exclude_entities: config.exclude_entities,
    flatten_relations: config.flatten_relations,
  };
}

export function cacheFile(dir: string, key: Record<string, unknown>): string {
  const hash = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);
  return path.join(dir, `catalog-${hash}.json`);
}

/**
 * The catalog from the cache when it is there, for this key, and young enough; else `discover()`, saved for next
 * time. A cache file that cannot be read or parsed is rediscovered over (it is only a cache).
 */
export async function cachedDiscovery(
  config: TapConfig,
  version: string,
  logger: Logger,
  discover: () => Promise<Catalog>,
  now: () => number = Date.now,
): Promise<Catalog> {
  const dir = config.catalog_cache_dir;
  if (dir === undefined || dir === '') return discover();
  const key = discoveryKey(config, version);
  const file = cacheFile(dir, key);
  const maxAgeMs = config.catalog_cache_max_age_hours * 3_600_000;
  if (maxAgeMs > 0) {
    const cached = await readCache(file, logger);
    if (cached && JSON.stringify(cached.key) === JSON.stringify(key)) {
      const ageMs = now() - Date.parse(cached.created_at);
      if (ageMs >= 0 && ageMs < maxAgeMs) {
        logger.info(
          `Using the catalog discovered at ${cached.created_at} (${file}); catalog_cache_max_age_hours=0 rediscovers`,
        );
        return cached.catalog;
      }
    }
  }
  const catalog = await discover();
  const entry: CachedCatalog = { created_at: new Date(now()).toISOString(), key, catalog };
  await mkdir(dir, { recursive: true });
  // Written aside then renamed, so that a concurrent run never reads half a file.
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, JSON.stringify(entry));
  await rename(partial, file);
  logger.info(`Saved the discovered catalog to ${file}`);
  return catalog;
}

async function readCache(file: string, logger: Logger): Promise<CachedCatalog | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<CachedCatalog>;
    if (typeof parsed.created_at === 'string' && parsed.key && Array.isArray(parsed.catalog?.streams))
      return parsed as CachedCatalog;
  } catch {
    // fall through: rediscover
  }
  logger.warning(`Ignoring the unreadable catalog cache ${file}; discovering again`);
  return undefined;
}
