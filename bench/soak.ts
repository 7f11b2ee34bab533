/**
 * Soak: mixed traffic at 80 % of a maximum measured first (the baseline, same run), against the whole system in a
 * process of its own (`serve --role all`: API, projectors, workers, collab) on a schema and Redis prefix of its own.
 * Goals (reliability): 0 errors, and flat memory — the server's RSS at the end at most 1.1x its RSS at minute 2.
 *
 *   node --import tsx bench/soak.ts            a smoke run: 60 s (early RSS sample at half time)
 *   node --import tsx bench/soak.ts --full     the goal's run: 10 minutes (early sample at minute 2)
 *   SOAK_DURATION_S=900 node --import tsx bench/soak.ts
 *
 * Rate limits are the product's defaults (per user: the global limit, runs, submissions, joins): the load is spread
 * over enough users that none of them comes near its budget — the number of actors (a host and a candidate sharing
 * a room) is chosen after the probe from the target rate, so a 429 means the server limited a user who stayed
 * within SOAK_BUDGET_SHARE (default 0.6) of the limit. The users are registered by the command in the bench's own
 * process (bench/lib/setup-users.ts), so no limit is raised at all. Answers are counted in classes: 2xx; 429 (by error code); other 4xx;
 * 5xx; no answer. "Errors" = everything but 2xx and 429, and the 429s are reported beside them. The generator keeps
 * at most 200 requests in flight (under the server's per-address connection cap, which also counts the heartbeat
 * connections); requests past that are shed by the generator and reported, never sent.
 *
 * The actors' rooms get a collab-plane heartbeat every 20 s (not counted), as connected editors would, so the
 * scheduled presence sweep keeps them; the rooms POST /rooms creates on the side are swept and finished by it.
 * Traffic mix (per request): GET /users/me 35 %, GET /rooms/:id 25 %, GET /problems 15 %, GET /rooms 10 %,
 * POST /rooms 10 %, POST /rooms/:id/ready 5 %; and one POST /rooms/:id/run (sandboxed, judged by the worker) every
 * 400 requests. Reads alternate between a room's host and its candidate. SOAK_CREATE_ROOMS=0 turns the POST /rooms
 * share into reads (to tell memory held by new rooms from a leak).
 * Phase 1 (baseline): closed loop at SOAK_PROBE_CONNECTIONS (default 32) for SOAK_PROBE_S (default 10) seconds →
 * the maximum rate. Phase 2: open loop at SOAK_LOAD (default 0.8) × that rate.
 * The server runs with the memory settings of bin/syncode (bench/lib/runtime-settings.ts). RSS is sampled every
 * 5 s; the V8 heap (bench/lib/memory-probe.ts) at the early sample and at the end. Each figure is printed with the
 * load average. Prints tables and writes bench/results/soak.json.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { grantAdmin } from '../src/commands/identity/admin.js';
import { systemMetadata } from '../src/commands/metadata.js';
import { loadConfig } from '../src/config.js';
import { http as call, startCluster, until, type Cluster, type ClusterUser, type RoleProcess } from '../test/platform/faults-support.js';
import type { MemorySample } from './lib/memory-probe.js';
import { registerDirect, usersReady } from './lib/setup-users.js';
import { runtimeSettings } from './lib/runtime-settings.js';
import { BENCH_SERVER_ENV } from './lib/server-env.js';
import { mb, procMemory } from './lib/proc-memory.js';
import { printTable, summarize, writeResults } from './lib/report.js';

const FULL_S = 600;
const DURATION_S = Number(process.env.SOAK_DURATION_S ?? (process.argv.includes('--full') ? FULL_S : 60));
const PROBE_S = Number(process.env.SOAK_PROBE_S ?? 10);
const PROBE_CONNECTIONS = Number(process.env.SOAK_PROBE_CONNECTIONS ?? 32);
const LOAD = Number(process.env.SOAK_LOAD ?? 0.8);
const BUDGET_SHARE = Number(process.env.SOAK_BUDGET_SHARE ?? 0.6);
const MAX_IN_FLIGHT = 200;
const CREATE_ROOMS = process.env.SOAK_CREATE_ROOMS !== '0';
const RSS_EVERY_MS = 5000;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const LIMITS = loadConfig({});

interface Op {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  user: ClusterUser;
  body?: unknown;
}

type Outcome = '2xx' | '429' | '4xx' | '5xx' | 'no answer';

interface Sample {
  name: string;
  status: number;
  ms: number;
  /** The error code of a non-2xx answer, or the network error of a request without one. */
  code?: string;
}

