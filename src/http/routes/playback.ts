/**
 * Session playback (docs/playback.md): the code at any instant (edit history, ms resolution), the playback stream of
 * text-delta frames with the session's timeline, and the analysts' replay page (static HTML/CSS/JS, no build step).
 * Access as for a session's snapshots: participants (ongoing or finished sessions) and admins.
 */
import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../../composition/context.js';
import { DomainError } from '../../domain/shared/errors.js';
import { validationError } from '../errors.js';
import type { App } from '../types.js';
import { readableSession, SessionIdParams } from './sessions.js';
import { DateTime, Nullable } from '../schemas.js';


const CodeAtResponse = Type.Object({
  code: Type.String(),
  language: Nullable(Type.String()),
  at: DateTime,
  buffers: Type.Record(Type.String(), Type.String()),
  source: Type.String(),
});

const PlaybackResponse = Type.Object({
  sessionId: Type.String(),
  language: Nullable(Type.String()),
  startedAt: DateTime,
  finishedAt: Nullable(DateTime),
  from: DateTime,
  to: DateTime,
  frames: Type.Array(
    Type.Object({
      t: Type.Integer(),
      userId: Nullable(Type.String()),
      delta: Type.Array(Type.Object({}, { additionalProperties: true })),
      language: Type.Optional(Type.String()),
    }),
  ),
  events: Type.Array(
    Type.Object({
      t: Type.Integer(),
      id: Type.String(),
      eventType: Type.String(),
      userId: Nullable(Type.String()),
      metadata: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
      timestamp: DateTime,
    }),
  ),
});

/**
 * The playback reads, loaded by the first request that needs them: they bring Yjs, which a process that never
 * serves playback (most API processes most of the time) need not hold in memory.
 */
const playbackReads = () => import('../../projections/playback/read.js');

/** The replay page's files, read once (they ship next to this module's sources). */
function loadAssets(ctx: AppContext): Map<string, { body: string; type: string }> {
  const assets = new Map<string, { body: string; type: string }>();
  const files: Array<[string, string, string]> = [
    ['page', 'index.html', 'text/html; charset=utf-8'],
    ['replay.js', 'replay.js', 'text/javascript; charset=utf-8'],
    ['replay.css', 'replay.css', 'text/css; charset=utf-8'],
  ];
  for (const [key, file, type] of files) {
    try {
      assets.set(key, { body: readFileSync(new URL(`../replay/${file}`, import.meta.url), 'utf8'), type });
    } catch (err) {
      ctx.logger.warn({ err, file }, 'replay page asset missing');
    }
  }
  return assets;
}

export function playbackRoutes(app: App, ctx: AppContext): void {
  const tags = ['sessions'];

  app.get(
    '/sessions/:id/code',
    {
      schema: {
        tags,
        summary: 'The code of every language buffer at an instant (ms resolution, from the edit history)',
        params: SessionIdParams,
        querystring: Type.Object({ at: DateTime }, { additionalProperties: false }),
        response: { 200: CodeAtResponse },
      },
    },
    async (request) => {
      const { session } = await readableSession(ctx, request, request.params.id, { finishedOnly: false });
      try {
        return await (await playbackReads()).codeAtInstant(ctx.db, session, Date.parse(request.query.at));
      } catch (err) {
        if (err instanceof (await playbackReads()).InstantBeforeSessionError) {
          throw validationError([{ field: 'at', constraint: 'afterSessionStart', value: request.query.at }], err.message);
        }
        throw err;
      }
    },
  );

  app.get(
    '/sessions/:id/playback',
    {
      schema: {
        tags,
        summary: 'Text-delta frames of the visible code (≤ 1 per 100 ms per author) and the timeline events of a range',
        params: SessionIdParams,
        querystring: Type.Object({ from: Type.Optional(DateTime), to: Type.Optional(DateTime) }, { additionalProperties: false }),
        response: { 200: PlaybackResponse },
      },
    },
    async (request) => {
      const { session } = await readableSession(ctx, request, request.params.id, { finishedOnly: false });
      const from = request.query.from ? Date.parse(request.query.from) : undefined;
      const to = request.query.to ? Date.parse(request.query.to) : undefined;
      if (from !== undefined && to !== undefined && from > to) {
        throw validationError([{ field: 'to', constraint: 'notBeforeFrom', value: request.query.to }], '`to` is before `from`');
      }
      return (await playbackReads()).playbackStream(ctx.db, session, from, to);
    },
  );

  const assets = loadAssets(ctx);
  const asset = (key: string) => {
    const found = assets.get(key);
    if (!found) throw new DomainError('NOT_FOUND', 'The replay page is not installed');
    return found;
  };
  // the page and its files are public; every API call the page makes carries the analyst's access token
  const page = { config: { public: true }, schema: { hide: true } } as const;
  for (const file of ['replay.js', 'replay.css']) {
    app.get(`/replay/assets/${file}`, page, async (_request, reply) => {
      const { body, type } = asset(file);
      return reply.header('Content-Type', type).header('Cache-Control', 'no-cache').send(body);
    });
  }
  app.get(
    '/replay/:sessionId',
    { config: { public: true }, schema: { hide: true, params: Type.Object({ sessionId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }) } },
    async (_request, reply) => {
      const { body, type } = asset('page');
      return reply.header('Content-Type', type).header('Cache-Control', 'no-cache').send(body);
    },
  );
}
