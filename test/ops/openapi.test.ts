/**
 * The published contract: openapi.json is what the code serves (regenerate with `npm run openapi`), every
 * operation is named, summarised and declares the ErrorResponse envelope for its errors, /internal/* sits under its
 * own scheme, and a typed client generated from it with openapi-typescript typechecks a small program.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../../src/http/openapi-document.js';
import { createHarness, type Harness } from '../support/harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COMMITTED = path.join(ROOT, 'openapi.json');

type Operation = { operationId?: string; summary?: string; security?: unknown[]; responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> };
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };

let h: Harness;
let live: Doc;
const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Doc;

beforeAll(async () => {
  h = await createHarness();
  live = (await openApiDocument(h.ctx)) as unknown as Doc;
});
afterAll(async () => h.close());

const operations = (doc: Doc) => Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([m, op]) => ({ path: p, method: m, op })));

describe('openapi.json', () => {
  it('is up to date with the routes (regenerate with `npm run openapi`)', () => {
    const key = (o: { path: string; method: string }) => `${o.method.toUpperCase()} ${o.path}`;
    const liveOps = new Map(operations(live).map((o) => [key(o), JSON.stringify(o.op)]));
    const fileOps = new Map(operations(committed).map((o) => [key(o), JSON.stringify(o.op)]));
    const missing = [...liveOps.keys()].filter((k) => !fileOps.has(k));
    const removed = [...fileOps.keys()].filter((k) => !liveOps.has(k));
    const changed = [...liveOps.keys()].filter((k) => fileOps.has(k) && fileOps.get(k) !== liveOps.get(k));
    expect({ missing, removed, changed }).toEqual({ missing: [], removed: [], changed: [] });
    expect(JSON.stringify(committed)).toBe(JSON.stringify(live));
  });

  it('every operation has a unique camelCase operationId and a summary', () => {
    const ids = operations(live).map((o) => o.op.operationId);
    for (const o of operations(live)) {
      expect({ at: `${o.method} ${o.path}`, id: o.op.operationId }).toEqual({ at: `${o.method} ${o.path}`, id: expect.stringMatching(/^[a-z][A-Za-z0-9]*$/) });
      expect(o.op.summary).toEqual(expect.any(String));
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every error answer is the ErrorResponse envelope; 204s have no body; /internal/* has its own scheme', () => {
    expect(live.components.schemas.ErrorResponse).toMatchObject({ required: ['statusCode', 'code', 'message', 'timestamp'] });
    for (const o of operations(live)) {
      const errors = Object.entries(o.op.responses).filter(([status]) => Number(status) >= 400);
      expect(errors.length).toBeGreaterThan(0);
      for (const [status, answer] of errors) {
        expect({ at: `${o.method} ${o.path} ${status}`, ref: answer.content?.['application/json']?.schema?.$ref }).toEqual({
          at: `${o.method} ${o.path} ${status}`,
          ref: '#/components/schemas/ErrorResponse',
        });
      }
      if (o.op.responses['204']) expect(o.op.responses['204'].content).toBeUndefined();
      if (o.path.startsWith('/internal/')) expect(o.op.security).toEqual([{ internalSecret: [] }]);
    }
    expect(live.components.securitySchemes.internalSecret).toEqual({ type: 'apiKey', in: 'header', name: 'X-Internal-Secret' });
    expect(live.paths['/auth/logout']!.post!.responses['204']).toBeDefined();
    expect(live.paths['/health']!.get!.security).toEqual([]);
  });
});

describe('a client generated with openapi-typescript', () => {
  it('typechecks a program using it, and refuses one that misuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'syncode-client-'));
    try {
      const gen = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), COMMITTED, '-o', path.join(dir, 'api.d.ts')], { encoding: 'utf8', timeout: 60_000 });
      expect(gen.status).toBe(0);
      writeFileSync(
        path.join(dir, 'client.ts'),
        [
          "import type { components, paths } from './api';",
          "type LoginBody = paths['/auth/login']['post']['requestBody']['content']['application/json'];",
          "type Room = paths['/rooms/{id}']['get']['responses'][200]['content']['application/json'];",
          "type RoomMissing = paths['/rooms/{id}']['get']['responses'][404]['content']['application/json'];",
          "type ErrorResponse = components['schemas']['ErrorResponse'];",
          "export const login: LoginBody = { identifier: 'ada', password: 'correct horse battery staple' };",
          "export const roomLabel = (room: Room): string => `${room.roomCode} ${room.name ?? ''} ${room.status}`;",
          "export const errorCode = (e: RoomMissing): string => e.code;",
          "export const sample: ErrorResponse = { statusCode: 404, code: 'ROOM_NOT_FOUND', message: 'No such room', timestamp: new Date().toISOString() };",
          "export type LogoutNoContent = paths['/auth/logout']['post']['responses'][204];",
        ].join('\n'),
      );
      writeFileSync(path.join(dir, 'misuse.ts'), "import type { paths } from './api';\nexport const bad: paths['/auth/login']['post']['requestBody']['content']['application/json'] = { identifier: 'ada' };\n");
      const tsc = (file: string) =>
        spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', path.join(dir, file)], { encoding: 'utf8', timeout: 120_000 });
      const good = tsc('client.ts');
      expect(good.stdout + good.stderr).toBe('');
      expect(good.status).toBe(0);
      const bad = tsc('misuse.ts');
      expect(bad.status).not.toBe(0);
      expect(bad.stdout).toContain("Property 'password' is missing");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
