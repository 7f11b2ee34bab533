/**
 * Session media over HTTP: the whiteboard export (drawn through a real y-websocket client, rendered by the collab
 * plane, stored in the local object storage, downloaded through its signed URL) and the recording download URL
 * from the recordings read model (the egress output stands in the local storage as the media server's upload would).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyProjection } from '../../src/projections/verify.js';
import type { EgressPort } from '../../src/infra/livekit/port.js';
import { localStorageOf } from '../../src/infra/storage/index.js';
import { peer, synced, type Peer } from '../collab/support.js';
import { expectError, peerRoom, post, roomHarness, transition, type RoomHarness, type TestUser } from '../rooms/support.js';

class RecordingEgress implements EgressPort {
  readonly started: Array<{ roomName: string; filepath: string }> = [];
  async startRoomRecording(roomName: string, filepath: string) {
    this.started.push({ roomName, filepath });
    return { egressId: `EG_${this.started.length}` };
  }
  async stopRecording() {}
}

let h: RoomHarness;
const egress = new RecordingEgress();
const peers: Peer[] = [];

beforeAll(async () => {
  h = await roomHarness({
    collab: true,
    env: { LIVEKIT_API_KEY: 'devkey', LIVEKIT_API_SECRET: 'secret', LIVEKIT_URL: 'ws://127.0.0.1:9' },
    setup: (ctx) => {
      ctx.egress = egress;
    },
  });
}, 120_000);
afterAll(async () => {
  for (const p of peers) p.destroy();
  await h.close();
});

const get = (u: TestUser, url: string) => h.request({ method: 'GET', url, token: u.token });
/** Follows a signed storage URL through the API's /storage route. */
async function download(url: string): Promise<{ status: number; body: string; type: string }> {
  const u = new URL(url);
  const res = await h.request({ method: 'GET', url: `${u.pathname}${u.search}` });
  return { status: res.status, body: res.raw.body, type: String(res.headers['content-type'] ?? '') };
}

function stroke(id: string, points: Array<[number, number]>, color = 'red') {
  return {
    id,
    typeName: 'shape',
    type: 'draw',
    x: 100,
    y: 50,
    rotation: 0,
    index: 'a1',
    parentId: 'page:page',
    isLocked: false,
    opacity: 1,
    props: { color, size: 'm', fill: 'none', dash: 'draw', segments: [{ type: 'free', points: points.map(([x, y]) => ({ x, y, z: 0.5 })) }], isComplete: true },
    meta: { authorId: 'someone', layer: 'drawing', createdAt: 1 },
  };
}

