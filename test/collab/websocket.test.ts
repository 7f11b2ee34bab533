/**
 * The collab WebSocket with the real y-websocket client: sync, write rules, kick, eviction, close codes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { createTestSchema, type TestSchema } from '../support/schema.js';
import {
  FakeControlPlane,
  peer,
  raw,
  roomId,
  sleep,
  startCollab,
  synced,
  token,
  waitFor,
  type Peer,
  type TestCollab,
} from './support.js';

let schema: TestSchema;
let cp: FakeControlPlane;
let collab: TestCollab;
const peers: Peer[] = [];

function open(room: string, user: string, role: 'interviewer' | 'candidate' | 'observer', isHost = false): Peer {
  const p = peer(collab.wsUrl, room, token(user, room, role, isHost));
  peers.push(p);
  return p;
}

beforeAll(async () => {
  schema = await createTestSchema();
  cp = new FakeControlPlane();
  collab = await startCollab(schema, cp, { awarenessThrottleMs: 0 });
});

afterAll(async () => {
  for (const p of peers) p.destroy();
  await collab.close();
  await schema.drop();
});

describe('sync', () => {
  it('a joining client receives the seeded content, and two clients co-edit and converge', async () => {
    const room = roomId();
    await collab.createRoom(room, { initialContentByLanguage: { python: 'print(1)\n', java: '' }, initialLanguage: 'python' });
    const a = open(room, 'alice', 'interviewer', true);
    const b = open(room, 'bob', 'candidate');
    await Promise.all([synced(a), synced(b)]);
    expect(a.text()).toBe('print(1)\n');
    expect(b.text()).toBe('print(1)\n');
    expect(b.doc.share.has('code:java')).toBe(false);

    a.doc.getText('code:python').insert(0, '# alice\n');
    b.doc.getText('code:python').insert(b.text().length, 'print(2)\n');
    await waitFor(() => a.text() === b.text() && a.text().includes('alice') && a.text().includes('print(2)'), 'convergence');
    expect(a.text()).toBe('# alice\nprint(1)\nprint(2)\n');

    // whiteboard map and awareness travel too
    b.doc.getMap('whiteboard').set('shape:1', { type: 'rect', meta: { authorId: 'bob', layer: 'drawing' } });
    await waitFor(() => a.doc.getMap('whiteboard').has('shape:1'), 'whiteboard shape');
    a.provider.awareness.setLocalStateField('user', { name: 'Alice', color: '#f00' });
    await waitFor(
      () => [...b.provider.awareness.getStates().values()].some((s) => (s as any).user?.name === 'Alice'),
      'awareness relay',
    );

    // the join sent room-state then chat-history as events
    expect(a.events[0]?.type).toBe('room-state');
    expect(a.events[0]?.data).toEqual({ phase: 'waiting', editorLocked: false });
    expect(a.events[1]?.type).toBe('chat-history');
  });

  it('an observer’s edits never reach the others, and never land on the server', async () => {
    const room = roomId();
    await collab.createRoom(room, { initialLanguage: 'python' });
    const interviewer = open(room, 'ivy', 'interviewer', true);
    const observer = open(room, 'oscar', 'observer');
    await Promise.all([synced(interviewer), synced(observer)]);
    observer.doc.getText('code:python').insert(0, 'OBSERVER WAS HERE');
    interviewer.doc.getText('code:python').insert(0, 'x = 1\n');
    await waitFor(() => observer.text().includes('x = 1'), 'observer receives interviewer edit');
    await sleep(150);
    expect(interviewer.text()).toBe('x = 1\n');
    const server = collab.collab.registry.live(room)!;
    expect(server.currentDoc().getText('code:python').toString()).toBe('x = 1\n');
    expect(collab.collab.stats().droppedWrites).toBeGreaterThan(0);

    // a late joiner sees only the interviewer's text
    const late = open(room, 'lara', 'candidate');
    await synced(late);
    await sleep(50);
    expect(late.text()).toBe('x = 1\n');
  });

  it('a candidate’s edits are refused while locked and flow again after unlock; the host writes while locked', async () => {
    const room = roomId();
    await collab.createRoom(room, { initialLanguage: 'python', initialPhase: 'coding' });
    const host = open(room, 'hank', 'candidate', true); // a host that is a candidate still writes while locked
    const cand = open(room, 'cora', 'candidate');
    const intv = open(room, 'iris', 'interviewer');
    await Promise.all([synced(host), synced(cand), synced(intv)]);

    let res = await collab.internal('POST', `/internal/documents/${room}/state`, { roomId: room, phase: 'coding', editorLocked: true, changedBy: 'iris' });
    expect(res.status).toBe(201);
    await waitFor(() => cand.events.some((e) => e.type === 'editor-lock' && e.data.locked === true), 'editor-lock event');
    expect(cand.events.find((e) => e.type === 'editor-lock')!.data).toEqual({ locked: true, lockedBy: 'iris' });

    cand.doc.getText('code:python').insert(0, 'LOCKED-EDIT ');
    intv.doc.getText('code:python').insert(0, 'interviewer-edit ');
    host.doc.getText('code:python').insert(0, 'host-edit ');
    await waitFor(() => intv.text().includes('host-edit') && host.text().includes('interviewer-edit'), 'privileged edits');
    await sleep(150);
    expect(intv.text()).not.toContain('LOCKED-EDIT');
    expect(host.text()).not.toContain('LOCKED-EDIT');

    res = await collab.internal('POST', `/internal/documents/${room}/state`, { roomId: room, phase: 'coding', editorLocked: false, changedBy: 'iris' });
    expect(res.status).toBe(201);
    await waitFor(() => cand.events.some((e) => e.type === 'editor-lock' && e.data.locked === false), 'unlock event');
    expect(cand.events.filter((e) => e.type === 'editor-lock').at(-1)!.data).toEqual({ locked: false, lockedBy: null });

    cand.doc.getText('code:python').insert(cand.text().length, ' after-unlock');
    await waitFor(() => intv.text().includes('after-unlock') && host.text().includes('after-unlock'), 'edit after unlock');
    // Everyone converges on one text, without the locked-period edit: the server reverted it for its author at once
    // (test/collab/lock.test.ts), so nothing is left to merge after the unlock.
    await waitFor(() => intv.text() === cand.text() && host.text() === cand.text(), 'convergence after unlock');
    expect(cand.text()).not.toContain('LOCKED-EDIT');
  });
});

describe('malformed input', () => {
  it('a malformed Yjs update is never relayed; its socket is closed (1007) and the room carries on', async () => {
    const room = roomId();
    await collab.createRoom(room, { initialLanguage: 'python' });
    const good = open(room, 'gus', 'interviewer');
    await synced(good);
    const bad = raw(`${collab.wsUrl}/${room}?events=none&token=${token('bart', room, 'interviewer')}`);
    await bad.opened;
    await waitFor(() => bad.binaries.length > 0, 'bad client joined');
    bad.ws.send(new Uint8Array([0, 2, 4, 5, 200, 200, 200])); // sync update whose payload is truncated garbage
    expect((await bad.closed).code).toBe(1007);
    good.doc.getText('code:python').insert(0, 'still fine');
    await waitFor(() => collab.collab.registry.live(room)?.currentDoc().getText('code:python').toString() === 'still fine', 'room works');
    expect(good.provider.wsconnected).toBe(true);
  });
});

describe('finished rooms', () => {
  it('once finished, nobody writes (interviewers included)', async () => {
    const room = roomId();
    await collab.createRoom(room, { initialLanguage: 'python', initialContentByLanguage: { python: 'final' } });
    const a = open(room, 'fin-a', 'interviewer', true);
    const b = open(room, 'fin-b', 'candidate');
    await Promise.all([synced(a), synced(b)]);
    const res = await collab.internal('POST', `/internal/documents/${room}/state`, { phase: 'finished', editorLocked: false, language: 'python' });
    expect(res.status).toBe(201);
    await waitFor(() => a.events.some((e) => e.type === 'phase-change'), 'phase-change');
    a.doc.getText('code:python').insert(0, 'after-finish ');
    await sleep(150);
    expect(b.text()).toBe('final');
    expect(collab.collab.registry.live(room)!.currentDoc().getText('code:python').toString()).toBe('final');
  });
});

describe('kick, eviction and close codes', () => {
  it('kick closes with 4402, the provider stops reconnecting, and a rejoin is denied (4407)', async () => {
    const room = roomId();
    await collab.createRoom(room, { initialLanguage: 'python' });
    const host = open(room, 'hal', 'interviewer', true);
    const kicked = open(room, 'kim', 'candidate');
    await Promise.all([synced(host), synced(kicked)]);
    kicked.provider.awareness.setLocalStateField('user', { name: 'Kim' });
    await waitFor(() => host.provider.awareness.getStates().size === 2, 'kim awareness at host');

    cp.deny(room, 'kim'); // the control plane marks the participant removed, then asks the collab to kick
    const res = await collab.internal('POST', `/internal/documents/${room}/kick`, { userId: 'kim', reason: 'Removed by host' });
    expect(res).toEqual({ status: 201, body: { kicked: true } });
    await waitFor(() => kicked.terminal !== null, 'terminal close');
    expect(kicked.terminal).toEqual({ code: 4402, reason: 'Removed by host' });
    expect(kicked.provider.shouldConnect).toBe(false);
    await waitFor(() => host.provider.awareness.getStates().size === 1, 'kim awareness removed at host');

    const callsBefore = cp.authorizeCalls.filter((c) => c.userId === 'kim').length;
    await sleep(700); // longer than the provider's max backoff (300 ms)
    expect(cp.authorizeCalls.filter((c) => c.userId === 'kim').length).toBe(callsBefore);
    expect(cp.disconnects.some((d) => d.userId === 'kim')).toBe(false); // no disconnect callback for kicks

    const again = await collab.internal('POST', `/internal/documents/${room}/kick`, { userId: 'kim' });
    expect(again.body).toEqual({ kicked: false });

    const rejoin = open(room, 'kim', 'candidate');
    await waitFor(() => rejoin.terminal !== null, 'rejoin closed');
    expect(rejoin.terminal).toEqual({ code: 4407, reason: 'participant-removed' });
  });

  it('a second connection of the same user evicts the first with 4409', async () => {
    const room = roomId();
    await collab.createRoom(room, { initialLanguage: 'python' });
    const first = open(room, 'sam', 'candidate');
    await synced(first);
    const second = open(room, 'sam', 'candidate');
    await synced(second);
    await waitFor(() => first.terminal !== null, 'first evicted');
    expect(first.terminal).toEqual({ code: 4409, reason: 'Replaced by new connection' });
    expect(second.provider.wsconnected).toBe(true);
    expect(cp.disconnects.some((d) => d.userId === 'sam')).toBe(false);
  });

  it('bad, expired, wrong-type and foreign-room tokens close with 4401', async () => {
    const room = roomId();
    const other = roomId();
    await collab.createRoom(room);
    const cases: Array<[string, string]> = [
      ['garbage', 'Invalid token'],
      [token('u1', room, 'candidate', false, { secret: 'another-secret-another-secret-1234' }), 'Invalid token'],
      [token('u1', room, 'candidate', false, { ttlSeconds: -10 }), 'Token expired'],
      [token('u1', other, 'candidate'), 'Room ID mismatch'],
    ];
    for (const [tok, reason] of cases) {
      const p = peer(collab.wsUrl, room, tok);
      peers.push(p);
      await waitFor(() => p.terminal !== null, `close for ${reason}`);
      expect(p.terminal).toEqual({ code: 4401, reason });
    }
    const noToken = raw(`${collab.wsUrl}/${room}`);
    expect(await noToken.closed).toEqual({ code: 4401, reason: 'Missing token' });
  });

  it('authorize-join denied or unreachable closes with 4407; an unknown room with 4004 (retryable)', async () => {
    const room = roomId();
    await collab.createRoom(room);
    cp.deny(room, 'dan', 'not-participant');
    const denied = open(room, 'dan', 'candidate');
    await waitFor(() => denied.terminal !== null, 'denied');
    expect(denied.terminal).toEqual({ code: 4407, reason: 'not-participant' });

    cp.unreachable = true;
    try {
      const c = raw(`${collab.wsUrl}/${room}?token=${token('eve', room, 'candidate')}`);
      expect(await c.closed).toEqual({ code: 4407, reason: 'authorization-unavailable' });
    } finally {
      cp.unreachable = false;
    }

    const missing = roomId();
    const m = raw(`${collab.wsUrl}/${missing}?token=${token('eve', missing, 'candidate')}`);
    expect(await m.closed).toEqual({ code: 4004, reason: 'Room not found' });
  });

  it('a client that disconnects on its own triggers user-disconnected', async () => {
    const room = roomId();
    await collab.createRoom(room);
    const p = open(room, 'dora', 'candidate');
    await synced(p);
    p.provider.disconnect();
    await waitFor(() => cp.disconnects.some((d) => d.userId === 'dora' && d.roomId === room), 'disconnect callback');
  });
});

describe('join frame and text events', () => {
  it('a client on the bare path joins with the JSON join frame and gets text events, then Sync Step 1', async () => {
    const room = roomId();
    await collab.createRoom(room, { initialContentByLanguage: { python: 'a' }, initialLanguage: 'python' });
    const c = raw(`${collab.wsUrl}?token=${token('jon', room, 'candidate')}`);
    await c.opened;
    c.ws.send(new Uint8Array([0, 0, 1, 0])); // a binary frame before join: held until the join completes
    c.ws.send(JSON.stringify({ type: 'join', data: { roomId: room } }));
    await waitFor(() => c.texts.length >= 2 && c.binaries.length >= 2, 'join replies');
    expect(c.texts.map((t) => t.type)).toEqual(['room-state', 'chat-history']);
    expect(typeof c.texts[0]!.timestamp).toBe('number');
    expect(c.texts[1]!.data).toEqual({ messages: [], readStates: [{ userId: 'jon', lastReadAt: expect.any(Number) }] });
    // server's Sync Step 1, and the answer (Sync Step 2) to the queued client step 1
    const kinds = c.binaries.map((b) => `${b[0]}:${b[1]}`);
    expect(kinds).toContain('0:0');
    expect(kinds).toContain('0:1');
    const step2 = c.binaries.find((b) => b[0] === 0 && b[1] === 1)!;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, step2.subarray(3)); // [0, 1, len (1 byte for small docs), update…]
    expect(doc.getText('code:python').toString()).toBe('a');

    c.ws.send(JSON.stringify({ type: 'chat-send', data: { text: '  hello  ', mentions: [{ kind: 'user', value: 'ann' }, { kind: 'bogus', value: 'x' }] } }));
    await waitFor(() => c.texts.some((t) => t.type === 'chat-message-created'), 'chat message');
    const msg = c.texts.find((t) => t.type === 'chat-message-created')!.data.message;
    expect(msg).toMatchObject({ roomId: room, userId: 'jon', text: 'hello', replyToMessageId: null, mentions: [{ kind: 'user', value: 'ann' }], reactions: [] });
    await waitFor(() => c.texts.some((t) => t.type === 'chat-read-updated'), 'read marker');

    c.ws.send(JSON.stringify({ type: 'chat-react-toggle', data: { messageId: msg.messageId, emoji: '🔥' } }));
    c.ws.send(JSON.stringify({ type: 'chat-react-toggle', data: { messageId: msg.messageId, emoji: '😀' } })); // not in the palette
    c.ws.send(JSON.stringify({ type: 'chat-react-toggle', data: { messageId: msg.messageId, emoji: '👍' } }));
    await waitFor(() => c.texts.filter((t) => t.type === 'chat-reaction-updated').length === 2, 'reactions');
    const last = c.texts.filter((t) => t.type === 'chat-reaction-updated').at(-1)!.data;
    expect(last.reactions).toEqual([
      { emoji: '👍', userIds: ['jon'] },
      { emoji: '🔥', userIds: ['jon'] },
    ].sort((x, y) => (x.emoji < y.emoji ? -1 : 1)));

    const chat = await collab.internal('GET', `/internal/documents/${room}/chat?limit=10`);
    expect(chat.status).toBe(200);
    expect(chat.body.messages).toHaveLength(1);
    expect(chat.body.messages[0].reactions).toHaveLength(2);
    c.ws.close();
  });

  it('a lone client gets its awareness echoed (the y-websocket client drops a connection silent for 30 s)', async () => {
    const room = roomId();
    await collab.createRoom(room);
    const c = raw(`${collab.wsUrl}/${room}?events=none&token=${token('solo', room, 'candidate')}`);
    await c.opened;
    const aw = new awarenessProtocol.Awareness(new Y.Doc());
    aw.setLocalState({ user: { name: 'Solo' } });
    const update = awarenessProtocol.encodeAwarenessUpdate(aw, [aw.clientID]);
    c.ws.send(Uint8Array.from([1, update.length, ...update]));
    await waitFor(() => c.binaries.some((b) => b[0] === 1), 'awareness echo');
    aw.destroy();
    c.ws.close();
  });

  it('a join frame with a bad payload closes with 4401', async () => {
    const room = roomId();
    const c = raw(`${collab.wsUrl}/?token=${token('jon', room, 'candidate')}`);
    await c.opened;
    c.ws.send(JSON.stringify({ type: 'join', data: {} }));
    expect(await c.closed).toEqual({ code: 4401, reason: 'Invalid join payload' });
  });

  it('Authorization: Bearer works when there is no query token', async () => {
    const room = roomId();
    await collab.createRoom(room);
    const c = raw(`${collab.wsUrl}/${room}?events=text`, { authorization: `Bearer ${token('bea', room, 'observer')}` });
    await waitFor(() => c.texts.length >= 2, 'events');
    expect(c.texts[0]!.type).toBe('room-state');
    c.ws.close();
  });
});

describe('liveness and limits', () => {
  it('heartbeats list joined sockets; a socket that stops answering pings is terminated and reported', async () => {
    const local = new FakeControlPlane();
    const node = await startCollab(schema, local, { pingIntervalMs: 100 });
    try {
      const room = roomId();
      await node.createRoom(room);
      const alive = peer(node.wsUrl, room, token('liv', room, 'candidate'));
      peers.push(alive);
      await synced(alive);
      await waitFor(() => local.heartbeats.some((h) => h.participants.some((p) => p.userId === 'liv' && p.roomId === room)), 'heartbeat');

      const mute = raw(`${node.wsUrl}/${room}?events=none&token=${token('mute', room, 'observer')}`, {}, { autoPong: false });
      await mute.opened;
      await waitFor(() => node.collab.stats().joinedConnections === 2, 'mute joined');
      const closed = await mute.closed;
      expect(closed.code).toBe(1006); // terminated, no close frame
      await waitFor(() => local.disconnects.some((d) => d.userId === 'mute'), 'disconnect callback for the dead socket');
      expect(alive.provider.wsconnected).toBe(true);
    } finally {
      await node.close();
    }
  });

  it('a socket that floods frames is closed with 4029 (retryable)', async () => {
    const node = await startCollab(schema, new FakeControlPlane(), { rateLimitPerSecond: 5, rateLimitBurst: 10 });
    try {
      const room = roomId();
      await node.createRoom(room);
      const c = raw(`${node.wsUrl}/${room}?token=${token('fl', room, 'candidate')}`);
      await c.opened;
      for (let i = 0; i < 50; i++) c.ws.send(new Uint8Array([1, 1, 0]));
      expect(await c.closed).toEqual({ code: 4029, reason: 'Rate limited' });
    } finally {
      await node.close();
    }
  });
});
