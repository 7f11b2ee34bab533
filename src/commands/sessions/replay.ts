/**
 * Replay for analysts: a session's story read straight from the event store (the room's stream, the session's
 * stream, and the runs and submissions made in the room), told with the same mapping as GET /sessions/:id/timeline,
 * and the code as it stood at any instant, from the session's CodeSnapshotTaken events.
 *
 * With `--at`, the code comes from the collab plane's edit history at millisecond resolution when the session has one
 * (docs/playback.md); `--export <file>` writes the playback stream (frames + timeline) as JSON.
 *
 *   syncode replay <sessionId> [--at <iso>] [--json] [--export <file>]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { roomStream } from '../../domain/room/events.js';
import { sessionStream } from '../../domain/session/events.js';
import { codeAt, timelineEntries, type CodeSnapshotRecord, type TimelineEntry } from '../../domain/session/timeline.js';
import { StreamNotFoundError, type RecordedEvent } from '../../infra/eventstore/port.js';
import { actorOf, occurredAt } from '../../projections/projection.js';
import { codeAtInstant, playbackStream, type CodeAtInstant } from '../../projections/playback/read.js';
import { findSession } from '../../projections/sessions/queries.js';
import type { Ports } from '../ports.js';

export interface SessionReplay {
  sessionId: string;
  roomId: string;
  events: TimelineEntry[];
  /** the code at `at` (or at the end of what was recorded) */
  code: CodeSnapshotRecord | null;
  snapshots: CodeSnapshotRecord[];
}

async function readAllOf(ctx: Pick<Ports, 'store'>, stream: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  try {
    for await (const e of ctx.store.readStream(stream)) out.push(e);
  } catch (err) {
    if (!(err instanceof StreamNotFoundError)) throw err;
  }
  return out;
}

/** Runs and submissions of the room (streams `run-*`, `submission-*` naming it in `data.roomId`). */
async function executionEventsOf(ctx: Pick<Ports, 'store'>, roomId: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of ctx.store.readAll({ filter: { on: 'streamName', prefixes: ['run-', 'submission-'] } })) {
    if (e.data['roomId'] === roomId) out.push(e);
  }
  return out;
}

export class SessionNotFoundForReplay extends Error {}

export async function replaySession(ctx: Pick<Ports, 'store'>, sessionId: string, at?: Date): Promise<SessionReplay> {
  const sessionEvents = await readAllOf(ctx, sessionStream(sessionId));
  const started = sessionEvents.find((e) => e.type === 'SessionStarted');
  if (!started) throw new SessionNotFoundForReplay(`No session ${sessionId}`);
  const roomId = String(started.data['roomId']);
  const all = [...(await readAllOf(ctx, roomStream(roomId))), ...sessionEvents, ...(await executionEventsOf(ctx, roomId))];
  all.sort((a, b) => (a.position.commit < b.position.commit ? -1 : a.position.commit > b.position.commit ? 1 : 0));
  const limit = at?.getTime();
  const events: TimelineEntry[] = [];
  const snapshots: CodeSnapshotRecord[] = [];
  for (const e of all) {
    const when = occurredAt(e);
    if (limit !== undefined && when.getTime() > limit) continue;
    const items = timelineEntries({ id: e.id, type: e.type, streamName: e.streamName, data: e.data, occurredAt: when.toISOString(), actorId: actorOf(e) });
    if (items) events.push(...items.entries);
    if (e.type === 'CodeSnapshotTaken') {
      const d = e.data;
      snapshots.push({ snapshotId: String(d['snapshotId']), code: String(d['code']), language: String(d['language']), trigger: String(d['trigger']), takenAt: String(d['takenAt']) });
    }
  }
  const code = codeAt(snapshots, (at ?? new Date(8.64e15)).toISOString());
  return { sessionId, roomId, events, code, snapshots };
}

export function formatReplay(replay: SessionReplay, at?: Date, history?: CodeAtInstant): string {
  const lines = [`session ${replay.sessionId} (room ${replay.roomId})`, ''];
  for (const e of replay.events) {
    lines.push(`${e.timestamp}  ${e.eventType.padEnd(22)} ${(e.userId ?? '-').padEnd(36)} ${e.metadata ? JSON.stringify(e.metadata) : ''}`.trimEnd());
  }
  lines.push('');
  const label = at ? `at ${at.toISOString()}` : 'at the end';
  if (history?.source === 'history') {
    lines.push(`code ${label} (edit history): ${history.language ?? '-'}`);
    lines.push('-'.repeat(72), history.code, '-'.repeat(72));
  } else if (!replay.code) lines.push(`no code recorded ${label}`);
  else {
    lines.push(`code ${label}: ${replay.code.language}, snapshot ${replay.code.snapshotId} (${replay.code.trigger}, ${replay.code.takenAt})`);
    lines.push('-'.repeat(72), replay.code.code, '-'.repeat(72));
  }
  return lines.join('\n');
}

/** CLI: `syncode replay <sessionId> [--at <iso>] [--json]`. */
export async function replayCli(ctx: Pick<Ports, 'db' | 'store'>, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { at: { type: 'string' }, json: { type: 'boolean', default: false }, export: { type: 'string' } },
  });
  const sessionId = positionals[0];
  if (!sessionId) {
    console.error('usage: syncode replay <sessionId> [--at <iso>] [--json] [--export <file>]');
    return 2;
  }
  const at = values.at ? new Date(values.at) : undefined;
  if (at && Number.isNaN(at.getTime())) {
    console.error(`--at: not a date: ${values.at}`);
    return 2;
  }
  try {
    if (values.export) return await exportPlayback(ctx, sessionId, values.export);
    const replay = await replaySession(ctx, sessionId, at);
    const session = at ? await findSession(ctx.db, sessionId) : undefined;
    const history = session && at && at >= session.startedAt ? await codeAtInstant(ctx.db, session, at.getTime()) : undefined;
    const json = { ...replay, snapshots: undefined, ...(history ? { codeAt: history } : {}) };
    console.log(values.json ? JSON.stringify(json, null, 2) : formatReplay(replay, at, history));
    return 0;
  } catch (err) {
    if (err instanceof SessionNotFoundForReplay) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

/** `--export <file>`: the playback stream of the whole session (what GET /sessions/:id/playback answers). */
async function exportPlayback(ctx: Pick<Ports, 'db'>, sessionId: string, file: string): Promise<number> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFoundForReplay(`No session ${sessionId}`);
  const stream = await playbackStream(ctx.db, session);
  writeFileSync(file, `${JSON.stringify(stream, null, 2)}\n`);
  console.log(`wrote ${stream.frames.length} frames and ${stream.events.length} events of session ${sessionId} to ${file}`);
  return 0;
}
