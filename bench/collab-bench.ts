/**
 * Shared runner of the collab benchmarks. This process hosts the collab server (real Postgres persistence in a
 * throw-away schema, in-memory control-plane callbacks that authorise everything); the load generator runs in a
 * separate process (bench/collab-load.ts). Server CPU, event-loop utilisation and RSS are sampled here during the
 * measured window; latencies come from the generator. Prints a table and writes bench/results/<name>.json.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import * as Y from 'yjs';
import { ensureDatabaseExists, ensureSchema, openDatabase, type DatabaseHandle } from '../src/infra/db/database.js';
import { migrateToLatest } from '../src/infra/db/migrate.js';
import { startStandaloneCollab } from '../src/collab/standalone.js';
import type { ControlPlaneCallbacks } from '../src/collab/control-plane-port.js';
import type { LoadConfig, LoadResult } from './collab-load.js';
import { CollabServerProbe } from './lib/collab-server-probe.js';
import { median } from './lib/report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface CollabBenchParams {
  name: string;
  title: string;
  rooms: number;
  writersPerRoom: number;
  opsPerSec: number;
  warmupMs?: number;
  measureMs?: number;
  drainMs?: number;
  replicaRooms?: number;
  batchWindowMs?: number;
  goalP99Ms: number;
  /** false: the collab node records no edit history (baseline of bench/playback.ts) */
  history?: false;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

type BenchNode = Awaited<ReturnType<typeof startStandaloneCollab>>;
type Calls = { authorize: number; snapshots: number; heartbeats: number };

async function openBenchSchema() {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/syncode_test';
  await ensureDatabaseExists(url);
  const schema = `bench_collab_${randomBytes(4).toString('hex')}`;
  const handle = openDatabase(url, schema, 10);
  await ensureSchema(handle.db, schema);
  for (let attempt = 1; ; attempt++) {
    try {
      await migrateToLatest(handle.db, schema);
      return { handle, schema };
    } catch (err) {
      // kysely's table introspection reads every schema; one dropped concurrently by another process fails it
      if ((err as { code?: string }).code !== '3F000' || attempt >= 5) throw err;
    }
  }
}

/** The collab node under test, with in-memory control-plane callbacks that authorise everything. */
async function startServer(p: CollabBenchParams, { db, url, schema }: DatabaseHandle) {
  const calls: Calls = { authorize: 0, snapshots: 0, heartbeats: 0 };
  const callbacks: ControlPlaneCallbacks = {
    async authorizeJoin() {
      calls.authorize++;
      return { authorized: true };
    },
    async snapshot() {
      calls.snapshots++;
      return { success: true };
    },
    async userDisconnected() {},
    async heartbeat() {
      calls.heartbeats++;
    },
    async docSnapshot() {
      return { success: true };
    },
  };
  const jwtSecret = randomBytes(24).toString('hex');
  const node = await startStandaloneCollab({
    db,
    database: { url, schema },
    callbacks,
    secrets: { collabJwtSecret: jwtSecret, internalSecret: randomBytes(24).toString('hex') },
    options: {
      batchWindowMs: p.batchWindowMs ?? 5,
      // generous limits: the benchmark measures fan-out, not the per-socket limiter
      rateLimitPerSecond: 1000,
      rateLimitBurst: 2000,
      // experiments: COLLAB_BENCH_OPTIONS='{"applyDelayMs":50}' overrides any collab option
      ...(JSON.parse(process.env.COLLAB_BENCH_OPTIONS ?? '{}') as Record<string, unknown>),
    },
    host: '127.0.0.1',
    port: 0,
    ...(p.history === false ? { history: false as const } : {}),
  });
  return { node, calls, jwtSecret };
}

async function createRooms(node: BenchNode, count: number): Promise<string[]> {
  const roomIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const roomId = randomUUID();
    roomIds.push(roomId);
    await node.collab.service.createDocument({ roomId, initialLanguage: 'python', initialPhase: 'coding' });
  }
  return roomIds;
}

