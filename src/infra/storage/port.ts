/**
 * Object storage port: clients upload and download directly with short-lived signed URLs; the API only signs,
 * checks existence and deletes. Keys are relative paths such as `avatars/<userId>.webp`.
 */
export interface SignedPutOptions {
  contentType: string;
  expiresInSeconds: number;
}

export interface ObjectStorage {
  readonly driver: 'local' | 's3';
  /** URL a client PUTs the object to, with exactly `contentType`. */
  signedPutUrl(key: string, options: SignedPutOptions): Promise<string>;
  /** URL a client GETs the object from. */
  signedGetUrl(key: string, expiresInSeconds: number): Promise<string>;
  exists(key: string): Promise<boolean>;
  /** Idempotent: deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Liveness probe for /health. */
  ping(): Promise<void>;
}

const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

/** Keys are plain relative paths: no `..`, no leading slash or dot, no empty segments, at most 512 chars. */
export function isValidKey(key: string): boolean {
  return key.length > 0 && key.length <= 512 && KEY.test(key) && !key.split('/').includes('..');
}
