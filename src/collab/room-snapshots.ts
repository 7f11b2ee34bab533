/**
 * Code snapshots of a room sent to the control plane (docs/collab-protocol.md, "Control plane"): periodic (skipped
 * when the code did not change), and on phase changes, locks and the session's end.
 */
import * as Y from 'yjs';
import type { SnapshotTrigger } from './control-plane-port.js';
import { SnapshotFailedError, codeHash } from './room-types.js';
import type { Room } from './room.js';

export interface SnapshotOptions {
  /** throw `SnapshotFailedError` on failure instead of resolving false */
  strict?: boolean;
  /** `any`: skip when the code equals the last snapshot sent; `session_end`: skip when a session_end had this code */
  dedupe?: 'none' | 'any' | 'session_end';
}

export class RoomSnapshots {
  private lastSessionEndHash: string | null = null;
  private lastDocSnapshotSeq = -1;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly room: Room) {
    const every = room.deps.options.snapshotIntervalMs;
    if (every <= 0) return;
    // the first tick is jittered, so rooms loaded together do not all snapshot in the same instant
    const tick = () => void this.take('periodic', { dedupe: 'any' }).catch(() => undefined);
    this.timer = setTimeout(() => {
      if (this.room.tornDown) return;
      tick();
      this.timer = setInterval(tick, every);
      this.timer.unref();
    }, Math.floor(Math.random() * every));
    this.timer.unref();
  }

  /**
   * Send a code snapshot. Rooms without a language send the raw doc-snapshot instead. Resolves true when sent or
   * skipped; strict calls throw `SnapshotFailedError` on failure, others resolve false.
   */
  async take(trigger: SnapshotTrigger, opts: SnapshotOptions = {}): Promise<boolean> {
    const { stats, logger } = this.room.deps;
    this.room.flushNow();
    try {
      if (this.room.language === null) return await this.sendDocSnapshot(opts.dedupe ?? 'none');
      return await this.sendCodeSnapshot(this.room.language, trigger, opts.dedupe ?? 'none');
    } catch (err) {
      stats.snapshotFailures++;
      logger.warn({ err, roomId: this.room.roomId, trigger }, 'code snapshot failed');
      if (opts.strict) throw err instanceof SnapshotFailedError ? err : new SnapshotFailedError(String(err));
      return false;
    }
  }

  private async sendDocSnapshot(dedupe: NonNullable<SnapshotOptions['dedupe']>): Promise<boolean> {
    const { callbacks, stats } = this.room.deps;
    const seq = this.room.persistence.changeSeq;
    if (dedupe !== 'none' && this.lastDocSnapshotSeq === seq) {
      stats.snapshotsSkipped++;
      return true;
    }
    const res = await callbacks.docSnapshot(this.room.roomId, Array.from(Y.encodeStateAsUpdate(this.room.doc)));
    if (!res.success) throw new SnapshotFailedError('doc-snapshot callback answered success:false');
    this.lastDocSnapshotSeq = seq;
    stats.snapshotsSent++;
    return true;
  }

  private async sendCodeSnapshot(language: string, trigger: SnapshotTrigger, dedupe: NonNullable<SnapshotOptions['dedupe']>): Promise<boolean> {
    const room = this.room;
    const { callbacks, stats } = room.deps;
    const code = room.doc.getText(`code:${language}`).toString();
    const hash = codeHash(language, code);
    if ((dedupe === 'any' && hash === room.lastSnapshotHash) || (dedupe === 'session_end' && hash === this.lastSessionEndHash)) {
      stats.snapshotsSkipped++;
      return true;
    }
    const res = await callbacks.snapshot({
      roomId: room.roomId,
      snapshot: Array.from(Y.encodeStateAsUpdate(room.doc)),
      code,
      language,
      timestamp: Date.now(),
      trigger,
      phase: room.phase,
    });
    if (!res.success) throw new SnapshotFailedError('snapshot callback answered success:false');
    stats.snapshotsSent++;
    if (trigger === 'session_end') this.lastSessionEndHash = hash;
    if (room.lastSnapshotHash !== hash) {
      room.lastSnapshotHash = hash;
      // stored with the next (debounced) save, so a restarted node does not resend the same code
      room.persistence.attributesChangedLazily();
    }
    return true;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer); // clears a timeout or an interval alike
  }
}
