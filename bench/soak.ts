/**
 * Soak: mixed traffic at 80 % of a maximum measured first, for SOAK_DURATION_S seconds (default 600), against the
 * whole system in a process of its own (`serve --role all`: API, projectors, workers, collab) on a schema and Redis
 * prefix of its own. Reports errors (any answer that is not the expected 2xx, any failed request) and the server's
 * RSS at minute 2 against the end (goal: at most 1.1x; with a run shorter than 4 minutes the early sample is taken
 * at half time instead and the table says so).
 *
 * The actors' rooms get a collab-plane heartbeat every 20 s (not counted), as connected editors would, so the
 * scheduled presence sweep keeps them; the rooms POST /rooms creates on the side are swept and finished by it.
 * Traffic mix (per request): GET /users/me 35 %, GET /rooms/:id 25 %, GET /problems 15 %, GET /rooms 10 %,
 * POST /rooms 10 %, POST /rooms/:id/ready 5 %; and one POST /rooms/:id/run (sandboxed, judged by the worker) every
 * 400 requests, a rate the workers drain on this machine.
 * Phase 1 (baseline, same run): closed loop at SOAK_PROBE_CONNECTIONS (default 32) for SOAK_PROBE_S (default 20)
 * seconds → the maximum rate. Phase 2: open loop at SOAK_LOAD (default 0.8) × that rate, at most 256 in flight.
 *   SOAK_DURATION_S=600 node --import tsx bench/soak.ts
 * Prints a table and writes bench/results/soak.json.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { grantAdmin } from '../src/commands/identity/admin.js';
import { systemMetadata } from '../src/commands/metadata.js';
import { http as call, register, startCluster, until, type ClusterUser } from '../test/platform/faults-support.js';
import { printTable, summarize, writeResults } from './lib/report.js';

const DURATION_S = Number(process.env.SOAK_DURATION_S ?? 600);
const PROBE_S = Number(process.env.SOAK_PROBE_S ?? 20);
const PROBE_CONNECTIONS = Number(process.env.SOAK_PROBE_CONNECTIONS ?? 32);
const LOAD = Number(process.env.SOAK_LOAD ?? 0.8);
const MAX_IN_FLIGHT = 256;
/** SOAK_CREATE_ROOMS=0 turns the POST /rooms share into reads (to tell memory held by new rooms from a leak). */
const CREATE_ROOMS = process.env.SOAK_CREATE_ROOMS !== '0';
const USERS = 24;

interface Op {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  token: string;
  body?: unknown;
}

