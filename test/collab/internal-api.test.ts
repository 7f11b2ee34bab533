/**
 * Collab internal HTTP API (SPEC §5.1, checklist §11.3): shared-secret guard, status codes, SEED error envelope.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestSchema, type TestSchema } from '../support/schema.js';
import { FakeControlPlane, peer, roomId, startCollab, synced, token, waitFor, type Peer, type TestCollab } from './support.js';

let schema: TestSchema;
let cp: FakeControlPlane;
let collab: TestCollab;
const peers: Peer[] = [];

beforeAll(async () => {
  schema = await createTestSchema();
  cp = new FakeControlPlane();
  collab = await startCollab(schema, cp);
});

afterAll(async () => {
  for (const p of peers) p.destroy();
  await collab.close();
  await schema.drop();
});

const envelope = (statusCode: number, code: string) => ({
  statusCode,
  code,
  message: expect.any(String),
  timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
});

describe('X-Internal-Secret', () => {
  const room = '11111111-1111-4111-8111-111111111111';
  const routes: Array<[string, string, unknown]> = [
    ['POST', '/internal/documents', { roomId: room }],
    ['DELETE', `/internal/documents/${room}`, undefined],
    ['POST', `/internal/documents/${room}/kick`, { userId: 'u' }],
    ['POST', `/internal/documents/${room}/state`, { roomId: room, phase: 'coding', editorLocked: false }],
    ['POST', `/internal/documents/${room}/participant-ready`, { userId: 'u', isReady: true }],
    ['POST', `/internal/documents/${room}/language`, { roomId: room, language: 'python' }],
    ['GET', `/internal/documents/${room}/chat`, undefined],
  ];

  it.each(routes)('%s %s without the secret → 401 "Missing internal secret"', async (method, path, body) => {
    const res = await collab.internal(method, path, body, null);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ ...envelope(401, 'UNAUTHORIZED'), message: 'Missing internal secret' });
  });

  it.each(routes)('%s %s with a wrong secret → 401 "Invalid internal secret"', async (method, path, body) => {
    const res = await collab.internal(method, path, body, 'not-the-secret');
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('Invalid internal secret');
  });

  it('health answers 200 without any secret', async () => {
    expect(await collab.internal('GET', '/internal/health', undefined, null)).toEqual({ status: 200, body: { status: 'ok' } });
  });
});

describe('documents', () => {
  it('create is idempotent: 201 created:true, then 201 created:false with the same createdAt', async () => {
    const room = roomId();
    const first = await collab.internal('POST', '/internal/documents', { roomId: room, initialLanguage: 'python' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ roomId: room, createdAt: expect.any(Number), created: true });
    const second = await collab.internal('POST', '/internal/documents', { roomId: room, initialLanguage: 'java' });
    expect(second).toEqual({ status: 201, body: { roomId: room, createdAt: first.body.createdAt, created: false } });
    expect(collab.collab.registry.live(room)!.language).toBe('java'); // language updated when it differs
  });

  it('create from a snapshot applies it; invalid bytes are a 400', async () => {
    const src = roomId();
    await collab.createRoom(src, { initialContentByLanguage: { rust: 'fn main() {}' } });
    const destroyed = await collab.internal('DELETE', `/internal/documents/${src}`);
    const room = roomId();
    const res = await collab.internal('POST', '/internal/documents', { roomId: room, snapshot: destroyed.body.finalSnapshot, initialLanguage: 'rust' });
    expect(res.status).toBe(201);
    expect(collab.collab.registry.live(room)!.currentDoc().getText('code:rust').toString()).toBe('fn main() {}');

    const bad = await collab.internal('POST', '/internal/documents', { roomId: roomId(), snapshot: [1, 2, 3, 250, 250] });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(envelope(400, 'COLLAB_INVALID_REQUEST'));
    const notBytes = await collab.internal('POST', '/internal/documents', { roomId: roomId(), snapshot: [300] });
    expect(notBytes.body).toEqual(envelope(400, 'COLLAB_INVALID_REQUEST'));
  });

  it('validation errors are 400 COLLAB_INVALID_REQUEST', async () => {
    const cases: Array<[string, string, unknown]> = [
      ['POST', '/internal/documents', {}],
      ['POST', '/internal/documents', { roomId: 'has spaces' }],
      ['POST', '/internal/documents', { roomId: roomId(), initialPhase: 'lunch' }],
      ['POST', `/internal/documents/${roomId()}/state`, { phase: 'coding' }],
      ['POST', `/internal/documents/${roomId()}/kick`, {}],
      ['GET', `/internal/documents/${roomId()}/chat?limit=0`, undefined],
    ];
    for (const [method, path, body] of cases) {
      const res = await collab.internal(method, path, body);
      expect([path, res.status, res.body]).toEqual([path, 400, envelope(400, 'COLLAB_INVALID_REQUEST')]);
    }
  });

  it('unknown rooms: 404 COLLAB_DOCUMENT_NOT_FOUND for destroy, state and chat; kicked:false, success:false, ready ok', async () => {
    const room = roomId();
    expect((await collab.internal('DELETE', `/internal/documents/${room}`)).body).toEqual(envelope(404, 'COLLAB_DOCUMENT_NOT_FOUND'));
    const state = await collab.internal('POST', `/internal/documents/${room}/state`, { phase: 'coding', editorLocked: false });
    expect(state.status).toBe(404);
    expect(state.body.code).toBe('COLLAB_DOCUMENT_NOT_FOUND');
    expect((await collab.internal('GET', `/internal/documents/${room}/chat`)).status).toBe(404);
    expect((await collab.internal('POST', `/internal/documents/${room}/kick`, { userId: 'u' })).body).toEqual({ kicked: false });
    expect((await collab.internal('POST', `/internal/documents/${room}/language`, { language: 'go' })).body).toEqual({ success: false });
    expect((await collab.internal('POST', `/internal/documents/${room}/participant-ready`, { userId: 'u', isReady: true })).body).toEqual({ success: true });
  });

  it('state, participant-ready and language broadcast their events to joined clients', async () => {
    const room = roomId();
    await collab.createRoom(room, { initialLanguage: 'python' });
    const p = peer(collab.wsUrl, room, token('pat', room, 'candidate'));
    peers.push(p);
    await synced(p);
    await collab.internal('POST', `/internal/documents/${room}/participant-ready`, { userId: 'pat', isReady: true });
    await collab.internal('POST', `/internal/documents/${room}/state`, { roomId: room, phase: 'warmup', editorLocked: false, changedBy: 'h' });
    await collab.internal('POST', `/internal/documents/${room}/language`, { roomId: room, language: 'cpp', changedBy: 'h' });
    await waitFor(() => p.events.some((e) => e.type === 'language-change'), 'events');
    expect(p.events.map((e) => [e.type, e.data])).toEqual([
      ['room-state', { phase: 'waiting', editorLocked: false }],
      ['chat-history', { messages: [], readStates: [{ userId: 'pat', lastReadAt: expect.any(Number) }] }],
      ['participant-ready', { userId: 'pat', isReady: true }],
      ['room-state', { phase: 'warmup', editorLocked: false }],
      ['phase-change', { phase: 'warmup', previousPhase: 'waiting' }],
      ['language-change', { language: 'cpp', changedBy: 'h' }],
    ]);
    expect(p.events.every((e) => typeof e.timestamp === 'number')).toBe(true);
  });
});
