/**
 * STORAGE_DRIVER=s3 against a real S3-protocol server (s3rver) started here: presigned upload and download,
 * exists, delete, and the product flows on top of them (avatars, chat media, whiteboard assets, recordings).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { createS3Storage, type S3ObjectStorage } from '../../src/infra/storage/s3.js';
import { storageOf } from '../../src/infra/storage/index.js';
import { createRoom, join, newUser, post, roomHarness, type RoomHarness } from '../rooms/support.js';

const BUCKET = 'syncode-test';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let server: S3rver;
let dir: string;
let endpoint: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const address = (await server.run()) as AddressInfo;
  endpoint = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const webp = Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 fake image bytes', 'latin1');

async function put(url: string, body: Buffer, contentType: string) {
  return fetch(url, { method: 'PUT', body, headers: { 'content-type': contentType } });
}

describe('S3 driver', () => {
  let storage: S3ObjectStorage;
  beforeAll(() => {
    storage = createS3Storage({ endpoint, bucket: BUCKET, region: 'us-east-1', ...CREDENTIALS, forcePathStyle: true });
  });
  afterAll(() => storage.close());

  it('presigned PUT stores the bytes, exists sees them, presigned GET returns them, delete removes them', async () => {
    const key = 'avatars/direct-check.webp';
    expect(await storage.exists(key)).toBe(false);
    const upload = await storage.signedPutUrl(key, { contentType: 'image/webp', expiresInSeconds: 60 });
    expect(new URL(upload).searchParams.get('X-Amz-Expires')).toBe('60');
    expect((await put(upload, webp, 'image/webp')).status).toBe(200);
    expect(await storage.exists(key)).toBe(true);
    const download = await fetch(await storage.signedGetUrl(key, 60));
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(webp)).toBe(true);
    expect(download.headers.get('content-type')).toBe('image/webp');
    await storage.delete(key);
    expect(await storage.exists(key)).toBe(false);
    expect((await fetch(await storage.signedGetUrl(key, 60))).status).toBe(404);
    await storage.delete(key); // idempotent
  });

  // s3rver does not check presigned signatures (MinIO and S3 do), so what is asserted here is what the URLs carry.
  it('presigned URLs carry SigV4 query signing with the content type signed; ping fails for a missing bucket', async () => {
    const upload = new URL(await storage.signedPutUrl('avatars/a.webp', { contentType: 'image/webp', expiresInSeconds: 900 }));
    expect(upload.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(upload.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(expect.arrayContaining(['content-type', 'host']));
    expect(upload.searchParams.get('X-Amz-Credential')).toMatch(/^S3RVER\/\d{8}\/us-east-1\/s3\/aws4_request$/);
    await expect(storage.ping()).resolves.toBeUndefined();
    const missing = createS3Storage({ endpoint, bucket: 'no-such-bucket', region: 'us-east-1', ...CREDENTIALS, forcePathStyle: true });
    await expect(missing.ping()).rejects.toThrow();
    missing.close();
  });

  it('presigned URLs name the public endpoint when one is set', async () => {
    const publicStorage = createS3Storage({ endpoint, publicEndpoint: 'https://files.example.com', bucket: BUCKET, region: 'us-east-1', ...CREDENTIALS, forcePathStyle: true });
    const url = new URL(await publicStorage.signedGetUrl('avatars/a.webp', 60));
    expect(url.origin).toBe('https://files.example.com');
    expect(url.pathname).toBe(`/${BUCKET}/avatars/a.webp`);
    publicStorage.close();
  });
});

describe('the product on STORAGE_DRIVER=s3', () => {
  let h: RoomHarness;
  beforeAll(async () => {
    h = await roomHarness({
      env: { STORAGE_DRIVER: 's3', S3_ENDPOINT: endpoint, S3_BUCKET: BUCKET, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER', DB_POOL_SIZE: '5' },
    });
  });
  afterAll(async () => h.close());

  it('health reports the bucket as reachable', async () => {
    const res = await h.request({ method: 'GET', url: '/health' });
    expect(res.body.services.storage).toBe('ok');
  });

  it('avatar: upload URL → PUT to the store → confirm → avatarUrl serves the bytes → delete removes the object', async () => {
    const user = await newUser(h);
    const up = await h.request({ method: 'POST', url: '/users/me/avatar/upload-url', token: user.token });
    expect(up.status).toBe(201);
    expect(up.body.uploadUrl.startsWith(`${endpoint}/${BUCKET}/avatars/`)).toBe(true);
    expect((await put(up.body.uploadUrl, webp, 'image/webp')).status).toBe(200);
    const confirmed = await h.request({ method: 'POST', url: '/users/me/avatar/confirm', token: user.token });
    expect(confirmed.status).toBe(201);
    const image = await fetch(confirmed.body.avatarUrl);
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer()).equals(webp)).toBe(true);
    expect((await h.request({ method: 'DELETE', url: '/users/me/avatar', token: user.token })).status).toBe(204);
    expect(await storageOf(h.ctx).exists(up.body.key)).toBe(false);
  });

  it('chat media and whiteboard assets: the room member uploads and downloads through the store', async () => {
    const host = await newUser(h);
    const guest = await newUser(h);
    const room = await createRoom(h, host);
    await join(h, guest, room);
    const pdf = Buffer.from('%PDF-1.4 tiny');
    const chat = await post(h, guest, `/rooms/${room.roomId}/chat/media/upload-url`, { fileName: 'notes.pdf', contentType: 'application/pdf', sizeBytes: pdf.length });
    expect(chat.status).toBe(201);
    expect((await put(chat.body.uploadUrl, pdf, 'application/pdf')).status).toBe(200);
    const fetched = await fetch(chat.body.downloadUrl);
    expect(Buffer.from(await fetched.arrayBuffer()).toString()).toBe('%PDF-1.4 tiny');

    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>');
    const board = await post(h, host, `/rooms/${room.roomId}/whiteboard/assets/upload-url`, { filename: 'sketch.svg', contentType: 'image/svg+xml', contentLength: svg.length });
    expect(board.status).toBe(201);
    expect((await put(board.body.uploadUrl, svg, 'image/svg+xml')).status).toBe(200);
    expect(await (await fetch(board.body.downloadUrl)).text()).toBe(svg.toString());
  });

  it('recordings: a file the egress service wrote under recordings/ is served by a signed URL', async () => {
    const writer = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS });
    const key = 'recordings/00000000-0000-4000-8000-000000000001/rec-1.mp4';
    await writer.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from('mp4 bytes'), ContentType: 'video/mp4' }));
    writer.destroy();
    const storage = storageOf(h.ctx);
    expect(await storage.exists(key)).toBe(true);
    expect(await (await fetch(await storage.signedGetUrl(key, 60))).text()).toBe('mp4 bytes');
  });
});
