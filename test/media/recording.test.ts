/**
 * Recording consent and start / stop (SPEC §4.6 SEED). No media server exists on dev/CI machines, so the happy path
 * runs against `FakeEgressPort`, an in-test implementation of the egress port installed on the context; the real
 * adapter is exercised on its failure path (nothing listens at LIVEKIT_URL → 503 through the media breaker).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EgressPort } from '../../src/infra/livekit/port.js';
import { consentsOf, listRoomRecordings, listSessionRecordings } from '../../src/projections/recordings/queries.js';
import { expectError, isoString, peerRoom, post, roomHarness, type RoomHarness, type TestUser } from '../rooms/support.js';
import { LIVEKIT_TEST_ENV, mediaRoom, MISSING_ROOM, SMALL_POOL, type MediaRoom } from './support.js';

/** In-test fake of the egress port: remembers the calls, hands out egress ids, can be told to fail. */
class FakeEgressPort implements EgressPort {
  readonly started: Array<{ roomName: string; filepath: string; egressId: string }> = [];
  readonly stopped: string[] = [];
  private next = 0;
  async startRoomRecording(roomName: string, filepath: string) {
    const egressId = `EG_fake_${++this.next}`;
    this.started.push({ roomName, filepath, egressId });
    return { egressId };
  }
  async stopRecording(egressId: string) {
    this.stopped.push(egressId);
  }
}

const consentUrl = (roomId: string) => `/rooms/${roomId}/media/consent`;
const startUrl = (roomId: string) => `/rooms/${roomId}/media/recording/start`;
const stopUrl = (roomId: string) => `/rooms/${roomId}/media/recording/stop`;

async function consentAll(h: RoomHarness, users: TestUser[], roomId: string) {
  for (const u of users) expect((await post(h, u, consentUrl(roomId), { consent: true })).status).toBe(204);
}

