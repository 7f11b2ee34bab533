/**
 * Judged submissions per second sustained on this machine: a Python problem with 10 test cases, submitted over
 * HTTP (POST /rooms/:id/submit) and judged by the execution worker through the queue (compile once, 10 sandboxed
 * runs, events, read models). Compared, in the same run and interleaved round by round, with judging the same
 * submission directly with judgeSubmission at the same concurrency (no HTTP, queue, events or projections).
 *
 * Closed loop: callers each submit, wait until their submission is completed, and submit again — as many callers as
 * the worker has slots (latency without queue wait), and `clients` callers (the worker always has work queued:
 * the sustained throughput). Latency of a submission = completedAt − submittedAt from the read model (the
 * request's clock and the worker's completion clock; queue wait included); "seen" = from sending the POST until
 * the client sees the completion in the read model (adds the projection delay and a 20 ms poll). Static analysis is off for the main
 * figure (its consumer is not started) and measured in a last round with it on.
 *
 *   node --import tsx bench/execution-throughput.ts [perRound=24] [rounds=2] [clients=4]
 * Root, after scripts/setup.sh (the sandbox needs bubblewrap, cgroups and the seccomp filter).
 */
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { judgeSubmission, probeSandbox } from '../src/infra/sandbox/index.js';
import { startExecutionWorker } from '../src/workers/execution/start.js';
import { createHarness, type Harness } from '../test/support/harness.js';
import { registerAdmin, registerUser } from '../test/support/users.js';
import { printTable, summarize, writeResults, type Row } from './lib/report.js';

const perRound = Number(process.argv[2] ?? 24);
const rounds = Number(process.argv[3] ?? 2);
/** Closed-loop callers for the throughput figure (more than the worker's slots, so it always has work queued). */
const clients = Number(process.argv[4] ?? 4);
const TESTS = 10;

/** Sum of n numbers; test k has 400·(k+1) numbers (test inputs are capped at 20 000 characters). */
const CODE = 'import sys\ndata = sys.stdin.read().split()\nn = int(data[0])\nprint(sum(int(x) for x in data[1:n + 1]))\n';
const tests = Array.from({ length: TESTS }, (_, k) => {
  const n = 400 * (k + 1);
  const values = Array.from({ length: n }, (_, i) => (i * 7919) % 100);
  return { input: `${n}\n${values.join(' ')}\n`, expectedOutput: `${values.reduce((a, b) => a + b, 0)}\n` };
});

interface Sample {
  /** completedAt − submittedAt (request clock → completion event). */
  latencyMs: number;
  /** What the client saw: POST sent → completion visible in the read model. */
  observedMs: number;
}
interface Batch {
  seconds: number;
  samples: Sample[];
}

