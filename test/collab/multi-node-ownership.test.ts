/**
 * Room ownership among collab nodes (docs/collab-cluster.md), with three nodes in this process over one Postgres
 * schema and one Redis prefix: only a room's owner serves it, a busy lease is waited for, a lost lease closes the
 * room with 4012, a node that stops hands its rooms over at once, and rendezvous hashing spreads and moves rooms
 * as documented.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { CollabClusterNode } from '../../src/collab/cluster/node.js';
import { leaseKey } from '../../src/collab/cluster/leases.js';
import { silentLogger } from '../../src/collab/options.js';
import { startStandaloneCollab } from '../../src/collab/standalone.js';
import { createHttpCollabClient } from '../../src/infra/collab-client/index.js';
import { listLiveNodes, rendezvousOwner } from '../../src/infra/collab-nodes/index.js';
import { createTestSchema, type TestSchema } from '../support/schema.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { FakeControlPlane, INTERNAL_SECRET, JWT_SECRET, peer, roomId, synced, token, waitFor, type Peer } from './support.js';

const TIMINGS = { heartbeatMs: 200, nodeTtlMs: 800, leaseMs: 800 };

let schema: TestSchema;
let redis: Redis;
const prefix = `test:cluster:${randomBytes(4).toString('hex')}`;
const peers: Peer[] = [];

interface Node {
  id: string;
  wsUrl: string;
  httpUrl: string;
  internal(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  liveRoom(roomId: string): boolean;
  close(): Promise<void>;
}
let nodes: Node[] = [];

async function startNode(id: string): Promise<Node> {
  const self = { id, publicUrl: '', internalUrl: '', startedAt: Date.now() };
  const cluster = new CollabClusterNode(redis, prefix, self, silentLogger, TIMINGS);
  const running = await startStandaloneCollab({
    db: schema.db,
    database: { url: schema.url, schema: schema.schema },
    callbacks: new FakeControlPlane(),
    secrets: { collabJwtSecret: JWT_SECRET, internalSecret: INTERNAL_SECRET },
    options: { snapshotIntervalMs: 0, persistDebounceMs: 50, persistMaxWaitMs: 200 },
    host: '127.0.0.1',
    port: 0,
    cluster,
  });
  const httpUrl = `http://127.0.0.1:${running.port}`;
  Object.assign(self, { publicUrl: `ws://127.0.0.1:${running.port}/ws`, internalUrl: httpUrl });
  await running.collab.joinCluster();
  let closed = false;
  return {
    id,
    wsUrl: self.publicUrl,
    httpUrl,
    async internal(method, path, body) {
      const res = await fetch(`${httpUrl}${path}`, {
        method,
        headers: { 'x-internal-secret': INTERNAL_SECRET, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    liveRoom: (r) => running.collab.registry.live(r) !== undefined,
    async close() {
      if (closed) return;
      closed = true;
      await running.close();
    },
  };
}

/** A room whose owner among `among` is `owner`. */
function roomOwnedBy(owner: Node, among: Node[] = nodes): string {
  for (;;) {
    const r = roomId();
    if (rendezvousOwner(r, among)!.id === owner.id) return r;
  }
}

function connect(node: Node, room: string): Peer {
  const p = peer(node.wsUrl, room, token(`user-${randomBytes(3).toString('hex')}`, room, 'interviewer'));
  peers.push(p);
  return p;
}

beforeAll(async () => {
  schema = await createTestSchema();
  redis = new Redis(TEST_REDIS_URL);
});

afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
});

afterAll(async () => {
  redis.disconnect();
  await schema.drop();
});

