/**
 * Grader inputs built the way the report job builds them: a session stream (roles over time), submissions with
 * per-test verdicts, runs, hints, messages, and the timeline those events produce (so evidence can cite it).
 */
import { roleSpans, type SessionStreamEvent } from '../../src/domain/report/segments.js';
import type { GradeInput, GradeMessage, GradeRun, GradeSubmission, GradeTest, TimelinePoint } from '../../src/domain/report/types.js';

export const T0 = Date.parse('2026-03-03T10:00:00.000Z');
export const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

export const CANDIDATE = '11111111-1111-4111-8111-111111111111';
export const INTERVIEWER = '22222222-2222-4222-8222-222222222222';

export const GOOD_CODE = [
  'def two_sum(numbers, target):',
  '    seen = {}',
  '    for index, value in enumerate(numbers):',
  '        if target - value in seen:',
  '            return [seen[target - value], index]',
  '        seen[value] = index',
  '    return []',
  '',
].join('\n');

export const CUBIC_CODE = [
  'def count_triples(numbers, target):',
  '    total = 0',
  '    for first in range(len(numbers)):',
  '        for second in range(first + 1, len(numbers)):',
  '            for third in range(second + 1, len(numbers)):',
  '                if numbers[first] + numbers[second] + numbers[third] == target:',
  '                    total += 1',
  '    return total',
  '',
].join('\n');

export interface SessionScript {
  code?: string | null;
  submissions?: Array<{ minute: number; verdicts: string[]; hidden?: number; by?: string }>;
  runs?: Array<{ minute: number; verdict?: string; by?: string }>;
  hints?: Array<{ minute: number; level: string }>;
  messages?: Array<{ minute: number; from: 'candidate' | 'interviewer' | 'ai'; text: string }>;
  /** role swap at this minute: the candidate becomes interviewer and vice versa */
  swapAt?: number;
  difficulty?: string;
  durationMinutes?: number;
}

export function sessionEvents(script: SessionScript): SessionStreamEvent[] {
  const end = at(script.durationMinutes ?? 40);
  const events: SessionStreamEvent[] = [
    {
      type: 'SessionStarted',
      occurredAt: at(0),
      data: { sessionId: 's', startedAt: at(0), participants: [{ userId: INTERVIEWER, role: 'interviewer', joinedAt: at(0) }, { userId: CANDIDATE, role: 'candidate', joinedAt: at(0) }] },
    },
  ];
  if (script.swapAt !== undefined) {
    events.push({ type: 'SessionParticipantRoleChanged', occurredAt: at(script.swapAt), data: { userId: CANDIDATE, from: 'candidate', to: 'interviewer' } });
    events.push({ type: 'SessionParticipantRoleChanged', occurredAt: at(script.swapAt), data: { userId: INTERVIEWER, from: 'interviewer', to: 'candidate' } });
  }
  events.push({ type: 'SessionFinished', occurredAt: end, data: { finishedAt: end } });
  return events;
}

const test = (index: number, verdict: string, hidden: boolean): GradeTest => ({
  testCaseIndex: index,
  isHidden: hidden,
  verdict,
  passed: verdict === 'AC' ? true : verdict === 'WA' ? false : null,
  timedOut: verdict === 'TLE',
  durationMs: verdict === 'TLE' ? 2000 : 12,
});

export function gradeInput(script: SessionScript, userId = CANDIDATE): GradeInput {
  const code = script.code === undefined ? GOOD_CODE : script.code;
  const finishedAt = at(script.durationMinutes ?? 40);
  const timeline: TimelinePoint[] = [{ id: 'start', eventType: 'session_started', userId: null, metadata: {}, timestamp: at(0) }];
  const submissions: GradeSubmission[] = (script.submissions ?? []).map((s, i) => {
    const hidden = s.hidden ?? 0;
    const tests = s.verdicts.map((v, j) => test(j, v, j >= s.verdicts.length - hidden));
    const passed = tests.filter((t) => t.passed === true).length;
    const id = `00000000-0000-4000-8000-0000000000${String(10 + i)}`;
    timeline.push({ id: `sub-${i}`, eventType: 'code_submitted', userId: s.by ?? userId, metadata: { submissionId: id }, timestamp: at(s.minute) });
    timeline.push({ id: `subc-${i}`, eventType: 'submission_completed', userId: s.by ?? userId, metadata: { submissionId: id, passed, total: tests.length }, timestamp: at(s.minute + 0.1) });
    return {
      submissionId: id,
      userId: s.by ?? userId,
      submittedAt: at(s.minute),
      status: 'completed',
      verdict: tests.find((t) => t.verdict !== 'AC')?.verdict ?? 'AC',
      passed,
      total: tests.length,
      codeHash: 'h',
      tests,
    };
  });
  const runs: GradeRun[] = (script.runs ?? []).map((r, i) => {
    const id = `00000000-0000-4000-8000-0000000001${String(10 + i)}`;
    timeline.push({ id: `run-${i}`, eventType: 'code_run', userId: r.by ?? userId, metadata: { runId: id }, timestamp: at(r.minute) });
    timeline.push({ id: `runc-${i}`, eventType: 'code_run_completed', userId: r.by ?? userId, metadata: { runId: id }, timestamp: at(r.minute + 0.05) });
    return { runId: id, userId: r.by ?? userId, createdAt: at(r.minute), verdict: r.verdict ?? 'OK', durationMs: 20 };
  });
  const hints = (script.hints ?? []).map((h, i) => {
    timeline.push({ id: `hint-${i}`, eventType: 'hint_requested', userId, metadata: { requestId: `hint-${i}`, level: h.level }, timestamp: at(h.minute) });
    return { requestId: `hint-${i}`, userId, level: h.level, requestedAt: at(h.minute) };
  });
  const messages: GradeMessage[] = (script.messages ?? []).map((m) => {
    const authorId = m.from === 'candidate' ? userId : m.from === 'interviewer' ? INTERVIEWER : null;
    if (m.from !== 'interviewer') timeline.push({ id: `ai-${m.minute}`, eventType: 'ai_message', userId: authorId, metadata: {}, timestamp: at(m.minute) });
    return { channel: m.from === 'interviewer' ? 'chat' : 'interviewer', authorId, text: m.text, at: at(m.minute) };
  });
  timeline.push({ id: 'end', eventType: 'session_finished', userId: null, metadata: {}, timestamp: finishedAt });
  return {
    sessionId: '33333333-3333-4333-8333-333333333333',
    roomId: '44444444-4444-4444-8444-444444444444',
    userId,
    mode: 'peer',
    problem: { id: 'p', title: 'Two Sum', difficulty: script.difficulty ?? 'easy' },
    startedAt: at(0),
    finishedAt,
    roles: roleSpans(sessionEvents(script), finishedAt),
    finalCode: code === null ? null : { code, language: 'python', codeHash: 'final', takenAt: finishedAt },
    runs,
    submissions,
    analyses: [],
    hints,
    messages,
    peerFeedback: [],
    timeline: timeline.sort((a, b) => a.timestamp.localeCompare(b.timestamp)),
    history: [],
  };
}
