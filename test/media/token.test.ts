/**
 * POST /rooms/:id/media/token: a LiveKit JWT signed locally, checked here with the secret (signature, grants, TTL).
 * No media server is involved. Without LiveKit credentials: unconfigured.test.ts.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TokenVerifier } from 'livekit-server-sdk';
import { loadConfig } from '../../src/config.js';
import { clientUrl } from '../../src/infra/livekit/index.js';
import { expectError, isoString, post, roomHarness, transition, type RoomHarness } from '../rooms/support.js';
import { hostObserverRoom, LIVEKIT_TEST_ENV, mediaRoom, MISSING_ROOM, SMALL_POOL, type MediaRoom } from './support.js';

let h: RoomHarness;
let r: MediaRoom;

beforeAll(async () => {
  h = await roomHarness({ env: { ...SMALL_POOL, ...LIVEKIT_TEST_ENV } });
  r = await mediaRoom(h);
});
afterAll(async () => h.close());

const tokenUrl = (roomId: string) => `/rooms/${roomId}/media/token`;

function decodePart(jwt: string, i: number): any {
  return JSON.parse(Buffer.from(jwt.split('.')[i]!, 'base64url').toString('utf8'));
}

describe('POST /rooms/:id/media/token', () => {
  it('gives an active participant a token for the room: identity = user, room = roomId, publish + subscribe, 4 h', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await post(h, r.candidate, tokenUrl(r.room.roomId));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ token: expect.any(String), url: LIVEKIT_TEST_ENV.LIVEKIT_CLIENT_URL, expiresAt: isoString });

    const { token } = res.body;
    // The signature: HS256 over header.payload with the API secret.
    expect(decodePart(token, 0)).toMatchObject({ alg: 'HS256' });
    const [header, payload, signature] = token.split('.');
    const expected = createHmac('sha256', LIVEKIT_TEST_ENV.LIVEKIT_API_SECRET).update(`${header}.${payload}`).digest('base64url');
    expect(signature).toBe(expected);

    const claims = await new TokenVerifier(LIVEKIT_TEST_ENV.LIVEKIT_API_KEY, LIVEKIT_TEST_ENV.LIVEKIT_API_SECRET).verify(token, 0);
    expect(claims.sub).toBe(r.candidate.id);
    expect(claims.iss).toBe(LIVEKIT_TEST_ENV.LIVEKIT_API_KEY);
    expect(claims.video).toMatchObject({ roomJoin: true, room: r.room.roomId, canPublish: true, canSubscribe: true });
    expect(claims.video?.roomAdmin).toBeFalsy();
    expect(claims.video?.roomRecord).toBeFalsy();

    const exp = Number(decodePart(token, 1).exp);
    expect(exp - before).toBeGreaterThanOrEqual(4 * 3600 - 5);
    expect(exp - before).toBeLessThanOrEqual(4 * 3600 + 5);
    expect(Date.parse(res.body.expiresAt)).toBe(exp * 1000);
  });

  it('a token signed with another secret does not verify', async () => {
    const { token } = (await post(h, r.host, tokenUrl(r.room.roomId))).body;
    await expect(new TokenVerifier(LIVEKIT_TEST_ENV.LIVEKIT_API_KEY, 'another-secret-of-sufficient-length-000000').verify(token)).rejects.toThrow();
  });

  it('capability matrix: interviewer (host) and candidate yes; an observer who is not the host no; an observer who is the host yes', async () => {
    expect((await post(h, r.host, tokenUrl(r.room.roomId))).status).toBe(200);
    expect((await post(h, r.candidate, tokenUrl(r.room.roomId))).status).toBe(200);
    expectError(await post(h, r.observer, tokenUrl(r.room.roomId)), 403, 'ROOM_PERMISSION_DENIED');
    const ho = await hostObserverRoom(h);
    const res = await post(h, ho.host, tokenUrl(ho.room.roomId));
    expect(res.status).toBe(200);
    expect((await new TokenVerifier(LIVEKIT_TEST_ENV.LIVEKIT_API_KEY, LIVEKIT_TEST_ENV.LIVEKIT_API_SECRET).verify(res.body.token)).sub).toBe(ho.host.id);
  });

  it('404 ROOM_NOT_FOUND, 403 ROOM_ACCESS_DENIED for a stranger, 400 on a malformed id, 401 without a token', async () => {
    expectError(await post(h, r.host, tokenUrl(MISSING_ROOM)), 404, 'ROOM_NOT_FOUND');
    expectError(await post(h, r.stranger, tokenUrl(r.room.roomId)), 403, 'ROOM_ACCESS_DENIED');
    const bad = await post(h, r.host, tokenUrl('not-a-uuid'));
    expectError(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body).toMatchObject({ statusCode: 400, message: expect.any(String), timestamp: isoString });
    expect((await h.request({ method: 'POST', url: tokenUrl(r.room.roomId) })).status).toBe(401);
  });

  it('403 ROOM_FINISHED (not 409) once the room is finished, for its former participants', async () => {
    const f = await mediaRoom(h);
    expect((await transition(h, f.host, f.room.roomId, 'finished')).status).toBe(200);
    expectError(await post(h, f.host, tokenUrl(f.room.roomId)), 403, 'ROOM_FINISHED');
    expectError(await post(h, f.candidate, tokenUrl(f.room.roomId)), 403, 'ROOM_FINISHED');
    expectError(await post(h, f.stranger, tokenUrl(f.room.roomId)), 403, 'ROOM_ACCESS_DENIED');
  });

  it('url falls back to LIVEKIT_URL when no client URL is configured', () => {
    expect(clientUrl(loadConfig({ ...LIVEKIT_TEST_ENV, LIVEKIT_CLIENT_URL: '' }))).toBe(LIVEKIT_TEST_ENV.LIVEKIT_URL);
    expect(clientUrl(loadConfig(LIVEKIT_TEST_ENV))).toBe(LIVEKIT_TEST_ENV.LIVEKIT_CLIENT_URL);
  });
});
