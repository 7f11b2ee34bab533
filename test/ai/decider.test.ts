/** The AI decider: given events / when command / then events or error, no database. */
import { describe, expect, it } from '@jest/globals';
import { aiDecider, pendingProactiveTurn, type AiCommand } from '../../src/domain/ai/decider.js';
import type { AiEvent } from '../../src/domain/ai/events.js';
import { fold } from '../../src/domain/shared/decider.js';
import { deciderSpec } from '../support/decider-spec.js';
import { clock } from '../support/clock.js';

const at = clock();
const scope = { sessionId: 's1', roomId: 'r1', userId: 'u1' };
const LIMIT = { max: 3, windowMs: 300_000 };

const { given } = deciderSpec(aiDecider);

const requestHint = (id: string, t: number, o: Partial<Extract<AiCommand, { type: 'RequestHint' }>> = {}): AiCommand => ({
  type: 'RequestHint',
  requestId: id,
  ...scope,
  problemId: 'p1',
  requestedLevel: 'subtle',
  followUpOf: null,
  reflection: null,
  noReply: false,
  language: 'python',
  code: 'print(1)',
  limit: LIMIT,
  now: at(t),
  ...o,
});

function hintRequested(id: string, t: number, level: 'subtle' | 'moderate' | 'direct', iteration: number, o: Record<string, unknown> = {}): AiEvent {
  return {
    type: 'HintRequested',
    data: {
      requestId: id, ...scope, problemId: 'p1', level, followUpOf: null, requestedAt: at(t), requestedLevel: 'subtle', phase: 'initial',
      iteration, reflection: null, noReply: false, language: 'python', code: 'print(1)', ...o,
    } as Extract<AiEvent, { type: 'HintRequested' }>['data'],
  };
}

const hintGiven = (id: string, level: 'subtle' | 'moderate' | 'direct', t: number): AiEvent => ({
  type: 'HintGiven',
  data: { requestId: id, ...scope, level, hint: `hint ${id}`, model: 'm', givenAt: at(t), suggestedApproach: null, reflectionPrompt: null },
});

describe('hints', () => {
  it('the first hint is at the requested level; the second subtle one becomes moderate; the third is direct', () => {
    given([]).when(requestHint('h1', 0)).then([hintRequested('h1', 0, 'subtle', 1)]);
    given([hintRequested('h1', 0, 'subtle', 1)]).when(requestHint('h2', 10)).then([hintRequested('h2', 10, 'moderate', 2)]);
    given([hintRequested('h1', 0, 'subtle', 1), hintRequested('h2', 10, 'moderate', 2)])
      .when(requestHint('h3', 20))
      .then([hintRequested('h3', 20, 'direct', 3)]);
  });

  it('a fourth initial hint within five minutes is refused with the seconds until a slot frees up', () => {
    const three = [hintRequested('h1', 0, 'subtle', 1), hintRequested('h2', 10, 'moderate', 2), hintRequested('h3', 20, 'direct', 3)];
    const error = given(three).when(requestHint('h4', 60)).thenError('AI_HINT_RATE_LIMIT', 429);
    expect(error.details).toMatchObject({ retryAfter: 240, limit: 3 });
    // once the oldest left the window, a new one is allowed
    expect(given(three).when(requestHint('h4', 301)).events!).toHaveLength(1);
    // no limit when rate limits are off
    expect(given(three).when(requestHint('h4', 60, { limit: null })).events!).toHaveLength(1);
    // other users and other rooms have their own budget
    expect(given(three).when(requestHint('h4', 60, { userId: 'u2' })).events!).toHaveLength(1);
  });

  it('follow-ups are free, escalate without a reply, keep the level with a thoughtful reflection', () => {
    const three = [hintRequested('h1', 0, 'subtle', 1), hintRequested('h2', 10, 'moderate', 2), hintRequested('h3', 20, 'direct', 3), hintGiven('h1', 'subtle', 1)];
    const [noReply] = given(three).when(requestHint('f1', 30, { followUpOf: 'h1', noReply: true })).events!;
    expect(noReply).toMatchObject({ type: 'HintRequested', data: { phase: 'follow_up', followUpOf: 'h1', level: 'moderate', iteration: 3 } });
    const [thoughtful] = given(three)
      .when(requestHint('f2', 30, { followUpOf: 'h1', reflection: 'I would store every value I have seen in a set' }))
      .events!;
    expect(thoughtful).toMatchObject({ data: { level: 'subtle', reflection: 'I would store every value I have seen in a set' } });
    const [lost] = given(three).when(requestHint('f3', 30, { followUpOf: 'h1', reflection: "I don't know what to do" })).events!;
    expect(lost).toMatchObject({ data: { level: 'moderate' } });
  });

  it('a follow-up of an unknown hint, or of someone else’s, is 404 VALIDATION_FAILED', () => {
    given([]).when(requestHint('f1', 0, { followUpOf: 'nope', noReply: true })).thenError('VALIDATION_FAILED', 404);
    given([hintRequested('h1', 0, 'subtle', 1)]).when(requestHint('f1', 5, { followUpOf: 'h1', noReply: true, userId: 'u2' })).thenError('VALIDATION_FAILED', 404);
    given([hintRequested('h1', 0, 'subtle', 1)]).when(requestHint('f1', 5, { followUpOf: 'h1', noReply: true, roomId: 'r2' })).thenError('VALIDATION_FAILED', 404);
  });

  it('a hint is given once: a retried answer decides nothing; an unknown request decides nothing', () => {
    const give: AiCommand = { type: 'GiveHint', requestId: 'h1', hint: 'hint h1', suggestedApproach: null, reflectionPrompt: null, model: 'm', now: at(1) };
    given([hintRequested('h1', 0, 'subtle', 1)]).when(give).then([hintGiven('h1', 'subtle', 1)]);
    given([hintRequested('h1', 0, 'subtle', 1), hintGiven('h1', 'subtle', 1)]).when(give).then([]);
    given([]).when(give).then([]);
    given([hintRequested('h1', 0, 'subtle', 1)]).when(requestHint('h1', 0)).then([]);
  });
});

