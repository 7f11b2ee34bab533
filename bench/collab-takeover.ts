/**
 * Collab beyond one node (docs/collab-cluster.md): three collab processes (`serve --role collab`, COLLAB_CLUSTER)
 * on a throw-away schema and Redis prefix, with a small control plane in this process that authorises every join.
 *
 * 1. Rooms per node: ROOMS documents are created through the API's own routing client (each call goes to the
 *    room's owner by rendezvous hashing); the owners are read back from the Redis leases. Baseline: the even share
 *    (ROOMS / nodes); figure: the largest node's share as a ratio to it.
 * 2. Takeover: CLIENT_ROOMS rooms of one node get a writer and a reader (real y-websocket clients that, like an app,
 *    ask for the owner again after a close). The node is killed with SIGKILL; per room, the takeover time is kill →
 *    the reader receiving the writer's first edit made after the kill (through the new owner). Baseline in the same
 *    run: the same measurement for a graceful stop (SIGTERM) of another node, whose rooms move without waiting
 *    for the dead node's heartbeat and leases to expire (COLLAB_NODE_TTL_MS, COLLAB_ROOM_LEASE_MS).
 *
 * Run: node --import tsx bench/collab-takeover.ts   (env: ROOMS=300 CLIENT_ROOMS=15, COLLAB_NODE_* timings)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { leaseKey } from '../src/collab/cluster/leases.js';
import { signCollabToken } from '../src/collab/token.js';
import { createHttpCollabClient } from '../src/infra/collab-client/index.js';
import { CollabNodeDirectory, listLiveNodes, rendezvousOwner, type CollabNodeInfo } from '../src/infra/collab-nodes/index.js';
import { runSecrets } from './lib/api-process.js';
import { withBenchSchema, BENCH_DATABASE_URL } from './lib/bench-db.js';
import { printTable, summarize, writeResults, type Row } from './lib/report.js';

process.setMaxListeners(200); // every WebsocketProvider adds a process exit listener

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOMS = Number(process.env.ROOMS ?? 300);
const CLIENT_ROOMS = Number(process.env.CLIENT_ROOMS ?? 15);
const TIMINGS = {
  COLLAB_NODE_HEARTBEAT_MS: process.env.COLLAB_NODE_HEARTBEAT_MS ?? '1500',
  COLLAB_NODE_TTL_MS: process.env.COLLAB_NODE_TTL_MS ?? '5000',
  COLLAB_ROOM_LEASE_MS: process.env.COLLAB_ROOM_LEASE_MS ?? '5000',
};
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRETS = runSecrets();
const COLLAB_SECRET = SECRETS.COLLAB_JWT_SECRET!;
const INTERNAL_SECRET = SECRETS.INTERNAL_CALLBACK_SECRET!;
const PREFIX = `bench:takeover:${randomBytes(4).toString('hex')}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** The control plane's internal callbacks, answering yes to every join and accepting every snapshot. */
async function startControlPlane(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url?.endsWith('/authorize-join') ? '{"authorized":true}' : '{"success":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface NodeProcess {
  info: CollabNodeInfo;
  child: ChildProcess;
  exited: Promise<void>;
}

async function startNode(id: string, schema: string, controlPlaneUrl: string, redis: Redis): Promise<NodeProcess> {
  const port = await freePort();
  const info = { id, publicUrl: `ws://127.0.0.1:${port}/ws`, internalUrl: `http://127.0.0.1:${port}`, startedAt: 0 };
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATABASE_URL: BENCH_DATABASE_URL,
    DB_SCHEMA: schema,
    DB_POOL_SIZE: '5',
    REDIS_URL,
    REDIS_PREFIX: PREFIX,
    ...SECRETS,
    CONTROL_PLANE_URL: controlPlaneUrl,
    COLLAB_PORT: String(port),
    COLLAB_OPS_PORT: String(await freePort()),
    COLLAB_CLUSTER: 'true',
    COLLAB_NODE_ID: id,
    COLLAB_NODE_PUBLIC_URL: info.publicUrl,
    COLLAB_NODE_INTERNAL_URL: info.internalUrl,
    SEED_ON_START: 'false',
    SCHEDULER_ENABLED: 'false',
    ...TIMINGS,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'serve', '--role', 'collab'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  while (!(await listLiveNodes(redis, PREFIX)).some((n) => n.id === id)) {
    if (child.exitCode !== null) throw new Error(`collab node ${id} exited while starting`);
    if (Date.now() > deadline) throw new Error(`collab node ${id} did not start within 60 s`);
    await sleep(200);
  }
  return { info, child, exited };
}

/** Writer + reader on one room; both follow the room to its current owner after a close, as an app does. */
class RoomPair {
  readonly writer: WebsocketProvider;
  readonly reader: WebsocketProvider;
  private readonly writerDoc = new Y.Doc();
  private readonly readerDoc = new Y.Doc();
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly madeAt = new Map<string, number>();
  /** when the reader's socket to the old node closed, and when it was synced with another node */
  closedAt: number | undefined;
  resyncedAt: number | undefined;
  private victimUrl = '';
  /** arrival time at the reader of each writer edit, and the node the reader was connected to */
  readonly arrivals: Array<{ made: number; arrived: number; via: string }> = [];

