/**
 * Code snapshots (SPEC §5.3): periodic (de-duplicated by content hash), phase_change, submission (lock),
 * session_end (strict on finish, with rollback), destroy, and the raw doc-snapshot for rooms without a language.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as Y from 'yjs';
import { createHash } from 'node:crypto';
import { createTestSchema, type TestSchema } from '../support/schema.js';
import { FakeControlPlane, peer, roomId, sleep, startCollab, synced, token, waitFor, type Peer, type TestCollab } from './support.js';

let schema: TestSchema;
let cp: FakeControlPlane;
let collab: TestCollab;
const peers: Peer[] = [];
const INTERVAL = 150;

beforeAll(async () => {
  schema = await createTestSchema();
  cp = new FakeControlPlane();
  collab = await startCollab(schema, cp, { snapshotIntervalMs: INTERVAL });
});

afterAll(async () => {
  for (const p of peers) p.destroy();
  await collab.close();
  await schema.drop();
});

const of = (room: string) => cp.snapshots.filter((s) => s.roomId === room);

describe('snapshot triggers', () => {
  it('periodic snapshots carry the payload of SPEC §5.3 and are not repeated while the code is unchanged', async () => {
    const room = roomId();
    await collab.createRoom(room, { initialContentByLanguage: { python: 'a = 1\n' }, initialLanguage: 'python', initialPhase: 'coding' });
    await waitFor(() => of(room).length >= 1, 'first periodic');
    const first = of(room)[0]!;
    expect(first).toMatchObject({ roomId: room, code: 'a = 1\n', language: 'python', trigger: 'periodic', phase: 'coding' });
    expect(typeof first.timestamp).toBe('number');
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Uint8Array.from(first.snapshot));
    expect(doc.getText('code:python').toString()).toBe('a = 1\n');

    await sleep(INTERVAL * 4);
    expect(of(room)).toHaveLength(1); // unchanged code: no duplicates

    const p = peer(collab.wsUrl, room, token('ida', room, 'interviewer'));
    peers.push(p);
    await synced(p);
    p.doc.getText('code:python').insert(6, 'b = 2\n');
    await waitFor(() => of(room).length === 2, 'periodic after a change');
    expect(of(room)[1]).toMatchObject({ code: 'a = 1\nb = 2\n', trigger: 'periodic' });
    await sleep(INTERVAL * 3);
    expect(of(room)).toHaveLength(2);

    // an edit outside the code buffer (whiteboard) does not change the code hash either
    p.doc.getMap('whiteboard').set('s', 1);
    await sleep(INTERVAL * 3);
    expect(of(room)).toHaveLength(2);
  });

  it('phase change, lock (submission) and finish (session_end) each send one snapshot; destroy after finish does not repeat it', async () => {
    const room = roomId();
    const quiet = await startCollab(schema, cp); // periodic off, so only event triggers show up
    try {
      await quiet.createRoom(room, { initialContentByLanguage: { python: 'x' }, initialLanguage: 'python' });
      const post = (body: object) => quiet.internal('POST', `/internal/documents/${room}/state`, body);

      expect((await post({ phase: 'warmup', editorLocked: false, changedBy: 'h' })).status).toBe(201);
      await waitFor(() => of(room).length === 1, 'phase_change');
      expect(of(room)[0]).toMatchObject({ trigger: 'phase_change', phase: 'warmup', code: 'x' });

      expect((await post({ phase: 'warmup', editorLocked: true, changedBy: 'h' })).status).toBe(201);
      await waitFor(() => of(room).length === 2, 'submission');
      expect(of(room)[1]).toMatchObject({ trigger: 'submission', phase: 'warmup' });

      // unlocking and re-sending the same state trigger nothing
      await post({ phase: 'warmup', editorLocked: false });
      await post({ phase: 'warmup', editorLocked: false });
      await sleep(100);
      expect(of(room)).toHaveLength(2);

      // a failing strict session_end keeps the room where it was and fails the call
      cp.snapshotSucceeds = false;
      const failed = await post({ phase: 'finished', editorLocked: false, language: 'python' });
      cp.snapshotSucceeds = true;
      expect(failed.status).toBe(500);
      expect(failed.body).toMatchObject({ statusCode: 500, code: 'COLLAB_INTERNAL_ERROR' });
      expect(quiet.collab.registry.live(room)!.phase).toBe('warmup');

      expect((await post({ phase: 'finished', editorLocked: false, language: 'python' })).status).toBe(201);
      expect(of(room)).toHaveLength(3);
      expect(of(room)[2]).toMatchObject({ trigger: 'session_end', phase: 'finished', code: 'x', language: 'python' });

      expect((await quiet.internal('DELETE', `/internal/documents/${room}`)).status).toBe(200);
      expect(of(room)).toHaveLength(3);
    } finally {
      await quiet.close();
    }
  });

  it('a room without a language sends the raw doc-snapshot instead; the language endpoint switches the code buffer', async () => {
    const room = roomId();
    await collab.createRoom(room, { initialContentByLanguage: { java: 'class A {}', python: 'pass' } });
    await waitFor(() => cp.docSnapshots.some((d) => d.roomId === room), 'doc snapshot');
    expect(of(room)).toHaveLength(0);
    const count = cp.docSnapshots.filter((d) => d.roomId === room).length;
    await sleep(INTERVAL * 3);
    expect(cp.docSnapshots.filter((d) => d.roomId === room).length).toBe(count);

    const res = await collab.internal('POST', `/internal/documents/${room}/language`, { roomId: room, language: 'java', changedBy: 'h' });
    expect(res).toEqual({ status: 201, body: { success: true } });
    await waitFor(() => of(room).length === 1, 'code snapshot after language set');
    expect(of(room)[0]).toMatchObject({ language: 'java', code: 'class A {}', trigger: 'periodic' });
  });

  it('the last snapshot hash is stored, so a restarted node does not resend unchanged code', async () => {
    const room = roomId();
    const n1 = await startCollab(schema, cp, { snapshotIntervalMs: INTERVAL });
    await n1.createRoom(room, { initialContentByLanguage: { go: 'package main' }, initialLanguage: 'go' });
    await waitFor(() => of(room).length === 1, 'periodic');
    await n1.close();
    const stored = await schema.db.selectFrom('collab_documents').select('last_snapshot_hash').where('room_id', '=', room).executeTakeFirst();
    expect(stored?.last_snapshot_hash).toBe(createHash('sha256').update('go').update('\0').update('package main').digest('hex'));
    const n2 = await startCollab(schema, cp, { snapshotIntervalMs: INTERVAL });
    try {
      const p = peer(n2.wsUrl, room, token('x', room, 'candidate'));
      peers.push(p);
      await synced(p);
      await sleep(INTERVAL * 4);
      expect(of(room)).toHaveLength(1);
    } finally {
      await n2.close();
    }
  });
});
