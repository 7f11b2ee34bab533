/**
 * Session playback answers (docs/playback.md), shared by the HTTP routes and the CLI: the code of every language
 * buffer at an instant, and the playback stream (frames + timeline events) of a time range. Edit history when the
 * room has it; the session's code snapshots otherwise (sessions recorded before the history existed).
 */
import { codeAt } from '../../domain/session/timeline.js';
import type { Db } from '../../infra/db/database.js';
import { listSnapshots, type SessionRow } from '../sessions/queries.js';
import { listTimeline, type TimelineRow } from '../timeline/queries.js';
import { buildFrames, textDelta, type LanguageSwitch, type PlaybackFrame } from './frames.js';
import { buffersOf, documentAt, languageChanges, updatesBetween } from './queries.js';

export interface CodeAtInstant {
  code: string;
  language: string | null;
  at: string;
  buffers: Record<string, string>;
  /** where the answer comes from: the edit history (ms resolution) or the nearest earlier snapshot */
  source: 'history' | 'snapshot' | 'none';
}

export interface PlaybackEvent {
  t: number;
  id: string;
  eventType: string;
  userId: string | null;
  metadata: Record<string, unknown> | null;
  timestamp: string;
}

export interface PlaybackStream {
  sessionId: string;
  language: string | null;
  startedAt: string;
  finishedAt: string | null;
  from: string;
  to: string;
  frames: PlaybackFrame[];
  events: PlaybackEvent[];
}

export class InstantBeforeSessionError extends Error {}

/** The session's end (or now while it runs): nothing is written after it. */
export const sessionEnd = (session: SessionRow, now = Date.now()) => session.finishedAt?.getTime() ?? now;

function languageSwitches(timeline: readonly TimelineRow[]): LanguageSwitch[] {
  return timeline
    .filter((e) => e.eventType === 'language_changed' && typeof e.metadata?.['to'] === 'string')
    .map((e) => ({ at: e.timestamp.getTime(), language: String(e.metadata!['to']), userId: e.userId }));
}

/** The active language at `atMs`: the last switch at or before it, else what the first switch switched from. */
function languageAt(session: SessionRow, switches: readonly LanguageSwitch[], timeline: readonly TimelineRow[], atMs: number): string | null {
  let found: string | null = null;
  for (const s of switches) if (s.at <= atMs) found = s.language;
  if (found) return found;
  const first = timeline.find((e) => e.eventType === 'language_changed');
  const from = first?.metadata?.['from'];
  return typeof from === 'string' ? from : session.language;
}

/** `{code, language, at, buffers}` at `atMs`; throws InstantBeforeSessionError before the session started. */
export async function codeAtInstant(db: Db, session: SessionRow, atMs: number): Promise<CodeAtInstant> {
  if (atMs < session.startedAt.getTime()) throw new InstantBeforeSessionError('The instant is before the session started');
  const effective = Math.min(atMs, sessionEnd(session));
  const [timeline, doc] = await Promise.all([languageChanges(db, session.roomId), documentAt(db, session.roomId, effective)]);
  const language = languageAt(session, languageSwitches(timeline), timeline, effective);
  const at = new Date(atMs).toISOString();
  if (doc) {
    try {
      const buffers = buffersOf(doc);
      return { code: language ? buffers[language] ?? '' : '', language, at, buffers, source: 'history' };
    } finally {
      doc.destroy();
    }
  }
  const snapshots = await listSnapshots(db, session.id, 100_000);
  const snap = codeAt(
    snapshots.map((s) => ({ snapshotId: s.id, code: s.code, language: s.language, trigger: s.trigger, takenAt: s.createdAt.toISOString() })),
    new Date(effective).toISOString(),
  );
  if (!snap) return { code: '', language, at, buffers: {}, source: 'none' };
  return { code: snap.language === language || !language ? snap.code : '', language: language ?? snap.language, at, buffers: { [snap.language]: snap.code }, source: 'snapshot' };
}