describe('recording with a fake egress port', () => {
  let h: RoomHarness;
  let r: MediaRoom;
  const egress = new FakeEgressPort();

  beforeAll(async () => {
    h = await roomHarness({
      env: { ...SMALL_POOL, ...LIVEKIT_TEST_ENV },
      setup: (ctx) => {
        ctx.egress = egress;
      },
    });
    r = await mediaRoom(h);
  });
  afterAll(async () => h.close());

  it('consent: 204 for any active participant, kept in recording_consents; 404, 403 stranger, 400 bad body', async () => {
    expect((await post(h, r.observer, consentUrl(r.room.roomId), { consent: false })).status).toBe(204);
    expect((await post(h, r.observer, consentUrl(r.room.roomId), { consent: false })).status).toBe(204);
    expect(await consentsOf(h.ctx.db, r.room.roomId)).toEqual([{ userId: r.observer.id, consent: false, updatedAt: expect.any(Date) }]);
    expectError(await post(h, r.host, consentUrl(MISSING_ROOM), { consent: true }), 404, 'ROOM_NOT_FOUND');
    expectError(await post(h, r.stranger, consentUrl(r.room.roomId), { consent: true }), 403, 'ROOM_ACCESS_DENIED');
    for (const body of [{}, { consent: 'yes' }, { consent: true, extra: 1 }]) {
      expectError(await post(h, r.host, consentUrl(r.room.roomId), body), 400, 'VALIDATION_FAILED');
    }
    expectError(await post(h, r.host, consentUrl('x'), { consent: true }), 400, 'VALIDATION_FAILED');
  });

  it('start: 409 RECORDING_CONSENT_MISSING until every active participant consented, naming who is missing', async () => {
    await post(h, r.host, consentUrl(r.room.roomId), { consent: true });
    const res = await post(h, r.host, startUrl(r.room.roomId));
    expectError(res, 409, 'RECORDING_CONSENT_MISSING');
    expect([...res.body.details.missingUserIds].sort()).toEqual([r.candidate.id, r.observer.id].sort());
    expect(egress.started).toHaveLength(0);
  });

  it('capability matrix for recording:toggle: candidate and non-host observer 403, stranger 403 ACCESS_DENIED, 404', async () => {
    expectError(await post(h, r.candidate, startUrl(r.room.roomId)), 403, 'ROOM_PERMISSION_DENIED');
    expectError(await post(h, r.observer, startUrl(r.room.roomId)), 403, 'ROOM_PERMISSION_DENIED');
    expectError(await post(h, r.candidate, stopUrl(r.room.roomId)), 403, 'ROOM_PERMISSION_DENIED');
    expectError(await post(h, r.stranger, startUrl(r.room.roomId)), 403, 'ROOM_ACCESS_DENIED');
    expectError(await post(h, r.host, startUrl(MISSING_ROOM)), 404, 'ROOM_NOT_FOUND');
    expectError(await post(h, r.host, stopUrl('bad-id')), 400, 'VALIDATION_FAILED');
  });

  it('host start → 200 {recordingId, startedAt}; 409 RECORDING_ALREADY_ACTIVE; stop → 200 {recordingId, stoppedAt}; 409 RECORDING_NOT_ACTIVE', async () => {
    expectError(await post(h, r.host, stopUrl(r.room.roomId)), 409, 'RECORDING_NOT_ACTIVE');
    await consentAll(h, [r.host, r.candidate, r.observer], r.room.roomId);

    const start = await post(h, r.host, startUrl(r.room.roomId));
    expect(start.status).toBe(200);
    expect(start.body).toEqual({ recordingId: expect.stringMatching(/^[0-9a-f-]{36}$/), startedAt: isoString });
    expect(egress.started).toEqual([{ roomName: r.room.roomId, filepath: `recordings/${r.room.roomId}/${start.body.recordingId}.mp4`, egressId: 'EG_fake_1' }]);
    expect(await listRoomRecordings(h.ctx.db, r.room.roomId)).toEqual([
      expect.objectContaining({ recordingId: start.body.recordingId, status: 'recording', format: 'mp4', sessionId: null, stoppedAt: null }),
    ]);

    expectError(await post(h, r.host, startUrl(r.room.roomId)), 409, 'RECORDING_ALREADY_ACTIVE');
    expect(egress.started).toHaveLength(1);

    const stop = await post(h, r.host, stopUrl(r.room.roomId));
    expect(stop.status).toBe(200);
    expect(stop.body).toEqual({ recordingId: start.body.recordingId, stoppedAt: isoString });
    expect(egress.stopped).toEqual(['EG_fake_1']);
    const [row] = await listRoomRecordings(h.ctx.db, r.room.roomId);
    expect(row).toMatchObject({ status: 'stopped', stoppedAt: new Date(stop.body.stoppedAt) });
    expect(row!.durationMs).toBe(Date.parse(stop.body.stoppedAt) - Date.parse(start.body.startedAt));

    expectError(await post(h, r.host, stopUrl(r.room.roomId)), 409, 'RECORDING_NOT_ACTIVE');
  });

  it('withdrawing consent blocks the next start', async () => {
    expect((await post(h, r.candidate, consentUrl(r.room.roomId), { consent: false })).status).toBe(204);
    const res = await post(h, r.host, startUrl(r.room.roomId));
    expectError(res, 409, 'RECORDING_CONSENT_MISSING');
    expect(res.body.details.missingUserIds).toEqual([r.candidate.id]);
  });

  it('a recording during a session is listed under the session', async () => {
    const { host, candidate, room } = await peerRoom(h, 'coding');
    await consentAll(h, [host, candidate], room.roomId);
    const start = await post(h, host, startUrl(room.roomId));
    expect(start.status).toBe(200);
    const { rows } = await h.ctx.pool.query('SELECT session_id FROM rooms WHERE id = $1', [room.roomId]);
    const sessionId = rows[0].session_id as string;
    expect(sessionId).toBeTruthy();
    expect((await listSessionRecordings(h.ctx.db, sessionId)).map((x) => x.recordingId)).toEqual([start.body.recordingId]);
  });
});

describe('recording without a reachable media server', () => {
  it('the real egress adapter with nothing at LIVEKIT_URL: 503 through the media breaker, which then opens; nothing recorded', async () => {
    const h = await roomHarness({ env: { ...SMALL_POOL, ...LIVEKIT_TEST_ENV } });
    try {
      const r = await mediaRoom(h);
      await consentAll(h, [r.host, r.candidate, r.observer], r.room.roomId);
      const seen: Array<{ status: number; code: string; circuit: unknown }> = [];
      for (let i = 0; i < 7; i++) {
        const res = await post(h, r.host, startUrl(r.room.roomId));
        seen.push({ status: res.status, code: res.body.code, circuit: res.body.details?.circuit });
      }
      expect(seen.every((s) => s.status === 503 && s.code === 'MEDIA_SERVICE_UNAVAILABLE' && s.circuit === 'livekit-egress')).toBe(true);
      // After enough failures the breaker answers without trying, with a retry hint.
      const last = await post(h, r.host, startUrl(r.room.roomId));
      expect(last.body.details).toMatchObject({ circuit: 'livekit-egress', retryAfter: expect.any(Number) });
      expect(await listRoomRecordings(h.ctx.db, r.room.roomId)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