const outcomeOf = (s: Sample): Outcome =>
  s.status === 0 ? 'no answer' : s.status < 300 && s.status >= 200 ? '2xx' : s.status === 429 ? '429' : s.status >= 500 ? '5xx' : '4xx';
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });

function send(base: URL, op: Op): Promise<Sample> {
  const started = performance.now();
  const payload = op.body === undefined ? undefined : JSON.stringify(op.body);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: op.method,
        path: op.path,
        agent,
        headers: { authorization: `Bearer ${op.user.token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        timeout: 30_000,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        // the body is kept only for error answers (their code)
        res.on('data', (c: Buffer) => (status >= 300 ? chunks.push(c) : undefined));
        res.on('end', () => {
          const sample: Sample = { name: op.name, status, ms: performance.now() - started };
          if (status >= 300) sample.code = errorCode(Buffer.concat(chunks).toString());
          resolve(sample);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ name: op.name, status: 0, ms: performance.now() - started, code: err.message }));
    req.end(payload);
  });
}

function errorCode(body: string): string {
  try {
    return String((JSON.parse(body) as { code?: string }).code ?? 'no code');
  } catch {
    return 'not JSON';
  }
}

interface Actor {
  host: ClusterUser;
  candidate: ClusterUser;
  roomId: string;
}

async function addActors(cluster: Cluster, problemId: string, actors: Actor[], count: number): Promise<void> {
  const users: ClusterUser[] = [];
  for (let done = 0; done < count * 2; done += 10) users.push(...(await Promise.all(Array.from({ length: Math.min(10, count * 2 - done) }, () => registerDirect(cluster)))));
  await usersReady(cluster);
  for (let done = 0; done < count; done += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, count - done) }, async (_x, k) => {
        const [host, candidate] = [users[(done + k) * 2]!, users[(done + k) * 2 + 1]!];
        const room = await call(cluster.apiUrl, 'POST', '/rooms', { token: host.token, body: { mode: 'peer', language: 'python', problemId, config: { maxParticipants: 2, isPrivate: false } } });
        if (room.status !== 201) throw new Error(`POST /rooms answered ${room.status}: ${JSON.stringify(room.body)}`);
        const joined = await call(cluster.apiUrl, 'POST', `/rooms/${room.body.roomId}/join`, { token: candidate.token, body: { roomCode: room.body.roomCode } });
        if (joined.status !== 200) throw new Error(`POST /rooms/:id/join answered ${joined.status}: ${JSON.stringify(joined.body)}`);
        return { host, candidate, roomId: room.body.roomId as string };
      }),
    );
    actors.push(...batch);
  }
}

/** The traffic mix, dealt over the actors in turn. */
function opSource(actors: readonly Actor[]): () => Op {
  let seq = 0;
  return () => {
    const a = actors[seq % actors.length]!;
    const either = Math.floor(seq / actors.length) % 2 === 0 ? a.host : a.candidate;
    if (seq % 400 === 399) {
      seq++;
      return { name: 'POST /rooms/:id/run', method: 'POST', path: `/rooms/${a.roomId}/run`, user: a.candidate, body: { language: 'python', code: 'print(1)\n' } };
    }
    const pick = (seq++ * 7919) % 100; // a fixed, well-spread sequence
    if (pick < 35) return { name: 'GET /users/me', method: 'GET', path: '/users/me', user: either };
    if (pick < 60) return { name: 'GET /rooms/:id', method: 'GET', path: `/rooms/${a.roomId}`, user: either };
    if (pick < 75) return { name: 'GET /problems', method: 'GET', path: '/problems?limit=20', user: either };
    if (pick < 85) return { name: 'GET /rooms', method: 'GET', path: '/rooms?limit=20', user: either };
    if (pick < 95) {
      return CREATE_ROOMS
        ? { name: 'POST /rooms', method: 'POST', path: '/rooms', user: a.host, body: { mode: 'peer', language: 'python' } }
        : { name: 'GET /rooms/:id', method: 'GET', path: `/rooms/${a.roomId}`, user: either };
    }
    return { name: 'POST /rooms/:id/ready', method: 'POST', path: `/rooms/${a.roomId}/ready`, user: a.candidate };
  };
}

/** Asks the server's memory probe for a sample (as the heap stands; the soak runs without --expose-gc). */
async function heapSample(proc: RoleProcess, dir: string): Promise<MemorySample | undefined> {
  const before = new Set(readdirSync(dir));
  proc.child.kill('SIGURG');
  const file = await until('the memory probe', async () => readdirSync(dir).find((f) => f.endsWith('.json') && !before.has(f)), 30_000).catch(() => undefined);
  return file ? (JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as MemorySample) : undefined;
}

const probeDir = mkdtempSync(path.join(os.tmpdir(), 'syncode-soak-'));
// the server runs with the memory settings bin/syncode deploys
const runtime = runtimeSettings();
const cluster = await startCluster({
  nodeArgs: [...runtime.nodeArgs, '--import', path.join(HERE, 'lib/memory-probe.ts')],
  env: {
    ...runtime.env,
    RATE_LIMIT_ENABLED: 'true',
    RATE_LIMIT_GLOBAL_PER_MIN: String(LIMITS.RATE_LIMIT_GLOBAL_PER_MIN),
    RATE_LIMIT_RUN_PER_MIN: String(LIMITS.RATE_LIMIT_RUN_PER_MIN),
    RATE_LIMIT_SUBMIT_PER_MIN: String(LIMITS.RATE_LIMIT_SUBMIT_PER_MIN),
    RATE_LIMIT_JOIN_PER_MIN: String(LIMITS.RATE_LIMIT_JOIN_PER_MIN),
    RATE_LIMIT_AUTH_PER_MIN: String(LIMITS.RATE_LIMIT_AUTH_PER_MIN),
    ...BENCH_SERVER_ENV,
    DB_POOL_SIZE: '20',
    MEMORY_PROBE_DIR: probeDir,
  },
});
try {
  // the log line that says the process is up is at info level
  const server = await cluster.start('all', { LOG_LEVEL: 'info' });
  const pid = server.child.pid!;
  const base = new URL(cluster.apiUrl);
  const admin = await registerDirect(cluster);
  await grantAdmin(cluster.ctx, systemMetadata(randomUUID()), { userId: admin.id });
  const problem = await until('the admin role', async () => {
    const res = await call(cluster.apiUrl, 'POST', '/problems', {
      token: admin.token,
      body: { title: `Sum ${randomUUID().slice(0, 8)}`, description: 'Add.', difficulty: 'easy', isPublished: true, timeLimit: 2000, memoryLimit: 256, testCases: [{ input: '1 2\n', expectedOutput: '3\n' }] },
    });
    return res.status === 201 ? (res.body as { id: string }) : undefined;
  }, 30_000);
  const actors: Actor[] = [];
  await addActors(cluster, problem.id, actors, Number(process.env.SOAK_ACTORS ?? 150));

  // what the collab plane does for connected users: heartbeats keep the actors active through the presence sweep
  const heartbeat = () =>
    fetch(`${cluster.apiUrl}/internal/participants/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-secret': cluster.config.INTERNAL_CALLBACK_SECRET },
      body: JSON.stringify({ participants: actors.flatMap((a) => [a.host, a.candidate].map((u) => ({ roomId: a.roomId, userId: u.id }))) }),
    }).then((r) => {
      if (r.status !== 201) console.error(`heartbeat answered ${r.status}`);
    }, () => console.error('heartbeat failed'));
  await heartbeat();
  const heartbeats = setInterval(() => void heartbeat(), 20_000);
  const nextOp = opSource(actors);

  // phase 1: the maximum, closed loop
  const probeSamples: Sample[] = [];
  const probeEnd = Date.now() + PROBE_S * 1000;
  await Promise.all(
    Array.from({ length: PROBE_CONNECTIONS }, async () => {
      while (Date.now() < probeEnd) probeSamples.push(await send(base, nextOp()));
    }),
  );
  const probeOk = probeSamples.filter((s) => outcomeOf(s) === '2xx').length;
  const maxRps = probeOk / PROBE_S;
  const targetRps = maxRps * LOAD;
  // enough users that the busiest (a candidate: about 55 % of its actor's requests) stays within its share of the
  // per-user limit, counted in the limiter's 60 s windows
  const perActorBudget = (LIMITS.RATE_LIMIT_GLOBAL_PER_MIN * BUDGET_SHARE) / 0.55 / 60;
  const needed = Math.ceil(targetRps / perActorBudget);
  if (needed > actors.length) await addActors(cluster, problem.id, actors, needed - actors.length);
  await heartbeat();
  console.log(
    `maximum ${maxRps.toFixed(0)} req/s (${probeSamples.length - probeOk} non-2xx while probing); soaking at ${targetRps.toFixed(0)} req/s for ${DURATION_S} s over ${actors.length} rooms (${actors.length * 2} users)`,
  );

  // phase 2: open loop at the target rate
  const samples: Sample[] = [];
  const perUser = new Map<string, number>();
  const rss: Array<{ atS: number; mb: number; loadavg: string }> = [{ atS: 0, mb: mb(procMemory(pid).rss), loadavg: loadavg() }];
  const earlyAt = DURATION_S >= 240 ? 120 : Math.round(DURATION_S / 2);
  let earlyHeap: Promise<MemorySample | undefined> | undefined;
  let inFlight = 0;
  let shed = 0;
  const started = Date.now();
  const rssTimer = setInterval(() => {
    const atS = Math.round((Date.now() - started) / 1000);
    rss.push({ atS, mb: mb(procMemory(pid).rss), loadavg: loadavg() });
    if (!earlyHeap && atS >= earlyAt) earlyHeap = heapSample(server, probeDir);
  }, RSS_EVERY_MS);
  await new Promise<void>((resolve) => {
    let sent = 0;
    const tick = setInterval(() => {
      const elapsed = (Date.now() - started) / 1000;
      if (elapsed >= DURATION_S) {
        clearInterval(tick);
        const wait = setInterval(() => {
          if (inFlight > 0) return;
          clearInterval(wait);
          resolve();
        }, 50);
        return;
      }
      const due = Math.floor(elapsed * targetRps) - sent;
      for (let i = 0; i < due; i++) {
        sent++;
        if (inFlight >= MAX_IN_FLIGHT) {
          shed++;
          continue;
        }
        inFlight++;
        const op = nextOp();
        perUser.set(op.user.id, (perUser.get(op.user.id) ?? 0) + 1);
        void send(base, op).then((s) => {
          inFlight--;
          samples.push(s);
        });
      }
    }, 10);
  });
  clearInterval(rssTimer);
  clearInterval(heartbeats);
  rss.push({ atS: DURATION_S, mb: mb(procMemory(pid).rss), loadavg: loadavg() });
  const alive = server.alive();
  if (!alive) console.error(`the server process ended during the soak; its last output:\n${server.output().slice(-4000)}`);
  const heap = { early: await earlyHeap, end: alive ? await heapSample(server, probeDir) : undefined };

  const early = rss.reduce((best, r) => (Math.abs(r.atS - earlyAt) < Math.abs(best.atS - earlyAt) ? r : best), rss[0]!);
  const end = rss[rss.length - 1]!;
  const count = (list: Sample[], o: Outcome) => list.filter((s) => outcomeOf(s) === o).length;
  const byName = new Map<string, Sample[]>();
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const rows = [...byName.entries()].map(([name, list]) => {
    const t = summarize(list.map((s) => s.ms));
    return { operation: name, requests: list.length, '2xx': count(list, '2xx'), 'limited (429)': count(list, '429'), 'other 4xx': count(list, '4xx'), '5xx': count(list, '5xx'), 'no answer': count(list, 'no answer'), p50_ms: t.p50, p99_ms: t.p99, max_ms: t.max };
  });
  const achievedRps = samples.length / DURATION_S;
  printTable(`Soak: ${samples.length} requests in ${DURATION_S} s at ${achievedRps.toFixed(0)} req/s (${((achievedRps / maxRps) * 100).toFixed(0)} % of the measured maximum)`, rows);
  const codes: Record<string, number> = {};
  for (const s of samples) if (outcomeOf(s) !== '2xx') codes[`${s.status} ${s.code ?? ''}`.trim()] = (codes[`${s.status} ${s.code ?? ''}`.trim()] ?? 0) + 1;
  const errors = samples.length - count(samples, '2xx') - count(samples, '429');
  const busiest = Math.max(...perUser.values());
  const busiestPerMin = busiest / (DURATION_S / 60);
  const ratio = end.mb / early.mb;
  printTable('Errors, rate limits and memory', [
    { figure: 'maximum (closed loop, baseline)', value: Math.round(maxRps), unit: 'req/s', loadavg: rss[0]!.loadavg },
    { figure: 'soak rate / maximum', value: Number((achievedRps / maxRps).toFixed(2)), unit: 'ratio', loadavg: '' },
    { figure: 'errors: 4xx (not 429), 5xx, no answer (goal 0)', value: errors, unit: 'requests', loadavg: '' },
    { figure: '429 answers', value: count(samples, '429'), unit: 'requests', loadavg: '' },
    { figure: `busiest user (limit ${LIMITS.RATE_LIMIT_GLOBAL_PER_MIN}/min)`, value: Math.round(busiestPerMin), unit: 'req/min', loadavg: '' },
    { figure: `requests shed by the generator (${MAX_IN_FLIGHT} in flight)`, value: shed, unit: 'requests', loadavg: '' },
    { figure: `server RSS at ${early.atS} s`, value: Math.round(early.mb), unit: 'MB', loadavg: early.loadavg },
    { figure: 'server RSS at the end', value: Math.round(end.mb), unit: 'MB', loadavg: end.loadavg },
    { figure: 'RSS end / early (goal ≤ 1.1)', value: Number(ratio.toFixed(3)), unit: 'ratio', loadavg: '' },
    ...(['early', 'end'] as const).flatMap((k) => {
      const h = heap[k]?.asIs;
      return h ? [{ figure: `heap used / total at ${k === 'early' ? `${early.atS} s` : 'the end'}`, value: `${Math.round(mb(h.heapUsed))} / ${Math.round(mb(h.heapTotal))}`, unit: 'MB', loadavg: '' }] : [];
    }),
  ]);
  if (Object.keys(codes).length > 0) printTable('Answers other than 2xx, by status and code', Object.entries(codes).map(([code, n]) => ({ code, requests: n })));
  const file = writeResults(CREATE_ROOMS ? 'soak' : 'soak-no-room-creation', {
    durationS: DURATION_S,
    runtime,
    probe: { seconds: PROBE_S, connections: PROBE_CONNECTIONS, maxRps, nonOk: probeSamples.length - probeOk },
    targetRps,
    achievedRps,
    users: actors.length * 2,
    rateLimits: { globalPerMin: LIMITS.RATE_LIMIT_GLOBAL_PER_MIN, runPerMin: LIMITS.RATE_LIMIT_RUN_PER_MIN, budgetShare: BUDGET_SHARE, busiestUserPerMin: busiestPerMin },
    serverSurvived: alive,
    errors,
    rateLimited: count(samples, '429'),
    answersByCode: codes,
    shed,
    rss: { early, end, ratio, goal: 1.1, met: ratio <= 1.1, samples: rss },
    heap,
    operations: rows,
  });
  console.log(`\nwrote ${file}`);
} finally {
  agent.destroy();
  await cluster.close();
  rmSync(probeDir, { recursive: true, force: true });
}
