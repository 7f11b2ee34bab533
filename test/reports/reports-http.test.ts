/**
 * Training reports over HTTP, with sessions played for real (collab plane, sandboxed judge, report worker):
 * GET /sessions/:id/report (errors, strong ETag, 304, ETag across a restart), history/detail scores and sorting,
 * compare, weaknesses, stats, admin overview and user detail, re-grade after peer feedback, the regrade CLI and the
 * read models against a rebuild.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { generateReport } from '../../src/commands/reports/generate.js';
import { GRADER_VERSION } from '../../src/domain/report/grader.js';
import { openAiNarrator } from '../../src/workers/reports/openai-narrator.js';
import { reportsCli } from '../../src/commands/reports/regrade.js';
import { buildApp } from '../../src/http/app.js';
import { routeModules } from '../../src/http/modules.js';
import { verifyProjection } from '../../src/projections/verify.js';
import { closeContext, createContext } from '../../src/composition/create-context.js';
import { wire } from '../../src/composition/wiring.js';
import { sweepLostWork } from '../../src/workers/sweeper/sweep.js';
import type { Peer } from '../collab/support.js';
import { DEFAULT_PASSWORD } from '../support/users.js';
import { expectError, newUser, post, type TestUser } from '../rooms/support.js';
import { get, HIDDEN_EXPECTED, HIDDEN_INPUT, playSession, reportHarness, reportOf, REVERSE_OK, REVERSE_WRONG, type PlayedSession, type ReportHarness } from './support.js';

jest.setTimeout(120_000);

let h: ReportHarness;
const peers: Peer[] = [];
let me: TestUser;
let good: PlayedSession;
let wrong: PlayedSession;
let stranger: TestUser;
let signedInBeforeActivity: { user?: { stats: Record<string, number> } };

const signIn = async (user: TestUser) =>
  (await h.request({ method: 'POST', url: '/auth/login', body: { identifier: user.username, password: DEFAULT_PASSWORD } })).body;

beforeAll(async () => {
  h = await reportHarness();
  me = await newUser(h);
  stranger = await newUser(h);
  signedInBeforeActivity = await signIn(me);
  good = await playSession(h, { candidate: me, code: REVERSE_OK, run: true, hint: 'moderate', explain: 'I will reverse the line with a slice because it is a single pass, O(n).' }, peers);
  wrong = await playSession(h, { candidate: me, code: REVERSE_WRONG }, peers);
}, 180_000);

afterAll(async () => {
  for (const p of peers) p.destroy();
  await h?.close();
}, 60_000);

const lines = (code: string) => code.split(/\r\n|\r|\n/);

describe('GET /sessions/:sessionId/report', () => {
  it("the candidate's report: five dimensions, every evidence item real, hidden cases never shown", async () => {
    const res = await reportOf(h, me, good.sessionId);
    const report = res.body;
    expect(report.sessionId).toBe(good.sessionId);
    expect(report.generatedAt).toMatch(/Z$/);
    expect(Object.keys(report.dimensions).sort()).toEqual(['codeQuality', 'communication', 'correctness', 'efficiency', 'problemSolving']);
    expect(report.dimensions.correctness.score).toBe(100);
    expect(report.overallScore).toBeGreaterThan(50);
    expect(report.categoryScores.correctness).toBe(100);
    // the hint cost problem-solving points and is cited by its timeline timestamp
    expect(report.dimensions.problemSolving.evidence.some((e: any) => /Moderate hint requested/.test(e.description))).toBe(true);
    expect(report.dimensions.communication.score).not.toBeNull();
    // the static analysis of the submitted (= final) code was read
    expect(report.dimensions.codeQuality.feedback).not.toMatch(/No static analysis ran/);

    const timeline = (await get(h, me, `/sessions/${good.sessionId}/timeline`)).body.data.map((e: any) => e.timestamp);
    const finalCode = (await get(h, me, `/sessions/${good.sessionId}`)).body.latestCodeSnapshot.code;
    expect(finalCode).toBe(REVERSE_OK);
    let cited = 0;
    for (const dim of Object.values(report.dimensions) as any[]) {
      for (const e of dim.evidence) {
        cited++;
        if (e.type === 'event_timestamp') expect(timeline).toContain(e.reference);
        if (e.type === 'code_snippet') expect(finalCode).toContain(e.reference);
        if (e.type === 'code_line') {
          const m = /^L(\d+)(?:-L(\d+))?: (.*)$/s.exec(e.reference)!;
          expect(lines(finalCode).slice(Number(m[1]) - 1, Number(m[2] ?? m[1])).join('\n')).toContain(m[3]!.replace(/ ?…$/, ''));
        }
      }
    }
    expect(cited).toBeGreaterThan(2);
    const body = JSON.stringify(report);
    expect(body).not.toContain(HIDDEN_INPUT);
    expect(body).not.toContain(HIDDEN_EXPECTED);
    expect(report.testCaseBreakdown).toHaveLength(3);
    expect(Object.keys(report.testCaseBreakdown[2]).sort()).toEqual(['isHidden', 'passed', 'testCaseIndex', 'timedOut', 'verdict']);
  });

  it('a strong ETag; If-None-Match answers 304; the tag survives a restart of the API', async () => {
    const first = await reportOf(h, me, good.sessionId);
    const etag = String(first.headers['etag']);
    expect(etag).toMatch(/^"[^"]+"$/);
    const again = await get(h, me, `/sessions/${good.sessionId}/report`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.raw.body).toBe('');
    expect((await get(h, me, `/sessions/${good.sessionId}/report`, { 'if-none-match': '"something-else"' })).status).toBe(200);

    // a new API process on the same schema: same tag, same body
    const ctx = await createContext({ ...h.config });
    try {
      await wire(ctx);
      const app = await buildApp(ctx, routeModules);
      await app.ready();
      const res = await app.inject({ method: 'GET', url: `/sessions/${good.sessionId}/report`, headers: { authorization: `Bearer ${me.token}` } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['etag']).toBe(etag);
      expect(JSON.parse(res.body)).toEqual(first.body);
      await app.close();
    } finally {
      await closeContext(ctx);
    }
  });

  it('errors: interviewer → REPORT_UNAVAILABLE, stranger → 403, unknown → 404, malformed → 400, ongoing candidate → NOT_READY', async () => {
    expectError(await get(h, good.host, `/sessions/${good.sessionId}/report`), 404, 'SESSION_REPORT_UNAVAILABLE');
    expectError(await get(h, stranger, `/sessions/${good.sessionId}/report`), 403, 'SESSION_NOT_PARTICIPANT');
    expectError(await get(h, me, '/sessions/6f1d7a56-1111-4222-8333-444455556666/report'), 404, 'SESSION_NOT_FOUND');
    expect((await get(h, me, '/sessions/not-a-uuid/report')).status).toBe(400);
    const open = await playSession(h, { code: REVERSE_OK, finish: false }, peers);
    expectError(await get(h, open.candidate, `/sessions/${open.sessionId}/report`), 404, 'SESSION_REPORT_NOT_READY');
    expectError(await get(h, h.admin, `/sessions/${good.sessionId}/report`), 404, 'SESSION_REPORT_UNAVAILABLE');
  });

  it('while no worker grades, the report is pending (NOT_READY); the sweeper re-enqueues it, and past its deadline grades it in place', async () => {
    await h.stopReports();
    const s = await playSession(h, { code: REVERSE_OK }, peers);
    expectError(await get(h, s.candidate, `/sessions/${s.sessionId}/report`), 404, 'SESSION_REPORT_NOT_READY');
    const work = `report:report-${s.sessionId}-${s.candidate.id}`;
    expect((await sweepLostWork(h.ctx, new Date(Date.now() + 1000))).requeued).toEqual([work]);
    // still no worker: past the deadline the sweeper settles it deterministically — never pending for ever
    expect((await sweepLostWork(h.ctx, new Date(Date.now() + h.config.SWEEPER_DEADLINE_MS + 1000))).failed).toEqual([work]);
    expect((await reportOf(h, s.candidate, s.sessionId)).body.dimensions.correctness.score).toBe(100);
    await h.startReports();
  });

  it('a late joiner who took the candidate seat gets a report of their own, graded on their own work', async () => {
    const late = await newUser(h);
    const s = await playSession(h, { code: REVERSE_OK, lateCandidate: late }, peers);
    expect((await reportOf(h, late, s.sessionId)).body.dimensions.correctness.score).toBe(100);
    // the one who left was a candidate too: a report, but the late joiner's submission is not theirs
    expect((await reportOf(h, s.candidate, s.sessionId)).body.dimensions.correctness.score).toBeNull();
  });

  it('after a role swap both candidates get a report over their own segment', async () => {
    const s = await playSession(h, { code: REVERSE_OK, swapTo: REVERSE_WRONG }, peers);
    expect((await reportOf(h, s.candidate, s.sessionId)).body.dimensions.correctness.score).toBe(100);
    expect((await reportOf(h, s.host, s.sessionId)).body.dimensions.correctness.score).toBe(0);
  });
});

describe('reports in history, detail, compare, weaknesses and stats', () => {
  it('history and detail show my score and report; sortBy=overallScore orders by it', async () => {
    const goodReport = (await reportOf(h, me, good.sessionId)).body;
    const wrongReport = (await reportOf(h, me, wrong.sessionId)).body;
    expect(wrongReport.dimensions.correctness.score).toBe(0);
    const list = (await get(h, me, '/sessions?sortBy=overallScore&sortOrder=desc')).body.data;
    expect(list.map((s: any) => s.sessionId)).toEqual([good.sessionId, wrong.sessionId]);
    expect(list[0]).toMatchObject({ hasReport: true, overallScore: goodReport.overallScore });
    const asc = (await get(h, me, '/sessions?sortBy=overallScore&sortOrder=asc&limit=1')).body;
    expect(asc.data[0].sessionId).toBe(wrong.sessionId);
    const next = (await get(h, me, `/sessions?sortBy=overallScore&sortOrder=asc&limit=1&cursor=${encodeURIComponent(asc.pagination.nextCursor)}`)).body;
    expect(next.data[0].sessionId).toBe(good.sessionId);
    const detail = (await get(h, me, `/sessions/${good.sessionId}`)).body;
    expect(detail.hasReport).toBe(true);
    expect(detail.report).toEqual(goodReport);
    const hostView = (await get(h, good.host, `/sessions/${good.sessionId}`)).body;
    expect({ hasReport: hostView.hasReport, report: hostView.report }).toEqual({ hasReport: false, report: null });
  });

  it('GET /sessions/compare: oldest first with per-dimension deltas; 2–5 readable ids or 400', async () => {
    const res = await get(h, me, `/sessions/compare?ids=${wrong.sessionId},${good.sessionId}`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((d: any) => d.sessionId)).toEqual([good.sessionId, wrong.sessionId]);
    expect(res.body.deltas.correctness).toBe(-100);
    expect(res.body.deltas.overallScore).toBe(res.body.data[1].overallScore - res.body.data[0].overallScore);
    expectError(await get(h, me, `/sessions/compare?ids=${good.sessionId}`), 400, 'VALIDATION_FAILED');
    expectError(await get(h, me, `/sessions/compare?ids=${good.sessionId},nope`), 400, 'VALIDATION_FAILED');
    expectError(await get(h, me, `/sessions/compare?ids=${Array.from({ length: 6 }, (_, i) => `6f1d7a56-1111-4222-8333-44445555666${i}`).join(',')}`), 400, 'VALIDATION_FAILED');
    expectError(await get(h, stranger, `/sessions/compare?ids=${good.sessionId},${wrong.sessionId}`), 400, 'VALIDATION_FAILED');
    expectError(await get(h, me, '/sessions/compare'), 400, 'VALIDATION_FAILED');
  });

  it('GET /users/me/weaknesses: categories with their sessions; a session I removed no longer counts', async () => {
    const first = (await get(h, me, '/users/me/weaknesses')).body.data;
    const edge = first.find((w: any) => w.category === 'edge_cases');
    expect(edge).toMatchObject({ frequency: 1, trend: expect.stringMatching(/^(improving|stable|worsening)$/), description: expect.any(String), lastSeenAt: expect.stringMatching(/Z$/) });
    expect(edge.sessions).toEqual([{ sessionId: wrong.sessionId, problemName: expect.any(String), reportedAt: expect.stringMatching(/Z$/), score: 0 }]);
    expect((await h.request({ method: 'DELETE', url: `/sessions/${wrong.sessionId}`, token: me.token })).status).toBe(204);
    const after = (await get(h, me, '/users/me/weaknesses')).body.data;
    expect(after.find((w: any) => w.category === 'edge_cases')).toBeUndefined();
    expect((await h.request({ method: 'GET', url: '/users/me/weaknesses' })).status).toBe(401);
  });

  it('GET /users/me/stats: sessions, submissions, solved and average score per day', async () => {
    const series = (await get(h, me, '/users/me/stats?bucket=day')).body.series;
    const today = series[series.length - 1];
    const goodScore = (await reportOf(h, me, good.sessionId)).body.overallScore;
    expect(today).toMatchObject({ sessions: 2, submissions: 2, solved: 1 });
    // the removed session's report no longer counts in the average
    expect(today.avgScore).toBe(goodScore);
    // the profile: one problem solved (twice attempted), active today
    expect((await get(h, me, '/users/me')).body.stats).toMatchObject({ totalProblems: 1, streakDays: 1 });
    expect((await get(h, stranger, '/users/me')).body.stats).toMatchObject({ totalProblems: 0, streakDays: 0 });
    // a sign-in answers the same statistics, not the ones it answered before the sessions
    expect(signedInBeforeActivity.user?.stats).toEqual({ totalSessions: 0, totalProblems: 0, streakDays: 0 });
    const signedIn = (await signIn(me)).user?.stats;
    expect(signedIn).toMatchObject({ totalSessions: 1, totalProblems: 1, streakDays: 1 }); // one session was removed above
    expect(signedIn).toEqual((await get(h, me, '/users/me')).body.stats);
  });
});

describe('admin', () => {
  it('GET /admin/overview: counts from the read models; not for users', async () => {
    const res = await get(h, h.admin, '/admin/overview');
    expect(res.status).toBe(200);
    const o = res.body;
    expect(o.users.total).toBeGreaterThanOrEqual(4);
    expect(o.users.banned).toBe(0);
    // everyone who joined a room this week is active (12 hosts and candidates so far), the admin and the stranger only if they logged in
    expect(o.users.active7d).toBeGreaterThanOrEqual(12);
    expect(o.users.active7d).toBeLessThanOrEqual(o.users.total);
    expect(o.sessions.total).toBe(6);
    expect(o.sessions.today).toBe(o.sessions.total);
    const { rows } = await h.ctx.pool.query('SELECT (SELECT count(*) FROM runs)::int + (SELECT count(*) FROM submissions)::int AS n');
    expect(o.executions.today).toBe(rows[0].n);
    expect(o.executions.today).toBeGreaterThanOrEqual(7);
    expect(o.ai.today).toBe(2);
    expect(o.rooms.byStatus.finished).toBeGreaterThanOrEqual(4);
    expect(o.rooms.active).toBe(o.rooms.byStatus.waiting + o.rooms.byStatus.warmup + o.rooms.byStatus.coding + o.rooms.byStatus.wrapup);
    expect(o.queues['reports.generate']).toEqual({ waiting: 0, active: expect.any(Number), failed: 0 });
    expect(Object.keys(o.queues)).toEqual(expect.arrayContaining(['execution.run-code', 'execution.static-analysis', 'ai.generate-hint', 'ai.interview-response']));
    expectError(await get(h, me, '/admin/overview'), 403, 'FORBIDDEN');
  });

  it('GET /admin/users/:id lists recent sessions with the report score', async () => {
    const res = await get(h, h.admin, `/admin/users/${me.id}`);
    expect(res.status).toBe(200);
    const recent = res.body.recentSessions.find((s: any) => s.sessionId === good.sessionId);
    expect(recent).toMatchObject({ role: 'candidate', hasReport: true, overallScore: (await reportOf(h, me, good.sessionId)).body.overallScore });
  });
});

describe('re-grading', () => {
  it('peer feedback about the candidate re-grades the report: the summary appears, the ETag changes, history is kept', async () => {
    const before = await reportOf(h, me, good.sessionId);
    expect(before.body.peerFeedbackSummary).toBeNull();
    const fb = await post(h, good.host, `/sessions/${good.sessionId}/feedback`, {
      candidateId: me.id,
      ratings: { problemSolving: 5, communication: 4, codeQuality: 4, wouldPairAgain: 5 },
      feedbackText: 'Explained the approach clearly and tested the edge cases.',
    });
    expect(fb.status).toBe(201);
    const start = Date.now();
    let after = before;
    while (Date.now() - start < 15_000) {
      after = await reportOf(h, me, good.sessionId);
      if (after.body.peerFeedbackSummary) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(after.body.peerFeedbackSummary).toMatchObject({ averageRating: 4.5, wouldPairAgain: 1, reviewCount: 1 });
    expect(after.body.peerFeedbackSummary.themes).toEqual(expect.arrayContaining(['clear communication', 'edge cases', 'testing']));
    expect(after.headers['etag']).not.toBe(before.headers['etag']);
    const { rows } = await h.ctx.pool.query('SELECT count(*)::int AS n FROM session_report_versions WHERE session_id = $1 AND user_id = $2', [good.sessionId, me.id]);
    expect(rows[0].n).toBe(2);
  });

  it('`syncode reports regrade`: the same events give the same report (unchanged); unknown grader → usage error', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const before = await reportOf(h, me, good.sessionId);
      expect(await reportsCli(h.ctx, ['regrade', good.sessionId])).toBe(0);
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/\[1\/1\] session .* unchanged .*\ndone: 1 graded, 0 recorded, 1 unchanged, 0 failed/);
      const after = await reportOf(h, me, good.sessionId);
      expect(after.headers['etag']).toBe(before.headers['etag']);
      expect(await reportsCli(h.ctx, ['regrade', '--all'])).toBe(0);
      expect(await reportsCli(h.ctx, ['regrade', '--all', '--grader', 'nope'])).toBe(2);
      expect(await reportsCli(h.ctx, ['regrade'])).toBe(2);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });
});

describe('the LLM narrative (an OpenAI-compatible server speaking chat completions)', () => {
  async function chatServer(answer: (body: any) => { status: number; content: string }) {
    const seen: any[] = [];
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const body = JSON.parse(raw);
        seen.push({ url: req.url, auth: req.headers.authorization, body });
        const { status, content } = answer(body);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'c1', object: 'chat.completion', model: body.model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const close = () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections(); // the client's keep-alive sockets would hold the server open
      });
    return { url, seen, close };
  }

  it('rewrites the text, its scores clamped near the grader and its evidence verified; a failing LLM leaves the deterministic report', async () => {
    const s = await playSession(h, { code: REVERSE_WRONG }, peers);
    const base = (await reportOf(h, s.candidate, s.sessionId)).body;
    const llm = await chatServer((body) => ({
      status: 200,
      content: JSON.stringify({
        dimensions: {
          correctness: { score: 95, feedback: 'The program echoes the line instead of reversing it.', evidence: [{ type: 'code_line', reference: 'L2: print(line)', description: 'prints unchanged' }, { type: 'code_line', reference: 'L9: made up', description: 'x' }] },
        },
        strengths: ['Reads the input correctly'],
        detailedFeedback: `Rewritten for ${body.model}.`,
      }),
    }));
    try {
      const client = { timeoutMs: 5000, maxRetries: 0, retryBaseMs: 10, retryAfterMaxMs: 10 };
      const narrator = openAiNarrator({ ...client, baseUrl: llm.url, apiKey: 'k-test', model: 'coach-model' });
      const outcome = await generateReport(h.ctx, s.sessionId, s.candidate.id, { narrator });
      expect(outcome.model).toBe('coach-model');
      const projected = (position: { commit: bigint } | undefined) => h.ctx.progress.waitFor(position!.commit, ['session-reports'], 10_000);
      expect(await projected(outcome.position)).toBe(true);
      expect(llm.seen[0]).toMatchObject({ url: '/v1/chat/completions', auth: 'Bearer k-test', body: { model: 'coach-model', response_format: { type: 'json_object' } } });
      expect(JSON.stringify(llm.seen[0].body)).not.toContain(HIDDEN_EXPECTED);
      const report = (await reportOf(h, s.candidate, s.sessionId)).body;
      expect(report.dimensions.correctness.score).toBe(10); // 0 from the grader, the LLM's 95 clamped to +10
      expect(report.dimensions.correctness.feedback).toBe('The program echoes the line instead of reversing it.');
      expect(report.dimensions.correctness.evidence.map((e: any) => e.reference)).toContain('L2: print(line)');
      expect(report.dimensions.correctness.evidence.map((e: any) => e.reference)).not.toContain('L9: made up');
      expect(report.detailedFeedback).toBe('Rewritten for coach-model.');
      expect(report.dimensions.efficiency).toEqual(base.dimensions.efficiency);

      const broken = await chatServer(() => ({ status: 500, content: 'overloaded' }));
      try {
        const failed = await generateReport(h.ctx, s.sessionId, s.candidate.id, { narrator: openAiNarrator({ ...client, baseUrl: broken.url, apiKey: '', model: 'coach-model' }) });
        expect(failed.model).toBe(GRADER_VERSION);
        expect(await projected(failed.position)).toBe(true);
        const back = (await reportOf(h, s.candidate, s.sessionId)).body;
        expect(back.dimensions).toEqual(base.dimensions);
      } finally {
        await broken.close();
      }
    } finally {
      await llm.close();
    }
  });
});

describe('read models', () => {
  it('session-reports, weaknesses and daily-activity equal a rebuild from the events', async () => {
    await h.stopReports();
    await h.projections.stop();
    for (const p of h.ctx.projections.filter((x) => ['session-reports', 'weaknesses', 'daily-activity'].includes(x.name))) {
      const r = await verifyProjection(h.ctx.db, h.ctx.schema, h.ctx.store, p);
      expect({ projection: r.projection, equal: r.equal, differences: r.differences }).toEqual({ projection: p.name, equal: true, differences: [] });
    }
  });
});