describe('interviewer, analysis, review, failures', () => {
  const send = (id: string, trigger: 'user_message' | 'proactive', t: number): AiCommand => ({
    type: 'SendInterviewerMessage', messageId: id, ...scope, trigger, content: trigger === 'proactive' ? '' : 'hello', reason: null, code: 'x', language: 'python', codeContext: null, now: at(t),
  });

  it('a message becomes a turn answered once; a proactive turn in flight is found again', () => {
    const [sent] = given([]).when(send('m1', 'proactive', 0)).events!;
    expect(sent).toMatchObject({ type: 'InterviewerMessageSent', data: { messageId: 'm1', jobId: 'm1', trigger: 'proactive', sentAt: at(0) } });
    expect(pendingProactiveTurn(fold(aiDecider, [sent!]), 'u1', 'r1')).toBe('m1');
    expect(pendingProactiveTurn(fold(aiDecider, [sent!]), 'u2', 'r1')).toBeNull();
    const reply: AiCommand = {
      type: 'RecordInterviewerReply', jobId: 'm1', messageId: 'a1', content: 'Tell me more', shouldRespond: true, followUpQuestion: null, codeAnnotations: [], codeContext: null, model: 'm', now: at(2),
    };
    const [replied] = given([sent!]).when(reply).events!;
    expect(replied).toMatchObject({ type: 'InterviewerReplied', data: { jobId: 'm1', messageId: 'a1', userId: 'u1', roomId: 'r1', sessionId: 's1', repliedAt: at(2) } });
    expect(pendingProactiveTurn(fold(aiDecider, [sent!, replied!]), 'u1', 'r1')).toBeNull();
    given([sent!, replied!]).when(reply).then([]);
  });

  it('analysis and review complete once with the language they were asked in; a failure names the kind', () => {
    const ask: AiCommand = { type: 'RequestCodeReview', jobId: 'j1', ...scope, language: 'go', code: 'package main', codeHash: 'h', now: at(0) };
    const [requested] = given([]).when(ask).events!;
    const done: AiCommand = { type: 'CompleteCodeReview', jobId: 'j1', overallScore: 70, categories: [{ name: 'correctness', score: 70, feedback: 'ok' }], summary: 's', model: 'm', now: at(1) };
    const [completed] = given([requested!]).when(done).events!;
    expect(completed).toMatchObject({ type: 'CodeReviewCompleted', data: { jobId: 'j1', language: 'go', overallScore: 70, completedAt: at(1) } });
    given([requested!, completed!]).when(done).then([]);
    given([requested!]).when({ type: 'CompleteCodeAnalysis', jobId: 'j1', result: { summary: '', focusAreas: { complexity: '', edgeCases: '', readability: '' }, followUpQuestions: [] }, model: 'm', now: at(1) }).then([]);
    given([requested!])
      .when({ type: 'FailAiRequest', requestId: 'j1', reason: 'boom', now: at(3) })
      .then([{ type: 'AiRequestFailed', data: { requestId: 'j1', ...scope, kind: 'review', reason: 'boom', failedAt: at(3) } }]);
    given([requested!, completed!]).when({ type: 'FailAiRequest', requestId: 'j1', reason: 'late', now: at(3) }).then([]);
  });
});
