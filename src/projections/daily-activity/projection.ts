/**
 * The `daily-activity` read model: counters per UTC day of executions (runs and submissions requested), AI requests
 * (hints, interviewer messages a person sent, analyses and reviews) and sessions started. Counting happens in
 * the projection's checkpoint transaction, so each event counts exactly once.
 */
import { sql } from 'kysely';
import { occurredAt, type Projection } from '../projection.js';

export const ACTIVITY_METRICS: Record<string, 'executions' | 'ai_requests' | 'sessions_started'> = {
  RunRequested: 'executions',
  SubmissionRequested: 'executions',
  HintRequested: 'ai_requests',
  InterviewerMessageSent: 'ai_requests',
  CodeAnalysisRequested: 'ai_requests',
  CodeReviewRequested: 'ai_requests',
  SessionStarted: 'sessions_started',
};

export const dailyActivityProjection: Projection = {
  name: 'daily-activity',
  version: 1,
  eventTypes: Object.keys(ACTIVITY_METRICS),
  tables: ['daily_activity'],
  async apply(trx, event) {
    const metric = ACTIVITY_METRICS[event.type];
    if (!metric) return;
    // Interviewer messages count when a person asked (proactive ones are the system's own initiative).
    if (event.type === 'InterviewerMessageSent' && event.data['trigger'] === 'proactive') return;
    if (event.type === 'SessionStarted' && !event.streamName.startsWith('session-')) return;
    const day = occurredAt(event).toISOString().slice(0, 10);
    await sql`
      INSERT INTO daily_activity (day, metric, count) VALUES (${day}::date, ${metric}, 1)
      ON CONFLICT (day, metric) DO UPDATE SET count = daily_activity.count + 1`.execute(trx);
  },
};
