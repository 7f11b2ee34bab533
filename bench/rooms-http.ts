/**
 * Room endpoints under load at 50 keep-alive connections (one user per connection):
 *   - GET /rooms/:id — room detail (4 participants with names, capabilities, a freshly signed collab token);
 *   - POST /rooms/:id/join, re-join by an active participant (the reconnect path: stream read and fold, no append);
 *   - POST /rooms/:id/join, first joins (each request appends ParticipantJoined; up to 7 joiners share a room, so
 *     concurrent joins of one room also exercise the optimistic-concurrency retry).
 * The server is a whole control plane (harness: Postgres event store, projections with read-your-writes, auth)
 * listening on an ephemeral port, rate limits off; the load generator is a separate process (bench/lib/http-load.ts).
 *   node --import tsx bench/rooms-http.ts [measureSeconds=10] [connections=50]
 * Prints a table and writes bench/results/rooms-http.json.
 */
import os from 'node:os';
import { sql } from 'kysely';
import { createRoom, joinRoom } from '../src/commands/rooms/lifecycle.js';
import { systemMetadata } from '../src/commands/metadata.js';
import { createHarness } from '../test/support/harness.js';
import { registerUser, type TestUser } from '../test/support/users.js';
import { loadRow, runHttpLoad, type LoadRequest } from './lib/http-load.js';
import { printTable, writeResults } from './lib/report.js';

const measureSeconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 50);
const WARMUP_MS = 3000;
/** rooms for first joins: each connection visits every 8th room, so a room gets at most 7 joiners */
const JOIN_ROOMS = Number(process.env.ROOMS_BENCH_JOIN_ROOMS ?? 2400);

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map((item, k) => fn(item, i + k)));
}

const h = await createHarness({
  env: { RATE_LIMIT_ENABLED: 'false', DB_POOL_SIZE: '20', LOG_LEVEL: 'silent', COLLAB_PLANE_URL: 'http://127.0.0.1:9' },
});
try {
  const setupStarted = Date.now();
  const users: TestUser[] = [];
  await inBatches(Array.from({ length: connections + 1 }, (_, i) => i), 10, async () => {
    users.push(await registerUser(h));
  });
  const host = users.pop()!;
  const meta = () => systemMetadata('bench', new Date());

  // detail rooms: user k hosts room k, users k+1..k+3 sit in it (peer room of 4)
  const detailRooms: string[] = [];
  await inBatches(users, 10, async (u, k) => {
    const created = await createRoom(h.ctx, { hostId: u.id, mode: 'peer', language: 'python', config: { maxParticipants: 4, isPrivate: false } }, meta());
    detailRooms[k] = created.state.roomId;
  });
  await inBatches(users, 10, async (_u, k) => {
    for (let j = 1; j <= 3; j++) {
      await joinRoom(h.ctx, detailRooms[k]!, { userId: users[(k + j) % users.length]!.id, roomCode: null, requestedRole: null, isAdmin: false }, meta());
    }
  });

  // first-join rooms, hosted by a separate user
  const joinRooms: string[] = [];
  await inBatches(Array.from({ length: JOIN_ROOMS }, (_, i) => i), 16, async (_x, i) => {
    const created = await createRoom(h.ctx, { hostId: host.id, mode: 'peer', config: { maxParticipants: 8, isPrivate: false } }, meta());
    joinRooms[i] = created.state.roomId;
  });
  const head = (await h.ctx.store.headPosition())!.commit;
  if (!(await h.ctx.progress.waitFor(head, ['rooms', 'sessions', 'session-timeline'], 300_000))) throw new Error('projections did not catch up');
  await sql`ANALYZE rooms, room_participants`.execute(h.ctx.db);
  const setupMs = Date.now() - setupStarted;

  const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  /** One connection per user, each with its own token and request paths. */
  const perUser = (method: LoadRequest['method'], pathsOf: (k: number) => string[]): LoadRequest[][] =>
    users.map((u, k) =>
      pathsOf(k).map((p) => ({ method, path: p, headers: { authorization: `Bearer ${u.accessToken}` }, ...(method === 'POST' ? { body: {} } : {}) })),
    );
  const scenarios: Array<{ name: string; connections: LoadRequest[][] }> = [
    { name: 'GET /rooms/:id', connections: perUser('GET', (k) => [0, 1, 2, 3].map((j) => `/rooms/${detailRooms[(k - j + users.length) % users.length]}`)) },
    { name: 'POST /rooms/:id/join (re-join, active)', connections: perUser('POST', (k) => [`/rooms/${detailRooms[k]}/join`]) },
    {
      name: 'POST /rooms/:id/join (first join)',
      connections: perUser('POST', (k) => joinRooms.filter((_r, i) => (i + k) % 8 === 0).map((r) => `/rooms/${r}/join`)),
    },
  ];

  const rows: Array<Record<string, string | number>> = [];
  const details: Array<Record<string, unknown>> = [];
  for (const s of scenarios) {
    const { result, server } = await runHttpLoad({ base, connections: s.connections, warmupMs: WARMUP_MS, measureMs: measureSeconds * 1000, expectStatus: 200 });
    const serverCpu = server.cpuPercent;
    const pathsPerConnection = Math.min(...s.connections.map((c) => c.length));
    const exhausted = result.sent.some((n) => n > pathsPerConnection) && s.name.includes('first join');
    rows.push(loadRow(s.name, result, server));
    const { sent, ...summary } = result;
    details.push({ scenario: s.name, ...summary, maxSentPerConnection: Math.max(...sent), pathsPerConnection, pathListWrapped: exhausted, serverCpuPercent: serverCpu });
  }
  const joined = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM room_participants WHERE room_id = ANY(${joinRooms}::uuid[]) AND user_id <> ${host.id}`.execute(h.ctx.db)).rows[0]!.n;

  printTable(`Room endpoints at ${connections} connections, ${measureSeconds} s each (after ${WARMUP_MS / 1000} s warm-up)`, rows);
  const file = writeResults('rooms-http', {
    connections,
    measureSeconds,
    warmupSeconds: WARMUP_MS / 1000,
    dataSet: { users: users.length + 1, detailRooms: detailRooms.length, participantsPerDetailRoom: 4, joinRooms: JOIN_ROOMS, firstJoinsRecorded: joined, setupMs },
    server: 'whole control plane in this process (harness: Postgres event store, projections, read-your-writes, auth), DB pool 20, rate limits off',
    generator: 'separate process (bench/lib/http-load.ts), closed loop, one keep-alive connection per user',
    loadAverageAtEnd: os.loadavg(),
    results: details,
  });
  console.log(`\nwritten to ${file}`);
} finally {
  await h.close();
}
