/**
 * Every projection of the system. Add a read model here and it is run, rebuilt, verified and waited for by
 * read-your-writes.
 */
import { aiAnalysesProjection } from './ai-analyses/projection.js';
import { aiHintsProjection } from './ai-hints/projection.js';
import { aiInterviewerProjection } from './ai-interviewer/projection.js';
import { aiReviewsProjection } from './ai-reviews/projection.js';
import { auditLogProjection } from './audit-log/projection.js';
import { bookmarksProjection } from './bookmarks/projection.js';
import { dailyActivityProjection } from './daily-activity/projection.js';
import { peerFeedbackProjection } from './feedback/projection.js';
import { matchmakingProjection } from './matchmaking/projection.js';
import { problemStatsProjection } from './problem-stats/projection.js';
import { problemsProjection } from './problems/projection.js';
import type { Projection } from './projection.js';
import { recordingsProjection } from './recordings/projection.js';
import { sessionReportsProjection } from './reports/projection.js';
import { roomsProjection } from './rooms/projection.js';
import { runsProjection } from './runs/projection.js';
import { sessionsProjection } from './sessions/projection.js';
import { staticAnalysisProjection } from './static-analysis/projection.js';
import { submissionsProjection } from './submissions/projection.js';
import { timelineProjection } from './timeline/projection.js';
import { usersProjection } from './users/projection.js';
import { whiteboardExportsProjection } from './whiteboard/projection.js';
import { weaknessesProjection } from './weaknesses/projection.js';

export const projections: readonly Projection[] = [
  problemsProjection,
  problemStatsProjection,
  bookmarksProjection,
  usersProjection,
  auditLogProjection,
  roomsProjection,
  sessionsProjection,
  timelineProjection,
  runsProjection,
  submissionsProjection,
  staticAnalysisProjection,
  matchmakingProjection,
  recordingsProjection,
  peerFeedbackProjection,
  whiteboardExportsProjection,
  sessionReportsProjection,
  weaknessesProjection,
  dailyActivityProjection,
  aiHintsProjection,
  aiInterviewerProjection,
  aiAnalysesProjection,
  aiReviewsProjection,
];

/** Names of the projections that read any of the given event types (the ones a command's response waits for). */
export function projectionsReading(all: readonly Projection[], eventTypes: readonly string[]): string[] {
  return all.filter((p) => eventTypes.some((t) => p.eventTypes.includes(t))).map((p) => p.name);
}
