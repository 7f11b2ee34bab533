/** Bookmarks: the caller's saved problems, newest first; put and delete are idempotent. */
import { Type } from '@sinclair/typebox';
import type { RouteModule } from '../app.js';
import { requestMetadata, settle } from '../command.js';
import { decodeCursor, pageOf, PageQuery, toPage } from '../pagination.js';
import { principalOf } from '../plugins/auth.js';
import { bookmarkProblem, unbookmarkProblem } from '../../commands/problems/bookmarks.js';
import { BOOKMARK_CURSOR_ARITY, listBookmarks } from '../../projections/bookmarks/queries.js';
import { UUID_PATTERN } from '../../projections/problems/queries.js';
import { ProblemSummarySchema } from './problem-schemas.js';

const Params = Type.Object({ problemId: Type.String({ pattern: UUID_PATTERN }) });

export const bookmarkRoutes: RouteModule = (app, ctx) => {
  app.get(
    '/users/me/bookmarks',
    { schema: { tags: ['bookmarks'], querystring: Type.Object(PageQuery), response: { 200: pageOf(ProblemSummarySchema) } } },
    async (request) => {
      const principal = principalOf(request);
      const { cursor, limit } = request.query;
      const rows = await listBookmarks(ctx.db, {
        userId: principal.userId,
        isAdmin: principal.role === 'admin',
        cursor: decodeCursor(cursor, BOOKMARK_CURSOR_ARITY),
        limit,
      });
      return toPage(rows, limit, (r) => r.item, (r) => r.cursor);
    },
  );

  app.put('/users/me/bookmarks/:problemId', { schema: { tags: ['bookmarks'], params: Params } }, async (request, reply) => {
    const principal = principalOf(request);
    const result = await bookmarkProblem(ctx.store, requestMetadata(request), principal.userId, request.params.problemId);
    await settle(ctx, result.position, result.events.map((e) => e.type));
    return reply.code(204).send();
  });

  app.delete('/users/me/bookmarks/:problemId', { schema: { tags: ['bookmarks'], params: Params } }, async (request, reply) => {
    const principal = principalOf(request);
    const result = await unbookmarkProblem(ctx.store, requestMetadata(request), principal.userId, request.params.problemId);
    await settle(ctx, result.position, result.events.map((e) => e.type));
    return reply.code(204).send();
  });
};
