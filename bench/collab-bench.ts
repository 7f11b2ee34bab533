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
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'kysely';
import * as Y from 'yjs';
import { ensureDatabaseExists, ensureSchema, openDatabase } from '../src/infra/db/database.js';
import { migrateToLatest } from '../src/infra/db/migrate.js';
import { startStandaloneCollab } from '../src/collab/standalone.js';
import type { ControlPlaneCallbacks } from '../src/collab/control-plane-port.js';
import type { LoadConfig, LoadResult } from './collab-load.js';

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

async function runOnce(p: CollabBenchParams) {
  const url = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/syncode_test';
  await ensureDatabaseExists(url);
  const schema = `bench_collab_${randomBytes(4).toString('hex')}`;
  const handle = openDatabase(url, schema, 10);
  await ensureSchema(handle.db, schema);
  for (let attempt = 1; ; attempt++) {
    try {
      await migrateToLatest(handle.db, schema);
      break;
    } catch (err) {
      // kysely's table introspection reads every schema; one dropped concurrently by another process fails it
      if ((err as { code?: string }).code !== '3F000' || attempt >= 5) throw err;
    }
  }

  const calls = { authorize: 0, snapshots: 0, heartbeats: 0 };
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
    db: handle.db,
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

  const loadBefore = os.loadavg();
  gc();
  const baseline = process.memoryUsage();
  const roomIds: string[] = [];
  for (let i = 0; i < p.rooms; i++) {
    const roomId = randomUUID();
    roomIds.push(roomId);
    await node.collab.service.createDocument({ roomId, initialLanguage: 'python', initialPhase: 'coding' });
  }

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
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'collab-load.ts')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, COLLAB_LOAD_CONFIG: JSON.stringify(cfg) },
  });

  let connectedMem: NodeJS.MemoryUsage | null = null;
  let cpu0: NodeJS.CpuUsage | null = null;
  let elu0: ReturnType<typeof performance.eventLoopUtilization> | null = null;
  let t0 = 0;
  let stats0 = node.collab.stats();
  let server: { cpuPercent: number; elu: number; ms: number } | null = null;
  let statsDelta: Record<string, number> = {};
  let serverPropagation: ReturnType<typeof node.collab.propagation.summary> | null = null;
  let rssPeak = 0;
  // GC pauses and event-loop delay of the server process during the measured window
  const gcPauses: number[] = [];
  let measuring = false;
  const gcObserver = new PerformanceObserver((list) => {
    if (measuring) for (const e of list.getEntries()) gcPauses.push(e.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 200);

  const result = await new Promise<LoadResult>((resolve, reject) => {
    child.on('message', (msg: { type: string }) => {
      if (msg.type === 'connected') {
        gc();
        connectedMem = process.memoryUsage();
      } else if (msg.type === 'measure-start') {
        cpu0 = process.cpuUsage();
        elu0 = performance.eventLoopUtilization();
        t0 = performance.now();
        stats0 = node.collab.stats();
        node.collab.propagation.reset();
        measuring = true;
        loopDelay.enable();
      } else if (msg.type === 'measure-end') {
        measuring = false;
        loopDelay.disable();
        serverPropagation = node.collab.propagation.summary();
        const ms = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0!);
        const elu = performance.eventLoopUtilization(elu0!);
        server = { cpuPercent: ((cpu.user + cpu.system) / 1000 / ms) * 100, elu: elu.utilization, ms };
        const s1 = node.collab.stats();
        statsDelta = Object.fromEntries(
          Object.entries(s1).map(([k, v]) => [k, v - ((stats0 as unknown as Record<string, number>)[k] ?? 0)]),
        );
      } else if (msg.type === 'result') {
        resolve(msg as unknown as LoadResult);
      }
    });
    child.on('exit', (code) => reject(new Error(`load generator exited with ${code} before reporting`)));
  });
  clearInterval(sampler);
  gcObserver.disconnect();
  gc();
  const afterRun = process.memoryUsage();
  const gcTotal = gcPauses.reduce((a, b) => a + b, 0);

  // convergence: every replica equals the server's document, which holds every char that was sent
  const convergence = result.replicas.map((r) => {
    const text = node.collab.registry.live(r.roomId)!.currentDoc().getText('code:python').toString();
    return { roomId: r.roomId, ok: createHash('sha256').update(text).digest('hex') === r.sha256 };
  });
  let serverChars = 0;
  for (const id of roomIds) serverChars += node.collab.registry.live(id)?.currentDoc().getText('code:python').length ?? 0;
  const converged = convergence.every((c) => c.ok) && serverChars === result.charsSent;

  const mem = connectedMem as NodeJS.MemoryUsage | null;
  const perRoomRss = mem ? (mem.rss - baseline.rss) / p.rooms : NaN;
  const perRoomHeap = mem ? (mem.heapUsed - baseline.heapUsed) / p.rooms : NaN;
  const s = server as { cpuPercent: number; elu: number; ms: number } | null;
  const prop = serverPropagation as ReturnType<typeof node.collab.propagation.summary> | null;
  const report = {
    name: p.name,
    title: p.title,
    when: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      // other work on the machine skews latency: the 1-minute load average before and after the run
      loadAvg1mBefore: Math.round(loadBefore[0]! * 100) / 100,
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
    converged,
    server: {
      // time updates spend inside the collab plane: socket read → frame handed to the last socket of the room
      propagationMs: prop,
      cpuPercentOfOneCore: s ? Math.round(s.cpuPercent * 10) / 10 : null,
      // contention-robust cost figure: server CPU time per incoming update, fan-out included
      eventLoopDelayP99Ms: Math.round((loopDelay.percentile(99) / 1e6) * 100) / 100,
      eventLoopDelayMaxMs: Math.round((loopDelay.max / 1e6) * 100) / 100,
      gcPauses: { count: gcPauses.length, totalMs: Math.round(gcTotal), maxMs: Math.round(Math.max(0, ...gcPauses) * 10) / 10 },
      cpuMicrosPerUpdate: s && result.opsSentInWindow ? Math.round((s.cpuPercent / 100) * s.ms * 1000 / result.opsSentInWindow) : null,
      eventLoopUtilisation: s ? Math.round(s.elu * 1000) / 1000 : null,
      rssBaselineMb: mb(baseline.rss),
      rssConnectedMb: mem ? mb(mem.rss) : null,
      rssPeakMb: mb(rssPeak),
      rssPerRoomKb: Math.round(perRoomRss / 1024),
      heapPerRoomKb: Math.round(perRoomHeap / 1024),
      // after the run, every document holding what was typed into it (measured as the generator disconnects)
      rssAfterRunMb: mb(afterRun.rss),
      rssPerRoomAfterRunKb: Math.round((afterRun.rss - baseline.rss) / p.rooms / 1024),
      heapPerRoomAfterRunKb: Math.round((afterRun.heapUsed - baseline.heapUsed) / p.rooms / 1024),
      docBytesPerRoomAfterRun: Math.round(
        roomIds.reduce((n, id) => n + (node.collab.registry.live(id)?.currentDoc() ? Y.encodeStateAsUpdate(node.collab.registry.live(id)!.currentDoc()).length : 0), 0) / p.rooms,
      ),
      counters: statsDelta,
    },
    generatorCpuPercentOfOneCore: Math.round(result.generatorCpuPercent * 10) / 10,
    generatorElu: Math.round(result.generatorElu * 1000) / 1000,
    generatorLoopDelayP99Ms: Math.round(result.generatorLoopDelayP99Ms * 100) / 100,
    unexpectedCloses: result.closes,
    callbacks: calls,
  };

  const rows: Array<[string, string]> = [
    ['scenario', `${p.rooms} room(s) × ${p.writersPerRoom} writers @ ${p.opsPerSec} ops/s`],
    ['updates in / s', String(report.updatesPerSec)],
    ['end-to-end p50 / p90 / p99 / p99.9 / max (ms)', [result.latencyMs.p50, result.latencyMs.p90, result.latencyMs.p99, result.latencyMs.p999, result.latencyMs.max].map((v) => v.toFixed(2)).join(' / ')],
    ['server-side propagation p50 / p99 / max (ms)', prop ? [prop.p50, prop.p99, prop.max].map((v) => v.toFixed(2)).join(' / ') : 'n/a'],
    ['goal p99', `≤ ${p.goalP99Ms} ms → ${report.goalMet ? 'met' : 'NOT met'}`],
    ['delivered', `${(report.delivered * 100).toFixed(2)} % (${result.deliveries} / ${result.expectedDeliveries})`],
    ['converged', String(converged)],
    ['server CPU (% of one core) / ELU', `${report.server.cpuPercentOfOneCore} % / ${report.server.eventLoopUtilisation}`],
    ['server CPU per incoming update', `${report.server.cpuMicrosPerUpdate} µs`],
    ['server loop delay p99 / max; GC pauses n / total / max', `${report.server.eventLoopDelayP99Ms} / ${report.server.eventLoopDelayMaxMs} ms; ${report.server.gcPauses.count} / ${report.server.gcPauses.totalMs} / ${report.server.gcPauses.maxMs} ms`],
    ['server RSS baseline / connected / peak', `${report.server.rssBaselineMb} / ${report.server.rssConnectedMb} / ${report.server.rssPeakMb} MB`],
    ['per room at join: RSS / heap', `${report.server.rssPerRoomKb} KB / ${report.server.heapPerRoomKb} KB`],
    ['per room after run: RSS / heap / Yjs state', `${report.server.rssPerRoomAfterRunKb} KB / ${report.server.heapPerRoomAfterRunKb} KB / ${Math.round(report.server.docBytesPerRoomAfterRun / 1024)} KB`],
    ['update frames out / batches (window)', `${statsDelta.updateFramesOut} / ${statsDelta.batches}`],
    ['generator CPU (% of one core) / ELU / loop delay p99', `${report.generatorCpuPercentOfOneCore} % / ${report.generatorElu} / ${report.generatorLoopDelayP99Ms} ms`],
    ['machine load avg (1 min) before / after', `${report.machine.loadAvg1mBefore} / ${report.machine.loadAvg1mAfter} on ${report.machine.cpus} CPUs`],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${p.title}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);

  await node.close();
  await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`.execute(handle.db);
  await handle.close();
  return report;
}

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};

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
