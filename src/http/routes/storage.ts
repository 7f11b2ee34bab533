/**
 * /storage/*: the local storage driver's signed URLs, served by the API. PUT stores the raw body (its
 * Content-Type must be the one the URL was signed for), GET streams the object. The signature is the only
 * credential (no bearer token); a bad, foreign or expired signature is 403 FORBIDDEN.
 */
import { Type } from '@sinclair/typebox';
import { DomainError } from '../../domain/shared/errors.js';
import { localStorageOf } from '../../infra/storage/index.js';
import type { AppContext } from '../../composition/context.js';
import type { App } from '../types.js';

/** Largest object accepted through a signed upload URL. */
export const STORAGE_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

const Params = Type.Object({ '*': Type.String({ minLength: 1, maxLength: 512 }) });
const Query = Type.Object({
  exp: Type.Optional(Type.String({ maxLength: 20 })),
  ct: Type.Optional(Type.String({ maxLength: 200 })),
  sig: Type.Optional(Type.String({ maxLength: 200 })),
});

const forbidden = () => new DomainError('FORBIDDEN', 'Invalid or expired signature');

export async function storageRoutes(app: App, ctx: AppContext): Promise<void> {
  await app.register(async (scoped) => {
    const child = scoped as App;
    // Uploads are raw bytes of any type; only this plugin parses bodies that way.
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: STORAGE_UPLOAD_LIMIT_BYTES }, (_req, body, done) => done(null, body));

    const config = { public: true, skipGlobalRateLimit: true };

    child.put(
      '/storage/*',
      { config, bodyLimit: STORAGE_UPLOAD_LIMIT_BYTES, schema: { hide: true, params: Params, querystring: Query } },
      async (request, reply) => {
        const storage = localStorageOf(ctx);
        const key = request.params['*'];
        const contentType = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (!storage || !storage.verify('PUT', key, request.query) || contentType !== (request.query.ct ?? '').toLowerCase()) throw forbidden();
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        await storage.write(key, body, contentType);
        return reply.status(200).send();
      },
    );

    child.get('/storage/*', { config, schema: { hide: true, params: Params, querystring: Query } }, async (request, reply) => {
      const storage = localStorageOf(ctx);
      const key = request.params['*'];
      if (!storage || !storage.verify('GET', key, request.query)) throw forbidden();
      const object = await storage.read(key);
      if (!object) throw new DomainError('NOT_FOUND', 'Object not found');
      reply.header('Content-Type', object.contentType);
      reply.header('Content-Length', String(object.size));
      reply.header('Cache-Control', 'private, max-age=3600');
      return reply.send(object.stream);
    });
  });
}
