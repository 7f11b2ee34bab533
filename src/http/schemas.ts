/**
 * Shared TypeBox primitives of the HTTP contract. `Uuid` and `DateTime` use the API's one definition of those
 * formats (src/http/validation.ts): canonical UUIDs only, RFC 3339 date-times Postgres and `new Date()` accept.
 */
import { Type, type TSchema } from '@sinclair/typebox';

export const Uuid = Type.String({ format: 'uuid' });

export const DateTime = Type.String({ format: 'date-time' });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
