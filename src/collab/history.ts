/**
 * Edit history (docs/playback.md): every document update a room accepted while its session runs, with the server time
 * it was accepted and its author, plus periodic checkpoints of the whole document.
 *
 * This side runs on the relay's thread and does as little as it can there: each frame the relay sent is copied into
 * a frame log (a few small array pushes and a memcpy — nothing is encoded or merged, and nothing the relay allocated
 * is kept), and every `flushIntervalMs` the log is transferred to the history thread (src/collab/history-worker.ts),
 * which builds the rows and checkpoints and writes them on a database connection of its own. So the history's CPU
 * work, its SQL and its garbage never run between two frames of a room. The thread is started with the first frame.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CollabLogger } from './options.js';
import { FrameLog, type AuthoredUpdate } from './history-frames.js';
import type { HistoryDatabase } from './history-store.js';
import { DEFAULT_HISTORY_OPTIONS, emptyHistoryStats, type EditHistoryOptions, type EditHistoryStats } from './history-writer.js';
import type { FromHistoryThread, HistoryWorkerData, ToHistoryThread } from './history-worker.js';

export { DEFAULT_HISTORY_OPTIONS, checkpointOf, type EditHistoryOptions, type EditHistoryStats } from './history-writer.js';
export type { AuthoredUpdate } from './history-frames.js';
export type { HistoryDatabase } from './history-store.js';

const CLOSE_ATTEMPTS = 5;

export class EditHistory {
  readonly options: EditHistoryOptions;
  private latestStats = emptyHistoryStats();
  private readonly log = new FrameLog();
  /** rooms whose base checkpoint has been logged since the thread started */
  private readonly started = new Set<string>();
  private thread: Worker | null = null;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(): void; reject(err: Error): void }>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly database: HistoryDatabase,
    private readonly logger: CollabLogger,
    options: Partial<EditHistoryOptions> = {},
  ) {
    this.options = { ...DEFAULT_HISTORY_OPTIONS, ...options };
    this.timer = setInterval(() => {
      // a tick waits for the previous flush: a slow database never piles flushes up on the thread
      if (this.thread !== null && this.waiting.size === 0) void this.flush().catch(() => undefined);
    }, this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** What the history thread has written so far (as of its last answer). */
  get stats(): EditHistoryStats {
    return { ...this.latestStats };
  }

  /**
   * A frame the relay sent for a room: `merged` is the frame's payload (all of `relayed` and `server`). `base()` gives
   * the document as it was before this frame and is called only for the first frame recorded for the room.
   */
  record(
    roomId: string,
    at: number,
    merged: Uint8Array,
    relayed: readonly AuthoredUpdate[],
    server: readonly Uint8Array[],
    base: () => Uint8Array,
  ): void {
    if (this.closed) return;
    try {
      this.ensureThread();
      let first: Uint8Array | null = null;
      if (!this.started.has(roomId)) {
        first = base();
        this.started.add(roomId);
      }
      this.log.addFrame(roomId, at, merged, relayed, server, first);
    } catch (err) {
      // the relay has sent the frame already; a history fault must never break the room
      this.logger.error({ err, roomId }, 'recording an edit failed');
    }
  }

  /**
   * Write everything recorded so far. Rejects if storage failed; the rows are kept for the next try. `now` decides
   * which checkpoints are due and stamps them (a parameter so a simulated session can drive it).
   */
  async flush(now = Date.now()): Promise<void> {
    if (this.thread === null && this.log.length === 0) return;
    this.ensureThread();
    this.sendFrames();
    await this.request((seq) => ({ t: 'flush', seq, now }));
  }

  /** The room was unloaded: its next frames start from a fresh checkpoint of the reloaded document. */
  forgetRoom(roomId: string): void {
    this.started.delete(roomId);
    if (this.thread === null) return;
    this.sendFrames();
    this.post({ t: 'forget', roomId });
  }

  /** The room was destroyed: drop what is buffered and delete what is stored. */
  async discardRoom(roomId: string): Promise<void> {
    this.started.delete(roomId);
    this.ensureThread();
    this.sendFrames();
    await this.request((seq) => ({ t: 'discard', seq, roomId }));
  }

  /** Shutdown: write everything accepted so far (a few tries), then stop the thread. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.closed = true;
    if (this.thread === null) return;
    for (let attempt = 1; attempt <= CLOSE_ATTEMPTS; attempt++) {
      try {
        await this.flush();
        break;
      } catch {
        if (attempt < CLOSE_ATTEMPTS) await new Promise((r) => setTimeout(r, 100));
      }
    }
    const thread = this.thread;
    if (thread === null) return; // it died meanwhile (logged)
    const closing = this.request((seq) => ({ t: 'close', seq })); // posted now, to this thread
    this.thread = null;
    await closing.catch(() => undefined);
    await thread.terminate();
  }

  private sendFrames(): void {
    const taken = this.log.take();
    if (taken !== null) this.post({ t: 'frames', packed: taken.packed }, taken.transfer);
  }

  private request(message: (seq: number) => ToHistoryThread): Promise<void> {
    const seq = ++this.seq;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      this.post(message(seq));
    });
  }

  private post(message: ToHistoryThread, transfer: ArrayBuffer[] = []): void {
    this.thread!.postMessage(message, transfer);
  }

  private ensureThread(): void {
    if (this.thread !== null) return;
    const thread = startHistoryThread({ database: this.database, options: this.options });
    thread.unref();
    thread.on('message', (m: FromHistoryThread) => this.onMessage(m));
    thread.on('error', (err) => this.onThreadGone(thread, err));
    thread.on('exit', (code) => this.onThreadGone(thread, new Error(`edit history thread exited (${code})`)));
    this.thread = thread;
  }

  private onMessage(m: FromHistoryThread): void {
    if (m.t === 'log') {
      this.logger[m.level](m.fields, m.message);
      return;
    }
    this.latestStats = m.stats;
    const waiter = this.waiting.get(m.seq);
    this.waiting.delete(m.seq);
    if (m.error === null) waiter?.resolve();
    else waiter?.reject(new Error(m.error));
  }

  /** The thread died (a crash, not close): what it had not written is lost; the next frame starts a new one. */
  private onThreadGone(thread: Worker, err: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
    if (this.thread !== thread) return; // closed on purpose
    this.thread = null;
    this.started.clear(); // a new thread knows no room: each starts again from a base checkpoint
    this.log.take(); // frames logged for the dead thread: their rooms' base checkpoints went with it
    this.logger.error({ err }, 'edit history thread stopped; unwritten history since its last flush is lost');
  }
}

/** The thread runs the compiled module when this one is compiled, else the TypeScript source through tsx. */
function startHistoryThread(data: HistoryWorkerData): Worker {
  const here = fileURLToPath(import.meta.url);
  const entry = new URL(`./history-worker${path.extname(here)}`, import.meta.url);
  if (!here.endsWith('.ts')) return new Worker(entry, { workerData: data });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: data, execArgv: [] });
}