/** `clients` closed loops sharing `count` iterations; each iteration is one sample. */
async function closedLoop(count: number, clients: number, once: () => Promise<Sample>): Promise<Batch> {
  const samples: Sample[] = [];
  let issued = 0;
  const started = performance.now();
  const client = async () => {
    while (issued < count) {
      issued++;
      samples.push(await once());
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { seconds: (performance.now() - started) / 1000, samples };
}

function viaQueue(h: Harness, token: string, roomId: string, count: number, clients: number): Promise<Batch> {
  return closedLoop(count, clients, async () => {
    const t0 = performance.now();
    const res = await h.request({ method: 'POST', url: `/rooms/${roomId}/submit`, token, body: { language: 'python', code: CODE } });
    if (res.status !== 202) throw new Error(`submit: ${res.status} ${JSON.stringify(res.body)}`);
    const id = res.body.submissionId as string;
    for (;;) {
      const { rows } = await sql<{ status: string; verdict: string | null; ms: number | null }>`
        SELECT status, verdict, EXTRACT(EPOCH FROM (completed_at - submitted_at)) * 1000 AS ms FROM submissions WHERE id = ${id}`.execute(h.ctx.db);
      const row = rows[0];
      if (row && (row.status === 'completed' || row.status === 'failed')) {
        if (row.verdict !== 'AC') throw new Error(`submission ${id} ended ${row.status} ${row.verdict}`);
        return { latencyMs: Number(row.ms), observedMs: performance.now() - t0 };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  });
}

function direct(count: number, concurrency: number): Promise<Batch> {
  return closedLoop(count, concurrency, async () => {
    const t0 = performance.now();
    const r = await judgeSubmission({ language: 'python', code: CODE, tests, timeoutMs: 2000, memoryMb: 256 });
    if (r.verdict !== 'AC') throw new Error(`direct judge ended ${r.verdict}`);
    const ms = performance.now() - t0;
    return { latencyMs: ms, observedMs: ms };
  });
}

const probe = await probeSandbox();
if (!probe.available) {
  console.error(`sandbox unavailable: ${probe.reason}`);
  process.exit(1);
}

const h = await createHarness({ env: { RATE_LIMIT_ENABLED: 'false', COLLAB_PLANE_URL: 'http://127.0.0.1:9', LOG_LEVEL: 'silent' } });
const concurrency = h.config.EXECUTION_CONCURRENCY;
const admin = await registerAdmin(h);
const user = await registerUser(h);
const problem = await h.request({
  method: 'POST',
  url: '/problems',
  token: admin.accessToken,
  body: { title: 'Bench sum', description: 'Sum n numbers.', difficulty: 'easy', isPublished: true, timeLimit: 2000, memoryLimit: 256, testCases: tests },
});
if (problem.status !== 201) throw new Error(`problem: ${problem.status} ${JSON.stringify(problem.body).slice(0, 300)}`);
const room = await h.request({ method: 'POST', url: '/rooms', token: user.accessToken, body: { mode: 'ai', language: 'python', problemId: problem.body.id } });
if (room.status !== 201) throw new Error(`room: ${room.status} ${JSON.stringify(room.body)}`);
const roomId = room.body.roomId as string;

let stop = await startExecutionWorker(h.ctx, { analysis: false });
// warm-up: first compiles, JIT, caches
await viaQueue(h, user.accessToken, roomId, 4, clients);
await direct(2, concurrency);

const queued: Batch[] = [];
const paced: Batch[] = [];
const directs: Batch[] = [];
const loads: number[] = [];
for (let r = 0; r < rounds; r++) {
  loads.push(loadavg()[0]!);
  directs.push(await direct(perRound, concurrency));
  paced.push(await viaQueue(h, user.accessToken, roomId, perRound, concurrency));
  queued.push(await viaQueue(h, user.accessToken, roomId, perRound, clients));
}
await stop();
stop = await startExecutionWorker(h.ctx, { analysis: true });
loads.push(loadavg()[0]!);
const withAnalysis = await viaQueue(h, user.accessToken, roomId, perRound, clients);
await stop();

const total = (batches: Batch[]) => {
  const seconds = batches.reduce((s, b) => s + b.seconds, 0);
  const samples = batches.flatMap((b) => b.samples.map((x) => x.latencyMs));
  const observed = summarize(batches.flatMap((b) => b.samples.map((x) => x.observedMs)));
  return { perSecond: samples.length / seconds, ...summarize(samples), observedP50: observed.p50, observedP99: observed.p99 };
};
const q = total(queued);
const p = total(paced);
const d = total(directs);
const a = total([withAnalysis]);
const row = (mode: string, t: ReturnType<typeof total>): Row => ({
  mode,
  submissions: t.count,
  'subs/s': t.perSecond,
  'p50 ms': t.p50,
  'p99 ms': t.p99,
  'max ms': t.max,
  'seen p50 ms': t.observedP50,
  'seen p99 ms': t.observedP99,
});
const rows = [
  row(`judgeSubmission direct (concurrency ${concurrency})`, d),
  row(`HTTP → queue → worker, ${concurrency} clients (no queue wait)`, p),
  row(`HTTP → queue → worker, ${clients} clients (saturated)`, q),
  row(`same, with static analysis on`, a),
];
printTable(`Judged Python submissions, ${TESTS} tests each, ${rounds} interleaved rounds of ${perRound}`, rows);
const ratios = { throughput: q.perSecond / d.perSecond, p50: p.p50 / d.p50, p99: p.p99 / d.p99 };
console.log(
  `queue path sustains ${q.perSecond.toFixed(2)} submissions/s = ${(ratios.throughput * 100).toFixed(0)}% of direct judging; ` +
    `latency with ${concurrency} clients p50 ${ratios.p50.toFixed(2)}× / p99 ${ratios.p99.toFixed(2)}× direct; ` +
    `load average during rounds: ${loads.map((l) => l.toFixed(1)).join(', ')}`,
);
const file = writeResults('execution-throughput', {
  perRound,
  rounds,
  clients,
  workerConcurrency: concurrency,
  tests: TESTS,
  rows,
  ratios,
  loadAverages: loads,
  note: 'latency = completedAt − submittedAt from the read model (queue wait included); seen = POST sent → completion visible to the client; direct = judgeSubmission in process at the worker concurrency; throughput ratio from the saturated row, latency ratios from the unsaturated one',
});
console.log(`results: ${file}`);
await h.close();
process.exit(0);
