/**
 * Shared pieces of the media tests: LiveKit credentials for local signing (no server is contacted to sign), and a
 * peer room with a host (interviewer), a candidate and an observer.
 */
import { expect } from '@jest/globals';
import type { Harness } from '../support/harness.js';
import { createRoom, join, newUser, post, type TestUser } from '../rooms/support.js';

/** A smaller connection pool than the harness default: these files open a few harnesses, often next to other suites. */
export const SMALL_POOL = { DB_POOL_SIZE: '5' };

export const LIVEKIT_TEST_ENV = {
  LIVEKIT_API_KEY: 'devkey-media-tests',
  LIVEKIT_API_SECRET: 'a-livekit-secret-for-the-media-tests-0123456789',
  // Nothing listens on port 9: anything that would reach the server fails fast.
  LIVEKIT_URL: 'ws://127.0.0.1:9',
  LIVEKIT_CLIENT_URL: 'wss://media.example.test',
};

export interface MediaRoom {
  host: TestUser;
  candidate: TestUser;
  observer: TestUser;
  stranger: TestUser;
  room: { roomId: string; roomCode: string };
}

/** host = interviewer (creator), candidate, observer (the third to join a peer room), and a stranger. */
export async function mediaRoom(h: Harness): Promise<MediaRoom> {
  const [host, candidate, observer, stranger] = [await newUser(h), await newUser(h), await newUser(h), await newUser(h)];
  const room = await createRoom(h, host, { config: { maxParticipants: 4 } });
  await join(h, candidate, room);
  const joined = await join(h, observer, room);
  expect(JSON.stringify(joined)).toContain('observer');
  return { host, candidate, observer, stranger, room };
}

/** A room whose host sits in the observer seat: the creator and the candidate leave, ownership passes to the observer. */
export async function hostObserverRoom(h: Harness): Promise<{ host: TestUser; room: { roomId: string; roomCode: string } }> {
  const creator = await newUser(h);
  const candidate = await newUser(h);
  const host = await newUser(h);
  const room = await createRoom(h, creator, { config: { maxParticipants: 4 } });
  await join(h, candidate, room);
  await join(h, host, room);
  expect((await post(h, creator, `/rooms/${room.roomId}/leave`)).status).toBeLessThan(300);
  expect((await post(h, candidate, `/rooms/${room.roomId}/leave`)).status).toBeLessThan(300);
  const detail = (await h.request({ method: 'GET', url: `/rooms/${room.roomId}`, token: host.token })).body;
  expect(detail.hostId).toBe(host.id);
  expect(detail.participants.find((p: any) => p.userId === host.id)?.role).toBe('observer');
  return { host, room };
}

export const MISSING_ROOM = '00000000-0000-4000-8000-000000000000';