interface Sample {
  name: string;
  status: number;
  ms: number;
  /** The network error of a request that got no answer (status 0). */
  error?: string;
}

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
        headers: { authorization: `Bearer ${op.token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ name: op.name, status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ name: op.name, status: 0, ms: performance.now() - started, error: err.message }));
    req.end(payload);
  });
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
}

interface Actor {
  host: ClusterUser;
  candidate: ClusterUser;
  roomId: string;
}

const cluster = await startCluster({
  env: {
    RATE_LIMIT_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: '20',
    SEED_ON_START: 'false',
    SCHEDULER_ENABLED: 'true',
    SWEEPER_INTERVAL_MS: '30000',
    SWEEPER_GRACE_MS: '30000',
    EXECUTION_JOB_LOCK_MS: '30000',
    EXECUTION_STALLED_CHECK_MS: '15000',
  },
});
try {
  // the log line that says the process is up is at info level
  const server = await cluster.start('all', { LOG_LEVEL: 'info' });
  const base = new URL(cluster.apiUrl);
  const admin = await register(cluster.apiUrl);
  await grantAdmin(cluster.ctx, systemMetadata(randomUUID()), { userId: admin.id });
  const problem = await until('the admin role', async () => {
    const res = await call(cluster.apiUrl, 'POST', '/problems', {
      token: admin.token,
      body: { title: `Sum ${randomUUID().slice(0, 8)}`, description: 'Add.', difficulty: 'easy', isPublished: true, timeLimit: 2000, memoryLimit: 256, testCases: [{ input: '1 2\n', expectedOutput: '3\n' }] },
    });
    return res.status === 201 ? (res.body as { id: string }) : undefined;
  }, 30_000);
  const actors: Actor[] = [];
  for (let i = 0; i < USERS; i++) {
    const [host, candidate] = await Promise.all([register(cluster.apiUrl), register(cluster.apiUrl)]);
    const room = await call(cluster.apiUrl, 'POST', '/rooms', { token: host.token, body: { mode: 'peer', language: 'python', problemId: problem.id, config: { maxParticipants: 2, isPrivate: false } } });
    await call(cluster.apiUrl, 'POST', `/rooms/${room.body.roomId}/join`, { token: candidate.token, body: { roomCode: room.body.roomCode } });
    actors.push({ host, candidate, roomId: room.body.roomId });
  }

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

  let seq = 0;
  const nextOp = (): Op => {
    const a = actors[seq % actors.length]!;
    if (seq % 400 === 399) {
      seq++;
      return { name: 'POST /rooms/:id/run', method: 'POST', path: `/rooms/${a.roomId}/run`, token: a.candidate.token, body: { language: 'python', code: 'print(1)\n' } };
    }
    const pick = (seq++ * 7919) % 100; // a fixed, well-spread sequence
    if (pick < 35) return { name: 'GET /users/me', method: 'GET', path: '/users/me', token: a.candidate.token };
    if (pick < 60) return { name: 'GET /rooms/:id', method: 'GET', path: `/rooms/${a.roomId}`, token: a.host.token };
    if (pick < 75) return { name: 'GET /problems', method: 'GET', path: '/problems?limit=20', token: a.candidate.token };
    if (pick < 85) return { name: 'GET /rooms', method: 'GET', path: '/rooms?limit=20', token: a.host.token };
    if (pick < 95) {
      return CREATE_ROOMS
        ? { name: 'POST /rooms', method: 'POST', path: '/rooms', token: a.host.token, body: { mode: 'peer', language: 'python' } }
        : { name: 'GET /rooms/:id', method: 'GET', path: `/rooms/${a.roomId}`, token: a.host.token };
    }
    return { name: 'POST /rooms/:id/ready', method: 'POST', path: `/rooms/${a.roomId}/ready`, token: a.candidate.token };
  };
  const ok = (s: Sample) => s.status >= 200 && s.status < 300;

  // phase 1: the maximum, closed loop
  const probeSamples: Sample[] = [];
  const probeEnd = Date.now() + PROBE_S * 1000;
  await Promise.all(
    Array.from({ length: PROBE_CONNECTIONS }, async () => {
      while (Date.now() < probeEnd) probeSamples.push(await send(base, nextOp()));
    }),
  );
  const maxRps = probeSamples.filter(ok).length / PROBE_S;
  const targetRps = maxRps * LOAD;
  console.log(`maximum ${maxRps.toFixed(0)} req/s (${probeSamples.length - probeSamples.filter(ok).length} errors while probing); soaking at ${targetRps.toFixed(0)} req/s for ${DURATION_S} s`);

  // phase 2: open loop at the target rate
  const samples: Sample[] = [];
  const rss: Array<{ atS: number; mb: number }> = [{ atS: 0, mb: rssMb(server.child.pid!) }];
  let inFlight = 0;
  let shed = 0;
  const started = Date.now();
  const rssTimer = setInterval(() => rss.push({ atS: Math.round((Date.now() - started) / 1000), mb: rssMb(server.child.pid!) }), 10_000);
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
        void send(base, nextOp()).then((s) => {
          inFlight--;
          samples.push(s);
        });
      }
    }, 10);
  });
  clearInterval(rssTimer);
  clearInterval(heartbeats);
  rss.push({ atS: DURATION_S, mb: rssMb(server.child.pid!) });

  const earlyAt = DURATION_S >= 240 ? 120 : Math.round(DURATION_S / 2);
  const early = rss.reduce((best, r) => (Math.abs(r.atS - earlyAt) < Math.abs(best.atS - earlyAt) ? r : best), rss[0]!);
  const end = rss[rss.length - 1]!;
  const errors = samples.filter((s) => !ok(s));
  const byName = new Map<string, Sample[]>();
  for (const s of samples) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const rows = [...byName.entries()].map(([name, list]) => {
    const t = summarize(list.map((s) => s.ms));
    return { operation: name, requests: list.length, errors: list.filter((s) => !ok(s)).length, p50_ms: t.p50, p99_ms: t.p99, max_ms: t.max };
  });
  printTable(`Soak: ${samples.length} requests in ${DURATION_S} s at ${(samples.length / DURATION_S).toFixed(0)} req/s (${(((samples.length / DURATION_S) / maxRps) * 100).toFixed(0)} % of the measured maximum)`, rows);
  const statuses: Record<string, number> = {};
  for (const e of errors) statuses[String(e.status)] = (statuses[String(e.status)] ?? 0) + 1;
  const networkErrors = [...new Set(errors.flatMap((e) => (e.error ? [`${e.name}: ${e.error}`] : [])))];
  if (networkErrors.length > 0) console.log(`requests without an answer: ${networkErrors.join('; ')}`);
  printTable('Errors and memory', [
    { figure: 'maximum (closed loop, baseline)', value: Math.round(maxRps), unit: 'req/s' },
    { figure: 'soak rate / maximum', value: Number((samples.length / DURATION_S / maxRps).toFixed(2)), unit: 'ratio' },
    { figure: 'errors (non-2xx or failed)', value: errors.length, unit: JSON.stringify(statuses) },
    { figure: 'requests shed by the generator (256 in flight)', value: shed, unit: 'requests' },
    { figure: `server RSS at ${early.atS} s`, value: Math.round(early.mb), unit: 'MB' },
    { figure: 'server RSS at the end', value: Math.round(end.mb), unit: 'MB' },
    { figure: 'RSS end / early (goal ≤ 1.1)', value: Number((end.mb / early.mb).toFixed(3)), unit: 'ratio' },
  ]);
  const file = writeResults(CREATE_ROOMS ? 'soak' : 'soak-no-room-creation', {
    durationS: DURATION_S,
    probe: { seconds: PROBE_S, connections: PROBE_CONNECTIONS, maxRps },
    targetRps,
    achievedRps: samples.length / DURATION_S,
    errors: errors.length,
    errorStatuses: statuses,
    shed,
    rss: { early, end, ratio: end.mb / early.mb, samples: rss },
    operations: rows,
  });
  console.log(`\nwrote ${file}`);
} finally {
  agent.destroy();
  await cluster.close();
}
