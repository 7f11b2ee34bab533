/**
 * The `report-<sessionId>-<userId>` stream: every report generated for one candidate of one session. A re-grade
 * adds a new SessionReportGenerated and the newest wins (history is kept); grading the same inputs again with the
 * same grader and model decides nothing, so replays and retried jobs never duplicate a report. When grading fails
 * for good, SessionReportFailed records it so the report is never left pending.
 */
import type { Decider, DomainEvent } from '../shared/decider.js';
import type { SessionReport, WeaknessSignal } from './types.js';

export type SessionReportGenerated = DomainEvent<
  'SessionReportGenerated',
  {
    sessionId: string;
    userId: string;
    graderVersion: string;
    /** the grader's own name for the deterministic report, else the LLM model that rewrote its text */
    model: string;
    generatedAt: string;
    report: SessionReport;
    /** weakness categories the session shows (tracked across sessions) */
    weaknesses: WeaknessSignal[];
    /** sha256 of the report, weaknesses, grader and model: identical content is not recorded twice */
    contentHash: string;
  }
>;

export type SessionReportFailed = DomainEvent<
  'SessionReportFailed',
  { sessionId: string; userId: string; graderVersion: string; reason: string; failedAt: string }
>;

export type ReportEvent = SessionReportGenerated | SessionReportFailed;
export const REPORT_EVENT_TYPES = ['SessionReportGenerated', 'SessionReportFailed'] as const satisfies readonly ReportEvent['type'][];

export const reportStream = (sessionId: string, userId: string) => `report-${sessionId}-${userId}`;

export interface ReportState {
  versions: number;
  lastContentHash: string | null;
  status: 'none' | 'completed' | 'failed';
}

export interface RecordReport {
  type: 'RecordReport';
  data: SessionReportGenerated['data'];
}

export interface RecordReportFailure {
  type: 'RecordReportFailure';
  data: SessionReportFailed['data'];
}

export type ReportCommand = RecordReport | RecordReportFailure;

export const reportDecider: Decider<ReportCommand, ReportState, ReportEvent> = {
  initialState: () => ({ versions: 0, lastContentHash: null, status: 'none' }),
  evolve(state, event) {
    switch (event.type) {
      case 'SessionReportGenerated':
        return { versions: state.versions + 1, lastContentHash: event.data.contentHash, status: 'completed' };
      case 'SessionReportFailed':
        return { ...state, status: state.status === 'completed' ? 'completed' : 'failed' };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'RecordReport':
        if (state.lastContentHash === command.data.contentHash) return [];
        return [{ type: 'SessionReportGenerated', data: command.data }];
      case 'RecordReportFailure':
        // A failed re-grade leaves the report that exists; only a candidate with nothing gets the failure.
        if (state.status !== 'none') return [];
        return [{ type: 'SessionReportFailed', data: command.data }];
    }
  },
};
