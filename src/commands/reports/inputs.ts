/**
 * Gathers what the grader reads for one candidate of one session: the session stream (roles over time), the AI
 * stream `ai-<sessionId>` (hints, interviewer exchanges), the feedback stream `feedback-<sessionId>`, and the read
 * models of the session's code snapshots, runs, submissions (verdicts only — expected and actual outputs are never
 * selected), static analyses, timeline and earlier reports; room chat from the collab plane (empty when it cannot
 * answer).
 */
import { sql } from 'kysely';
import { roleSpans, candidateSegments, type SessionStreamEvent } from '../../domain/report/segments.js';
import type { GradeAnalysis, GradeHint, GradeInput, GradeMessage, GradePeerFeedback, GradeRun, GradeSubmission } from '../../domain/report/types.js';
import { StreamNotFoundError, type EventStore, type RecordedEvent } from '../../infra/eventstore/port.js';
import { reportHistory } from '../../projections/reports/queries.js';
import { findSession } from '../../projections/sessions/queries.js';
import { listTimeline } from '../../projections/timeline/queries.js';
import type { Ports } from '../ports.js';
import { bestEffort } from '../rooms/collab.js';

export class SessionNotGradableError extends Error {}

const at = (e: RecordedEvent) => (typeof e.metadata['occurredAt'] === 'string' ? (e.metadata['occurredAt'] as string) : e.createdAt.toISOString());

async function readAll(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  try {
    for await (const e of store.readStream(stream)) out.push(e);
  } catch (err) {
    if (!(err instanceof StreamNotFoundError)) throw err;
  }
  return out;
}

export async function sessionStreamEvents(store: EventStore, sessionId: string): Promise<SessionStreamEvent[]> {
  return (await readAll(store, `session-${sessionId}`)).map((e) => ({ type: e.type, data: e.data, occurredAt: at(e) }));
}

function aiInputs(events: readonly RecordedEvent[]): { hints: GradeHint[]; messages: GradeMessage[] } {
  const hints: GradeHint[] = [];
  const messages: GradeMessage[] = [];
  for (const e of events) {
    const d = e.data;
    if (e.type === 'HintRequested' && typeof d['userId'] === 'string') {
      hints.push({ requestId: String(d['requestId'] ?? e.id), userId: d['userId'], level: String(d['level'] ?? 'moderate'), requestedAt: at(e) });
    } else if (e.type === 'InterviewerMessageSent' && d['trigger'] !== 'proactive' && typeof d['content'] === 'string' && d['content'].trim() !== '') {
      messages.push({ channel: 'interviewer', authorId: String(d['userId'] ?? ''), text: d['content'], at: at(e) });
    } else if (e.type === 'InterviewerReplied' && typeof d['content'] === 'string' && d['content'].trim() !== '') {
      const question = typeof d['followUpQuestion'] === 'string' && d['followUpQuestion'] ? ` ${d['followUpQuestion']}` : '';
      messages.push({ channel: 'interviewer', authorId: null, text: `${d['content']}${question}`, at: at(e) });
    }
  }
  return { hints, messages };
}

function peerFeedback(events: readonly RecordedEvent[]): GradePeerFeedback[] {
  const latest = new Map<string, GradePeerFeedback>();
  for (const e of events) {
    if (e.type !== 'PeerFeedbackSubmitted') continue;
    const d = e.data;
    const r = d['ratings'] as Record<string, unknown> | null | undefined;
    const n = (v: unknown) => (typeof v === 'number' && v >= 1 && v <= 5 ? Math.round(v) : 3);
    const item: GradePeerFeedback = {
      reviewerId: String(d['reviewerId']),
      targetId: String(d['targetId']),
      // a text-only review has no ratings (the decider guarantees all four or none)
      ratings: r ? { problemSolving: n(r['problemSolving']), communication: n(r['communication']), codeQuality: n(r['codeQuality']), wouldPairAgain: n(r['wouldPairAgain']) } : null,
      comments: typeof d['comments'] === 'string' ? d['comments'] : '',
      submittedAt: at(e),
    };
    latest.set(`${item.reviewerId}:${item.targetId}`, item);
  }
  return [...latest.values()];
}

