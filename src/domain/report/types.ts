/**
 * The training report (docs/reports.md): five scored dimensions with verifiable evidence, text built from that
 * evidence, a comparison with the candidate's earlier reports and a summary of peer feedback. The grader's inputs
 * are plain data gathered from the session's events; nothing here reads a clock or the outside world.
 */

export const DIMENSIONS = ['correctness', 'efficiency', 'codeQuality', 'communication', 'problemSolving'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const DIMENSION_LABELS: Record<Dimension, string> = {
  correctness: 'Correctness',
  efficiency: 'Efficiency',
  codeQuality: 'Code quality',
  communication: 'Communication',
  problemSolving: 'Problem solving',
};

/** How much each assessed dimension weighs in the overall score (renormalised over the assessed ones). */
export const DIMENSION_WEIGHTS: Record<Dimension, number> = {
  correctness: 0.3,
  problemSolving: 0.25,
  efficiency: 0.15,
  codeQuality: 0.15,
  communication: 0.15,
};

export type EvidenceType = 'code_line' | 'code_snippet' | 'event_timestamp';

export interface Evidence {
  type: EvidenceType;
  /** `L12: <excerpt>` / `L12-L14: <excerpt>`, a verbatim snippet of the final code, or an ISO timeline timestamp */
  reference: string;
  description: string;
}

export interface DimensionResult {
  /** 0–100, or null when the session gave no signal for this dimension (the feedback says so) */
  score: number | null;
  feedback: string;
  evidence: Evidence[];
}

export type ReportTrend = 'improving' | 'stable' | 'declining';

export interface ComparisonToHistory {
  trend: ReportTrend;
  sessionsCompared: number;
  averageScore: number;
}

export interface PeerFeedbackSummary {
  /** one sentence: how many reviews, the average rating, would pair again */
  summary: string;
  /** mean of every rating given (1–5), one decimal; null when every review was text only */
  averageRating: number | null;
  /** share of rating reviewers who would pair again (rating 4 or 5), 0–1; null when none rated */
  wouldPairAgain: number | null;
  themes: string[];
  reviewCount: number;
  ratings: { problemSolving: number; communication: number; codeQuality: number } | null;
}

export interface TestCaseBreakdownItem {
  testCaseIndex: number;
  isHidden: boolean;
  passed: boolean | null;
  timedOut: boolean;
  verdict: string;
}

export interface SessionReport {
  sessionId: string;
  overallScore: number | null;
  dimensions: Record<Dimension, DimensionResult>;
  categoryScores: Record<Dimension, number | null>;
  strengths: string[];
  areasForImprovement: string[];
  detailedFeedback: string;
  /** the same text as detailedFeedback (the reference's field name) */
  feedback: string;
  comparisonToHistory: ComparisonToHistory | null;
  peerFeedbackSummary: PeerFeedbackSummary | null;
  /** the final submission's tests: verdicts only, never a hidden case's data */
  testCaseBreakdown: TestCaseBreakdownItem[];
}

export const WEAKNESS_CATEGORIES = [
  'edge_cases',
  'time_complexity',
  'space_complexity',
  'variable_naming',
  'code_structure',
  'off_by_one',
  'input_validation',
  'communication',
] as const;
export type WeaknessCategory = (typeof WEAKNESS_CATEGORIES)[number];
export type WeaknessTrend = 'improving' | 'stable' | 'worsening';

export interface WeaknessSignal {
  category: WeaknessCategory;
  description: string;
  trend: WeaknessTrend;
  /** the score of the dimension the signal came from */
  score: number | null;
}

// ---- inputs -------------------------------------------------------------------------------------------------

export interface Segment {
  /** ISO, inclusive */
  from: string;
  /** ISO, inclusive */
  to: string;
}

export interface GradeRun {
  runId: string;
  userId: string;
  createdAt: string;
  /** OK, TLE, MLE, OLE, RE, CE, IE (null while it never finished) */
  verdict: string | null;
  durationMs: number | null;
}

export interface GradeTest {
  testCaseIndex: number;
  isHidden: boolean;
  verdict: string;
  passed: boolean | null;
  timedOut: boolean;
  durationMs: number | null;
}

export interface GradeSubmission {
  submissionId: string;
  userId: string;
  submittedAt: string;
  /** completed | failed (the system could not judge it) */
  status: string;
  verdict: string | null;
  passed: number;
  total: number;
  codeHash: string;
  tests: GradeTest[];
}

export interface GradeDiagnostic {
  severity: 'error' | 'warning' | 'info';
  message: string;
  rule: string | null;
  line: number | null;
}

export interface GradeAnalysis {
  jobId: string;
  source: 'run' | 'submission';
  /** the run or submission analysed */
  sourceId: string;
  userId: string;
  createdAt: string;
  codeHash: string;
  diagnostics: GradeDiagnostic[];
  complexity: Array<{ functionName: string; startLine: number; endLine: number | null; cyclomaticComplexity: number }>;
  duplications: Array<{ lines: number; occurrences: Array<{ startLine: number; endLine: number | null }> }>;
}

export interface GradeHint {
  requestId: string;
  userId: string;
  /** subtle (gentle) | moderate | direct */
  level: string;
  requestedAt: string;
}

export interface GradeMessage {
  /** chat: room chat; interviewer: the AI interviewer conversation */
  channel: 'chat' | 'interviewer';
  /** the author's user id, or null for the AI interviewer */
  authorId: string | null;
  text: string;
  at: string;
}

export interface GradePeerFeedback {
  reviewerId: string;
  targetId: string;
  /** null for a text-only review */
  ratings: { problemSolving: number; communication: number; codeQuality: number; wouldPairAgain: number } | null;
  comments: string;
  submittedAt: string;
}

export interface TimelinePoint {
  id: string;
  eventType: string;
  userId: string | null;
  metadata: Record<string, unknown> | null;
  /** ISO, exactly as the timeline serves it */
  timestamp: string;
}

export interface HistoryEntry {
  sessionId: string;
  finishedAt: string;
  overallScore: number | null;
  categoryScores: Record<Dimension, number | null>;
}

export interface RoleSpan {
  userId: string;
  role: string;
  from: string;
  to: string;
}

export interface GradeInput {
  sessionId: string;
  roomId: string;
  userId: string;
  mode: 'peer' | 'ai';
  problem: { id: string; title: string; difficulty: string } | null;
  startedAt: string;
  finishedAt: string;
  /** who held which role when (every participant), from the session stream */
  roles: RoleSpan[];
  /** the code this candidate's report is checked against: the last snapshot of their candidate segments */
  finalCode: { code: string; language: string; codeHash: string; takenAt: string } | null;
  runs: GradeRun[];
  submissions: GradeSubmission[];
  analyses: GradeAnalysis[];
  hints: GradeHint[];
  messages: GradeMessage[];
  peerFeedback: GradePeerFeedback[];
  timeline: TimelinePoint[];
  /** the candidate's earlier reports (sessions finished before this one), newest first */
  history: HistoryEntry[];
}

export interface GradeResult {
  report: SessionReport;
  weaknesses: WeaknessSignal[];
}
