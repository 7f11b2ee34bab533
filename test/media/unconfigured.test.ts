/** Media endpoints on a deployment without LiveKit (no API key, secret or URL): 503 MEDIA_SERVICE_UNAVAILABLE. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError, post, roomHarness, type RoomHarness } from '../rooms/support.js';
import { mediaRoom, SMALL_POOL, type MediaRoom } from './support.js';

let h: RoomHarness;
let r: MediaRoom;

beforeAll(async () => {
  h = await roomHarness({ env: { ...SMALL_POOL, LIVEKIT_API_KEY: '', LIVEKIT_API_SECRET: '', LIVEKIT_URL: '', LIVEKIT_CLIENT_URL: '' } });
  r = await mediaRoom(h);
});
afterAll(async () => h.close());

describe('without LiveKit', () => {
  it('media token: 503 MEDIA_SERVICE_UNAVAILABLE, after the room checks', async () => {
    expectError(await post(h, r.host, `/rooms/${r.room.roomId}/media/token`), 503, 'MEDIA_SERVICE_UNAVAILABLE');
    expectError(await post(h, r.stranger, `/rooms/${r.room.roomId}/media/token`), 403, 'ROOM_ACCESS_DENIED');
    expectError(await post(h, r.observer, `/rooms/${r.room.roomId}/media/token`), 403, 'ROOM_PERMISSION_DENIED');
  });

  it('recording start / stop: 503 MEDIA_SERVICE_UNAVAILABLE for the host, after the room checks; consent still works', async () => {
    for (const u of [r.host, r.candidate, r.observer]) {
      expect((await post(h, u, `/rooms/${r.room.roomId}/media/consent`, { consent: true })).status).toBe(204);
    }
    expectError(await post(h, r.host, `/rooms/${r.room.roomId}/media/recording/start`), 503, 'MEDIA_SERVICE_UNAVAILABLE');
    expectError(await post(h, r.host, `/rooms/${r.room.roomId}/media/recording/stop`), 503, 'MEDIA_SERVICE_UNAVAILABLE');
    expectError(await post(h, r.candidate, `/rooms/${r.room.roomId}/media/recording/start`), 403, 'ROOM_PERMISSION_DENIED');
  });
});
