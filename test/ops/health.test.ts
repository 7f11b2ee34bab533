/**
 * Health for orchestrators: liveness, readiness (503 while starting, stopping, or when Postgres is unreachable —
 * cut through a TCP proxy, the shared server keeps running), metrics gauges measured at scrape time, and the
 * security headers of API answers versus the documentation page.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { markStopping } from '../../src/infra/observability/lifecycle.js';
import { createHarness, type Harness } from '../support/harness.js';
import { TEST_DATABASE_URL } from '../support/env.js';
import { TcpProxy } from '../platform/faults-support.js';

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('health endpoints', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h.close());

  it('GET /health keeps its contract: 200 with status, services and timestamp', async () => {
    const res = await h.request({ method: 'GET', url: '/health' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: expect.stringMatching(/^(ok|degraded)$/), services: expect.any(Object), timestamp: expect.any(String) });
    // Every service the contract names is reported (a probe slower than 2 s on a loaded machine reads `fail`).
    for (const name of ['queue', 'cache', 'storage', 'execution', 'ai', 'database']) expect(res.body.services[name]).toMatch(/^(ok|fail)$/);
    expect(res.body.services.database).toBe('ok');
  });

  it('live answers 200; ready answers 200 with each check once running', async () => {
    expect((await h.request({ method: 'GET', url: '/health/live' })).body).toEqual({ status: 'ok' });
    const ready = await h.request({ method: 'GET', url: '/health/ready' });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', phase: 'running', checks: { database: 'ok', cache: 'ok', eventStore: 'ok', projections: 'ok' } });
  });

  it('metrics carry projection lag and queue depth measured at the scrape itself', async () => {
    const queue = h.ctx.queues.queue('ops-scrape-check');
    await queue.add('job', {}, { delay: 60_000 });
    await queue.add('job', {}, { delay: 60_000 });
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const p of h.ctx.projections) expect(text).toMatch(new RegExp(`syncode_projection_lag_events\\{projection="${p.name}"\\} \\d+`));
    expect(text).toContain('syncode_queue_jobs{queue="ops-scrape-check",state="delayed"} 2');
  });

  it('API answers carry strict security headers; the docs page gets a page CSP', async () => {
    const api = await h.app.inject({ method: 'GET', url: '/health/live' });
    expect(api.headers['content-security-policy']).toContain("default-src 'none'");
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(api.headers['strict-transport-security']).toBeUndefined();
    const docs = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self' 'unsafe-inline'");
    expect(docs.headers['content-security-policy']).not.toContain("default-src 'none'");
  });

  it('once a shutdown begins, ready answers 503 SERVICE_NOT_READY while live stays 200', async () => {
    const before = h.ctx.lifecycle.phase;
    markStopping(h.ctx);
    try {
      const ready = await h.request({ method: 'GET', url: '/health/ready' });
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ statusCode: 503, code: 'SERVICE_NOT_READY', message: 'Shutting down', details: { phase: 'stopping' } });
      expect((await h.request({ method: 'GET', url: '/health/live' })).status).toBe(200);
    } finally {
      h.ctx.lifecycle.phase = before;
    }
  });
});

describe('readiness when Postgres is unreachable', () => {
  let proxy: TcpProxy;
  let h: Harness;
  beforeAll(async () => {
    const target = new URL(TEST_DATABASE_URL);
    proxy = await new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) }).start();
    h = await createHarness({ env: { DATABASE_URL: proxy.url(TEST_DATABASE_URL), DB_POOL_SIZE: '4' } });
  });
  afterAll(async () => {
    proxy.restore();
    await h.close();
    await proxy.close();
  });

  it('503 with the database check failing while cut, 200 again once it returns', async () => {
    expect((await h.request({ method: 'GET', url: '/health/ready' })).status).toBe(200);
    proxy.cut();
    const down = await h.request({ method: 'GET', url: '/health/ready' });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'SERVICE_NOT_READY', details: { phase: 'running', checks: { database: 'fail', cache: 'ok' } } });
    expect((await h.request({ method: 'GET', url: '/health/live' })).status).toBe(200);
    const deep = await h.request({ method: 'GET', url: '/health' });
    expect(deep.body).toMatchObject({ status: 'degraded', services: { database: 'fail' } });
    proxy.restore();
    await until('readiness to return', async () => (await h.request({ method: 'GET', url: '/health/ready' })).status === 200);
  });
});

describe('the AI client in /health with an OpenAI-compatible server', () => {
  let status = 200;
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'tiny', object: 'model' }] }));
  });
  let h: Harness;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    h = await createHarness({ env: { LLM_PROVIDER: 'openai', OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, OPENAI_API_KEY: 'sk-test-key' } });
  });
  afterAll(async () => {
    await h.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is ok while the server lists its models, fail when it answers 5xx', async () => {
    expect((await h.request({ method: 'GET', url: '/health' })).body.services.ai).toBe('ok');
    expect(seen.at(-1)).toBe('GET /v1/models Bearer sk-test-key');
    status = 503;
    const degraded = await h.request({ method: 'GET', url: '/health' });
    expect(degraded.body).toMatchObject({ status: 'degraded', services: { ai: 'fail' } });
  });
});
