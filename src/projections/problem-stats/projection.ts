/**
 * Submission statistics per problem and per user, from the execution module's events on `submission-<id>`:
 *   SubmissionRequested {submissionId, roomId, sessionId|null, problemId, userId, language, testCaseCount}
 *   SubmissionCompleted {submissionId, problemId, userId, roomId, passed, failed, errors, total, accepted, totalDurationMs}
 * A request counts as an attempt of its user; a completion counts towards the problem's total and, when every test
 * passed, its accepted submissions and the user's solved flag. Each submission is counted once (ledger row).
 */
import { sql } from 'kysely';
import { type Projection, type Trx } from '../projection.js';
import { UUID_PATTERN as UUID } from '../../domain/shared/ids.js';

export const SUBMISSION_EVENT_TYPES = ['SubmissionRequested', 'SubmissionCompleted'] as const;


interface Ledger {
  requested: boolean;
  completed: boolean;
}

async function ledgerRow(trx: Trx, submissionId: string): Promise<Ledger | undefined> {
  const { rows } = await sql<Ledger>`
    SELECT requested, completed FROM problem_stat_submissions WHERE submission_id = ${submissionId}`.execute(trx);
  return rows[0];
}

async function countAttempt(trx: Trx, userId: string, problemId: string, solved: boolean): Promise<void> {
  await sql`
    INSERT INTO problem_attempts (user_id, problem_id, attempts, solved) VALUES (${userId}, ${problemId}, 1, ${solved})
    ON CONFLICT (user_id, problem_id)
    DO UPDATE SET attempts = problem_attempts.attempts + 1, solved = problem_attempts.solved OR EXCLUDED.solved`.execute(trx);
}

export const problemStatsProjection: Projection = {
  name: 'problem-stats',
  version: 1,
  eventTypes: SUBMISSION_EVENT_TYPES,
  tables: ['problem_stat_submissions', 'problem_stats', 'problem_attempts'],
  async apply(trx, event) {
    const data = event.data as Record<string, unknown>;
    const submissionId = data['submissionId'];
    const problemId = data['problemId'];
    const userId = data['userId'];
    // Submissions outside a problem (or malformed ones) carry no statistic.
    if (typeof submissionId !== 'string' || typeof userId !== 'string' || typeof problemId !== 'string' || !UUID.test(problemId)) return;
    const seen = await ledgerRow(trx, submissionId);

    if (event.type === 'SubmissionRequested') {
      if (seen?.requested) return;
      if (seen) await sql`UPDATE problem_stat_submissions SET requested = true WHERE submission_id = ${submissionId}`.execute(trx);
      else {
        await sql`
          INSERT INTO problem_stat_submissions (submission_id, problem_id, user_id, requested, completed, accepted)
          VALUES (${submissionId}, ${problemId}, ${userId}, true, false, false)`.execute(trx);
      }
      // A completion seen first has already counted this attempt.
      if (!seen?.completed) await countAttempt(trx, userId, problemId, false);
      return;
    }

    if (event.type === 'SubmissionCompleted') {
      if (seen?.completed) return;
      const accepted = data['accepted'] === true;
      if (seen) {
        await sql`UPDATE problem_stat_submissions SET completed = true, accepted = ${accepted} WHERE submission_id = ${submissionId}`.execute(trx);
      } else {
        await sql`
          INSERT INTO problem_stat_submissions (submission_id, problem_id, user_id, requested, completed, accepted)
          VALUES (${submissionId}, ${problemId}, ${userId}, false, true, ${accepted})`.execute(trx);
      }
      await sql`
        INSERT INTO problem_stats (problem_id, total_submissions, accepted_submissions) VALUES (${problemId}, 1, ${accepted ? 1 : 0})
        ON CONFLICT (problem_id) DO UPDATE SET
          total_submissions = problem_stats.total_submissions + 1,
          accepted_submissions = problem_stats.accepted_submissions + EXCLUDED.accepted_submissions`.execute(trx);
      if (seen?.requested) {
        if (accepted) await sql`UPDATE problem_attempts SET solved = true WHERE user_id = ${userId} AND problem_id = ${problemId}`.execute(trx);
      } else {
        await countAttempt(trx, userId, problemId, accepted);
      }
    }
  },
};
