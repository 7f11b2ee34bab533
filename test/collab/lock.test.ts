/**
 * The editor lock holds (DESIGN §10), with stock y-websocket clients: an edit the write rule rejects — a candidate's
 * while locked, an observer's ever — is reverted on its author's screen at once and reaches nobody, neither before
 * nor after the unlock; the author's later edits still flow normally.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as Y from 'yjs';
import { createTestSchema, type TestSchema } from '../support/schema.js';
import { FakeControlPlane, peer, roomId, sleep, startCollab, synced, token, waitFor, type Peer, type TestCollab } from './support.js';

let schema: TestSchema;
let collab: TestCollab;
const peers: Peer[] = [];

function open(room: string, user: string, role: 'interviewer' | 'candidate' | 'observer', isHost = false): Peer {
  const p = peer(collab.wsUrl, room, token(user, room, role, isHost));
  peers.push(p);
  return p;
}

/** Every update a peer's document receives from the server, so a test can prove some text never arrived. */
function received(p: Peer): () => string {
  const seen: Uint8Array[] = [];
  p.doc.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin === p.provider) seen.push(u);
  });
  return () => seen.map((u) => Buffer.from(u).toString('latin1')).join('');
}

async function setState(room: string, editorLocked: boolean): Promise<void> {
  const res = await collab.internal('POST', `/internal/documents/${room}/state`, { phase: 'coding', editorLocked, language: 'python' });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  schema = await createTestSchema();
  collab = await startCollab(schema, new FakeControlPlane(), { awarenessThrottleMs: 0 });
});
afterAll(async () => {
  for (const p of peers) p.destroy();
  await collab.close();
  await schema.drop();
});

describe('a locked editor', () => {
  it("reverts the candidate's typing and deleting at once; the interviewer never sees it, before or after the unlock", async () => {
    const room = roomId();
    await collab.createRoom(room, { initialContentByLanguage: { python: 'def solve():\n' }, initialLanguage: 'python', initialPhase: 'coding' });
    const interviewer = open(room, 'ivy', 'interviewer', true);
    const candidate = open(room, 'cal', 'candidate');
    await Promise.all([synced(interviewer), synced(candidate)]);
    const interviewerSaw = received(interviewer);
    candidate.doc.getText('code:python').insert(13, '    return 1\n');
    await waitFor(() => interviewer.text() === 'def solve():\n    return 1\n', 'allowed edit');

    await setState(room, true);
    await waitFor(() => candidate.events.some((e) => e.type === 'editor-lock' && e.data.locked), 'lock event');
    // typing while locked: shown for a moment, then gone from the candidate's own editor
    candidate.doc.getText('code:python').insert(0, 'SECRET_WHILE_LOCKED ');
    expect(candidate.text().startsWith('SECRET_WHILE_LOCKED')).toBe(true);
    await waitFor(() => candidate.text() === 'def solve():\n    return 1\n', 'typing reverted for its author');
    // deleting while locked: the deleted text comes back
    candidate.doc.getText('code:python').delete(0, 4);
    await waitFor(() => candidate.text() === 'def solve():\n    return 1\n', 'deletion reverted for its author');
    // the candidate keeps typing after the revert arrived: still refused
    candidate.doc.getText('code:python').insert(candidate.text().length, 'MORE_LOCKED');
    await waitFor(() => candidate.text() === 'def solve():\n    return 1\n', 'second edit reverted');

    // the interviewer may still edit while locked
    interviewer.doc.getText('code:python').insert(0, '# hint\n');
    await waitFor(() => candidate.text() === '# hint\ndef solve():\n    return 1\n', 'interviewer edit reaches the candidate');

    await setState(room, false);
    await waitFor(() => candidate.events.some((e) => e.type === 'editor-lock' && !e.data.locked), 'unlock event');
    await sleep(300);
    expect(interviewer.text()).toBe('# hint\ndef solve():\n    return 1\n');
    expect(candidate.text()).toBe('# hint\ndef solve():\n    return 1\n');
    expect(interviewerSaw()).not.toContain('SECRET_WHILE_LOCKED');
    expect(interviewerSaw()).not.toContain('MORE_LOCKED');

    // after the unlock the candidate's edits flow again (the server kept their clock continuous)
    candidate.doc.getText('code:python').insert(candidate.text().length, '# done\n');
    await waitFor(() => interviewer.text().endsWith('# done\n'), 'edit after unlock');
    expect(interviewer.text()).toBe('# hint\ndef solve():\n    return 1\n# done\n');

    // a late joiner gets the same document, without the rejected text
    const late = open(room, 'lou', 'observer');
    await synced(late);
    expect(late.text()).toBe(interviewer.text());
    // …and the server's state it synced from holds no trace of the rejected text either
    expect(Buffer.from(Y.encodeStateAsUpdate(late.doc)).toString('latin1')).not.toContain('SECRET_WHILE_LOCKED');
  });

  it("reverts an observer's edit at once, and nobody else receives it", async () => {
    const room = roomId();
    await collab.createRoom(room, { initialContentByLanguage: { python: 'x = 1\n' }, initialLanguage: 'python', initialPhase: 'coding' });
    const candidate = open(room, 'cara', 'candidate');
    const observer = open(room, 'otto', 'observer');
    await Promise.all([synced(candidate), synced(observer)]);
    const candidateSaw = received(candidate);
    observer.doc.getText('code:python').insert(0, 'OBSERVER_TEXT ');
    observer.doc.getMap('whiteboard').set('shape:o', { id: 'shape:o', typeName: 'shape', type: 'draw', note: 'OBSERVER_SHAPE' });
    await waitFor(() => observer.text() === 'x = 1\n' && !observer.doc.getMap('whiteboard').has('shape:o'), 'observer edits reverted');
    candidate.doc.getText('code:python').insert(0, 'y = 2\n');
    await waitFor(() => observer.text() === 'y = 2\nx = 1\n', 'candidate edit reaches the observer');
    expect(candidate.text()).toBe('y = 2\nx = 1\n');
    expect(candidateSaw()).not.toContain('OBSERVER_TEXT');
    expect(candidateSaw()).not.toContain('OBSERVER_SHAPE');
  });
});
