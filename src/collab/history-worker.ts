/**
 * The history thread's entry point (started by src/collab/history.ts): one HistoryWriter on a database connection of
 * its own, fed by messages from the relay's thread and answering each flush, discard and close with its outcome and
 * the writer's figures. Messages are handled one at a time, in the order they were posted.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { EditHistoryStore, type HistoryDatabase } from './history-store.js';
import { HistoryWriter, type EditHistoryOptions, type EditHistoryStats } from './history-writer.js';
import type { PackedFrames } from './history-frames.js';

export interface HistoryWorkerData {
  database: HistoryDatabase;
  options: EditHistoryOptions;
}

export type ToHistoryThread =
  | { t: 'frames'; packed: PackedFrames }
  | { t: 'forget'; roomId: string }
  | { t: 'flush'; seq: number; now: number }
  | { t: 'discard'; seq: number; roomId: string }
  | { t: 'close'; seq: number };

export type FromHistoryThread =
  | { t: 'done'; seq: number; error: string | null; stats: EditHistoryStats }
  | { t: 'log'; level: 'error' | 'warn'; fields: Record<string, unknown>; message: string };

/**
 * The history is written in the background and nothing waits for it but the next flush, while the relay's thread
 * answers keystrokes: on a machine short of cores this thread yields the CPU first (docs/playback.md).
 */
const HISTORY_THREAD_NICE = 10;

/** Lowers this thread's scheduling priority (Linux: a thread is a task with an id of its own; elsewhere a no-op). */
function yieldToTheRelay(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, HISTORY_THREAD_NICE);
  } catch {
    // no /proc, or not allowed: the thread keeps the process's priority
  }
}

yieldToTheRelay();
const port = parentPort!;
const { database, options } = workerData as HistoryWorkerData;
const store = new EditHistoryStore(database);
const writer = new HistoryWriter(store, options, (level, fields, message) => port.postMessage({ t: 'log', level, fields, message } satisfies FromHistoryThread));

async function handle(message: ToHistoryThread): Promise<void> {
  switch (message.t) {
    case 'frames':
      writer.add(message.packed);
      return;
    case 'forget':
      writer.forgetRoom(message.roomId);
      return;
    case 'flush':
      return answer(message.seq, () => writer.flush(message.now));
    case 'discard':
      return answer(message.seq, () => writer.discardRoom(message.roomId));
    case 'close':
      await answer(message.seq, () => store.close());
      port.close();
  }
}

async function answer(seq: number, work: () => Promise<void>): Promise<void> {
  let error: string | null = null;
  try {
    await work();
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  port.postMessage({ t: 'done', seq, error, stats: writer.stats } satisfies FromHistoryThread);
}

let queue = Promise.resolve();
port.on('message', (message: ToHistoryThread) => {
  queue = queue
    .then(() => handle(message))
    .catch((err: unknown) => port.postMessage({ t: 'log', level: 'error', fields: { err: String(err) }, message: 'edit history thread failed on a message' } satisfies FromHistoryThread));
});