/** Run the load generator in its own process; the probe follows its measured window. */
async function driveGenerator(cfg: LoadConfig, probe: CollabServerProbe) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'collab-load.ts')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, COLLAB_LOAD_CONFIG: JSON.stringify(cfg) },
  });
  let connectedMem: NodeJS.MemoryUsage | null = null;
  const result = await new Promise<LoadResult>((resolve, reject) => {
    child.on('message', (msg: { type: string }) => {
      if (msg.type === 'connected') {
        gc();
        connectedMem = process.memoryUsage();
      } else if (msg.type === 'measure-start') probe.startWindow();
      else if (msg.type === 'measure-end') probe.endWindow();
      else if (msg.type === 'result') resolve(msg as unknown as LoadResult);
    });
    child.on('exit', (code) => reject(new Error(`load generator exited with ${code} before reporting`)));
  });
  return { result, connectedMem: connectedMem as NodeJS.MemoryUsage | null };
}

/** Every replica equals the server's document, which holds every char that was sent. */
function converged(node: BenchNode, result: LoadResult, roomIds: readonly string[]): boolean {
  const replicasMatch = result.replicas.every((r) => {
    const text = node.collab.registry.live(r.roomId)!.currentDoc().getText('code:python').toString();
    return createHash('sha256').update(text).digest('hex') === r.sha256;
  });
  let serverChars = 0;
  for (const id of roomIds) serverChars += node.collab.registry.live(id)?.currentDoc().getText('code:python').length ?? 0;
  return replicasMatch && serverChars === result.charsSent;
}

interface MemoryPoints {
  baseline: NodeJS.MemoryUsage;
  connected: NodeJS.MemoryUsage | null;
  afterRun: NodeJS.MemoryUsage;
  rssPeak: number;
}

function memoryFigures(rooms: number, m: MemoryPoints, node: BenchNode, roomIds: readonly string[]) {
  const docBytes = roomIds.reduce((n, id) => {
    const doc = node.collab.registry.live(id)?.currentDoc();
    return n + (doc ? Y.encodeStateAsUpdate(doc).length : 0);
  }, 0);
  return {
    rssBaselineMb: mb(m.baseline.rss),
    rssConnectedMb: m.connected ? mb(m.connected.rss) : null,
    rssPeakMb: mb(m.rssPeak),
    rssPerRoomKb: Math.round((m.connected ? (m.connected.rss - m.baseline.rss) / rooms : NaN) / 1024),
    heapPerRoomKb: Math.round((m.connected ? (m.connected.heapUsed - m.baseline.heapUsed) / rooms : NaN) / 1024),
    // after the run, every document holding what was typed into it (measured as the generator disconnects)
    rssAfterRunMb: mb(m.afterRun.rss),
    rssPerRoomAfterRunKb: Math.round((m.afterRun.rss - m.baseline.rss) / rooms / 1024),
    heapPerRoomAfterRunKb: Math.round((m.afterRun.heapUsed - m.baseline.heapUsed) / rooms / 1024),
    docBytesPerRoomAfterRun: Math.round(docBytes / rooms),
  };
}

interface RunFacts {
  p: CollabBenchParams;
  cfg: LoadConfig;
  result: LoadResult;
  probe: CollabServerProbe;
  memory: ReturnType<typeof memoryFigures>;
  converged: boolean;
  loadBefore: number;
  calls: Calls;
}

function buildReport({ p, cfg, result, probe, memory, converged: ok, loadBefore, calls }: RunFacts) {
  const w = probe.window;
  return {
    name: p.name,
    title: p.title,
    when: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      // other work on the machine skews latency: the 1-minute load average before and after the run
      loadAvg1mBefore: Math.round(loadBefore * 100) / 100,
      loadAvg1mAfter: Math.round(os.loadavg()[0]! * 100) / 100,
    },
    setup: {
      rooms: p.rooms,
      writersPerRoom: p.writersPerRoom,
      opsPerSecPerWriter: p.opsPerSec,
      batchWindowMs: p.batchWindowMs ?? 5,
      warmupMs: cfg.warmupMs,
      measureMs: cfg.measureMs,
      drainMs: cfg.drainMs,
      persistence: 'postgres (debounced saves)',
      generator: 'separate process (bench/collab-load.ts), raw y-protocols clients',
    },
    updatesPerSec: Math.round((result.opsSentInWindow / cfg.measureMs) * 1000),
    latencyMs: result.latencyMs,
    goalP99Ms: p.goalP99Ms,
    goalMet: result.latencyMs.p99 <= p.goalP99Ms,
    delivered: result.expectedDeliveries ? result.deliveries / result.expectedDeliveries : 1,
    deliveries: result.deliveries,
    expectedDeliveries: result.expectedDeliveries,
    converged: ok,
    server: {
      // time updates spend inside the collab plane: socket read → frame handed to the last socket of the room
      propagationMs: probe.propagation,
      cpuPercentOfOneCore: w ? Math.round(w.cpuPercent * 10) / 10 : null,
      ...probe.loopAndGc(),
      // contention-robust cost figure: server CPU time per incoming update, fan-out included
      cpuMicrosPerUpdate: w && result.opsSentInWindow ? Math.round(((w.cpuPercent / 100) * w.ms * 1000) / result.opsSentInWindow) : null,
      eventLoopUtilisation: w ? Math.round(w.elu * 1000) / 1000 : null,
      ...memory,
      counters: probe.counters,
    },
    generatorCpuPercentOfOneCore: Math.round(result.generatorCpuPercent * 10) / 10,
    generatorElu: Math.round(result.generatorElu * 1000) / 1000,
    generatorLoopDelayP99Ms: Math.round(result.generatorLoopDelayP99Ms * 100) / 100,
    unexpectedCloses: result.closes,
    callbacks: calls,
  };
}

