/**
 * The object storage of a process. The identity wiring installs it on the context (`ctx.storage`); `storageOf`
 * also creates it on first use where no wiring ran (CLI commands, scripts), so callers never see it missing.
 *
 * Drivers: `local` (filesystem + HMAC-signed URLs served by the API under /storage). An S3 adapter is not part of
 * this build (no S3 client is installed); `STORAGE_DRIVER=s3` falls back to `local` with a warning.
 */
import type { Config } from '../../config.js';
import type { AppContext } from '../../runtime/context.js';
import { createLocalStorage, type LocalObjectStorage } from './local.js';
import type { ObjectStorage } from './port.js';

export type { ObjectStorage } from './port.js';

export function publicBaseUrl(config: Config): string {
  return config.PUBLIC_URL || `http://localhost:${config.PORT}`;
}

export function createStorage(config: Config, warn: (message: string) => void = () => undefined): ObjectStorage {
  if (config.STORAGE_DRIVER === 's3') warn('STORAGE_DRIVER=s3 is not available in this build; using the local filesystem driver');
  return createLocalStorage({ dir: config.STORAGE_DIR, secret: config.STORAGE_SIGNING_SECRET, baseUrl: publicBaseUrl(config) });
}

export function storageOf(ctx: AppContext): ObjectStorage {
  ctx.storage ??= createStorage(ctx.config, (m) => ctx.logger.warn(m));
  return ctx.storage;
}

/** The local driver's extra operations (used by the /storage routes), or undefined under another driver. */
export function localStorageOf(ctx: AppContext): LocalObjectStorage | undefined {
  const storage = storageOf(ctx);
  return storage.driver === 'local' ? (storage as LocalObjectStorage) : undefined;
}
