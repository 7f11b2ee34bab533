/**
 * Whiteboard exports of a session (`whiteboard-<sessionId>`): each time the board is captured (when the session
 * finishes, or when the host asks) the rendered SVG and the raw records are stored as objects and the capture is
 * recorded here. The newest capture is the session's whiteboard export; an older capture arriving late is ignored.
 */
import type { Decider, DomainEvent } from '../shared/decider.js';

export type WhiteboardExportTrigger = 'session_end' | 'manual';

export type WhiteboardExported = DomainEvent<
  'WhiteboardExported',
  {
    sessionId: string;
    roomId: string;
    /** object key of the SVG picture */
    svgKey: string;
    /** object key of the raw records (JSON) */
    jsonKey: string;
    shapeCount: number;
    trigger: WhiteboardExportTrigger;
    exportedBy: string | null;
    capturedAt: string;
  }
>;

export type WhiteboardExportCommand = { type: 'RecordWhiteboardExport' } & WhiteboardExported['data'];

export interface WhiteboardExportState {
  lastCapturedAt: string | null;
}

export const whiteboardStream = (sessionId: string) => `whiteboard-${sessionId}`;
export const WHITEBOARD_EVENT_TYPES = ['WhiteboardExported'] as const;

export const whiteboardExportDecider: Decider<WhiteboardExportCommand, WhiteboardExportState, WhiteboardExported> = {
  initialState: () => ({ lastCapturedAt: null }),
  evolve: (_state, event) => ({ lastCapturedAt: event.data.capturedAt }),
  decide(command, state) {
    if (state.lastCapturedAt !== null && Date.parse(state.lastCapturedAt) >= Date.parse(command.capturedAt)) return [];
    const { type: _type, ...data } = command;
    return [{ type: 'WhiteboardExported', data }];
  },
};
