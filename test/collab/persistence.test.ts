/**
 * Document and chat state survive a collab restart; a stale node cannot overwrite a newer save; idle rooms unload.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as Y from 'yjs';
import { createTestSchema, type TestSchema } from '../support/schema.js';
import { CollabStore } from '../../src/collab/persistence.js';
import { FakeControlPlane, peer, raw, roomId, startCollab, synced, token, waitFor, type Peer } from './support.js';

let schema: TestSchema;
const peers: Peer[] = [];

beforeAll(async () => {
  schema = await createTestSchema();
});

afterAll(async () => {
  for (const p of peers) p.destroy();
  await schema.drop();
});

describe('restart', () => {
  it('restores the document, the room attributes and the chat from Postgres', async () => {
    const cp = new FakeControlPlane();
    const room = roomId();
    let node = await startCollab(schema, cp);
    await node.createRoom(room, { initialContentByLanguage: { python: 'def f():\n' }, initialLanguage: 'python' });
    await node.internal('POST', `/internal/documents/${room}/state`, { phase: 'coding', editorLocked: true, changedBy: 'ian' });

    const a = peer(node.wsUrl, room, token('ian', room, 'interviewer', true));
    peers.push(a);
    await synced(a);
    a.doc.getText('code:python').insert(a.text().length, '    return 42\n');
    a.doc.getMap('whiteboard').set('shape:a', { kind: 'arrow' });
    const c = raw(`${node.wsUrl}/${room}?events=text&token=${token('cat', room, 'candidate')}`);
    await waitFor(() => c.texts.length >= 2, 'joined');
    c.ws.send(JSON.stringify({ type: 'chat-send', data: { text: 'survive this' } }));
    await waitFor(() => c.texts.some((t) => t.type === 'chat-message-created'), 'chat stored');
    await waitFor(() => node.collab.registry.live(room)?.currentDoc().getText('code:python').toString().includes('42') === true, 'edit at server');

    await node.close(); // clients see 1012 and keep trying to reconnect
    a.provider.disconnect();
    c.ws.close();

    node = await startCollab(schema, cp);
    try {
      const b = peer(node.wsUrl, room, token('bo', room, 'candidate'));
      peers.push(b);
      await synced(b);
      expect(b.text()).toBe('def f():\n    return 42\n');
      expect(b.doc.getMap('whiteboard').get('shape:a')).toEqual({ kind: 'arrow' });
      await waitFor(() => b.events.some((e) => e.type === 'chat-history'), 'chat history');
      expect(b.events[0]).toMatchObject({ type: 'room-state', data: { phase: 'coding', editorLocked: true } });
      const history = b.events.find((e) => e.type === 'chat-history')!.data;
      expect(history.messages.map((m: { text: string }) => m.text)).toEqual(['survive this']);
      expect(history.readStates.map((r: { userId: string }) => r.userId).sort()).toEqual(['bo', 'cat', 'ian']);

      const chat = await node.internal('GET', `/internal/documents/${room}/chat`);
      expect(chat.body.messages[0]).toMatchObject({ text: 'survive this', userId: 'cat', roomId: room });
    } finally {
      await node.close();
    }
  });

  it('a stale node cannot overwrite a newer save: it merges the stored state and saves on top', async () => {
    const cp = new FakeControlPlane();
    const room = roomId();
    const n1 = await startCollab(schema, cp);
    const n2 = await startCollab(schema, cp);
    try {
      await n1.createRoom(room, { initialLanguage: 'python' });
      const p1 = peer(n1.wsUrl, room, token('u1', room, 'interviewer'));
      const p2 = peer(n2.wsUrl, room, token('u2', room, 'interviewer')); // n2 loads the same row
      peers.push(p1, p2);
      await Promise.all([synced(p1), synced(p2)]);
      p1.doc.getText('code:python').insert(0, 'from-node-1;');
      p2.doc.getText('code:python').insert(0, 'from-node-2;');
      await waitFor(() => n1.collab.stats().persistSaves > 0 && n2.collab.stats().persistSaves > 0, 'both saved');
      expect(n1.collab.stats().persistConflicts + n2.collab.stats().persistConflicts).toBeGreaterThan(0);

      const store = new CollabStore(schema.db);
      const stored = await store.loadDocument(room);
      const doc = new Y.Doc();
      Y.applyUpdate(doc, stored!.state);
      const text = doc.getText('code:python').toString();
      expect(text).toContain('from-node-1;');
      expect(text).toContain('from-node-2;');
      expect(Number(stored!.version)).toBeGreaterThanOrEqual(2);
    } finally {
      await n1.close();
      await n2.close();
    }
  });

  it('a node holding a stale copy of a room closed elsewhere closes it too (4403) instead of reopening it', async () => {
    const cp = new FakeControlPlane();
    const room = roomId();
    const n1 = await startCollab(schema, cp);
    const n2 = await startCollab(schema, cp);
    try {
      await n1.createRoom(room, { initialLanguage: 'python' });
      const p2 = peer(n2.wsUrl, room, token('z', room, 'interviewer'));
      peers.push(p2);
      await synced(p2);
      expect((await n1.internal('DELETE', `/internal/documents/${room}`)).status).toBe(200);
      p2.doc.getText('code:python').insert(0, 'late edit');
      await waitFor(() => p2.terminal !== null, 'closed on the stale node');
      expect(p2.terminal).toEqual({ code: 4403, reason: 'Room closed' });
      const stored = await new CollabStore(schema.db).loadDocument(room);
      expect(stored!.closedAt).not.toBeNull();
    } finally {
      await n1.close();
      await n2.close();
    }
  });

  it('an empty room is saved and unloaded after its TTL, with a doc-snapshot callback, and loads again on join', async () => {
    const cp = new FakeControlPlane();
    const room = roomId();
    const node = await startCollab(schema, cp, { roomTtlMs: 300 });
    try {
      await node.createRoom(room);
      const p = peer(node.wsUrl, room, token('tia', room, 'candidate'));
      peers.push(p);
      await synced(p);
      p.doc.getText('code:python').insert(0, 'kept');
      await waitFor(() => node.collab.registry.live(room)?.currentDoc().getText('code:python').length === 4, 'edit arrived');
      p.provider.disconnect();
      await waitFor(() => node.collab.registry.live(room) === undefined, 'unloaded', 3000);
      expect(cp.docSnapshots.some((d) => d.roomId === room)).toBe(true);

      const q = peer(node.wsUrl, room, token('tia', room, 'candidate'));
      peers.push(q);
      await synced(q);
      expect(q.text()).toBe('kept');
    } finally {
      await node.close();
    }
  });

  it('a room created and never joined is unloaded after the shorter unjoined TTL, and its content is served on the first join', async () => {
    const cp = new FakeControlPlane();
    const room = roomId();
    const node = await startCollab(schema, cp, { roomTtlMs: 60_000, unjoinedRoomTtlMs: 300 });
    try {
      await node.createRoom(room, { initialLanguage: 'python', initialContentByLanguage: { python: 'seeded' } });
      expect(node.collab.registry.live(room)).toBeDefined();
      await waitFor(() => node.collab.registry.live(room) === undefined, 'unloaded', 3000);

      const p = peer(node.wsUrl, room, token('una', room, 'candidate'));
      peers.push(p);
      await synced(p);
      expect(p.text()).toBe('seeded');
      // once joined, the room keeps the long TTL: still loaded well past the unjoined one
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(node.collab.registry.live(room)).toBeDefined();
    } finally {
      await node.close();
    }
  });

  it('a destroyed room is closed: sockets get 4403, and a new connection gets 4403 too', async () => {
    const cp = new FakeControlPlane();
    const room = roomId();
    const node = await startCollab(schema, cp);
    try {
      await node.createRoom(room, { initialLanguage: 'python', initialContentByLanguage: { python: 'x' } });
      const p = peer(node.wsUrl, room, token('dee', room, 'candidate'));
      peers.push(p);
      await synced(p);
      const res = await node.internal('DELETE', `/internal/documents/${room}`);
      expect(res.status).toBe(200);
      expect(res.body.roomId).toBe(room);
      const doc = new Y.Doc();
      Y.applyUpdate(doc, Uint8Array.from(res.body.finalSnapshot));
      expect(doc.getText('code:python').toString()).toBe('x');
      await waitFor(() => p.terminal !== null, 'closed');
      expect(p.terminal).toEqual({ code: 4403, reason: 'Room closed' });
      const again = raw(`${node.wsUrl}/${room}?token=${token('dee', room, 'candidate')}`);
      expect(await again.closed).toEqual({ code: 4403, reason: 'Room closed' });
      expect((await node.internal('DELETE', `/internal/documents/${room}`)).status).toBe(404);
      // chat of a closed room is still readable for reports
      expect((await node.internal('GET', `/internal/documents/${room}/chat?limit=5`)).body).toEqual({ messages: [] });
    } finally {
      await node.close();
    }
  });
});
