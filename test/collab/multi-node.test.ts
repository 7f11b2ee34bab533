/**
 * Several collab nodes (docs/collab-cluster.md): three collab processes behind one API, real y-websocket clients
 * that keep editing while the node owning their room is killed with SIGKILL, and a fourth node joining that takes
 * the room over from a live node. Each room is served by exactly one node (its lease), the API hands out that
 * node's URL, and clients that follow the protocol (fetch the room again after a close) lose no edit.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import { CollabStore } from '../../src/collab/persistence.js';
import { startProjections, type ProjectionHost } from '../../src/projections/host.js';
import { leaseKey } from '../../src/collab/cluster/leases.js';
import { listLiveNodes, rendezvousOwner, type CollabNodeInfo } from '../../src/infra/collab-nodes/index.js';
import { freePort, http, recovered, register, startCluster, until, type Cluster, type ClusterUser, type RoleProcess } from '../platform/faults-support.js';

process.setMaxListeners(100); // every WebsocketProvider adds a process exit listener

const TIMINGS = { COLLAB_NODE_HEARTBEAT_MS: '400', COLLAB_NODE_TTL_MS: '1600', COLLAB_ROOM_LEASE_MS: '1600' };

let c: Cluster;
let projections: ProjectionHost | undefined;
const nodes = new Map<string, { proc: RoleProcess; info: CollabNodeInfo }>();

async function startNode(id: string): Promise<CollabNodeInfo> {
  const port = await freePort();
  const info = { id, publicUrl: `ws://127.0.0.1:${port}/ws`, internalUrl: `http://127.0.0.1:${port}`, startedAt: 0 };
  const proc = await c.start('collab', {
    COLLAB_PORT: String(port),
    COLLAB_NODE_ID: id,
    COLLAB_NODE_PUBLIC_URL: info.publicUrl,
    COLLAB_NODE_INTERNAL_URL: info.internalUrl,
  });
  nodes.set(id, { proc, info });
  return info;
}

const call = (method: string, url: string, options: { token?: string; body?: unknown } = {}) => http(c.apiUrl, method, url, options);

/** A y-websocket client that does what docs/collab-protocol.md asks: after a close, fetch the room again and
 * connect to the collabUrl it names. */
class Follower {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly closes: number[] = [];
  /** room events received on the collab channel */
  readonly events: Array<{ type: string; data: any }> = [];
  private refetching = false;

  constructor(
    private readonly user: ClusterUser,
    private readonly roomId: string,
    credentials: { collabUrl: string; collabToken: string },
  ) {
    this.provider = new WebsocketProvider(credentials.collabUrl, roomId, this.doc, {
      params: { token: credentials.collabToken },
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      disableBc: true,
      maxBackoffTime: 400,
    });
    this.provider.messageHandlers[100] = (_encoder: unknown, decoder: decoding.Decoder) => {
      this.events.push(JSON.parse(decoding.readVarString(decoder)));
    };
    this.provider.on('connection-close', (event: { code: number } | null) => {
      if (event) this.closes.push(event.code);
      void this.refetch();
    });
    this.provider.on('connection-error', () => void this.refetch());
  }

  get text(): string {
    return this.doc.getText('code:python').toString();
  }

  /** Connected and synced with the node at `url`. */
  syncedWith(url: string): boolean {
    return this.provider.serverUrl === url && this.provider.wsconnected && this.provider.synced;
  }

  append(s: string): void {
    const t = this.doc.getText('code:python');
    t.insert(t.length, s);
  }

  private async refetch(): Promise<void> {
    if (this.refetching) return;
    this.refetching = true;
    try {
      const res = await call('GET', `/rooms/${this.roomId}`, { token: this.user.token });
      if (res.status === 200 && typeof res.body.collabUrl === 'string') {
        this.provider.serverUrl = res.body.collabUrl;
        this.provider.params = { token: res.body.collabToken };
      }
    } catch {
      // the next close tries again
    } finally {
      this.refetching = false;
    }
  }

