/**
 * Local-filesystem object storage (the default driver). Objects live under `STORAGE_DIR/objects/<key>`, their
 * content type under `STORAGE_DIR/meta/<key>.json`. Signed URLs point at the API itself (`<PUBLIC_URL>/storage/
 * <key>?exp=&ct=&sig=`); the signature is an HMAC-SHA256 (`STORAGE_SIGNING_SECRET`) over the method, the key, the
 * expiry and (for uploads) the content type, so a URL grants exactly one operation on one object until it expires.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isValidKey, type ObjectStorage } from './port.js';

export type SignedMethod = 'GET' | 'PUT';

export interface StoredObject {
  stream: ReadStream;
  contentType: string;
  size: number;
}

export interface LocalObjectStorage extends ObjectStorage {
  readonly driver: 'local';
  /** True when `sig` was made by this storage for exactly this method, key, expiry and content type, and has not expired. */
  verify(method: SignedMethod, key: string, params: { exp?: string; ct?: string; sig?: string }, nowMs?: number): boolean;
  write(key: string, body: Buffer, contentType: string): Promise<void>;
  read(key: string): Promise<StoredObject | undefined>;
}

export interface LocalStorageOptions {
  dir: string;
  secret: string;
  /** Base URL the API is reachable at (PUBLIC_URL); the storage routes are mounted under `/storage`. */
  baseUrl: string;
}

export function createLocalStorage(options: LocalStorageOptions): LocalObjectStorage {
  const root = path.resolve(options.dir);
  const objects = path.join(root, 'objects');
  const meta = path.join(root, 'meta');
  const base = options.baseUrl.replace(/\/+$/, '');

  const checked = (key: string) => {
    if (!isValidKey(key)) throw new Error(`Invalid storage key: ${key}`);
    return key;
  };
  const objectPath = (key: string) => path.join(objects, checked(key));
  const metaPath = (key: string) => path.join(meta, `${checked(key)}.json`);
  const sign = (method: SignedMethod, key: string, exp: string, ct: string) =>
    createHmac('sha256', options.secret).update(`${method}\n${key}\n${exp}\n${ct}`).digest('base64url');
  const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

  function url(method: SignedMethod, key: string, expiresInSeconds: number, contentType = ''): string {
    const exp = String(Math.floor(Date.now() / 1000) + expiresInSeconds);
    const query = new URLSearchParams({ exp, ...(contentType ? { ct: contentType } : {}), sig: sign(method, checked(key), exp, contentType) });
    return `${base}/storage/${encodeKey(key)}?${query.toString()}`;
  }

  return {
    driver: 'local',
    async signedPutUrl(key, { contentType, expiresInSeconds }) {
      return url('PUT', key, expiresInSeconds, contentType);
    },
    async signedGetUrl(key, expiresInSeconds) {
      return url('GET', key, expiresInSeconds);
    },
    async exists(key) {
      return stat(objectPath(key)).then(
        (s) => s.isFile(),
        () => false,
      );
    },
    async delete(key) {
      await rm(objectPath(key), { force: true });
      await rm(metaPath(key), { force: true });
    },
    async ping() {
      await mkdir(objects, { recursive: true });
      await stat(objects);
    },
    verify(method, key, { exp, ct = '', sig }, nowMs = Date.now()) {
      if (!isValidKey(key) || !exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
      if (Number(exp) * 1000 < nowMs) return false;
      const expected = Buffer.from(sign(method, key, exp, ct));
      const given = Buffer.from(sig);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
    async write(key, body, contentType) {
      const target = objectPath(key);
      await mkdir(path.dirname(target), { recursive: true });
      await mkdir(path.dirname(metaPath(key)), { recursive: true });
      // Write then rename, so a reader never sees half an object.
      const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, target);
      await writeFile(metaPath(key), JSON.stringify({ contentType, size: body.length }));
    },
    async read(key) {
      const target = objectPath(key);
      const info = await stat(target).catch(() => undefined);
      if (!info?.isFile()) return undefined;
      const contentType = await readFile(metaPath(key), 'utf8').then(
        (s) => String((JSON.parse(s) as { contentType?: string }).contentType ?? 'application/octet-stream'),
        () => 'application/octet-stream',
      );
      return { stream: createReadStream(target), contentType, size: info.size };
    },
  };
}
