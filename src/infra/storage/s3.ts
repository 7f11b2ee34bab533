/**
 * S3 object storage (`STORAGE_DRIVER=s3`): AWS S3 or any S3-compatible store (MinIO under docker compose).
 * Clients upload and download with presigned URLs (SigV4, query-string signed), so object bytes never pass
 * through the API. Presigned URLs are made for `S3_PUBLIC_ENDPOINT` when set — the name browsers reach the store
 * by — while the API's own calls (exists, delete, ping) use `S3_ENDPOINT`.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { isValidKey, type ObjectStorage } from './port.js';

export interface S3StorageOptions {
  endpoint: string;
  publicEndpoint?: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  /** Time limit of each call the API makes to the store. */
  timeoutMs?: number;
}

export interface S3ObjectStorage extends ObjectStorage {
  readonly driver: 's3';
  close(): void;
}

function client(options: S3StorageOptions, endpoint: string): S3Client {
  return new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(endpoint ? { endpoint } : {}),
    ...(options.accessKeyId ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } } : {}),
    requestHandler: { requestTimeout: options.timeoutMs ?? 10_000, connectionTimeout: options.timeoutMs ?? 10_000 },
    maxAttempts: 2,
  });
}

function checked(key: string): string {
  if (!isValidKey(key)) throw new Error(`Invalid storage key: ${key}`);
  return key;
}

const notFound = (err: unknown) =>
  err instanceof S3ServiceException && (err.$metadata.httpStatusCode === 404 || err.name === 'NotFound' || err.name === 'NoSuchKey');

export function createS3Storage(options: S3StorageOptions): S3ObjectStorage {
  const api = client(options, options.endpoint);
  const signer = options.publicEndpoint && options.publicEndpoint !== options.endpoint ? client(options, options.publicEndpoint) : api;
  const Bucket = options.bucket;

  return {
    driver: 's3',
    async signedPutUrl(key, { contentType, expiresInSeconds }) {
      // ContentType is part of the signature: the upload must carry exactly this Content-Type.
      const command = new PutObjectCommand({ Bucket, Key: checked(key), ContentType: contentType });
      return getSignedUrl(signer, command, { expiresIn: expiresInSeconds, signableHeaders: new Set(['content-type']) });
    },
    async signedGetUrl(key, expiresInSeconds) {
      return getSignedUrl(signer, new GetObjectCommand({ Bucket, Key: checked(key) }), { expiresIn: expiresInSeconds });
    },
    async exists(key) {
      try {
        await api.send(new HeadObjectCommand({ Bucket, Key: checked(key) }));
        return true;
      } catch (err) {
        if (notFound(err)) return false;
        throw err;
      }
    },
    async delete(key) {
      await api.send(new DeleteObjectCommand({ Bucket, Key: checked(key) }));
    },
    async ping() {
      await api.send(new HeadBucketCommand({ Bucket }));
    },
    close() {
      api.destroy();
      if (signer !== api) signer.destroy();
    },
  };
}
