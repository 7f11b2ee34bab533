/**
 * Problem reads under load: GET /problems?limit=20 (plain and with filters/sorts) and GET /problems/:id, at 50
 * keep-alive connections, against the seeded bank plus 1,000 generated problems with submissions and bookmarks.
 * The server is a whole control plane (harness: real event store, projections, auth) listening on an ephemeral
 * port with rate limits off; the load generator runs in its own process (bench/lib/http-load.ts).
 *   node --import tsx bench/problems-read.ts [measureSeconds=10] [connections=50]
 * Prints a table and writes bench/results/problems-read.json. Besides throughput and latency it reports the server
 * process's CPU time per request over the measured window (and the request rate one fully available core would
 * sustain at that cost), which depends far less than wall-clock figures on what else the machine is running.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import { bookmarkProblem } from '../src/commands/problems/bookmarks.js';
import { seedBank } from '../src/commands/problems/seed-bank.js';
import { createProblem } from '../src/commands/problems/problems.js';
import { systemMetadata } from '../src/commands/metadata.js';
import { LANGUAGES, type Difficulty, type ProblemContent } from '../src/domain/problem/content.js';
import { createHarness } from '../test/support/harness.js';
import { registerUser } from '../test/support/users.js';
import { loadRow, runHttpLoad, spreadRequests, type LoadRequest } from './lib/http-load.js';
import { printTable, writeResults } from './lib/report.js';

const measureSeconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 50);
const GENERATED = 1000;

// A small deterministic generator so every run builds the same data set.
let state = 0x2f6b3c1d;
const rand = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return ((state >>> 0) % 1_000_000) / 1_000_000;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const TAGS = ['arrays', 'strings', 'hash-map', 'two-pointers', 'sliding-window', 'stack', 'heap', 'linked-list', 'trees', 'graphs', 'bfs', 'dfs', 'dynamic-programming', 'greedy', 'intervals', 'sorting', 'math', 'backtracking'];
const COMPANIES = ['Google', 'Meta', 'Amazon', 'Apple', 'Microsoft', 'Netflix', 'Stripe', 'Uber'];
const WORDS = ['array', 'tree', 'graph', 'path', 'window', 'string', 'matrix', 'interval', 'stack', 'queue', 'sum', 'subarray', 'palindrome', 'island', 'cache', 'heap'];
const DIFFICULTIES: Difficulty[] = ['easy', 'medium', 'hard'];

function generated(i: number): ProblemContent {
  const words = Array.from({ length: 3 }, () => pick(WORDS));
  const description = Array.from({ length: 12 }, () => `Given a ${pick(WORDS)} of ${pick(WORDS)}s, compute the ${pick(WORDS)} ${pick(WORDS)}.`).join(' ');
  const tags = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(TAGS)))];
  return {
    title: `${words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ')} ${i}`,
    description,
    difficulty: pick(DIFFICULTIES),
    company: rand() < 0.6 ? pick(COMPANIES) : null,
    constraints: '- `1 <= n <= 10^5`\n- values fit in 32 bits',
    examples: [{ input: '3\n1 2 3\n', output: '6\n', explanation: 'the sum' }],
    starterCode: Object.fromEntries(LANGUAGES.map((l) => [l, `// ${l} starter for problem ${i}\n`.repeat(8)])),
    timeLimitMs: 2000,
    memoryLimitMb: 256,
    tags,
    testCases: Array.from({ length: 8 }, (_, k) => ({
      input: `${k + 1}\n${Array.from({ length: 20 }, () => Math.floor(rand() * 1000)).join(' ')}\n`,
      expectedOutput: `${k}\n`,
      description: null,
      isHidden: k >= 3,
      timeoutMs: null,
      memoryMb: null,
    })),
  };
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map((item, k) => fn(item, i + k)));
}

const h = await createHarness({ env: { RATE_LIMIT_ENABLED: 'false', DB_POOL_SIZE: '20', LOG_LEVEL: 'silent' } });
try {
  const setupStarted = Date.now();
  const seeded = await seedBank(h.ctx);
  const ids: string[] = [];
  await inBatches(Array.from({ length: GENERATED }, (_, i) => i), 16, async (i) => {
    const id = randomUUID();
    const meta = systemMetadata(randomUUID(), new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000));
    await createProblem(h.ctx.store, meta, { problemId: id, slug: null, content: generated(i), isPublished: rand() < 0.95 });
    ids.push(id);
  });
  const user = await registerUser(h);
  const users = [user.id, ...Array.from({ length: 30 }, () => randomUUID())];
  let last = 0n;
  await inBatches(Array.from({ length: 4000 }, (_, i) => i), 32, async () => {
    const submissionId = randomUUID();
    const problemId = pick(ids);
    const userId = pick(users);
    const accepted = rand() < 0.4;
    const r = await h.ctx.store.appendToStream(`submission-${submissionId}`, [
      { id: randomUUID(), type: 'SubmissionRequested', data: { submissionId, roomId: randomUUID(), sessionId: null, problemId, userId, language: 'python', testCaseCount: 8 } },
      { id: randomUUID(), type: 'SubmissionCompleted', data: { submissionId, problemId, userId, roomId: randomUUID(), passed: accepted ? 8 : 3, failed: accepted ? 0 : 5, errors: 0, total: 8, accepted, totalDurationMs: 120 } },
    ]);
    if (r.position.commit > last) last = r.position.commit;
  });
  for (const problemId of ids.slice(0, 60)) {
    const r = await bookmarkProblem(h.ctx.store, systemMetadata(randomUUID()), user.id, problemId).catch(() => undefined);
    if (r?.position && r.position.commit > last) last = r.position.commit;
  }
  const head = (await h.ctx.store.headPosition())!.commit;
  if (!(await h.ctx.progress.waitFor(head > last ? head : last, ['problems', 'problem-stats', 'bookmarks'], 300_000))) throw new Error('projections did not catch up');
  // fresh tables: give the planner real statistics, as autovacuum would in a running system
  await sql`ANALYZE problems, problem_test_cases, problem_stats, problem_attempts, bookmarks`.execute(h.ctx.db);
  const counts = (await sql<{ total: number; published: number; cases: number }>`
    SELECT count(*)::int AS total, count(*) FILTER (WHERE is_published)::int AS published,
      (SELECT count(*)::int FROM problem_test_cases) AS cases FROM problems`.execute(h.ctx.db)).rows[0]!;
  const setupMs = Date.now() - setupStarted;

  const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  const publishedIds = (await sql<{ id: string }>`SELECT id FROM problems WHERE is_published AND deleted_at IS NULL ORDER BY id`.execute(h.ctx.db)).rows.map((r) => r.id);
  const firstPage = await h.app.inject({ method: 'GET', url: '/problems?limit=20&sortBy=title&sortOrder=asc', headers: { authorization: `Bearer ${user.accessToken}` } });
  const cursor = (JSON.parse(firstPage.body) as { pagination: { nextCursor: string } }).pagination.nextCursor;
  const hot = publishedIds[0]!;
  const hotTag = (await h.app.inject({ method: 'GET', url: `/problems/${hot}`, headers: { authorization: `Bearer ${user.accessToken}` } })).headers.etag as string;

  const filtered = [
    '/problems?limit=20&difficulty=medium,hard&tags=arrays,dynamic-programming',
    '/problems?limit=20&status=todo&sortBy=popularity&sortOrder=desc',
    '/problems?limit=20&search=tree&sortBy=title&sortOrder=asc',
    '/problems?limit=20&company=Google&sortBy=totalSubmissions&sortOrder=desc',
    '/problems?limit=20&tags=graphs&difficulty=hard&sortBy=acceptance&sortOrder=asc',
    '/problems?limit=20&status=solved,attempted&sortBy=difficulty&sortOrder=asc',
    `/problems?limit=20&sortBy=title&sortOrder=asc&cursor=${cursor}`,
  ];
  const scenarios: Array<{ name: string; paths: string[]; headers?: Record<string, string>; expectStatus: number }> = [
    { name: 'GET /problems?limit=20', paths: ['/problems?limit=20'], expectStatus: 200 },
    { name: 'GET /problems?limit=20 + filters/sorts (7 mixes)', paths: filtered, expectStatus: 200 },
    { name: 'GET /problems/:id (all problems)', paths: publishedIds.map((id) => `/problems/${id}`), expectStatus: 200 },
    { name: 'GET /problems/:id If-None-Match → 304', paths: [`/problems/${hot}`], headers: { 'if-none-match': hotTag }, expectStatus: 304 },
  ];

  const rows: Array<Record<string, string | number>> = [];
  const details: Array<Record<string, unknown>> = [];
  for (const s of scenarios) {
    const headers = { authorization: `Bearer ${user.accessToken}`, ...s.headers };
    const requests: LoadRequest[] = s.paths.map((p) => ({ method: 'GET', path: p, headers }));
    const { result, server } = await runHttpLoad({
      base,
      connections: spreadRequests(requests, connections),
      warmupMs: 3000,
      measureMs: measureSeconds * 1000,
      expectStatus: s.expectStatus,
    });
    const cpuPerRequest = server.cpuMsPerRequest;
    rows.push({ ...loadRow(s.name, result, server), 'req/s per core': Math.round(1000 / cpuPerRequest) });
    const { sent: _sent, ...summary } = result;
    details.push({ scenario: s.name, paths: s.paths.length, ...summary, serverCpuPercent: server.cpuPercent, serverCpuMsPerRequest: cpuPerRequest });
  }

  printTable(`Problem reads at ${connections} connections, ${measureSeconds} s each (${counts.published} published problems of ${counts.total}, ${counts.cases} test cases)`, rows);
  const file = writeResults('problems-read', {
    connections,
    measureSeconds,
    warmupSeconds: 3,
    dataSet: {
      bankProblems: seeded.created.length + seeded.updated.length + seeded.unchanged.length,
      generatedProblems: GENERATED,
      problemsTotal: counts.total,
      problemsPublished: counts.published,
      testCases: counts.cases,
      submissions: 4000,
      setupMs,
    },
    server: 'whole control plane in this process (harness: Postgres event store, projections, auth), DB pool 20, rate limits off',
    generator: 'separate process (bench/lib/http-load.ts), closed loop, keep-alive',
    loadAverageAtEnd: os.loadavg(),
    results: details,
  });
  console.log(`\nwritten to ${file}`);
} finally {
  await h.close();
}
