/**
 * What the published OpenAPI document adds to the route schemas, so an SPA team can generate a client from it:
 *
 * - every operation has a stable camelCase `operationId` (from method and path unless the route names one) and a
 *   summary;
 * - every operation lists the error answers it can give, each with the `ErrorResponse` envelope;
 * - routes that answer without a body are declared 204;
 * - `/internal/*` sits under its own security scheme (`X-Internal-Secret`), public routes under none;
 * - inline copies of the named schemas (`components.schemas`) are replaced by `$ref`s to them.
 *
 * All of it happens when the document is generated (`@fastify/swagger` transforms): the routes' runtime
 * validation and serialisation are untouched.
 */
import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { Type } from '@sinclair/typebox';

export const ErrorResponseSchema = Type.Object(
  {
    statusCode: Type.Integer({ minimum: 400, maximum: 599 }),
    code: Type.String({ description: 'Machine-readable error code, e.g. VALIDATION_FAILED, ROOM_NOT_FOUND' }),
    message: Type.String(),
    timestamp: Type.String({ format: 'date-time' }),
    details: Type.Optional(
      Type.Object(
        {},
        { additionalProperties: true, description: 'Extra facts; validation errors carry `fields: [{field, constraint, value}]`, 429/503 `retryAfter`' },
      ),
    ),
  },
  { title: 'ErrorResponse' },
);

export const INTERNAL_SECURITY_SCHEME = { type: 'apiKey', in: 'header', name: 'X-Internal-Secret' } as const;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED with the failing fields)',
  401: 'Missing, invalid or expired credentials',
  403: 'Not allowed for this caller',
  404: 'Not found',
  429: 'Rate limit exceeded (see Retry-After)',
  500: 'Unexpected error',
  503: 'A dependency is unavailable (see Retry-After)',
};

/** An inline copy of the envelope; the document transform turns it into a `$ref` to the component. */
const errorBody = (description: string | undefined) => ({ ...ErrorResponseSchema, description });

/** `GET /rooms/:id/participants` → `getRoomsIdParticipants`: stable, unique per method and path. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => segment.replace(/^:/, '').replace(/\*/g, 'wildcard').split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

function openapiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

type Schema = Record<string, unknown> & { response?: Record<string, unknown>; hide?: boolean };

interface RouteLike {
  method: string | string[];
  url: string;
  config?: { public?: boolean } & Record<string, unknown>;
}

function errorStatuses(route: RouteLike, schema: Schema): number[] {
  const statuses = [400, 429, 500, 503];
  if (!route.config?.public || route.url.startsWith('/internal/')) statuses.push(401, 403);
  if (route.url.includes(':') || schema.params) statuses.push(404);
  return statuses.sort((a, b) => a - b);
}

/** `@fastify/swagger`'s per-route transform. */
export const describeRoute: SwaggerTransform = ({ schema, url, route: fastifyRoute }) => {
  const route = fastifyRoute as unknown as RouteLike;
  const base = (schema ?? {}) as Schema;
  if (base.hide) return { schema: base, url };
  const method = Array.isArray(route.method) ? route.method[0]! : route.method;
  const response: Record<string, unknown> = { ...(base.response ?? {}) };
  // A route that declares no success body answers 204 (a read without a declared body is described as plain 200).
  if (!Object.keys(response).some((s) => s.startsWith('2'))) {
    if (method === 'GET' || method === 'HEAD') response['200'] = { description: 'OK' };
    else response['204'] = { type: 'null', description: 'No Content' };
  }
  for (const [status, body] of Object.entries(response)) {
    if (Number(status) >= 400) response[status] = errorBody((body as { description?: string }).description ?? ERROR_DESCRIPTIONS[Number(status)]);
  }
  for (const status of errorStatuses(route, base)) {
    response[String(status)] ??= errorBody(ERROR_DESCRIPTIONS[status]);
  }
  const described: Schema = {
    ...base,
    operationId: (base.operationId as string | undefined) ?? operationIdOf(method, url),
    summary: (base.summary as string | undefined) ?? `${method} ${openapiPath(url)}`,
    response,
  };
  if (url.startsWith('/internal/')) described.security = [{ internalSecret: [] }];
  return { schema: described, url };
};

/** JSON with sorted keys, without the top-level description (it belongs to the use, not the shape). */
function canonical(value: unknown): string {
  const { description: _description, ...shape } = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  return JSON.stringify(shape, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** Replace every inline schema equal to a named component by a `$ref` to it (not the components themselves). */
function referenceNamed(node: unknown, named: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => referenceNamed(n, named));
  if (!node || typeof node !== 'object') return node;
  const name = named.get(canonical(node));
  if (name) return { $ref: `#/components/schemas/${name}` };
  return Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([k, v]) => [k, referenceNamed(v, named)]));
}

interface OpenApiDocument {
  paths?: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
}

/** `@fastify/swagger`'s whole-document transform: publish ErrorResponse and reference named schemas. */
export const publishNamedSchemas: SwaggerTransformObject = (documentObject) => {
  if (!('openapiObject' in documentObject)) return documentObject.swaggerObject;
  const doc = documentObject.openapiObject as OpenApiDocument;
  const schemas = { ...(doc.components?.schemas ?? {}), ErrorResponse: JSON.parse(JSON.stringify(ErrorResponseSchema)) as unknown };
  const named = new Map(Object.entries(schemas).map(([name, schema]) => [canonical(schema), name]));
  return {
    ...doc,
    paths: referenceNamed(doc.paths ?? {}, named) as Record<string, unknown>,
    components: {
      ...(doc.components ?? {}),
      schemas,
    },
  } as ReturnType<SwaggerTransformObject>;
};
