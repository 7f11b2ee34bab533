/**
 * Concurrency: optimistic concurrency on the room stream keeps every rule under load. 50 simultaneous joins into a
 * room with two free seats seat exactly two; 20 simultaneous accepts of one role swap swap once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRoom, newUser, post, roomHarness, type RoomHarness, type TestUser } from './support.js';

let h: RoomHarness;

beforeAll(async () => {
  h = await roomHarness({ env: { RATE_LIMIT_ENABLED: 'false', DB_POOL_SIZE: '30' } });
}, 120_000);
afterAll(() => h.close(), 60_000);

async function users(n: number): Promise<TestUser[]> {
  const out: TestUser[] = [];
  for (let i = 0; i < n; i += 10) out.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => newUser(h)))));
  return out;
}

describe('races', () => {
  it('50 concurrent joins into a 2-seat room: exactly 2 participants, 48 ROOM_FULL, no 5xx', async () => {
    const host = await newUser(h);
    const room = await createRoom(h, host, { config: { maxParticipants: 2, isPrivate: false } });
    expect((await post(h, host, `/rooms/${room.roomId}/leave`)).status).toBe(204); // both seats free
    const joiners = await users(50);
    const results = await Promise.all(joiners.map((u) => h.request({ method: 'POST', url: `/rooms/${room.roomId}/join`, token: u.token, body: {} })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(results.filter((r) => r.status === 409 && r.body.code === 'ROOM_FULL')).toHaveLength(48);
    const seated = results.filter((r) => r.status === 200).map((r) => r.body.assignedRole).sort();
    expect(seated).toEqual(['candidate', 'interviewer']);
    const { rows } = await h.ctx.pool.query('SELECT count(*)::int AS n FROM room_participants WHERE room_id = $1 AND is_active', [room.roomId]);
    expect(rows[0].n).toBe(2);
    let joins = 0;
    for await (const e of h.ctx.store.readStream(`room-${room.roomId}`)) if (e.type === 'ParticipantJoined') joins++;
    expect(joins).toBe(3); // the host's, and two
  }, 120_000);

  it('20 concurrent accepts of one role swap: one swap', async () => {
    const host = await newUser(h);
    const cand = await newUser(h);
    const room = await createRoom(h, host);
    expect((await post(h, cand, `/rooms/${room.roomId}/join`, { roomCode: room.roomCode })).status).toBe(200);
    const swap = await post(h, host, `/rooms/${room.roomId}/control/role-swap`, { targetUserId: cand.id });
    expect(swap.status).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => post(h, cand, `/rooms/${room.roomId}/control/role-swap/${swap.body.swapId}`, { accept: true })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(results.map((r) => r.body.status))).toEqual(new Set(['accepted']));
    let accepted = 0;
    for await (const e of h.ctx.store.readStream(`room-${room.roomId}`)) if (e.type === 'RoleSwapAccepted') accepted++;
    expect(accepted).toBe(1);
    const detail = (await h.request({ method: 'GET', url: `/rooms/${room.roomId}`, token: host.token })).body;
    expect(Object.fromEntries(detail.participants.map((p: any) => [p.userId, p.role]))).toEqual({ [host.id]: 'candidate', [cand.id]: 'interviewer' });
  }, 60_000);
});
