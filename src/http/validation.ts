/**
 * Request validation. Query strings, path params and headers arrive as text, so their validator coerces
 * ("20" → 20, a single value → a one-element array). JSON bodies already carry types, so theirs does not:
 * `{"password": 12345678}` is a 400, not a silently stringified password.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function compiler(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, verbose: true, strict: false });
  addFormats.default(ajv);
  return ajv;
}

export function validatorCompiler(): FastifySchemaCompiler<any> {
  const forText = compiler('array');
  const forBody = compiler(false);
  return ({ schema, httpPart }) => (httpPart === 'body' ? forBody : forText).compile(schema as object);
}
