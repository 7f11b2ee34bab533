import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { counterProjection, counterRoutes, createCounterTable, fixtureAuthenticator } from './counter-fixture.js';
import { createHarness, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    modules: [counterRoutes],
    projections: [counterProjection],
    wire: false,
    env: { RATE_LIMIT_ENABLED: 'false' },
    setup: async (ctx) => {
      ctx.authenticate = fixtureAuthenticator;
      await createCounterTable(ctx);
    },
  });
});
afterAll(() => h.close());

describe('read-your-writes', () => {
  it('a GET right after a command response reflects it, 200 times in a row under concurrent commands', async () => {
    let stop = false;
    const background = Array.from({ length: 6 }, (_, i) =>
      (async () => {
        let n = 0;
        while (!stop) {
          const res = await h.request({ method: 'POST', url: `/counters/noise-${i}/increment`, token: `user-n${i}`, body: { by: 1 } });
          expect(res.status).toBe(200);
          n++;
        }
        return n;
      })(),
    );
    try {
      for (let i = 1; i <= 200; i++) {
        const write = await h.request({ method: 'POST', url: '/counters/main/increment', token: 'user-a', body: { by: 1 } });
        expect(write.status).toBe(200);
        const read = await h.request({ method: 'GET', url: '/counters/main', token: 'user-a' });
        expect(read.body.value).toBe(i);
      }
    } finally {
      stop = true;
    }
    const noise = await Promise.all(background);
    expect(noise.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
  }, 180_000);

  it('concurrent commands on one stream are serialised by the expected revision: none is lost', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => h.request({ method: 'POST', url: '/counters/race/increment', token: 'user-r', body: { by: 1 } })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const read = await h.request({ method: 'GET', url: '/counters/race', token: 'user-r' });
    expect(read.body.value).toBe(20);
  });
});
