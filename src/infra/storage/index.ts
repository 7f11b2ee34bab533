/**
 * The object storage of a process. The identity wiring installs it on the context (`ctx.storage`); `storageOf`
 * also creates it on first use where no wiring ran (CLI commands, scripts), so callers never see it missing.
 *
 * Drivers: `local` (filesystem + HMAC-signed URLs served by the API under /storage, the default) and `s3` (AWS S3
 * or MinIO, presigned URLs straight to the store). The AWS SDK (about 6 MB of heap) is loaded only under `s3`, by
 * the first call to the store.
 */
import type { Config } from '../../config.js';
import { createLocalStorage, type LocalObjectStorage } from './local.js';
import type { ObjectStorage } from './port.js';
import type { S3ObjectStorage, S3StorageOptions } from './s3.js';

export type { ObjectStorage } from './port.js';

export function publicBaseUrl(config: Config): string {
  return config.PUBLIC_URL || `http://localhost:${config.PORT}`;
}

/** The S3 driver, its module (and the AWS SDK) imported by the first call; every operation is asynchronous. */
function lazyS3Storage(options: S3StorageOptions): S3ObjectStorage {
  let loaded: Promise<S3ObjectStorage> | undefined;
  const storage = () => (loaded ??= import('./s3.js').then((m) => m.createS3Storage(options)));
  return {
    driver: 's3',
    signedPutUrl: async (key, putOptions) => (await storage()).signedPutUrl(key, putOptions),
    signedGetUrl: async (key, expiresInSeconds) => (await storage()).signedGetUrl(key, expiresInSeconds),
    exists: async (key) => (await storage()).exists(key),
    delete: async (key) => (await storage()).delete(key),
    ping: async () => (await storage()).ping(),
    close: () => void loaded?.then((s) => s.close()),
  };
}

export function createS3StorageFrom(config: Config): S3ObjectStorage {
  return lazyS3Storage({
    endpoint: config.S3_ENDPOINT,
    publicEndpoint: config.S3_PUBLIC_ENDPOINT,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY,
    secretAccessKey: config.S3_SECRET_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  });
}

export function createStorage(config: Config): ObjectStorage {
  if (config.STORAGE_DRIVER === 's3') return createS3StorageFrom(config);
  return createLocalStorage({ dir: config.STORAGE_DIR, secret: config.STORAGE_SIGNING_SECRET, baseUrl: publicBaseUrl(config) });
}

/** Where a process keeps its storage (the application context is one). */
export interface StorageHost {
  config: Config;
  storage?: ObjectStorage;
  closers: Array<() => Promise<void>>;
}

export function storageOf(ctx: StorageHost): ObjectStorage {
  if (!ctx.storage) {
    const storage = createStorage(ctx.config);
    ctx.storage = storage;
    if (storage.driver === 's3') ctx.closers.push(async () => (storage as S3ObjectStorage).close());
  }
  return ctx.storage;
}

/** The local driver's extra operations (used by the /storage routes), or undefined under another driver. */
export function localStorageOf(ctx: StorageHost): LocalObjectStorage | undefined {
  const storage = storageOf(ctx);
  return storage.driver === 'local' ? (storage as LocalObjectStorage) : undefined;
}
