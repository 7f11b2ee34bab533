/**
 * Signed upload URLs for chat attachments and whiteboard assets (SPEC §4.6): validation, key formats, URL
 * lifetimes and the room checks, on the local storage driver.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sanitizeChatFileName, sanitizeWhiteboardFileName } from '../../src/commands/media/uploads.js';
import { localStorageOf } from '../../src/infra/storage/index.js';
import { expectError, post, roomHarness, type RoomHarness } from '../rooms/support.js';
import { mediaRoom, MISSING_ROOM, SMALL_POOL, type MediaRoom } from './support.js';

let h: RoomHarness;
let r: MediaRoom;

beforeAll(async () => {
  h = await roomHarness({ env: SMALL_POOL });
  r = await mediaRoom(h);
});
afterAll(async () => h.close());

const MiB = 1024 * 1024;
const chatUrl = (roomId: string) => `/rooms/${roomId}/chat/media/upload-url`;
const boardUrl = (roomId: string) => `/rooms/${roomId}/whiteboard/assets/upload-url`;

/** The key, expiry (seconds from now) and signature check of a local signed URL. */
function inspect(url: string, method: 'GET' | 'PUT') {
  const u = new URL(url);
  expect(u.pathname.startsWith('/storage/')).toBe(true);
  const key = u.pathname.slice('/storage/'.length).split('/').map(decodeURIComponent).join('/');
  const exp = u.searchParams.get('exp') ?? undefined;
  const ct = u.searchParams.get('ct') ?? undefined;
  const sig = u.searchParams.get('sig') ?? undefined;
  const valid = localStorageOf(h.ctx)!.verify(method, key, { ...(exp ? { exp } : {}), ...(ct ? { ct } : {}), ...(sig ? { sig } : {}) });
  return { key, ttl: Number(exp) - Math.floor(Date.now() / 1000), ct, valid };
}

describe('POST /rooms/:id/chat/media/upload-url', () => {
  it('201 with a rooms/<roomId>/chat/<epochMs>-<12 hex>-<name> key, a 15 min PUT URL and a 24 h GET URL', async () => {
    const before = Date.now();
    const res = await post(h, r.candidate, chatUrl(r.room.roomId), { fileName: 'C:\\Users\\me/My Résumé (final).PDF', contentType: 'Application/PDF', sizeBytes: 12345 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ fileName: 'My_R_sum___final_.PDF', contentType: 'application/pdf', sizeBytes: 12345 });
    const m = /^rooms\/([0-9a-f-]{36})\/chat\/(\d+)-([0-9a-f]{12})-(.+)$/.exec(res.body.key);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(r.room.roomId);
    expect(Number(m![2])).toBeGreaterThanOrEqual(before);
    expect(Number(m![2])).toBeLessThanOrEqual(Date.now());
    expect(m![4]).toBe('My_R_sum___final_.PDF');

    const put = inspect(res.body.uploadUrl, 'PUT');
    expect(put).toMatchObject({ key: res.body.key, ct: 'application/pdf', valid: true });
    expect(Math.abs(put.ttl - 15 * 60)).toBeLessThanOrEqual(2);
    const get = inspect(res.body.downloadUrl, 'GET');
    expect(get).toMatchObject({ key: res.body.key, valid: true });
    expect(Math.abs(get.ttl - 24 * 3600)).toBeLessThanOrEqual(2);
  });

  it('file names: basename, each other char → _, at most 120 chars, attachment.bin when nothing is left', () => {
    expect(sanitizeChatFileName('a/b/c d.png')).toBe('c_d.png');
    expect(sanitizeChatFileName('x'.repeat(300))).toBe('x'.repeat(120));
    expect(sanitizeChatFileName('dir/')).toBe('attachment.bin');
    expect(sanitizeChatFileName('ü.txt')).toBe('_.txt');
  });

  it('capability matrix: chat:send — interviewer, candidate and observer alike', async () => {
    for (const u of [r.host, r.candidate, r.observer]) {
      expect((await post(h, u, chatUrl(r.room.roomId), { fileName: 'a.png', contentType: 'image/png', sizeBytes: 1 })).status).toBe(201);
    }
  });

  it('400 VALIDATION_FAILED over 10 MiB or for a type outside the list; exactly 10 MiB is fine', async () => {
    const ok = await post(h, r.host, chatUrl(r.room.roomId), { fileName: 'v.mp4', contentType: 'video/mp4', sizeBytes: 10 * MiB });
    expect(ok.status).toBe(201);
    const big = await post(h, r.host, chatUrl(r.room.roomId), { fileName: 'v.mp4', contentType: 'video/mp4', sizeBytes: 10 * MiB + 1 });
    expectError(big, 400, 'VALIDATION_FAILED');
    expect(big.body.details.fields[0]).toMatchObject({ field: 'sizeBytes' });
    const type = await post(h, r.host, chatUrl(r.room.roomId), { fileName: 'x.exe', contentType: 'application/x-msdownload', sizeBytes: 10 });
    expectError(type, 400, 'VALIDATION_FAILED');
    expect(type.body.details.fields[0]).toMatchObject({ field: 'contentType' });
  });

  it('400 envelope for a malformed body (strict schema) or id', async () => {
    const cases: unknown[] = [
      {},
      { fileName: '', contentType: 'image/png', sizeBytes: 1 },
      { fileName: 'a'.repeat(256), contentType: 'image/png', sizeBytes: 1 },
      { fileName: 'a.png', contentType: 'image/png', sizeBytes: 0 },
      { fileName: 'a.png', contentType: 'image/png', sizeBytes: 1.5 },
      { fileName: 'a.png', contentType: 'image/png', sizeBytes: 1, extra: true },
    ];
    for (const body of cases) {
      const res = await post(h, r.host, chatUrl(r.room.roomId), body);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(Array.isArray(res.body.details?.fields)).toBe(true);
    }
    expectError(await post(h, r.host, chatUrl('nope'), { fileName: 'a.png', contentType: 'image/png', sizeBytes: 1 }), 400, 'VALIDATION_FAILED');
  });

  it('404 ROOM_NOT_FOUND, 403 ROOM_ACCESS_DENIED for a stranger', async () => {
    const body = { fileName: 'a.png', contentType: 'image/png', sizeBytes: 1 };
    expectError(await post(h, r.host, chatUrl(MISSING_ROOM), body), 404, 'ROOM_NOT_FOUND');
    expectError(await post(h, r.stranger, chatUrl(r.room.roomId), body), 403, 'ROOM_ACCESS_DENIED');
  });
});