describe('whiteboard export', () => {
  it('a board drawn on through y-websocket is exported as SVG at the finish and on demand by the host', async () => {
    const { host, candidate, room } = await peerRoom(h, 'coding');
    const sessionId = (await get(host, `/rooms/${room.roomId}`)).body.sessionId;
    expectError(await get(host, `/sessions/${sessionId}/whiteboard`), 404, 'SESSION_WHITEBOARD_NOT_FOUND');
    expectError(await post(h, host, `/rooms/${room.roomId}/whiteboard/export`), 404, 'SESSION_WHITEBOARD_NOT_FOUND');

    const token = (await get(candidate, `/rooms/${room.roomId}`)).body.collabToken;
    const p = peer(`ws://127.0.0.1:${h.collab!.port}/ws`, room.roomId, token);
    peers.push(p);
    await synced(p);
    const board = p.doc.getMap('whiteboard');
    p.doc.transact(() => {
      board.set('page:page', { id: 'page:page', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} });
      board.set('shape:stroke1', stroke('shape:stroke1', [[0, 0], [40, 25], [80, 10]]));
      board.set('shape:box', {
        id: 'shape:box', typeName: 'shape', type: 'geo', x: 300, y: 200, rotation: 0, index: 'a2', parentId: 'page:page', opacity: 1,
        props: { geo: 'rectangle', w: 120, h: 60, color: 'blue', fill: 'none', size: 'm', text: 'queue <head>' }, meta: {},
      });
    });

    // on demand: the host only
    expectError(await post(h, candidate, `/rooms/${room.roomId}/whiteboard/export`), 403, 'ROOM_PERMISSION_DENIED');
    let manual: any;
    for (let i = 0; i < 50; i++) {
      manual = await post(h, host, `/rooms/${room.roomId}/whiteboard/export`);
      if (manual.status === 201 && manual.body.shapeCount === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(manual.status).toBe(201);
    expect(manual.body).toMatchObject({ shapeCount: 2, url: expect.any(String), capturedAt: expect.any(String) });

    // more strokes, then the finish captures the final board
    board.set('shape:stroke2', stroke('shape:stroke2', [[5, 5], [15, 95]], 'green'));
    await new Promise((r) => setTimeout(r, 200));
    expect((await transition(h, host, room.roomId, 'wrapup')).status).toBe(200);
    expect((await transition(h, host, room.roomId, 'finished')).status).toBe(200);

    const exported = await get(candidate, `/sessions/${sessionId}/whiteboard`);
    expect(exported.status).toBe(200);
    expect(Date.parse(exported.body.capturedAt)).toBeGreaterThan(Date.parse(manual.body.capturedAt));
    const svg = await download(exported.body.url);
    expect(svg.status).toBe(200);
    expect(svg.type).toContain('image/svg+xml');
    expect(svg.body.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // both strokes, in page coordinates of their points, in their colours; the labelled box with escaped text
    expect(svg.body).toContain('data-shape-id="shape:stroke1"');
    expect(svg.body).toContain('<path d="M0 0 L40 25 L80 10"');
    expect(svg.body).toContain('stroke="#e03131"');
    expect(svg.body).toContain('<path d="M5 5 L15 95"');
    expect(svg.body).toContain('stroke="#099268"');
    expect(svg.body).toContain('translate(100 50)');
    expect(svg.body).toContain('<rect width="120" height="60"');
    expect(svg.body).toContain('queue &lt;head&gt;');

    // the raw records sit next to the picture
    const { rows } = await h.ctx.pool.query('SELECT json_key FROM session_whiteboard_exports WHERE session_id = $1', [sessionId]);
    const rawUrl = await h.ctx.storage!.signedGetUrl(rows[0].json_key, 60);
    const raw = await download(rawUrl);
    expect(JSON.parse(raw.body).records['shape:stroke2'].props.color).toBe('green');

    const stranger = (await peerRoom(h)).host;
    expectError(await get(stranger, `/sessions/${sessionId}/whiteboard`), 403, 'SESSION_NOT_PARTICIPANT');
  });
});

describe('recording download URL', () => {
  it('the latest stopped recording of the session, signed; 404 before; hasRecording in detail', async () => {
    const { host, candidate, room } = await peerRoom(h, 'coding');
    const sessionId = (await get(host, `/rooms/${room.roomId}`)).body.sessionId;
    expectError(await get(candidate, `/sessions/${sessionId}/recording`), 404, 'SESSION_RECORDING_NOT_FOUND');
    for (const u of [host, candidate]) expect((await post(h, u, `/rooms/${room.roomId}/media/consent`, { consent: true })).status).toBe(204);
    expect((await post(h, host, `/rooms/${room.roomId}/media/recording/start`)).status).toBe(200);
    expectError(await get(candidate, `/sessions/${sessionId}/recording`), 404, 'SESSION_RECORDING_NOT_FOUND');
    const stopped = await post(h, host, `/rooms/${room.roomId}/media/recording/stop`);
    expect(stopped.status).toBe(200);
    // the media server's egress uploads the file to the key it was given
    const key = egress.started.at(-1)!.filepath;
    await localStorageOf(h.ctx)!.write(key, Buffer.from('fake mp4 bytes'), 'video/mp4');

    const res = await get(candidate, `/sessions/${sessionId}/recording`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ url: expect.stringContaining(key), expiresAt: expect.any(String), durationMs: expect.any(Number), format: 'mp4' });
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now());
    const file = await download(res.body.url);
    expect({ status: file.status, body: file.body }).toEqual({ status: 200, body: 'fake mp4 bytes' });

    expect((await transition(h, host, room.roomId, 'wrapup')).status).toBe(200);
    expect((await transition(h, host, room.roomId, 'finished')).status).toBe(200);
    expect((await get(host, `/sessions/${sessionId}`)).body.hasRecording).toBe(true);
  });
});

describe('read models', () => {
  it('equal a rebuild from the events (whiteboard-exports, recordings)', async () => {
    await h.projections.stop();
    for (const p of h.ctx.projections.filter((x) => ['whiteboard-exports', 'recordings'].includes(x.name))) {
      const r = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, p);
      expect({ projection: r.projection, equal: r.equal, differences: r.differences }).toEqual({ projection: p.name, equal: true, differences: [] });
      expect(r.events).toBeGreaterThan(0);
    }
  });
});
