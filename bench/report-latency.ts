/**
 * Session finish → training report readable over HTTP, with the deterministic grader, over N sessions finished for
 * real (rooms over HTTP, the collab plane taking the final snapshot, the report worker reacting to SessionFinished).
 * The baseline measured in the same run is the finish request itself (its response already waits for the read
 * models); the report latency is measured from the same instant. Goal: p99 ≤ 2 s (the product promise is 60 s).
 * Also the grader's own CPU cost per report, on generated sessions of realistic size.
 *   node --import tsx bench/report-latency.ts [sessions=50] [concurrency=1]
 */
import { grade } from '../src/domain/report/grader.js';
import { startReportWorker } from '../src/workers/reports/start.js';
import { gradeInput } from '../test/reports/fixtures.js';
import { startStandaloneCollab, type StandaloneCollab } from '../src/collab/standalone.js';
import { inProcessControlPlaneCallbacks } from '../src/composition/collab-callbacks.js';
import { createHttpCollabClient } from '../src/infra/collab-client/index.js';
import { createHarness, type Harness } from '../test/support/harness.js';
import { registerUser } from '../test/support/users.js';
import { printTable, summarize, writeResults } from './lib/report.js';

const sessions = Number(process.argv[2] ?? 50);
const concurrency = Number(process.argv[3] ?? 1);

type User = { id: string; token: string };

async function newUser(h: Harness): Promise<User> {
  const u = await registerUser(h);
  return { id: u.id, token: u.accessToken };
}

async function call(h: Harness, user: User, url: string, body?: unknown) {
  const res = await h.request({ method: 'POST', url, token: user.token, ...(body !== undefined ? { body } : {}) });
  if (res.status >= 300) throw new Error(`${url} answered ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

const transition = (h: Harness, user: User, roomId: string, targetStatus: string) => call(h, user, `/rooms/${roomId}/control/transition`, { targetStatus });

/** A control plane on its own schema with a real collab plane next to it (finishing takes its final snapshot). */
async function harnessWithCollab(): Promise<Harness & { collab: StandaloneCollab }> {
  let collab: StandaloneCollab | undefined;
  const h = await createHarness({
    env: { RATE_LIMIT_ENABLED: 'false' },
    setup: async (ctx) => {
      collab = await startStandaloneCollab({
        db: ctx.db,
        database: { url: ctx.config.DATABASE_URL, schema: ctx.schema },
        callbacks: inProcessControlPlaneCallbacks(ctx),
        secrets: { collabJwtSecret: ctx.config.COLLAB_JWT_SECRET, internalSecret: ctx.config.INTERNAL_CALLBACK_SECRET },
        host: '127.0.0.1',
        port: 0,
        options: { snapshotIntervalMs: 3_600_000 },
      });
      const client = createHttpCollabClient({ baseUrl: `http://127.0.0.1:${collab.port}`, secret: ctx.config.INTERNAL_CALLBACK_SECRET });
      ctx.collab = client;
      ctx.closers.push(async () => client.shutdown());
    },
  });
  return Object.assign(h, { collab: collab! });
}

async function readyToFinish(h: Harness) {
  const host = await newUser(h);
  const candidate = await newUser(h);
  const created = await call(h, host, '/rooms', { mode: 'peer', language: 'python' });
  await call(h, candidate, `/rooms/${created.body.roomId}/join`, { roomCode: created.body.roomCode });
  await call(h, host, `/rooms/${created.body.roomId}/ready`);
  await call(h, candidate, `/rooms/${created.body.roomId}/ready`);
  await transition(h, host, created.body.roomId, 'warmup');
  await transition(h, host, created.body.roomId, 'coding');
  const { sessionId } = (await h.request({ method: 'GET', url: `/rooms/${created.body.roomId}`, token: host.token })).body;
  return { host, candidate, roomId: created.body.roomId as string, sessionId: sessionId as string };
}

