/**
 * The reports module's numbers for the users endpoints (src/projections/users/usage.ts): submissions, solved
 * problems and the average report score per bucket of GET /users/me/stats, and distinct problems solved and the
 * daily streak in the profile stats.
 */
import { sql } from 'kysely';
import type { Db } from '../../infra/db/database.js';
import { bucketStartOf, profileStatsSources, statsSeriesSources, type StatsBucket, type StatsBucketSize } from '../users/usage.js';

type Range = { from: Date; to: Date; bucket: StatsBucketSize };

function add(out: Map<string, Partial<StatsBucket>>, at: Date, bucket: StatsBucketSize, part: Partial<StatsBucket>): void {
  const key = bucketStartOf(at, bucket).toISOString();
  const current = out.get(key) ?? {};
  out.set(key, {
    ...current,
    submissions: (current.submissions ?? 0) + (part.submissions ?? 0),
    solved: (current.solved ?? 0) + (part.solved ?? 0),
    ...(part.avgScore !== undefined ? { avgScore: part.avgScore } : {}),
  });
}

/** Submissions made, and problems first solved (the first accepted submission per problem) in each bucket. */
export async function submissionSeries(db: Db, userId: string, range: Range): Promise<Map<string, Partial<StatsBucket>>> {
  const { rows } = await sql<{ submittedAt: Date; firstSolve: boolean }>`
    SELECT s.submitted_at AS "submittedAt",
           (s.verdict = 'AC' AND s.passed_test_cases = s.total_test_cases AND s.total_test_cases > 0 AND NOT EXISTS (
              SELECT 1 FROM submissions e WHERE e.user_id = s.user_id AND e.problem_id = s.problem_id AND e.verdict = 'AC'
                AND e.passed_test_cases = e.total_test_cases AND (e.submitted_at, e.id) < (s.submitted_at, s.id))) AS "firstSolve"
    FROM submissions s
    WHERE s.user_id = ${userId} AND s.submitted_at >= ${range.from} AND s.submitted_at <= ${range.to}`.execute(db);
  const out = new Map<string, Partial<StatsBucket>>();
  for (const r of rows) add(out, r.submittedAt, range.bucket, { submissions: 1, solved: r.firstSolve ? 1 : 0 });
  return out;
}

/** Average overall score of the reports of sessions finished in each bucket (null where none scored). */
export async function scoreSeries(db: Db, userId: string, range: Range): Promise<Map<string, Partial<StatsBucket>>> {
  const { rows } = await sql<{ finishedAt: Date; score: number }>`
    SELECT s.finished_at AS "finishedAt", r.overall_score AS score
    FROM session_reports r JOIN sessions s ON s.id = r.session_id
    WHERE r.user_id = ${userId} AND r.status = 'completed' AND r.overall_score IS NOT NULL
      AND s.finished_at >= ${range.from} AND s.finished_at <= ${range.to}
      AND NOT EXISTS (SELECT 1 FROM session_deletions d WHERE d.session_id = s.id AND d.user_id = ${userId})`.execute(db);
  const sums = new Map<string, { sum: number; n: number }>();
  for (const r of rows) {
    const key = bucketStartOf(r.finishedAt, range.bucket).toISOString();
    const s = sums.get(key) ?? { sum: 0, n: 0 };
    sums.set(key, { sum: s.sum + r.score, n: s.n + 1 });
  }
  const out = new Map<string, Partial<StatsBucket>>();
  for (const [key, s] of sums) out.set(key, { avgScore: Math.round((s.sum / s.n) * 10) / 10 });
  return out;
}

export async function solvedProblemCount(db: Db, userId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(DISTINCT problem_id)::int AS n FROM submissions
    WHERE user_id = ${userId} AND verdict = 'AC' AND passed_test_cases = total_test_cases AND total_test_cases > 0`.execute(db);
  return rows[0]?.n ?? 0;
}

/**
 * Consecutive UTC days, ending today (or yesterday: today may not have started yet), on which the user finished a
 * session or submitted code.
 */
export async function streakDays(db: Db, userId: string, now = new Date()): Promise<number> {
  const since = new Date(now.getTime() - 400 * 86_400_000);
  const { rows } = await sql<{ day: string }>`
    SELECT to_char(d, 'YYYY-MM-DD') AS day FROM (
      SELECT (submitted_at AT TIME ZONE 'UTC')::date AS d FROM submissions WHERE user_id = ${userId} AND submitted_at >= ${since}
      UNION
      SELECT (s.finished_at AT TIME ZONE 'UTC')::date FROM sessions s JOIN session_participants p ON p.session_id = s.id AND p.user_id = ${userId}
      WHERE s.status = 'finished' AND s.finished_at >= ${since}
    ) days`.execute(db);
  const active = new Set(rows.map((r) => r.day));
  const dayOf = (offset: number) => new Date(now.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
  const start = active.has(dayOf(0)) ? 0 : 1;
  let streak = 0;
  while (active.has(dayOf(start + streak))) streak++;
  return streak;
}

let registered = false;

/** Adds the readers once per process. */
export function registerReportUsage(): void {
  if (registered) return;
  registered = true;
  statsSeriesSources.push(submissionSeries, scoreSeries);
  profileStatsSources.push({
    projections: ['submissions', 'sessions'],
    read: async (db, userId) => ({ totalProblems: await solvedProblemCount(db, userId), streakDays: await streakDays(db, userId) }),
  });
}
