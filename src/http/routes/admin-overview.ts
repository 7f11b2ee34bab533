/**
 * GET /admin/overview: the platform at a glance (AdminDashboard) — users, rooms, sessions, today's executions and
 * AI requests, queue depths. Every number is one indexed count over a read model or a Redis counter read, so the
 * page is cheap to refresh.
 */
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { ANALYSIS_QUEUE as AI_ANALYSIS_QUEUE, HINT_QUEUE, INTERVIEW_QUEUE, REVIEW_QUEUE } from '../../commands/ai/jobs.js';
import { ANALYSIS_QUEUE, EXECUTION_QUEUE } from '../../commands/execution/jobs.js';
import { REPORT_QUEUE } from '../../commands/reports/jobs.js';
import { requireCapability } from '../../domain/user/capabilities.js';
import type { AppContext } from '../../composition/context.js';
import { principalOf } from '../plugins/auth.js';
import type { App } from '../types.js';

const Count = Type.Integer({ minimum: 0 });
const ROOM_STATUSES = ['waiting', 'warmup', 'coding', 'wrapup', 'finished'] as const;
/** Queues always shown (others appear once this process has opened them). */
const KNOWN_QUEUES = [EXECUTION_QUEUE, ANALYSIS_QUEUE, HINT_QUEUE, INTERVIEW_QUEUE, AI_ANALYSIS_QUEUE, REVIEW_QUEUE, REPORT_QUEUE];

const OverviewSchema = Type.Object({
  users: Type.Object({ total: Count, active7d: Count, banned: Count }),
  rooms: Type.Object({ active: Count, byStatus: Type.Object(Object.fromEntries(ROOM_STATUSES.map((s) => [s, Count]))) }),
  sessions: Type.Object({ today: Count, total: Count }),
  executions: Type.Object({ today: Count }),
  ai: Type.Object({ today: Count }),
  queues: Type.Record(Type.String(), Type.Object({ waiting: Count, active: Count, failed: Count })),
  generatedAt: Type.String({ format: 'date-time' }),
});

async function queueDepths(ctx: AppContext): Promise<Record<string, { waiting: number; active: number; failed: number }>> {
  for (const name of KNOWN_QUEUES) ctx.queues.queue(name);
  try {
    const counts = await ctx.queues.counts();
    return Object.fromEntries(
      Object.entries(counts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, c]) => [name, { waiting: (c['waiting'] ?? 0) + (c['delayed'] ?? 0), active: c['active'] ?? 0, failed: c['failed'] ?? 0 }]),
    );
  } catch {
    return {}; // Redis unreachable: the rest of the page is still useful
  }
}

export async function adminOverview(ctx: AppContext, now = new Date()) {
  const today = now.toISOString().slice(0, 10);
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const [users, rooms, sessions, activity, queues] = await Promise.all([
    sql<{ total: number; active7d: number; banned: number }>`
      SELECT count(*)::int AS total,
             count(*) FILTER (WHERE last_login_at >= ${weekAgo}
               OR EXISTS (SELECT 1 FROM room_participants rp WHERE rp.user_id = users.id AND rp.joined_at >= ${weekAgo}))::int AS "active7d",
             count(*) FILTER (WHERE banned_at IS NOT NULL)::int AS banned
      FROM users WHERE deleted_at IS NULL`.execute(ctx.db),
    sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM rooms GROUP BY status`.execute(ctx.db),
    sql<{ total: number }>`SELECT count(*)::int AS total FROM sessions`.execute(ctx.db),
    sql<{ metric: string; n: number }>`SELECT metric, count::int AS n FROM daily_activity WHERE day = ${today}::date`.execute(ctx.db),
    queueDepths(ctx),
  ]);
  const byStatus = Object.fromEntries(ROOM_STATUSES.map((s) => [s, rooms.rows.find((r) => r.status === s)?.n ?? 0])) as Record<string, number>;
  const metric = (name: string) => activity.rows.find((r) => r.metric === name)?.n ?? 0;
  return {
    users: users.rows[0] ?? { total: 0, active7d: 0, banned: 0 },
    rooms: { active: ROOM_STATUSES.filter((s) => s !== 'finished').reduce((n, s) => n + byStatus[s]!, 0), byStatus },
    sessions: { today: metric('sessions_started'), total: sessions.rows[0]?.total ?? 0 },
    executions: { today: metric('executions') },
    ai: { today: metric('ai_requests') },
    queues,
    generatedAt: now.toISOString(),
  };
}

export function adminOverviewRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/admin/overview',
    { schema: { tags: ['admin'], summary: 'System overview stats (AdminDashboard)', response: { 200: OverviewSchema } } },
    async (request) => {
      requireCapability(principalOf(request), 'platform:view-analytics');
      return adminOverview(ctx);
    },
  );
}