async function finishAndWait(h: Harness, s: Awaited<ReturnType<typeof readyToFinish>>): Promise<{ finishMs: number; reportMs: number }> {
  const started = performance.now();
  await transition(h, s.host, s.roomId, 'finished');
  const finishMs = performance.now() - started;
  for (;;) {
    const res = await h.request({ method: 'GET', url: `/sessions/${s.sessionId}/report`, token: s.candidate.token });
    if (res.status === 200) return { finishMs, reportMs: performance.now() - started };
    if (res.body?.code !== 'SESSION_REPORT_NOT_READY') throw new Error(`report answered ${res.status} ${res.body?.code}`);
    if (performance.now() - started > 60_000) throw new Error('report not ready within 60 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function graderCpu(n: number) {
  const inputs = Array.from({ length: n }, (_, i) =>
    gradeInput({
      runs: [{ minute: 3 + (i % 5) }, { minute: 9, verdict: 'RE' }],
      hints: [{ minute: 6, level: 'moderate' }],
      submissions: [
        { minute: 10, verdicts: ['AC', 'WA', 'AC', 'TLE', 'AC', 'AC', 'WA', 'AC'], hidden: 4 },
        { minute: 18, verdicts: Array.from({ length: 20 }, (_, j) => (j % 7 === 0 ? 'WA' : 'AC')), hidden: 10 },
      ],
      messages: Array.from({ length: 12 }, (_, j) => ({ minute: j * 2, from: j % 2 === 0 ? ('candidate' as const) : ('interviewer' as const), text: 'I would use a hash map here because lookups are O(1); what about empty input?' })),
    }),
  );
  for (const input of inputs.slice(0, 20)) grade(input); // warm-up
  const baselineStart = process.cpuUsage();
  for (const input of inputs) JSON.parse(JSON.stringify(input));
  const baseline = process.cpuUsage(baselineStart);
  const start = process.cpuUsage();
  for (const input of inputs) grade(input);
  const used = process.cpuUsage(start);
  return { graderMs: (used.user + used.system) / 1000 / n, copyMs: (baseline.user + baseline.system) / 1000 / n };
}

const h = await harnessWithCollab();
const stopWorker = await startReportWorker(h.ctx);
const prepared: Array<Awaited<ReturnType<typeof readyToFinish>>> = [];
for (let i = 0; i < sessions; i++) prepared.push(await readyToFinish(h));
const finish: number[] = [];
const report: number[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < prepared.length) {
      const s = prepared[next++]!;
      const r = await finishAndWait(h, s);
      finish.push(r.finishMs);
      report.push(r.reportMs);
    }
  }),
);
await stopWorker();
await h.collab.close();
await h.close();

const finishStats = summarize(finish);
const reportStats = summarize(report);
const cpu = graderCpu(500);
printTable(`Session finish → report readable over HTTP, ${sessions} sessions, ${concurrency} finishing at once (ms)`, [
  { measure: 'finish request (baseline)', ...finishStats },
  { measure: 'finish → report 200', ...reportStats },
]);
printTable('Grader CPU per report (ms), generated sessions', [
  { measure: 'deep copy of the inputs (baseline)', ms: cpu.copyMs },
  { measure: 'deterministic grader', ms: cpu.graderMs },
]);
const ok = reportStats.p99 <= 2000;
console.log(
  `report p99 ${reportStats.p99.toFixed(0)} ms (goal ≤ 2000 ms: ${ok ? 'met' : 'NOT met'}); ${(reportStats.p99 / finishStats.p99).toFixed(2)}× the finish request's p99; ` +
    `grader ${cpu.graderMs.toFixed(2)} ms CPU per report (${(cpu.graderMs / cpu.copyMs).toFixed(1)}× a deep copy of its inputs)`,
);
writeResults('report-latency', {
  sessions,
  concurrency,
  finish: finishStats,
  report: reportStats,
  ratioP99: reportStats.p99 / finishStats.p99,
  goalP99Ms: 2000,
  goalMet: ok,
  graderCpuMsPerReport: cpu.graderMs,
  copyCpuMsPerReport: cpu.copyMs,
});
process.exit(0);