  destroy(): void {
    this.provider.destroy();
    this.doc.destroy();
  }
}

async function storedText(roomId: string): Promise<string> {
  const stored = await new CollabStore(c.ctx.db).loadDocument(roomId);
  if (!stored) return '';
  const doc = new Y.Doc();
  Y.applyUpdate(doc, stored.state);
  const text = doc.getText('code:python').toString();
  doc.destroy();
  return text;
}

const redisPrefix = () => c.config.REDIS_PREFIX;
const liveNodes = () => listLiveNodes(c.ctx.redis, redisPrefix());

let host: ClusterUser;
let candidate: ClusterUser;
let roomId: string;
let a: Follower;
let b: Follower;
let typed = 0;
let typing: NodeJS.Timeout | undefined;

function keepTyping(): void {
  typing = setInterval(() => b.append(`b${typed++};`), 60);
}

function stopTyping(): void {
  if (typing) clearInterval(typing);
  typing = undefined;
}

beforeAll(async () => {
  c = await startCluster({ env: { COLLAB_CLUSTER: 'true', ...TIMINGS } });
  // the read models are written here, as a projector role would (one process fewer to start on a busy machine)
  const { ctx } = c;
  projections = startProjections(
    { databaseUrl: ctx.config.DATABASE_URL, db: ctx.db, pool: ctx.pool, store: ctx.store, schema: ctx.schema, progress: ctx.progress, logger: ctx.logger, batchSize: 500, onPoison: 'stop' },
    ctx.projections,
  );
  // one at a time: four processes starting together on a busy 2-core machine can each exceed the start timeout
  await c.start('api');
  for (const id of ['node-a', 'node-b', 'node-c']) await startNode(id);
  await until('three live collab nodes', async () => ((await liveNodes()).length === 3 ? true : undefined), 10_000);
  await new Promise((resolve) => setTimeout(resolve, 1200)); // the API re-reads the node list every second
  [host, candidate] = await Promise.all([register(c.apiUrl), register(c.apiUrl)]);
}, 240_000);

afterAll(async () => {
  stopTyping();
  a?.destroy();
  b?.destroy();
  await projections?.stop();
  await c?.close();
});