  constructor(
    readonly roomId: string,
    url: string,
    private readonly directory: CollabNodeDirectory,
  ) {
    const open = (doc: Y.Doc, user: string) => {
      const token = signCollabToken({ userId: user, roomId, role: 'interviewer', isHost: false }, COLLAB_SECRET);
      const p = new WebsocketProvider(url, roomId, doc, { params: { token }, WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true, maxBackoffTime: 300 });
      p.messageHandlers[100] = () => undefined;
      const follow = () => {
        const owner = this.directory.ownerOf(roomId);
        if (owner) p.serverUrl = owner.publicUrl;
      };
      p.on('connection-close', follow);
      p.on('connection-error', follow);
      return p;
    };
    this.writer = open(this.writerDoc, randomUUID());
    this.reader = open(this.readerDoc, randomUUID());
    this.reader.on('connection-close', () => {
      if (this.victimUrl && this.closedAt === undefined) this.closedAt = Date.now();
    });
    this.reader.on('sync', (synced: boolean) => {
      if (synced && this.victimUrl && this.reader.serverUrl !== this.victimUrl && this.resyncedAt === undefined) this.resyncedAt = Date.now();
    });
    this.readerDoc.getArray<string>('bench').observe((e) => {
      const now = Date.now();
      for (const item of e.changes.added) {
        for (const v of item.content.getContent() as string[]) {
          const made = this.madeAt.get(v);
          if (made !== undefined) this.arrivals.push({ made, arrived: now, via: this.reader.serverUrl });
        }
      }
    });
  }

  synced(): boolean {
    return this.writer.synced && this.reader.synced;
  }

  startWriting(everyMs: number): void {
    this.timer = setInterval(() => {
      const v = `e${this.seq++}`;
      this.madeAt.set(v, Date.now());
      this.writerDoc.getArray<string>('bench').push([v]);
    }, everyMs);
  }

  watch(victimUrl: string): void {
    this.victimUrl = victimUrl;
  }

  /** Kill → the reader seeing, through another node than `victimUrl`, the first edit the writer made after the kill. */
  takeoverMs(since: number, victimUrl: string): number | undefined {
    const first = this.arrivals.find((a) => a.made >= since && a.via !== victimUrl);
    return first ? first.arrived - since : undefined;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.writer.destroy();
    this.reader.destroy();
    this.writerDoc.destroy();
    this.readerDoc.destroy();
  }
}

async function measureTakeover(label: string, victim: NodeProcess, pairs: RoomPair[], signal: NodeJS.Signals, timeoutMs: number) {
  for (const p of pairs) p.watch(victim.info.publicUrl);
  const since = Date.now();
  victim.child.kill(signal);
  const deadline = since + timeoutMs;
  const done = (p: RoomPair) => p.takeoverMs(since, victim.info.publicUrl);
  while (pairs.some((p) => done(p) === undefined) && Date.now() < deadline) await sleep(25);
  const times = pairs.map(done).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  await victim.exited;
  const p50Of = (values: Array<number | undefined>) => summarize(values.filter((v): v is number => v !== undefined).map((v) => v - since).sort((x, y) => x - y)).p50;
  const breakdown = { socketClosedP50: p50Of(pairs.map((p) => p.closedAt)), resyncedP50: p50Of(pairs.map((p) => p.resyncedAt)) };
  return { label, rooms: pairs.length, movedRooms: times.length, ...summarize(times), ...breakdown };
}

async function stopAll(pairs: RoomPair[], nodes: NodeProcess[]): Promise<void> {
  for (const p of pairs.splice(0)) p.close();
  for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
  await Promise.all(nodes.map((n) => n.exited));
}

/** Rooms per node: ROOMS documents created through the routing client, owners read back from the leases. */
async function measureDistribution(redis: Redis, nodes: NodeProcess[], directory: CollabNodeDirectory) {
  const client = createHttpCollabClient({
    baseUrl: nodes[0]!.info.internalUrl,
    secret: INTERNAL_SECRET,
    route: { baseUrlFor: (roomId) => (roomId === null ? undefined : directory.ownerOf(roomId)?.internalUrl), refresh: () => directory.refresh() },
  });
  const roomIds = Array.from({ length: ROOMS }, () => randomUUID());
  const createStarted = Date.now();
  for (let i = 0; i < roomIds.length; i += 20) {
    await Promise.all(roomIds.slice(i, i + 20).map((roomId) => client.createDocument({ roomId, initialLanguage: 'python' })));
  }
  const createMs = Date.now() - createStarted;
  client.shutdown();
  const holders = await redis.mget(...roomIds.map((id) => leaseKey(PREFIX, id)));
  const perNode = nodes.map((n) => ({ node: n.info.id, rooms: holders.filter((h) => h === n.info.id).length }));
  const even = ROOMS / nodes.length;
  const distribution = perNode.map((r) => ({ ...r, shareOfEven: r.rooms / even }));
  return { roomIds, createMs, distribution, maxToEvenRatio: Math.max(...perNode.map((r) => r.rooms)) / even };
}

