/**
 * Live room events: from the moment an event is appended to the store to the moment a stock y-websocket client in
 * the room holds it on the collab event channel (store → room event feed subscription → room broadcast → socket →
 * WebsocketProvider). Goal: p99 <= 50 ms.
 *
 * Baseline, in the same run: a bare subscriber on the same store (append → subscription), i.e. what the event store
 * alone costs; the ratio says what the feed, the broadcast and the WebSocket add. Scenarios: idle (one probe every
 * 20 ms) and under load (plus ~300 appends/s of other room events to 20 other rooms with clients of their own).
 *
 *   node --import tsx bench/room-events.ts
 * Env: BENCH_PROBES (default 300), BENCH_LOAD_RATE (default 300), BENCH_DATABASE_URL.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { WebsocketProvider } from 'y-websocket';
import type { ControlPlaneCallbacks } from '../src/collab/control-plane-port.js';
import { startRoomEventFeed } from '../src/collab/room-events.js';
import type { RoomRegistry } from '../src/collab/registry.js';
import { startStandaloneCollab } from '../src/collab/standalone.js';
import { signCollabToken } from '../src/collab/token.js';
import type { EventStore } from '../src/infra/eventstore/port.js';
import { createPostgresEventStore } from '../src/infra/eventstore/postgres/store.js';
import { withBenchSchema } from './lib/bench-db.js';
import { printTable, summarize, writeResults, type Row } from './lib/report.js';

const PROBES = Number(process.env.BENCH_PROBES ?? 300);
const PROBE_INTERVAL_MS = 20;
const LOAD_RATE = Number(process.env.BENCH_LOAD_RATE ?? 300);
const LOAD_ROOMS = 20;
const SECRET = 'bench-room-events-collab-secret-0123456789';
const GOAL_P99_MS = 50;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
process.setMaxListeners(200);

const callbacks: ControlPlaneCallbacks = {
  authorizeJoin: async () => ({ authorized: true }),
  snapshot: async () => ({ success: true }),
  userDisconnected: async () => undefined,
  heartbeat: async () => undefined,
  docSnapshot: async () => ({ success: true }),
};

/** A y-websocket client in `roomId` that records when each `timer-paused` probe (keyed by pausedBy) arrived. */
function client(wsUrl: string, roomId: string, arrived: Map<string, number>): WebsocketProvider {
  const token = signCollabToken({ userId: `u-${randomUUID()}`, roomId, role: 'observer', isHost: false }, SECRET);
  const provider = new WebsocketProvider(wsUrl, roomId, new Y.Doc(), {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  provider.messageHandlers[100] = (_encoder: unknown, decoder: decoding.Decoder) => {
    const at = performance.now();
    const e = JSON.parse(decoding.readVarString(decoder)) as { type: string; data: { pausedBy?: string } };
    if (e.type === 'timer-paused' && e.data.pausedBy) arrived.set(e.data.pausedBy, at);
  };
  return provider;
}

function probeEvent(probeId: string) {
  return { id: randomUUID(), type: 'TimerPaused', data: { pausedBy: probeId, pausedAt: new Date().toISOString(), elapsedMs: 0 } };
}

async function loadAppends(store: EventStore, rooms: string[], rate: number, signal: AbortSignal): Promise<number> {
  let n = 0;
  const interval = 1000 / rate;
  const start = performance.now();
  for (let i = 0; !signal.aborted; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await sleep(wait);
    const room = rooms[i % rooms.length]!;
    void store.appendToStream(`room-${room}`, [probeEvent(`load-${i}`)]).then(() => n++);
  }
  return n;
}

async function scenario(name: string, store: EventStore, registry: RoomRegistry, wsUrl: string, loadRate: number): Promise<Row> {
  const roomId = randomUUID();
  const arrivedAtClient = new Map<string, number>();
  const arrivedAtSubscriber = new Map<string, number>();
  const abort = new AbortController();
  const subscriber = (async () => {
    for await (const m of store.subscribeToAll({ fromPosition: 'end', filter: { on: 'eventType', prefixes: ['TimerPaused'] }, signal: abort.signal })) {
      if (m.kind === 'event') arrivedAtSubscriber.set(String((m.event.data as { pausedBy?: string }).pausedBy), performance.now());
    }
  })().catch(() => undefined);
  const loadRooms = Array.from({ length: loadRate > 0 ? LOAD_ROOMS : 0 }, () => randomUUID());
  for (const r of [roomId, ...loadRooms]) await registry.create({ roomId: r, initialLanguage: 'python' });
  const provider = client(wsUrl, roomId, arrivedAtClient);
  const loadClients = loadRooms.map((r) => client(wsUrl, r, new Map()));
  await joined(roomId, provider, loadRooms);
  const load = loadRate > 0 ? loadAppends(store, loadRooms, loadRate, abort.signal) : Promise.resolve(0);

  const sentAt = new Map<string, number>();
  const began = performance.now();
  for (let i = 0; i < PROBES; i++) {
    const id = `probe-${i}`;
    sentAt.set(id, performance.now());
    await store.appendToStream(`room-${roomId}`, [probeEvent(id)]);
    await sleep(PROBE_INTERVAL_MS);
  }
  const elapsedS = (performance.now() - began) / 1000;
  abort.abort();
  await sleep(500);
  const loadAppended = await load;
  await subscriber;
  provider.destroy();
  for (const c of loadClients) c.destroy();

  const latency = (arrived: Map<string, number>) => [...sentAt].filter(([id]) => arrived.has(id)).map(([id, t]) => arrived.get(id)! - t);
  const client50 = summarize(latency(arrivedAtClient));
  const store50 = summarize(latency(arrivedAtSubscriber));
  return {
    scenario: name,
    probes: PROBES,
    delivered: client50.count,
    'load/s': Math.round(loadAppended / elapsedS),
    'client p50 ms': client50.p50,
    'client p99 ms': client50.p99,
    'client max ms': client50.max,
    'store p50 ms': store50.p50,
    'store p99 ms': store50.p99,
    'p99 ratio': client50.p99 / store50.p99,
    goal: client50.p99 <= GOAL_P99_MS ? 'met' : 'MISSED',
  };
}

/** Wait until the probe client synced (and give the load rooms' clients a moment to join). */
async function joined(roomId: string, provider: WebsocketProvider, loadRooms: string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!provider.synced && Date.now() < deadline) await sleep(10);
  if (!provider.synced) throw new Error(`client of room ${roomId} did not sync`);
  await sleep(200 + loadRooms.length * 10);
}

await withBenchSchema(20, async ({ db, pool, schema, url }) => {
  const store = createPostgresEventStore({ pool, schema });
  const node = await startStandaloneCollab({ db, database: { url, schema }, callbacks, secrets: { collabJwtSecret: SECRET, internalSecret: SECRET }, host: '127.0.0.1', port: 0 });
  const wsUrl = `ws://127.0.0.1:${node.port}/ws`;
  const registry = node.collab.registry;
  const feed = startRoomEventFeed(store, registry, { warn: () => undefined, error: () => undefined, info: () => undefined, debug: () => undefined } as never);
  await feed.ready;
  try {
    const rows = [await scenario('idle', store, registry, wsUrl, 0), await scenario('under load', store, registry, wsUrl, LOAD_RATE)];
    printTable(`Room events: append → y-websocket client (goal p99 <= ${GOAL_P99_MS} ms); baseline: append → store subscriber`, rows);
    console.log(`results: ${writeResults('room-events', { goalP99Ms: GOAL_P99_MS, rows })}`);
  } finally {
    await feed.stop();
    await node.close();
    await store.close();
  }
});
