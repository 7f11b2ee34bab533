/**
 * Per-user numbers shown by the users endpoints that other modules' read models know: profile `stats`, the
 * daily quotas of GET /users/me/quotas and the training series of GET /users/me/stats. Each module that owns the
 * underlying rows (sessions, runs/submissions, AI, rooms) adds its reader to the lists below; with no reader a
 * number is 0 and the series is all zeros.
 */
import type { Db } from '../../infra/db/database.js';

export interface ProfileStats {
  totalSessions: number;
  totalProblems: number;
  streakDays: number;
}

export interface ProfileStatsSource {
  /** The projections owning the tables `read` queries: its answer holds while they stand still. */
  projections: readonly string[];
  read(db: Db, userId: string): Promise<Partial<ProfileStats>>;
}

/** Readers contributing to `UserProfile.stats`; their results are added up. */
export const profileStatsSources: ProfileStatsSource[] = [];

/** Every projection some part of `UserProfile.stats` is read from. */
export function profileStatsProjections(): string[] {
  return [...new Set(profileStatsSources.flatMap((s) => s.projections))];
}

export async function profileStats(db: Db, userId: string): Promise<ProfileStats> {
  const stats: ProfileStats = { totalSessions: 0, totalProblems: 0, streakDays: 0 };
  for (const part of await Promise.all(profileStatsSources.map((s) => s.read(db, userId)))) {
    stats.totalSessions += part.totalSessions ?? 0;
    stats.totalProblems += part.totalProblems ?? 0;
    stats.streakDays += part.streakDays ?? 0;
  }
  return stats;
}

/** Counters of today's usage (UTC day starting at `since`), per quota; summed. */
export const quotaUsageSources: Record<'ai' | 'execution' | 'activeRooms', Array<(db: Db, userId: string, since: Date) => Promise<number>>> = {
  /** ai_hints + ai_reviews + ai_messages rows of the user today. */
  ai: [],
  /** runs + submissions of the user today. */
  execution: [],
  /** non-finished rooms hosted by the user (`since` unused). */
  activeRooms: [],
};

/** Daily limits reported by /users/me/quotas (informational; 100 each). */
export const QUOTA_LIMITS = { aiDaily: 100, executionDaily: 100, roomsMaxActive: 100 } as const;

export async function quotaUsage(db: Db, userId: string, since: Date): Promise<Record<'ai' | 'execution' | 'activeRooms', number>> {
  const sum = async (list: Array<(db: Db, userId: string, since: Date) => Promise<number>>) =>
    (await Promise.all(list.map((f) => f(db, userId, since)))).reduce((a, b) => a + b, 0);
  const [ai, execution, activeRooms] = await Promise.all([
    sum(quotaUsageSources.ai),
    sum(quotaUsageSources.execution),
    sum(quotaUsageSources.activeRooms),
  ]);
  return { ai, execution, activeRooms };
}

export interface StatsBucket {
  bucketStart: string;
  sessions: number;
  avgScore: number | null;
  submissions: number;
  solved: number;
}

export type StatsBucketSize = 'day' | 'week';

/** A reader returns partial buckets keyed by bucketStart (ISO); `avgScore` from the sessions module wins. */
export const statsSeriesSources: Array<
  (db: Db, userId: string, range: { from: Date; to: Date; bucket: StatsBucketSize }) => Promise<Map<string, Partial<StatsBucket>>>
> = [];

/** Start of the UTC day (or ISO week, Monday) containing `at`. */
export function bucketStartOf(at: Date, bucket: StatsBucketSize): Date {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  if (bucket === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d;
}

/** Every bucket from the one containing `from` to the one containing `to`, zero-filled, then filled by the sources. */
export async function statsSeries(db: Db, userId: string, from: Date, to: Date, bucket: StatsBucketSize): Promise<StatsBucket[]> {
  const step = bucket === 'day' ? 86_400_000 : 7 * 86_400_000;
  const buckets: StatsBucket[] = [];
  for (let t = bucketStartOf(from, bucket).getTime(); t <= to.getTime(); t += step) {
    buckets.push({ bucketStart: new Date(t).toISOString(), sessions: 0, avgScore: null, submissions: 0, solved: 0 });
  }
  const parts = await Promise.all(statsSeriesSources.map((s) => s(db, userId, { from, to, bucket })));
  for (const b of buckets) {
    for (const part of parts) {
      const p = part.get(b.bucketStart);
      if (!p) continue;
      b.sessions += p.sessions ?? 0;
      b.submissions += p.submissions ?? 0;
      b.solved += p.solved ?? 0;
      if (p.avgScore !== undefined && p.avgScore !== null) b.avgScore = p.avgScore;
    }
  }
  return buckets;
}