async function executions(ctx: Pick<Ports, 'db'>, roomId: string, from: string, to: string): Promise<{ runs: GradeRun[]; submissions: GradeSubmission[]; analyses: GradeAnalysis[] }> {
  const [runs, subs, tests, analyses] = await Promise.all([
    sql<{ runId: string; userId: string; createdAt: Date; verdict: string | null; durationMs: number | null }>`
      SELECT id AS "runId", user_id AS "userId", created_at AS "createdAt", verdict, duration_ms AS "durationMs"
      FROM runs WHERE room_id = ${roomId} AND created_at BETWEEN ${from}::timestamptz AND ${to}::timestamptz ORDER BY created_at, id`.execute(ctx.db),
    sql<{ submissionId: string; userId: string; submittedAt: Date; status: string; verdict: string | null; passed: number; total: number; codeHash: string }>`
      SELECT id AS "submissionId", user_id AS "userId", submitted_at AS "submittedAt", status, verdict,
             passed_test_cases AS passed, total_test_cases AS total, code_hash AS "codeHash"
      FROM submissions WHERE room_id = ${roomId} AND submitted_at BETWEEN ${from}::timestamptz AND ${to}::timestamptz ORDER BY submitted_at, id`.execute(ctx.db),
    sql<{ submissionId: string; testCaseIndex: number; isHidden: boolean; verdict: string; passed: boolean | null; timedOut: boolean; durationMs: number | null }>`
      SELECT t.submission_id AS "submissionId", t.test_case_index AS "testCaseIndex", t.is_hidden AS "isHidden", t.verdict, t.passed,
             t.timed_out AS "timedOut", t.duration_ms AS "durationMs"
      FROM submission_test_results t JOIN submissions s ON s.id = t.submission_id
      WHERE s.room_id = ${roomId} ORDER BY t.submission_id, t.test_case_index`.execute(ctx.db),
    sql<{ jobId: string; source: 'run' | 'submission'; sourceId: string; userId: string; createdAt: Date; codeHash: string | null; report: Record<string, unknown> | null }>`
      SELECT a.job_id AS "jobId", a.source, coalesce(a.run_id, a.submission_id) AS "sourceId", a.user_id AS "userId", a.created_at AS "createdAt",
             coalesce(r.code_hash, s.code_hash) AS "codeHash", a.report
      FROM static_analysis_results a LEFT JOIN runs r ON r.id = a.run_id LEFT JOIN submissions s ON s.id = a.submission_id
      WHERE a.room_id = ${roomId} AND a.status = 'completed' AND a.created_at BETWEEN ${from}::timestamptz AND ${to}::timestamptz
      ORDER BY a.created_at, a.job_id`.execute(ctx.db),
  ]);
  const testsBy = new Map<string, GradeSubmission['tests']>();
  for (const t of tests.rows) {
    const list = testsBy.get(t.submissionId) ?? [];
    list.push({ testCaseIndex: t.testCaseIndex, isHidden: t.isHidden, verdict: t.verdict, passed: t.passed, timedOut: t.timedOut, durationMs: t.durationMs });
    testsBy.set(t.submissionId, list);
  }
  return {
    runs: runs.rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
    submissions: subs.rows.map((s) => ({ ...s, submittedAt: s.submittedAt.toISOString(), tests: testsBy.get(s.submissionId) ?? [] })),
    analyses: analyses.rows.map((a) => {
      const report = a.report ?? {};
      const list = <T>(key: string) => (Array.isArray(report[key]) ? (report[key] as T[]) : []);
      return {
        jobId: a.jobId,
        source: a.source,
        sourceId: a.sourceId,
        userId: a.userId,
        createdAt: a.createdAt.toISOString(),
        codeHash: a.codeHash ?? '',
        diagnostics: list<GradeAnalysis['diagnostics'][number]>('diagnostics').map((d) => ({ severity: d.severity, message: String(d.message ?? ''), rule: d.rule ?? null, line: d.line ?? null })),
        complexity: list<GradeAnalysis['complexity'][number]>('complexity'),
        duplications: list<GradeAnalysis['duplications'][number]>('duplications'),
      };
    }),
  };
}

async function finalCodeFor(ctx: Pick<Ports, 'db'>, sessionId: string, until: string): Promise<GradeInput['finalCode']> {
  const { rows } = await sql<{ code: string; language: string; codeHash: string; takenAt: Date }>`
    SELECT code, language, code_hash AS "codeHash", created_at AS "takenAt" FROM code_snapshots
    WHERE session_id = ${sessionId} AND created_at <= ${until}::timestamptz ORDER BY created_at DESC, id DESC LIMIT 1`.execute(ctx.db);
  const r = rows[0];
  return r ? { code: r.code, language: r.language, codeHash: r.codeHash, takenAt: r.takenAt.toISOString() } : null;
}

export async function gatherInputs(ctx: Pick<Ports, 'collab' | 'db' | 'logger' | 'store'>, sessionId: string, userId: string): Promise<GradeInput> {
  const session = await findSession(ctx.db, sessionId);
  if (!session || session.status !== 'finished' || !session.finishedAt) throw new SessionNotGradableError(`session ${sessionId} is not finished`);
  const startedAt = session.startedAt.toISOString();
  const finishedAt = session.finishedAt.toISOString();
  const roles = roleSpans(await sessionStreamEvents(ctx.store, sessionId), finishedAt);
  const segments = candidateSegments(roles, userId);
  if (segments.length === 0) throw new SessionNotGradableError(`user ${userId} was never a candidate of session ${sessionId}`);
  const lastSegmentEnd = segments.map((s) => s.to).sort().at(-1)!;
  const [ai, feedback, exec, finalCode, timeline, history, chat] = await Promise.all([
    readAll(ctx.store, `ai-${sessionId}`),
    readAll(ctx.store, `feedback-${sessionId}`),
    executions(ctx, session.roomId, startedAt, finishedAt),
    finalCodeFor(ctx, sessionId, lastSegmentEnd),
    listTimeline(ctx.db, session.roomId),
    reportHistory(ctx.db, userId, finishedAt, sessionId),
    bestEffort(ctx, 'getChat', (c) => c.getChat(session.roomId, 200)),
  ]);
  const { hints, messages } = aiInputs(ai);
  const chatMessages: GradeMessage[] = (chat?.messages ?? [])
    .map((m) => ({ channel: 'chat' as const, authorId: m.userId, text: m.text, at: new Date(m.createdAt).toISOString() }))
    .filter((m) => m.at >= startedAt && m.at <= finishedAt)
    .sort((a, b) => a.at.localeCompare(b.at) || a.text.localeCompare(b.text));
  return {
    sessionId,
    roomId: session.roomId,
    userId,
    mode: session.mode,
    problem: session.problemId && session.problemTitle ? { id: session.problemId, title: session.problemTitle, difficulty: session.problemDifficulty ?? 'medium' } : null,
    startedAt,
    finishedAt,
    roles,
    finalCode,
    ...exec,
    hints,
    messages: [...chatMessages, ...messages],
    peerFeedback: peerFeedback(feedback),
    timeline: timeline.map((t) => ({ id: t.id, eventType: t.eventType, userId: t.userId, metadata: t.metadata, timestamp: t.timestamp.toISOString() })),
    history,
  };
}