async function threeNodes(): Promise<Node[]> {
  nodes = await Promise.all(['n1', 'n2', 'n3'].map((id) => startNode(id)));
  expect((await listLiveNodes(redis, prefix)).map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
  // each node's view includes the others after their first heartbeat
  await new Promise((resolve) => setTimeout(resolve, TIMINGS.heartbeatMs * 2));
  return nodes;
}

describe('room ownership', () => {
  it('only the owner serves a room: others answer 409 COLLAB_ROOM_MOVED and close sockets with 4012', async () => {
    const [owner, other] = await threeNodes();
    const room = roomOwnedBy(owner!);
    const refused = await other!.internal('POST', '/internal/documents', { roomId: room, initialLanguage: 'python' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('COLLAB_ROOM_MOVED');
    expect((await owner!.internal('POST', '/internal/documents', { roomId: room, initialLanguage: 'python' })).status).toBe(201);
    expect(await redis.get(leaseKey(prefix, room))).toBe(owner!.id);

    const stray = connect(other!, room);
    await waitFor(() => stray.closes.some((c) => c.code === 4012), '4012 from a node that does not own the room');
    expect(stray.terminal).toBeNull(); // retryable: y-websocket keeps trying
    expect(other!.liveRoom(room)).toBe(false);
    const good = connect(owner!, room);
    await synced(good);
  }, 20_000);

  it('waits for a lease held elsewhere to run out, and refuses when it does not within the wait', async () => {
    const [owner] = await threeNodes();
    const room = roomOwnedBy(owner!);
    await redis.set(leaseKey(prefix, room), 'a-node-that-died', 'PX', 600);
    const started = Date.now();
    expect((await owner!.internal('POST', '/internal/documents', { roomId: room })).status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(await redis.get(leaseKey(prefix, room))).toBe(owner!.id);

    const stuck = roomOwnedBy(owner!);
    await redis.set(leaseKey(prefix, stuck), 'a-node-still-serving-it', 'PX', 10_000);
    const refused = await owner!.internal('POST', '/internal/documents', { roomId: stuck });
    expect(refused.status).toBe(409); // waited heartbeat + lease (1 s) and gave up
  }, 20_000);

  it('a node that loses the lease of a room closes it with 4012 and unloads it', async () => {
    const [owner] = await threeNodes();
    const room = roomOwnedBy(owner!);
    await owner!.internal('POST', '/internal/documents', { roomId: room, initialLanguage: 'python' });
    const p = connect(owner!, room);
    await synced(p);
    await redis.set(leaseKey(prefix, room), 'an-intruder', 'PX', 10_000);
    await waitFor(() => p.closes.some((c) => c.code === 4012), '4012 after the lease was lost', 3000);
    await waitFor(() => !owner!.liveRoom(room), 'the room unloaded', 3000);
  }, 20_000);

  it('a node that stops hands its rooms over at once: saved, lease released, served by the next owner', async () => {
    const [owner, ...rest] = await threeNodes();
    const room = roomOwnedBy(owner!);
    await owner!.internal('POST', '/internal/documents', { roomId: room, initialLanguage: 'python' });
    const p = connect(owner!, room);
    await synced(p);
    p.doc.getText('code:python').insert(0, 'kept across the move');
    await waitFor(() => p.provider.synced, 'edit sent');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await owner!.close();
    await waitFor(() => p.closes.some((c) => c.code === 4012), '4012 at shutdown', 3000);
    expect(await redis.get(leaseKey(prefix, room))).toBeNull();
    expect((await listLiveNodes(redis, prefix)).map((n) => n.id)).not.toContain(owner!.id);

    const next = rest.find((n) => n.id === rendezvousOwner(room, rest)!.id)!;
    const started = Date.now();
    const ensured = await next.internal('POST', '/internal/documents', { roomId: room });
    expect(ensured.status).toBe(201);
    expect(ensured.body.created).toBe(false);
    expect(Date.now() - started).toBeLessThan(500); // no waiting for an expiry
    const fresh = connect(next, room);
    await synced(fresh);
    await waitFor(() => fresh.text() === 'kept across the move', 'the saved document on the next owner');
  }, 20_000);

  it('a node that joins takes the rooms it now owns from the live nodes', async () => {
    const [n1, n2] = await Promise.all([startNode('n1'), startNode('n2')]);
    nodes = [n1, n2];
    const future = [...nodes, { id: 'n3' }];
    let room = '';
    while (!room) {
      const r = roomId();
      if (rendezvousOwner(r, future)!.id === 'n3') room = r;
    }
    const first = nodes.find((n) => n.id === rendezvousOwner(room, nodes)!.id)!;
    await new Promise((resolve) => setTimeout(resolve, TIMINGS.heartbeatMs * 2));
    await first.internal('POST', '/internal/documents', { roomId: room, initialLanguage: 'python' });
    const p = connect(first, room);
    await synced(p);
    const n3 = await startNode('n3');
    nodes.push(n3);
    await waitFor(() => p.closes.some((c) => c.code === 4012), '4012 when the room moves to the new node', 3000);
    await waitFor(() => !first.liveRoom(room), 'the room unloaded on the old owner', 3000);
    expect((await n3.internal('POST', `/internal/documents/${room}/state`, { phase: 'coding', editorLocked: false })).status).toBe(201);
    expect(await redis.get(leaseKey(prefix, room))).toBe('n3');
  }, 20_000);
});

describe('the API side client with several nodes', () => {
  it('retries a call on the owner after a dead node or a 409 COLLAB_ROOM_MOVED, once the node list is re-read', async () => {
    const [owner, other] = await threeNodes();
    const room = roomOwnedBy(owner!);
    const deadUrl = 'http://127.0.0.1:9'; // nothing listens on the discard port
    const answers = [deadUrl, other!.httpUrl];
    let current = answers.shift()!;
    let refreshes = 0;
    const client = createHttpCollabClient({
      baseUrl: deadUrl,
      secret: INTERNAL_SECRET,
      route: {
        baseUrlFor: () => current,
        refresh: async () => {
          refreshes++;
          current = answers.shift() ?? owner!.httpUrl;
        },
      },
    });
    try {
      const created = await client.createDocument({ roomId: room, initialLanguage: 'python' });
      expect(created.created).toBe(true);
      expect(refreshes).toBe(2); // dead node, then the node that does not own the room, then the owner
      expect(await redis.get(leaseKey(prefix, room))).toBe(owner!.id);
    } finally {
      client.shutdown();
    }
  }, 20_000);

  it('gives up after its retry budget and reports the collab unavailable', async () => {
    const client = createHttpCollabClient({
      baseUrl: 'http://127.0.0.1:9',
      secret: INTERNAL_SECRET,
      route: { baseUrlFor: () => undefined, refresh: async () => undefined, retryBudgetMs: 300 },
    });
    try {
      const started = Date.now();
      await expect(client.updateState(roomId(), { phase: 'coding', editorLocked: false })).rejects.toMatchObject({ name: 'CollabUnavailableError' });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      client.shutdown();
    }
  });
});

describe('rendezvous hashing', () => {
  it('spreads rooms evenly and moves only the rooms of a node that leaves', () => {
    const three = [{ id: 'collab-a' }, { id: 'collab-b' }, { id: 'collab-c' }];
    const rooms = Array.from({ length: 3000 }, (_, i) => `room-${i}-${i * 7919}`);
    const before = new Map(rooms.map((r) => [r, rendezvousOwner(r, three)!.id]));
    for (const n of three) {
      const count = [...before.values()].filter((id) => id === n.id).length;
      expect(count).toBeGreaterThan(900);
      expect(count).toBeLessThan(1100);
    }
    const two = three.filter((n) => n.id !== 'collab-b');
    for (const r of rooms) {
      const after = rendezvousOwner(r, two)!.id;
      if (before.get(r) !== 'collab-b') expect(after).toBe(before.get(r));
    }
    expect(rendezvousOwner('room', [])).toBeUndefined();
  });
});
