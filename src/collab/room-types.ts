/**
 * What the parts of a live room share (src/collab/room.ts and its room-*.ts collaborators): the origins of document
 * changes, the member interface a socket implements, per-member state, counters and the room's dependencies.
 */
import { createHash } from 'node:crypto';
import type * as Y from 'yjs';
import type { CollabRole } from './token.js';
import type { ControlPlaneCallbacks, RoomPhase } from './control-plane-port.js';
import type { CollabStore } from './persistence.js';
import type { CollabLogger, CollabOptions } from './options.js';
import type { LatencyHistogram } from './metrics.js';
import type { EditHistory } from './history.js';
import type { AwarenessEntry } from './protocol.js';
import { encodeEventFrame, envelope } from './protocol.js';
import type { Room } from './room.js';

/** Origin of changes that come from storage (merge after a version conflict); never attributed to a socket. */
export const STORAGE_ORIGIN = Symbol('collab-storage');
/** Origin of changes the server makes itself (seeding). */
export const SERVER_ORIGIN = Symbol('collab-server');
/** Origin of the transaction that takes in a rejected edit and undoes it (docs: src/collab/write-rule.ts). */
export const REJECTED_ORIGIN = Symbol('collab-rejected');
/** Origin of the transaction that applies socket updates that were already relayed (never sent again). */
export const RELAYED_ORIGIN = Symbol('collab-relayed');

export type CloseKind = 'left' | 'kicked' | 'replaced' | 'room-closed' | 'shutdown' | 'rejected' | 'error';

/** A room event serialised once and sent in each socket's event mode. */
export class PreparedEvent {
  readonly json: string;
  private bin: Uint8Array | null = null;
  constructor(type: string, data: unknown) {
    this.json = JSON.stringify(envelope(type, data));
  }
  get binary(): Uint8Array {
    if (this.bin === null) this.bin = encodeEventFrame(this.json);
    return this.bin;
  }
}

/** What a room needs from a socket (implemented by `Connection`). */
export interface RoomMember {
  readonly id: number;
  readonly userId: string;
  readonly role: CollabRole;
  readonly isHost: boolean;
  sendBinary(frame: Uint8Array): void;
  sendEvent(event: PreparedEvent): void;
  close(code: number, reason: string, kind: CloseKind): void;
}

/** A joined socket's state in its room. */
export interface MemberState {
  awarenessIds: Set<number>;
  lastAwarenessAt: number;
  pendingAwareness: Map<number, AwarenessEntry> | null;
  awarenessTimer: NodeJS.Timeout | null;
  droppedWrite: boolean;
  lastResyncAt: number;
}

export function newMemberState(): MemberState {
  return {
    awarenessIds: new Set(),
    lastAwarenessAt: 0,
    pendingAwareness: null,
    awarenessTimer: null,
    droppedWrite: false,
    lastResyncAt: 0,
  };
}

export interface RoomAttributes {
  phase: RoomPhase;
  editorLocked: boolean;
  language: string | null;
}

export interface CollabStats {
  updatesIn: number;
  updateFramesOut: number;
  batches: number;
  droppedWrites: number;
  awarenessIn: number;
  invalidFrames: number;
  snapshotsSent: number;
  snapshotsSkipped: number;
  snapshotFailures: number;
  persistSaves: number;
  persistConflicts: number;
  persistFailures: number;
}

export function newStats(): CollabStats {
  return {
    updatesIn: 0,
    updateFramesOut: 0,
    batches: 0,
    droppedWrites: 0,
    awarenessIn: 0,
    invalidFrames: 0,
    snapshotsSent: 0,
    snapshotsSkipped: 0,
    snapshotFailures: 0,
    persistSaves: 0,
    persistConflicts: 0,
    persistFailures: 0,
  };
}

export interface RoomDeps {
  store: CollabStore;
  callbacks: ControlPlaneCallbacks;
  logger: CollabLogger;
  options: CollabOptions;
  stats: CollabStats;
  /** server-side propagation delay: socket read → frame out (to the last socket of the room) */
  propagation: LatencyHistogram;
  /** the room has no socket left (registry starts the TTL) */
  onEmpty(room: Room): void;
  /** a socket joined (registry cancels the TTL) */
  onJoin(room: Room): void;
  /** edit history of sessions (docs/playback.md); absent = not recorded */
  history?: EditHistory;
}

export class SnapshotFailedError extends Error {}

export function codeHash(language: string, code: string): string {
  return createHash('sha256').update(language).update('\0').update(code).digest('hex');
}

export function materializeLayout(doc: Y.Doc): void {
  doc.getMap('inlineComments');
  doc.getMap('whiteboard');
}
