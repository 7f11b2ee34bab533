/** Room joins are limited to 5 per minute per user (SEED, DESIGN §10), on the shared Redis limiter. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRoom, expectError, newUser, post, roomHarness, type RoomHarness } from './support.js';

let h: RoomHarness;
beforeAll(async () => {
  h = await roomHarness({ env: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_JOIN_PER_MIN: '5' } });
}, 120_000);
afterAll(() => h.close(), 60_000);

describe('join rate limit', () => {
  it('the sixth join within a minute is 429 RATE_LIMIT_EXCEEDED with Retry-After; other users are not affected', async () => {
    const host = await newUser(h);
    const room = await createRoom(h, host, { config: { isPrivate: false, maxParticipants: 3 } });
    const u = await newUser(h);
    for (let i = 0; i < 5; i++) {
      const res = await post(h, u, `/rooms/${room.roomId}/join`, {});
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('5');
    }
    const sixth = await post(h, u, `/rooms/${room.roomId}/join`, {});
    expectError(sixth, 429, 'RATE_LIMIT_EXCEEDED');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post(h, await newUser(h), `/rooms/${room.roomId}/join`, {})).status).toBe(200);
  });
});