describe('three collab nodes', () => {
  it('serve each room on its owner; kill -9 of the owner moves the room within seconds and no edit is lost', async () => {
    const created = await until('the API to see the nodes and create the room', async () => {
      const res = await call('POST', '/rooms', { token: host.token, body: { mode: 'peer', language: 'python', config: { maxParticipants: 4 } } });
      return res.status === 201 ? (res.body as { roomId: string; roomCode: string }) : undefined;
    }, 15_000);
    roomId = created.roomId;
    const live = await liveNodes();
    const owner = rendezvousOwner(roomId, live)!;
    const join = await until('the join to name the owner', async () => {
      const res = await call('POST', `/rooms/${roomId}/join`, { token: candidate.token, body: { roomCode: created.roomCode } });
      return res.status === 200 && res.body.collabUrl === owner.publicUrl ? res.body : undefined;
    }, 10_000);
    const detail = await call('GET', `/rooms/${roomId}`, { token: host.token });
    expect(detail.body.collabUrl).toBe(owner.publicUrl);

    a = new Follower(host, roomId, detail.body);
    b = new Follower(candidate, roomId, join);
    await until('both clients on the owner', async () => (a.syncedWith(owner.publicUrl) && b.syncedWith(owner.publicUrl) ? true : undefined), 10_000, 20);
    expect(await c.ctx.redis.get(leaseKey(redisPrefix(), roomId))).toBe(owner.id);

    a.append('host-before-kill;');
    keepTyping();
    await until('a few edits', async () => (typed >= 5 ? true : undefined), 5_000, 20);
    stopTyping(); // a pause: the owner saves after 2 s of quiet
    const saved = `host-before-kill;${Array.from({ length: typed }, (_, i) => `b${i};`).join('')}`;
    await until('the edits to be saved', async () => ((await storedText(roomId)) === saved ? true : undefined), 15_000, 100);
    keepTyping(); // edits of the last second before the kill are on the clients only: they resend them to the next owner
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const typedBeforeKill = typed;

    await nodes.get(owner.id)!.proc.kill9();
    const killedAt = Date.now();
    const survivors = live.filter((n) => n.id !== owner.id);
    const next = rendezvousOwner(roomId, survivors)!;
    await until('both clients on the next owner', async () => (a.syncedWith(next.publicUrl) && b.syncedWith(next.publicUrl) ? true : undefined), 20_000, 20);
    const takeoverMs = recovered(`collab owner kill -9 (room moved ${owner.id} -> ${next.id})`, killedAt);
    expect(takeoverMs).toBeLessThan(15_000);
    expect(await c.ctx.redis.get(leaseKey(redisPrefix(), roomId))).toBe(next.id);
    // the API's internal calls reach the new owner: a readiness toggle is broadcast to the room's sockets there
    expect((await call('POST', `/rooms/${roomId}/ready`, { token: candidate.token })).status).toBe(200);
    await until('participant-ready through the new owner', async () => (a.events.some((e) => e.type === 'participant-ready' && e.data.userId === candidate.id) ? true : undefined), 10_000, 20);

    const typedAtTakeover = typed;
    await until('more edits on the new owner', async () => (typed >= typedAtTakeover + 10 ? true : undefined), 10_000, 20);
    stopTyping();
    await until('both clients to converge', async () => (a.text === b.text && a.text.endsWith(`b${typed - 1};`) ? true : undefined), 10_000, 20);
    expect(a.text.startsWith('host-before-kill;')).toBe(true);
    expect(a.text).toBe(`host-before-kill;${Array.from({ length: typed }, (_, i) => `b${i};`).join('')}`);
    expect(typedBeforeKill).toBeGreaterThan(10);
    const finalText = a.text;
    await until('the new owner to save everything', async () => ((await storedText(roomId)) === finalText ? true : undefined), 15_000, 100);
  }, 60_000);

  it('hand a room to a node that joins and now owns it: its clients get 4012, fetch the room and follow', async () => {
    const live = await liveNodes();
    const current = rendezvousOwner(roomId, live)!;
    let id = '';
    for (let k = 0; !id; k++) if (rendezvousOwner(roomId, [...live, { id: `node-d${k}` }])!.id === `node-d${k}`) id = `node-d${k}`;
    const closesBefore = a.closes.length;
    keepTyping();
    const joined = await startNode(id);
    const joinedAt = Date.now();
    await until('both clients on the new node', async () => (a.syncedWith(joined.publicUrl) && b.syncedWith(joined.publicUrl) ? true : undefined), 15_000, 20);
    recovered(`collab node joined (room handed ${current.id} -> ${joined.id})`, joinedAt);
    expect(a.closes.slice(closesBefore)).toContain(4012);
    expect(await c.ctx.redis.get(leaseKey(redisPrefix(), roomId))).toBe(joined.id);
    const typedAtMove = typed;
    await until('more edits on the new node', async () => (typed >= typedAtMove + 5 ? true : undefined), 10_000, 20);
    stopTyping();
    await until('both clients to converge', async () => (a.text === b.text && a.text.endsWith(`b${typed - 1};`) ? true : undefined), 10_000, 20);
    expect(a.text).toBe(`host-before-kill;${Array.from({ length: typed }, (_, i) => `b${i};`).join('')}`);
    // the room left the old node: its internal API refuses to serve it
    const res = await fetch(`${current.internalUrl}/internal/documents/${roomId}/state`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-secret': c.config.INTERNAL_CALLBACK_SECRET },
      body: JSON.stringify({ phase: 'waiting', editorLocked: false }),
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe('COLLAB_ROOM_MOVED');
  }, 60_000);
});