function printReport(p: CollabBenchParams, report: ReturnType<typeof buildReport>): void {
  const { latencyMs: l, server: sv } = report;
  const prop = sv.propagationMs;
  const rows: Array<[string, string]> = [
    ['scenario', `${p.rooms} room(s) × ${p.writersPerRoom} writers @ ${p.opsPerSec} ops/s`],
    ['updates in / s', String(report.updatesPerSec)],
    ['end-to-end p50 / p90 / p99 / p99.9 / max (ms)', [l.p50, l.p90, l.p99, l.p999, l.max].map((v) => v.toFixed(2)).join(' / ')],
    ['server-side propagation p50 / p99 / max (ms)', prop ? [prop.p50, prop.p99, prop.max].map((v) => v.toFixed(2)).join(' / ') : 'n/a'],
    ['goal p99', `≤ ${p.goalP99Ms} ms → ${report.goalMet ? 'met' : 'NOT met'}`],
    ['delivered', `${(report.delivered * 100).toFixed(2)} % (${report.deliveries} / ${report.expectedDeliveries})`],
    ['converged', String(report.converged)],
    ['server CPU (% of one core) / ELU', `${sv.cpuPercentOfOneCore} % / ${sv.eventLoopUtilisation}`],
    ['server CPU per incoming update', `${sv.cpuMicrosPerUpdate} µs`],
    ['server loop delay p99 / max; GC pauses n / total / max', `${sv.eventLoopDelayP99Ms} / ${sv.eventLoopDelayMaxMs} ms; ${sv.gcPauses.count} / ${sv.gcPauses.totalMs} / ${sv.gcPauses.maxMs} ms`],
    ['  of which major GC: n / total / max', `${sv.gcMajorPauses.count} / ${sv.gcMajorPauses.totalMs} / ${sv.gcMajorPauses.maxMs} ms`],
    ['server RSS baseline / connected / peak', `${sv.rssBaselineMb} / ${sv.rssConnectedMb} / ${sv.rssPeakMb} MB`],
    ['per room at join: RSS / heap', `${sv.rssPerRoomKb} KB / ${sv.heapPerRoomKb} KB`],
    ['per room after run: RSS / heap / Yjs state', `${sv.rssPerRoomAfterRunKb} KB / ${sv.heapPerRoomAfterRunKb} KB / ${Math.round(sv.docBytesPerRoomAfterRun / 1024)} KB`],
    ['update frames out / batches (window)', `${sv.counters.updateFramesOut} / ${sv.counters.batches}`],
    ['generator CPU (% of one core) / ELU / loop delay p99', `${report.generatorCpuPercentOfOneCore} % / ${report.generatorElu} / ${report.generatorLoopDelayP99Ms} ms`],
    ['machine load avg (1 min) before / after', `${report.machine.loadAvg1mBefore} / ${report.machine.loadAvg1mAfter} on ${report.machine.cpus} CPUs`],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${p.title}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

async function runOnce(p: CollabBenchParams) {
  const { handle, schema } = await openBenchSchema();
  const { node, calls, jwtSecret } = await startServer(p, handle);
  const loadBefore = os.loadavg()[0]!;
  gc();
  const baseline = process.memoryUsage();
  const roomIds = await createRooms(node, p.rooms);
  const cfg: LoadConfig = {
    wsUrl: `ws://127.0.0.1:${node.port}/ws`,
    jwtSecret,
    rooms: roomIds,
    writersPerRoom: p.writersPerRoom,
    opsPerSec: p.opsPerSec,
    warmupMs: p.warmupMs ?? 3000,
    measureMs: p.measureMs ?? 15000,
    drainMs: p.drainMs ?? 3000,
    replicaRooms: p.replicaRooms ?? Math.min(p.rooms, 10),
  };
  const probe = new CollabServerProbe(node.collab, path.join(HERE, 'results', `${p.name}.cpuprofile`));
  const { result, connectedMem } = await driveGenerator(cfg, probe);
  probe.stop();
  gc();
  const memoryPoints = { baseline, connected: connectedMem, afterRun: process.memoryUsage(), rssPeak: probe.rssPeakBytes };
  const report = buildReport({
    p,
    cfg,
    result,
    probe,
    memory: memoryFigures(p.rooms, memoryPoints, node, roomIds),
    converged: converged(node, result, roomIds),
    loadBefore,
    calls,
  });
  printReport(p, report);

  await node.close();
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(handle.db);
  await handle.close();
  return report;
}

/**
 * Run the scenario `BENCH_REPEAT` times (default 1; each run a fresh server, schema and generator) and write every
 * run plus the medians to bench/results/<name>.json. The machine these run on is shared, so single runs vary; the
 * median and the spread are what to quote.
 */
export async function runCollabBench(p: CollabBenchParams) {
  const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
  const runs: Array<Awaited<ReturnType<typeof runOnce>>> = [];
  for (let i = 0; i < repeat; i++) {
    if (repeat > 1) console.log(`\nrun ${i + 1} of ${repeat}`);
    runs.push(await runOnce(p));
  }
  const pick = (f: (r: (typeof runs)[number]) => number | null | undefined) => runs.map((r) => f(r) ?? NaN);
  const e2eP99 = pick((r) => r.latencyMs.p99);
  const summary = {
    runs: runs.length,
    goalP99Ms: p.goalP99Ms,
    runsMeetingGoal: runs.filter((r) => r.goalMet).length,
    endToEndP50MsMedian: median(pick((r) => r.latencyMs.p50)),
    endToEndP99MsMedian: median(e2eP99),
    endToEndP99MsRange: [Math.min(...e2eP99), Math.max(...e2eP99)],
    serverPropagationP50MsMedian: median(pick((r) => r.server.propagationMs?.p50)),
    serverPropagationP99MsMedian: median(pick((r) => r.server.propagationMs?.p99)),
    serverCpuPercentMedian: median(pick((r) => r.server.cpuPercentOfOneCore)),
    serverCpuMicrosPerUpdateMedian: median(pick((r) => r.server.cpuMicrosPerUpdate)),
    // later runs in the same process start from the previous run's heap, so per-room memory comes from run 1 only
    memoryPerRoomRun1: {
      rssAtJoinKb: runs[0]!.server.rssPerRoomKb,
      heapAtJoinKb: runs[0]!.server.heapPerRoomKb,
      rssAfterRunKb: runs[0]!.server.rssPerRoomAfterRunKb,
      heapAfterRunKb: runs[0]!.server.heapPerRoomAfterRunKb,
      yjsStateAfterRunBytes: runs[0]!.server.docBytesPerRoomAfterRun,
    },
    rssPeakMbMax: Math.max(...pick((r) => r.server.rssPeakMb)),
    allDelivered: runs.every((r) => r.delivered === 1),
    allConverged: runs.every((r) => r.converged),
  };
  if (runs.length > 1) {
    console.log(`\n${p.title}: medians over ${runs.length} runs`);
    console.log(`  end-to-end p50 ${summary.endToEndP50MsMedian} ms, p99 ${summary.endToEndP99MsMedian} ms (range ${summary.endToEndP99MsRange.join('–')}), goal met in ${summary.runsMeetingGoal}/${runs.length}`);
    console.log(`  server-side p50 ${summary.serverPropagationP50MsMedian} ms, p99 ${summary.serverPropagationP99MsMedian} ms; server CPU ${summary.serverCpuPercentMedian} % (${summary.serverCpuMicrosPerUpdateMedian} µs/update)`);
  }
  const outDir = path.join(HERE, 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, `${p.name}.json`), `${JSON.stringify({ name: p.name, title: p.title, summary, runs }, null, 2)}\n`);
  console.log(`  → bench/results/${p.name}.json`);
  return summary;
}