/**
 * The frames of a session that finished a while ago never change (nothing is edited after the end; a destroyed room
 * has no session to ask for), so the last few are kept: an analyst's page load and the reloads that follow build
 * them once. Not right after the end: edits accepted before it reach storage on the collab node's next history
 * flush (docs/playback.md), which can come seconds later on a loaded node, so until FRAMES_SETTLED_MS have passed
 * the frames are read afresh. Events are read fresh every time (the timeline may still be told late results).
 */
const finishedFrames = new Map<string, PlaybackFrame[]>();
const FINISHED_FRAMES_KEPT = 8;
const FRAMES_SETTLED_MS = 60_000;

/** Frames and events of [fromMs, toMs] (clamped to the session). */
export async function playbackStream(db: Db, session: SessionRow, fromMs?: number, toMs?: number): Promise<PlaybackStream> {
  const startedAt = session.startedAt.getTime();
  const end = sessionEnd(session);
  const from = Math.min(Math.max(fromMs ?? startedAt, startedAt), end);
  const to = Math.max(Math.min(toMs ?? end, end), from);
  const timeline = await listTimeline(db, session.roomId);
  const switches = languageSwitches(timeline);
  const language = languageAt(session, switches, timeline, from);
  const events: PlaybackEvent[] = timeline
    .filter((e) => e.timestamp.getTime() >= from && e.timestamp.getTime() <= to)
    .map((e) => ({ t: e.timestamp.getTime() - startedAt, id: e.id, eventType: e.eventType, userId: e.userId, metadata: e.metadata, timestamp: e.timestamp.toISOString() }));

  const settled = session.finishedAt !== null && Date.now() - session.finishedAt.getTime() > FRAMES_SETTLED_MS;
  const key = settled ? `${session.id}:${from}:${to}` : null;
  let frames = key ? finishedFrames.get(key) : undefined;
  if (!frames) {
    frames = await framesOf(db, session, from, to, language, switches.filter((s) => s.at > from && s.at <= to));
    if (key) {
      finishedFrames.set(key, frames);
      if (finishedFrames.size > FINISHED_FRAMES_KEPT) finishedFrames.delete(finishedFrames.keys().next().value!);
    }
  }
  return {
    sessionId: session.id,
    language,
    startedAt: session.startedAt.toISOString(),
    finishedAt: session.finishedAt?.toISOString() ?? null,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    frames,
    events,
  };
}

async function framesOf(db: Db, session: SessionRow, from: number, to: number, language: string | null, switches: LanguageSwitch[]): Promise<PlaybackFrame[]> {
  const startedAt = session.startedAt.getTime();
  const doc = await documentAt(db, session.roomId, from);
  if (!doc) return snapshotFrames(db, session, from, to);
  try {
    const frames: PlaybackFrame[] = [];
    if (!language) return frames;
    const initial = doc.getText(`code:${language}`).toString();
    if (initial.length > 0) frames.push({ t: from - startedAt, userId: null, delta: [{ insert: initial }] });
    return frames.concat(buildFrames(doc, await updatesBetween(db, session.roomId, from, to), language, switches, startedAt).frames);
  } finally {
    doc.destroy();
  }
}

/** Without edit history: one frame per code snapshot (coarse, but the same shape). */
async function snapshotFrames(db: Db, session: SessionRow, from: number, to: number): Promise<PlaybackFrame[]> {
  const startedAt = session.startedAt.getTime();
  const snapshots = (await listSnapshots(db, session.id, 100_000)).filter((s) => s.createdAt.getTime() <= to);
  const frames: PlaybackFrame[] = [];
  let text = '';
  let language: string | null = null;
  for (const s of snapshots) {
    const t = Math.max(s.createdAt.getTime(), from) - startedAt;
    const delta = textDelta(text, s.code);
    if (delta.length > 0 || s.language !== language) frames.push({ t, userId: null, delta, ...(s.language !== language ? { language: s.language } : {}) });
    text = s.code;
    language = s.language;
  }
  return frames;
}
