/**
 * The JSON body parser: fastify's own (prototype-poisoning checks included) behind a nesting-depth check, so a
 * 5,000-level document is a 400 naming the body instead of a stack overflow in the validator or the serializer.
 */
import type { FastifyRequest } from 'fastify';
import { validationError } from './errors.js';
import type { App } from './types.js';

/** Deeper than any document the API accepts (problems with test cases are ~4 levels). */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of arrays/objects in a JSON text, scanning at most until it passes `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

export function registerJsonBodyParser(app: App): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request: FastifyRequest, body: string | Buffer, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      done(validationError([{ field: 'body', constraint: 'maxDepth', value: MAX_JSON_DEPTH }], `Validation failed: body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
