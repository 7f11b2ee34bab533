/**
 * The AI conversation history: `GET /rooms/:id/ai/messages` (the caller's own
 * conversation in the room) and `GET /sessions/:id/ai-messages` (an AI session's conversation; 404
 * SESSION_AI_MESSAGES_NOT_FOUND for peer sessions). Oldest first, cursor-paginated.
 */
import { Type } from '@sinclair/typebox';
import { authorizeAiRead } from '../../commands/ai/access.js';
import { DomainError } from '../../domain/shared/errors.js';
import { AI_MESSAGES_CURSOR_ARITY, listAiMessages, type AiMessageRow } from '../../projections/ai-interviewer/queries.js';
import { UUID_PATTERN } from '../../projections/problems/queries.js';
import type { RouteModule } from '../app.js';
import { validationError } from '../errors.js';
import { decodeCursor, pageOf, PageQuery, toPage } from '../pagination.js';
import { principalOf } from '../plugins/auth.js';
import { readableSession } from './sessions.js';

const AiMessage = Type.Object({
  id: Type.String(),
  role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]),
  content: Type.String(),
  audioUrl: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

function after(cursor: string | undefined): [string, string] | undefined {
  const values = decodeCursor(cursor, AI_MESSAGES_CURSOR_ARITY);
  if (!values) return undefined;
  const [seq, id] = values;
  if (typeof seq !== 'string' || !/^\d{1,19}$/.test(seq) || typeof id !== 'string' || !new RegExp(UUID_PATTERN).test(id)) {
    throw validationError([{ field: 'cursor', constraint: 'cursor', value: cursor }], 'Invalid cursor');
  }
  return [seq, id];
}

const view = (m: AiMessageRow) => ({ id: m.id, role: m.role, content: m.content, audioUrl: null, createdAt: new Date(m.createdAt).toISOString() });

export const aiHistoryRoutes: RouteModule = (app, ctx) => {
  app.get('/rooms/:id/ai/messages', {
    schema: {
      tags: ['ai'],
      summary: 'Get the AI conversation history in a room',
      params: Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) }),
      querystring: Type.Object(PageQuery),
      response: { 200: pageOf(AiMessage) },
    },
  }, async (request) => {
    const { userId } = principalOf(request);
    await authorizeAiRead(ctx.db, request.params.id, userId);
    const { cursor, limit } = request.query;
    const rows = await listAiMessages(ctx.db, { roomId: request.params.id, userId }, limit, after(cursor));
    return toPage(rows, limit, view, (m) => [m.seq, m.id]);
  });

  app.get('/sessions/:id/ai-messages', {
    schema: {
      tags: ['sessions', 'ai'],
      summary: 'Get the AI conversation history of a session',
      params: Type.Object({ id: Type.String({ pattern: UUID_PATTERN }) }),
      querystring: Type.Object(PageQuery),
      response: { 200: pageOf(AiMessage) },
    },
  }, async (request) => {
    const { session } = await readableSession(ctx, request, request.params.id, { finishedOnly: false });
    if (session.mode !== 'ai') throw new DomainError('SESSION_AI_MESSAGES_NOT_FOUND', 'This session has no AI conversation (it is a peer session)');
    const { cursor, limit } = request.query;
    const rows = await listAiMessages(ctx.db, { sessionId: session.id }, limit, after(cursor));
    return toPage(rows, limit, view, (m) => [m.seq, m.id]);
  });
};
