/**
 * The run aggregate (`run-<id>`): one interactive "Run" of code in a room — requested by a participant, started
 * and completed by the execution worker, its output payload dropped after the retention period.
 *
 * Exactly-once completion: a job may be processed twice (a worker killed mid-run, a retried job), so a second
 * completion decides nothing and the first result stands.
 */
import type { Decider, DomainEvent } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type { ExecutionOutcome } from './outcome.js';
import {
  decideAnalysis,
  evolveAnalysis,
  noAnalysis,
  pendingAnalysis,
  type AnalysisCommand,
  type AnalysisEvent,
  type AnalysisState,
} from './static-analysis.js';

export type RunRequested = DomainEvent<
  'RunRequested',
  {
    runId: string;
    roomId: string;
    sessionId: string | null;
    userId: string;
    language: string;
    code: string;
    /** sha256 of the code, hex. */
    codeHash: string;
    stdin: string | null;
    timeoutMs: number;
    memoryMb: number;
    staticAnalysisJobId: string | null;
    requestedAt: string;
  }
>;
export type RunStarted = DomainEvent<'RunStarted', { runId: string; roomId: string; attempt: number; startedAt: string }>;
export type RunCompleted = DomainEvent<
  'RunCompleted',
  ExecutionOutcome & { runId: string; roomId: string; userId: string; completedAt: string }
>;
export type RunOutputExpired = DomainEvent<'RunOutputExpired', { runId: string; roomId: string; expiredAt: string }>;

export type RunEvent = RunRequested | RunStarted | RunCompleted | RunOutputExpired | AnalysisEvent;

export type RunCommand =
  | {
      type: 'RequestRun';
      runId: string;
      roomId: string;
      sessionId: string | null;
      userId: string;
      language: string;
      code: string;
      codeHash: string;
      stdin: string | null;
      timeoutMs: number;
      memoryMb: number;
      staticAnalysisJobId: string | null;
      now: string;
    }
  | { type: 'StartRun'; attempt: number; now: string }
  | { type: 'CompleteRun'; outcome: ExecutionOutcome; now: string }
  | { type: 'ExpireRunOutput'; now: string; retentionMs: number }
  | AnalysisCommand;

export type RunStatus = 'none' | 'pending' | 'running' | 'completed' | 'failed';

export interface RunState {
  status: RunStatus;
  runId: string | null;
  roomId: string | null;
  userId: string | null;
  language: string | null;
  code: string | null;
  stdin: string | null;
  timeoutMs: number | null;
  memoryMb: number | null;
  /** Highest job attempt that recorded a start. */
  attempt: number;
  completedAt: string | null;
  outputExpired: boolean;
  analysis: AnalysisState;
}

export const runStream = (runId: string) => `run-${runId}`;

const notFound = () => new DomainError('EXECUTION_JOB_NOT_FOUND', 'Execution job not found');

export const runDecider: Decider<RunCommand, RunState, RunEvent> = {
  initialState: () => ({
    status: 'none',
    runId: null,
    roomId: null,
    userId: null,
    language: null,
    code: null,
    stdin: null,
    timeoutMs: null,
    memoryMb: null,
    attempt: 0,
    completedAt: null,
    outputExpired: false,
    analysis: noAnalysis(),
  }),

  evolve(state, event) {
    switch (event.type) {
      case 'RunRequested': {
        const d = event.data;
        return {
          ...state,
          status: 'pending',
          runId: d.runId,
          roomId: d.roomId,
          userId: d.userId,
          language: d.language,
          code: d.code,
          stdin: d.stdin,
          timeoutMs: d.timeoutMs,
          memoryMb: d.memoryMb,
          analysis: pendingAnalysis(d.staticAnalysisJobId),
        };
      }
      case 'RunStarted':
        return { ...state, status: 'running', attempt: Math.max(state.attempt, event.data.attempt) };
      case 'RunCompleted':
        return { ...state, status: event.data.verdict === 'IE' ? 'failed' : 'completed', completedAt: event.data.completedAt };
      case 'RunOutputExpired':
        return { ...state, outputExpired: true };
      case 'StaticAnalysisCompleted':
      case 'StaticAnalysisDropped':
        return { ...state, analysis: evolveAnalysis(state.analysis, event) };
    }
  },

  decide(command, state) {
    const done = state.status === 'completed' || state.status === 'failed';
    switch (command.type) {
      case 'RequestRun': {
        // A retried request for the same id (client or handler retry) is the same run.
        if (state.status !== 'none') return [];
        const { type: _t, now, ...data } = command;
        return [{ type: 'RunRequested', data: { ...data, requestedAt: now } }];
      }
      case 'StartRun':
        if (state.status === 'none') throw notFound();
        if (done || command.attempt <= state.attempt) return [];
        return [{ type: 'RunStarted', data: { runId: state.runId!, roomId: state.roomId!, attempt: command.attempt, startedAt: command.now } }];
      case 'CompleteRun':
        if (state.status === 'none') throw notFound();
        if (done) return [];
        return [
          {
            type: 'RunCompleted',
            data: { ...command.outcome, runId: state.runId!, roomId: state.roomId!, userId: state.userId!, completedAt: command.now },
          },
        ];
      case 'ExpireRunOutput':
        if (!done || state.outputExpired || !state.completedAt) return [];
        if (Date.parse(command.now) - Date.parse(state.completedAt) < command.retentionMs) return [];
        return [{ type: 'RunOutputExpired', data: { runId: state.runId!, roomId: state.roomId!, expiredAt: command.now } }];
      case 'CompleteStaticAnalysis':
      case 'DropStaticAnalysis':
        if (state.status === 'none') throw notFound();
        return decideAnalysis(command, state.analysis);
    }
  },
};
