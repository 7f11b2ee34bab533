/**
 * Who held which role when, from the `session-<id>` stream: the participants of SessionStarted, late joiners
 * (SessionParticipantAdded) and role changes (SessionParticipantRoleChanged, one per person swapped), ending at
 * SessionFinished. A candidate's report covers what happened inside their candidate segments.
 */
import type { RoleSpan, Segment } from './types.js';

export interface SessionStreamEvent {
  type: string;
  data: Record<string, unknown>;
  /** ISO time of the event (metadata.occurredAt) */
  occurredAt: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Role spans of every participant; open spans end at the finish (or `until` for a session still going). */
export function roleSpans(events: readonly SessionStreamEvent[], until: string): RoleSpan[] {
  const open = new Map<string, { role: string; from: string }>();
  const spans: RoleSpan[] = [];
  let end = until;
  const close = (userId: string, at: string) => {
    const current = open.get(userId);
    if (!current) return;
    spans.push({ userId, role: current.role, from: current.from, to: at });
    open.delete(userId);
  };
  for (const e of events) {
    const d = e.data;
    switch (e.type) {
      case 'SessionStarted': {
        const startedAt = str(d['startedAt']) ?? e.occurredAt;
        const participants = Array.isArray(d['participants']) ? (d['participants'] as Array<Record<string, unknown>>) : [];
        for (const p of participants) {
          const userId = str(p['userId']);
          const role = str(p['role']);
          if (userId && role) open.set(userId, { role, from: startedAt });
        }
        break;
      }
      case 'SessionParticipantAdded': {
        const userId = str(d['userId']);
        const role = str(d['role']);
        if (userId && role && !open.has(userId)) open.set(userId, { role, from: e.occurredAt });
        break;
      }
      case 'SessionParticipantRoleChanged': {
        const userId = str(d['userId']);
        const to = str(d['to']);
        if (!userId || !to) break;
        close(userId, e.occurredAt);
        open.set(userId, { role: to, from: e.occurredAt });
        break;
      }
      case 'SessionFinished':
        end = str(d['finishedAt']) ?? e.occurredAt;
        break;
      default:
        break;
    }
  }
  for (const userId of [...open.keys()]) close(userId, end);
  return spans.sort((a, b) => a.from.localeCompare(b.from) || a.userId.localeCompare(b.userId));
}

/** Everyone who was a candidate in any segment, in the order they first became one. */
export function candidatesOf(spans: readonly RoleSpan[]): string[] {
  const seen: string[] = [];
  for (const s of spans) if (s.role === 'candidate' && !seen.includes(s.userId)) seen.push(s.userId);
  return seen;
}

export function candidateSegments(spans: readonly RoleSpan[], userId: string): Segment[] {
  return spans.filter((s) => s.userId === userId && s.role === 'candidate').map((s) => ({ from: s.from, to: s.to }));
}

export function within(segments: readonly Segment[], at: string): boolean {
  const t = Date.parse(at);
  return segments.some((s) => Date.parse(s.from) <= t && t <= Date.parse(s.to));
}

/** The role `userId` held at `at` (null when not a participant then). */
export function roleAt(spans: readonly RoleSpan[], userId: string, at: string): string | null {
  const t = Date.parse(at);
  const span = spans.find((s) => s.userId === userId && Date.parse(s.from) <= t && t <= Date.parse(s.to));
  return span?.role ?? null;
}