/** Takeover after SIGKILL of one node, then after SIGTERM of another (baseline), each with clients on its rooms. */
async function measureTakeovers(roomIds: string[], nodes: NodeProcess[], directory: CollabNodeDirectory, pairs: RoomPair[]) {
  const taken = new Set<string>();
  const clientRoomsOf = (nodeId: string) => {
    const rooms = roomIds.filter((id) => !taken.has(id) && rendezvousOwner(id, directory.live())?.id === nodeId).slice(0, CLIENT_ROOMS);
    rooms.forEach((id) => taken.add(id));
    return rooms;
  };
  const [killed, stopped] = [nodes[0]!, nodes[1]!];
  const killPairs = clientRoomsOf(killed.info.id).map((id) => new RoomPair(id, killed.info.publicUrl, directory));
  const stopPairs = clientRoomsOf(stopped.info.id).map((id) => new RoomPair(id, stopped.info.publicUrl, directory));
  pairs.push(...killPairs, ...stopPairs);
  const syncDeadline = Date.now() + 30_000;
  while (pairs.some((p) => !p.synced()) && Date.now() < syncDeadline) await sleep(50);
  for (const p of pairs) p.startWriting(100);
  await sleep(1500);
  const kill9 = await measureTakeover('kill -9', killed, killPairs, 'SIGKILL', 30_000);
  await sleep(1000);
  const graceful = await measureTakeover('SIGTERM (baseline)', stopped, stopPairs, 'SIGTERM', 30_000);
  return { kill9, graceful };
}

type Takeover = Awaited<ReturnType<typeof measureTakeover>>;

function report(spread: Awaited<ReturnType<typeof measureDistribution>>, takeover: { kill9: Takeover; graceful: Takeover }, loadBefore: string): void {
  const loadAfter = readFileSync('/proc/loadavg', 'utf8').trim();
  printTable(`Collab cluster: ${ROOMS} rooms over 3 nodes (created in ${spread.createMs} ms)`, spread.distribution as Row[]);
  const rows: Row[] = [takeover.kill9, takeover.graceful].map((t) => ({
    stop: t.label,
    rooms: t.rooms,
    moved: t.movedRooms,
    closedP50Ms: t.socketClosedP50,
    resyncedP50Ms: t.resyncedP50,
    p50Ms: t.p50,
    p99Ms: t.p99,
    maxMs: t.max,
  }));
  printTable(`Takeover: kill → first edit through the new owner (node TTL ${TIMINGS.COLLAB_NODE_TTL_MS} ms, lease ${TIMINGS.COLLAB_ROOM_LEASE_MS} ms)`, rows);
  const kill9ToGracefulP50Ratio = takeover.kill9.p50 / takeover.graceful.p50;
  const kill9ToNodeTtlRatio = takeover.kill9.max / Number(TIMINGS.COLLAB_NODE_TTL_MS);
  console.log(`\nlargest node / even share: ${spread.maxToEvenRatio.toFixed(2)}; kill -9 p50 / SIGTERM p50: ${kill9ToGracefulP50Ratio.toFixed(1)}; kill -9 max / node TTL: ${kill9ToNodeTtlRatio.toFixed(2)}`);
  console.log(`load average: before ${loadBefore} | after ${loadAfter}`);
  const file = writeResults('collab-takeover', {
    params: { rooms: ROOMS, clientRooms: CLIENT_ROOMS, nodes: 3, ...TIMINGS },
    loadavg: { before: loadBefore, after: loadAfter },
    distribution: spread.distribution,
    maxToEvenRatio: spread.maxToEvenRatio,
    takeover: { ...takeover, kill9ToGracefulP50Ratio, kill9ToNodeTtlRatio },
  });
  console.log(`results: ${file}`);
}

async function main(): Promise<void> {
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').trim();
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  const controlPlane = await startControlPlane();
  const pairs: RoomPair[] = [];
  const nodes: NodeProcess[] = [];
  const directory = new CollabNodeDirectory(redis, PREFIX, { refreshMs: 250 });
  try {
    const { spread, takeover } = await withBenchSchema(5, async ({ schema }) => {
      nodes.push(...(await Promise.all(['node-1', 'node-2', 'node-3'].map((id) => startNode(id, schema, controlPlane.url, redis)))));
      await directory.start();
      const spread = await measureDistribution(redis, nodes, directory);
      const takeover = await measureTakeovers(spread.roomIds, nodes, directory, pairs);
      await stopAll(pairs, nodes); // before the schema is dropped
      return { spread, takeover };
    });
    report(spread, takeover, loadBefore);
  } finally {
    await stopAll(pairs, nodes);
    directory.stop();
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await controlPlane.close();
  }
}

await main();
process.exit(0);
