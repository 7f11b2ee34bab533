/**
 * Read-model answers kept in memory while the projections they come from have not moved.
 *
 * A read-model table changes only when its projection applies events, and the projection's checkpoint moves in
 * the same transaction; every process hears the new position (the progress tracker: directly in the projecting
 * process, through NOTIFY in the others). So an answer read while the named projections stood at positions P is
 * still the answer while they stand at P: nothing is served that a fresh read would not give, and a change — a
 * ban, a new submission — is seen as soon as the process hears the projection's commit, which is also when
 * read-your-writes waits end. The position is taken before the read, so a read racing a commit is dropped at
 * the next progress report, never kept.
 *
 * `maxAgeMs` bounds what the positions cannot see: a notification connection that is down (positions frozen until
 * it reconnects and reloads them), a rebuild that swaps tables at the same position, answers that depend on the
 * clock. Entries beyond `maxEntries` push out the oldest.
 */
import type { ProgressTracker } from './progress.js';

export interface ReadCacheOptions {
  /** Names of the projections whose tables the cached reads query. */
  projections: readonly string[];
  maxAgeMs: number;
  maxEntries: number;
}

export interface ReadCache<T> {
  /** The cached answer for `key`, or `load()`'s (kept while the projections stay where they were). */
  get(key: string, load: () => Promise<T>): Promise<T>;
  /** Forget one key (a write this process made and must not serve stale even for a moment). */
  forget(key: string): void;
}

interface Entry<T> {
  value: T;
  /** The named projections' positions when the value was read, in `options.projections` order. */
  positions: bigint[];
  at: number;
}

export function createReadCache<T>(progress: ProgressTracker, options: ReadCacheOptions): ReadCache<T> {
  const entries = new Map<string, Entry<T>>();
  const names = options.projections;
  const positions = (): bigint[] => names.map((name) => progress.positionOf(name));
  // Compared in place on every hit: no string or array is built for a read served from memory.
  const unmoved = (at: readonly bigint[]): boolean => {
    for (let i = 0; i < names.length; i++) if (progress.positionOf(names[i]!) !== at[i]) return false;
    return true;
  };
  return {
    async get(key, load) {
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && now - hit.at <= options.maxAgeMs && unmoved(hit.positions)) return hit.value;
      const before = positions();
      const value = await load();
      if (unmoved(before)) {
        entries.delete(key); // re-inserted last, so the oldest entries are the first keys
        entries.set(key, { value, positions: before, at: now });
        if (entries.size > options.maxEntries) entries.delete(entries.keys().next().value!);
      }
      return value;
    },
    forget(key) {
      entries.delete(key);
    },
  };
}