describe('POST /rooms/:id/whiteboard/assets/upload-url', () => {
  it('201 with a whiteboard/<roomId>/<uuid>-<name> key, a 10 min PUT URL and a 7 day GET URL', async () => {
    const res = await post(h, r.candidate, boardUrl(r.room.roomId), { filename: 'my  sketch (v2)!.svg', contentType: 'image/svg+xml', contentLength: 2048 });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['downloadUrl', 'key', 'uploadUrl']);
    const m = /^whiteboard\/([0-9a-f-]{36})\/([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})-(.+)$/.exec(res.body.key);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(r.room.roomId);
    expect(m![3]).toBe('my_sketch_v2_.svg');
    const put = inspect(res.body.uploadUrl, 'PUT');
    expect(put).toMatchObject({ key: res.body.key, ct: 'image/svg+xml', valid: true });
    expect(Math.abs(put.ttl - 10 * 60)).toBeLessThanOrEqual(2);
    const get = inspect(res.body.downloadUrl, 'GET');
    expect(get.valid).toBe(true);
    expect(Math.abs(get.ttl - 7 * 24 * 3600)).toBeLessThanOrEqual(2);
  });

  it('file names: each run of other chars → one _, at most 200 chars', () => {
    expect(sanitizeWhiteboardFileName('a  b//c.png')).toBe('a_b_c.png');
    expect(sanitizeWhiteboardFileName('y'.repeat(255))).toBe('y'.repeat(200));
  });

  it('capability matrix: whiteboard:draw or whiteboard:annotate — the observer annotates, so may upload', async () => {
    for (const u of [r.host, r.candidate, r.observer]) {
      expect((await post(h, u, boardUrl(r.room.roomId), { filename: 'a.png', contentType: 'image/png', contentLength: 1 })).status).toBe(201);
    }
  });

  it('413 WHITEBOARD_ASSET_TOO_LARGE over 25 MiB for images and 100 MiB for videos, checked before the room', async () => {
    expect((await post(h, r.host, boardUrl(r.room.roomId), { filename: 'a.png', contentType: 'image/png', contentLength: 25 * MiB })).status).toBe(201);
    expectError(await post(h, r.host, boardUrl(r.room.roomId), { filename: 'a.png', contentType: 'image/png', contentLength: 25 * MiB + 1 }), 413, 'WHITEBOARD_ASSET_TOO_LARGE');
    expect((await post(h, r.host, boardUrl(r.room.roomId), { filename: 'a.webm', contentType: 'video/webm', contentLength: 100 * MiB })).status).toBe(201);
    expectError(await post(h, r.host, boardUrl(r.room.roomId), { filename: 'a.mp4', contentType: 'video/mp4', contentLength: 100 * MiB + 1 }), 413, 'WHITEBOARD_ASSET_TOO_LARGE');
    // Before the room checks: a missing room and a stranger still get 413.
    expectError(await post(h, r.host, boardUrl(MISSING_ROOM), { filename: 'a.gif', contentType: 'image/gif', contentLength: 26 * MiB }), 413, 'WHITEBOARD_ASSET_TOO_LARGE');
    expectError(await post(h, r.stranger, boardUrl(r.room.roomId), { filename: 'a.gif', contentType: 'image/gif', contentLength: 26 * MiB }), 413, 'WHITEBOARD_ASSET_TOO_LARGE');
  });

  it('404 ROOM_NOT_FOUND, 403 ROOM_ACCESS_DENIED, 400 for other types and malformed bodies', async () => {
    const body = { filename: 'a.png', contentType: 'image/png', contentLength: 10 };
    expectError(await post(h, r.host, boardUrl(MISSING_ROOM), body), 404, 'ROOM_NOT_FOUND');
    expectError(await post(h, r.stranger, boardUrl(r.room.roomId), body), 403, 'ROOM_ACCESS_DENIED');
    for (const bad of [
      { ...body, contentType: 'application/pdf' },
      { ...body, contentType: 'image/PNG' },
      { ...body, filename: '' },
      { ...body, contentLength: 0 },
      { ...body, unknown: 1 },
      { filename: 'a.png' },
    ]) {
      expectError(await post(h, r.host, boardUrl(r.room.roomId), bad), 400, 'VALIDATION_FAILED');
    }
  });
});
