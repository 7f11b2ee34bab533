/** AI events on the session timeline: hints, interviewer exchanges and reviews, told without their text. */
import { describe, expect, it } from '@jest/globals';
import { timelineEntries, TIMELINE_EVENT_TYPES } from '../../src/domain/session/timeline.js';

const at = '2026-03-03T12:00:00.000Z';
const source = (type: string, data: Record<string, unknown>) => ({ id: `e-${type}`, type, streamName: 'ai-s1', data: { sessionId: 's1', roomId: 'r1', userId: 'u1', ...data }, occurredAt: at, actorId: 'u1' });

describe('AI events on the timeline', () => {
  it('reads every AI event type the timeline tells', () => {
    for (const t of ['HintRequested', 'HintGiven', 'InterviewerMessageSent', 'InterviewerReplied', 'CodeAnalysisRequested', 'CodeReviewRequested', 'CodeReviewCompleted']) {
      expect(TIMELINE_EVENT_TYPES).toContain(t);
    }
  });

  it('hints, messages and reviews become entries of the room; proactive turns and silence do not', () => {
    expect(timelineEntries(source('HintRequested', { requestId: 'h1', level: 'moderate', phase: 'initial' }))).toEqual({
      roomId: 'r1',
      entries: [{ id: 'e-HintRequested', eventType: 'hint_requested', userId: 'u1', metadata: expect.objectContaining({ hintId: 'h1', level: 'moderate', phase: 'initial' }), timestamp: at }],
    });
    expect(timelineEntries(source('InterviewerMessageSent', { messageId: 'm1', jobId: 'm1', trigger: 'user_message', content: 'hello' }))?.entries[0]).toMatchObject({ eventType: 'ai_message', metadata: { role: 'user' } });
    expect(timelineEntries(source('InterviewerMessageSent', { messageId: 'm2', jobId: 'm2', trigger: 'proactive', content: '' }))).toBeNull();
    expect(timelineEntries(source('InterviewerReplied', { messageId: 'a1', jobId: 'm1', content: '', shouldRespond: false }))).toBeNull();
    expect(timelineEntries(source('CodeReviewCompleted', { jobId: 'j1', overallScore: 71 }))?.entries[0]).toMatchObject({ eventType: 'code_review_completed', metadata: { jobId: 'j1', overallScore: 71 } });
    expect(timelineEntries(source('CodeAnalysisRequested', { jobId: 'j2' }))?.entries[0]).toMatchObject({ eventType: 'code_analysis_requested', userId: 'u1' });
  });
});
