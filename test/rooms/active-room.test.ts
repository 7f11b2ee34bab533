import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRoom, join, newUser, roomHarness, type RoomHarness } from './support.js';

let h: RoomHarness;
beforeAll(async () => {
  h = await roomHarness();
});
afterAll(() => h.close());

describe('GET /users/me/active-room', () => {
  it('is 204 without a room, then names the open room and the caller role to reconnect to', async () => {
    const host = await newUser(h);
    const guest = await newUser(h);
    expect((await h.request({ method: 'GET', url: '/users/me/active-room', token: guest.token })).status).toBe(204);

    const room = await createRoom(h, host);
    await join(h, guest, room);
    const mine = await h.request({ method: 'GET', url: '/users/me/active-room', token: guest.token });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ roomId: room.roomId, status: 'waiting', myRole: 'candidate' });

    // leaving keeps the row re-joinable, so the room is still offered for reconnection
    await h.request({ method: 'POST', url: `/rooms/${room.roomId}/leave`, token: guest.token });
    expect((await h.request({ method: 'GET', url: '/users/me/active-room', token: guest.token })).body.roomId).toBe(room.roomId);

    // a removed participant has nothing to reconnect to
    const other = await newUser(h);
    await join(h, other, room, { requestedRole: 'observer' });
    const kicked = await h.request({ method: 'DELETE', url: `/rooms/${room.roomId}/participants/${other.id}`, token: host.token });
    expect(kicked.status).toBe(204);
    expect((await h.request({ method: 'GET', url: '/users/me/active-room', token: other.token })).status).toBe(204);
  });

  it('requires authentication', async () => {
    const res = await h.request({ method: 'GET', url: '/users/me/active-room' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHORIZED');
  });
});
