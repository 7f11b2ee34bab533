import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { counterProjection, counterRoutes, createCounterTable, fixtureAuthenticator } from './counter-fixture.js';
import { createHarness, type Harness } from '../support/harness.js';

let h: Harness;
const token = 'user-alice';

beforeAll(async () => {
  h = await createHarness({
    modules: [counterRoutes],
    projections: [counterProjection],
    wire: false,
    env: { RATE_LIMIT_GLOBAL_PER_MIN: '40' },
    setup: async (ctx) => {
      ctx.authenticate = fixtureAuthenticator;
      await createCounterTable(ctx);
    },
  });
});
afterAll(() => h.close());

const expectEnvelope = (body: any, status: number, code: string) => {
  expect(body).toMatchObject({ statusCode: status, code, message: expect.any(String), timestamp: expect.any(String) });
  expect(Number.isNaN(Date.parse(body.timestamp))).toBe(false);
};

describe('HTTP skeleton', () => {
  it('answers unknown routes with a 404 envelope and a trace id', async () => {
    const res = await h.request({ method: 'GET', url: '/no/such/route' });
    expect(res.status).toBe(404);
    expectEnvelope(res.body, 404, 'NOT_FOUND');
    expect(res.headers['x-trace-id']).toEqual(expect.any(String));
  });

  it('echoes a well-formed incoming X-Trace-Id and mints a new one otherwise', async () => {
    const given = await h.request({ method: 'GET', url: '/health', headers: { 'x-trace-id': 'trace-abc-123456' } });
    expect(given.headers['x-trace-id']).toBe('trace-abc-123456');
    const bad = await h.request({ method: 'GET', url: '/health', headers: { 'x-trace-id': 'x' } });
    expect(bad.headers['x-trace-id']).not.toBe('x');
  });

  it('requires a bearer token by default: 401 UNAUTHORIZED', async () => {
    const res = await h.request({ method: 'GET', url: '/counters/a' });
    expect(res.status).toBe(401);
    expectEnvelope(res.body, 401, 'UNAUTHORIZED');
    const bad = await h.request({ method: 'GET', url: '/counters/a', token: 'garbage' });
    expect(bad.status).toBe(401);
  });

  it('reports validation failures field by field', async () => {
    const res = await h.request({ method: 'POST', url: '/counters/a/increment', token, body: { by: 'many' } });
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 400, 'VALIDATION_FAILED');
    expect(res.body.details.fields).toEqual([{ field: 'by', constraint: 'type', value: 'many' }]);

    // JSON bodies are not coerced: a string where an integer belongs is rejected, not converted.
    const stringly = await h.request({ method: 'POST', url: '/counters/a/increment', token, body: { by: '5' } });
    expect(stringly.status).toBe(400);
    expect(stringly.body.details.fields[0]).toMatchObject({ field: 'by', constraint: 'type', value: '5' });

    const missing = await h.request({ method: 'POST', url: '/counters/a/increment', token, body: {} });
    expect(missing.body.details.fields[0]).toMatchObject({ field: 'by', constraint: 'required' });

    const unknown = await h.request({ method: 'POST', url: '/counters/a/increment', token, body: { by: 1, extra: true } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details.fields[0]).toMatchObject({ field: 'extra', constraint: 'additionalProperties' });

    const path = await h.request({ method: 'POST', url: '/counters/NOT_OK!/increment', token, body: { by: 1 } });
    expect(path.status).toBe(400);
    expect(path.body.details.fields[0].field).toBe('id');
  });

  it('rejects malformed JSON, oversize bodies (413) and unsupported media types (415) with envelopes', async () => {
    const malformed = await h.request({ method: 'POST', url: '/counters/a/increment', token, body: '{"by":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expectEnvelope(malformed.body, 400, 'VALIDATION_FAILED');

    const huge = await h.request({ method: 'POST', url: '/counters/a/increment', token, body: { by: 1, pad: 'x'.repeat(1_100_000) } });
    expect(huge.status).toBe(413);
    expectEnvelope(huge.body, 413, 'PAYLOAD_TOO_LARGE');

    const xml = await h.request({ method: 'POST', url: '/counters/a/increment', token, body: '<by>1</by>', headers: { 'content-type': 'application/xml' } });
    expect(xml.status).toBe(415);
    expectEnvelope(xml.body, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('hides internals of unexpected errors behind INTERNAL_ERROR', async () => {
    const res = await h.request({ method: 'GET', url: '/boom', token });
    expect(res.status).toBe(500);
    expectEnvelope(res.body, 500, 'INTERNAL_ERROR');
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
  });

  it('maps a domain rule to its code and status', async () => {
    const res = await h.request({ method: 'POST', url: '/counters/a/increment', token, body: { by: 101 } });
    expect(res.status).toBe(400);
    const ok = await h.request({ method: 'POST', url: '/counters/b/increment', token, body: { by: 5 } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ value: 5 });
  });

  it('serves OpenAPI at /docs, Prometheus metrics and a deep health check', async () => {
    const docs = await h.request({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(docs.status);
    const spec = await h.request({ method: 'GET', url: '/docs/json' });
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.body.paths)).toContain('/counters/{id}/increment');

    const health = await h.request({ method: 'GET', url: '/health' });
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.services).toMatchObject({ database: 'ok', cache: 'ok', eventStore: 'ok', projections: 'ok' });

    const metrics = await h.request({ method: 'GET', url: '/metrics' });
    expect(metrics.status).toBe(200);
    expect(metrics.raw.body).toContain('syncode_http_requests_total');
    expect(metrics.raw.body).toContain('syncode_projection_lag_events');
  });

  it('puts the trace id and the security headers on every answer: a success, a HEAD, a 401, a 400, a 404; pages get their own CSP', async () => {
    const answers = [
      await h.request({ method: 'GET', url: '/counters/a', token }),
      await h.request({ method: 'HEAD', url: '/counters/a', token }),
      await h.request({ method: 'GET', url: '/counters/a' }),
      await h.request({ method: 'POST', url: '/counters/a/increment', token, body: { by: 'x' } }),
      await h.request({ method: 'GET', url: '/no/such/route' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 400, 404]);
    for (const a of answers) {
      expect(a.headers['x-trace-id']).toEqual(expect.any(String));
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.headers['content-security-policy']).toContain("default-src 'none'");
    }
    const docs = await h.request({ method: 'GET', url: '/docs/json' });
    expect(docs.headers['content-security-policy']).toContain("default-src 'self'");
    // a HEAD is one request against the caller's limit, not two
    const before = Number(answers[0]!.headers['x-ratelimit-remaining']);
    expect(Number(answers[1]!.headers['x-ratelimit-remaining'])).toBe(before - 1);
    // metrics name the route pattern, and one label for every unknown URL
    const metrics = (await h.request({ method: 'GET', url: '/metrics' })).raw.body;
    expect(metrics).toMatch(/syncode_http_requests_total\{method="GET",route="\/counters\/:id",status="200"\} \d+/);
    expect(metrics).toMatch(/syncode_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/);
  });

  it('answers CORS preflights for configured origins only', async () => {
    const ok = await h.request({ method: 'OPTIONS', url: '/counters/a', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' } });
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const other = await h.request({ method: 'OPTIONS', url: '/counters/a', headers: { origin: 'http://evil.test', 'access-control-request-method': 'GET' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('limits each user per minute with X-RateLimit-* on every response and Retry-After on 429', async () => {
    const user = 'user-ratey';
    let last;
    for (let i = 0; i < 40; i++) {
      last = await h.request({ method: 'GET', url: '/counters/x', token: user });
      expect(last.status).toBe(200);
    }
    expect(last!.headers['x-ratelimit-limit']).toBe('40');
    expect(last!.headers['x-ratelimit-remaining']).toBe('0');
    const reset = Number(last!.headers['x-ratelimit-reset']);
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 61);
    const limited = await h.request({ method: 'GET', url: '/counters/x', token: user });
    expect(limited.status).toBe(429);
    expectEnvelope(limited.body, 429, 'RATE_LIMIT_EXCEEDED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // another user is unaffected
    expect((await h.request({ method: 'GET', url: '/counters/x', token: 'user-bob' })).status).toBe(200);
  });
});
