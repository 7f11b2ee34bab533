/**
 * The replay page in a real browser (Debian's Chromium driven by playwright-core): a session recorded with real
 * y-websocket clients and a real (failing) submission judged by the execution worker; the page signs in with a
 * pasted access token, scrubbing to an instant shows that instant's code, and clicking the first failing
 * submission's marker shows the code that was submitted.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';
import { createProblem, submissionResult } from '../execution/support.js';
import { newAdmin, newUser, peerRoom, post, transition } from '../rooms/support.js';
import { synced } from '../collab/support.js';
import { collabToken, connect, converged, playbackHarness, sessionIdOf, sleep, typeText, type PlaybackHarness } from './support.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let h: PlaybackHarness;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`);
  h = await playbackHarness({ worker: true });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // playwright gives the browser a fresh profile directory of its own
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('replay page', () => {
  it('scrubs to an instant and jumps to the first failing submission', async () => {
    const admin = await newAdmin(h);
    const problem = await createProblem(h, admin);
    const { host, candidate, room } = await peerRoom(h, 'coding', { problemId: problem.id });
    const sessionId = await sessionIdOf(h, host, room.roomId);
    const cand = connect(h, room.roomId, await collabToken(h, candidate, room.roomId));
    const hostPeer = connect(h, room.roomId, await collabToken(h, host, room.roomId));
    await synced(cand);
    await synced(hostPeer);
    const start = cand.text();

    await typeText(cand, 'a, b = map(int, input().split())\n');
    await converged([cand, hostPeer], `${start}a, b = map(int, input().split())\n`);
    await sleep(200);
    const instant = new Date();
    const codeAtInstant = cand.text();
    await sleep(200);

    await typeText(cand, 'print(a - b)\n');
    await converged([cand, hostPeer], `${codeAtInstant}print(a - b)\n`);
    const submitted = cand.text();
    const res = await post(h, candidate, `/rooms/${room.roomId}/submit`, { language: 'python', code: submitted });
    expect(res.status).toBe(202);
    const result = await submissionResult(h, candidate, res.body.submissionId);
    expect(result.passedTestCases ?? result.passed).not.toBe(result.totalTestCases ?? result.total);
    await sleep(200);

    const t = cand.doc.getText('code:python');
    t.delete(t.length - 'print(a - b)\n'.length, 'print(a - b)\n'.length);
    await typeText(cand, 'print(a + b)\n');
    await converged([cand, hostPeer], `${codeAtInstant}print(a + b)\n`);
    await sleep(300);
    expect((await transition(h, host, room.roomId, 'finished')).status).toBe(200);

    // every edit is in the history's storage (its thread flushes every 2 s, later on a loaded machine)
    await h.collab.collab.history!.flush();
    // the timeline has caught up with the submission's verdict
    for (let i = 0; ; i++) {
      const pb = (await h.request({ method: 'GET', url: `/sessions/${sessionId}/playback`, token: candidate.token })).body;
      if (pb.events.some((e: any) => e.eventType === 'submission_completed')) break;
      if (i > 100) throw new Error('the submission never reached the timeline');
      await sleep(100);
    }

    const page = await browser.newPage();
    try {
      await page.goto(`${baseUrl}/replay/${sessionId}`);
      await page.fill('#token', candidate.token);
      await page.click('#signin button[type=submit]');
      await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
      expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('syncode.replay.token'))).toBe(candidate.token);
      expect(await page.isVisible('#signin')).toBe(false);
      expect(await page.isVisible('#player')).toBe(true);

      // scrub to the instant: the frames show it at once, then the exact answer of that millisecond
      const startedAt = Date.parse((await h.request({ method: 'GET', url: `/sessions/${sessionId}/playback`, token: candidate.token })).body.startedAt);
      const offset = instant.getTime() - startedAt;
      await page.$eval('#scrubber', (el, v) => {
        const input = el as any;
        input.value = String(v);
        input.dispatchEvent(new (globalThis as any).Event('input', { bubbles: true }));
      }, offset);
      expect(await page.textContent('#code')).toBe(codeAtInstant);
      await page.$eval('#scrubber', (el) => el.dispatchEvent(new (globalThis as any).Event('change', { bubbles: true })));
      await page.waitForFunction((expected) => {
        const code = (globalThis as any).document.querySelector('#code');
        return code.dataset.source === 'exact' && code.textContent === expected;
      }, codeAtInstant, { timeout: 10_000 });

      // the first failing submission's marker: the code that was submitted
      const failing = page.locator('.marker[data-type="code_submitted"][data-verdict="failed"]').first();
      expect(await failing.getAttribute('aria-label')).toMatch(/failed/);
      await failing.click();
      await page.waitForFunction((expected) => {
        const code = (globalThis as any).document.querySelector('#code');
        return code.dataset.source === 'exact' && code.textContent === expected;
      }, submitted, { timeout: 10_000 });
      expect(await page.locator('.marker[data-type="phase_changed"]').count()).toBeGreaterThan(0);

      // play from the start at 16×: the clock moves and the code animates from the frames
      await page.$eval('#scrubber', (el) => {
        const input = el as any;
        input.value = '0';
        input.dispatchEvent(new (globalThis as any).Event('input', { bubbles: true }));
      });
      await page.selectOption('#speed', '16');
      await page.click('#play');
      await page.waitForFunction(() => (globalThis as any).document.querySelector('#clock').textContent !== '00:00.000', undefined, { timeout: 5_000 });
      await page.click('#play');
      expect(await page.getAttribute('#code', 'data-source')).toBe('frames');
    } finally {
      await page.close();
    }
  }, 120_000);

  it('without a token the page asks for one; a stranger’s token is refused', async () => {
    const { host, room } = await peerRoom(h, 'coding');
    const stranger = await newUser(h);
    const sessionId = await sessionIdOf(h, host, room.roomId);
    const page = await browser.newPage();
    try {
      const res = await page.goto(`${baseUrl}/replay/${sessionId}`);
      expect(res?.status()).toBe(200);
      expect(await page.isVisible('#signin')).toBe(true);
      await page.fill('#token', stranger.token);
      await page.click('#signin button[type=submit]');
      await page.waitForFunction(() => (globalThis as any).document.querySelector('#status')?.classList.contains('error'));
      expect(await page.textContent('#status')).toMatch(/Could not load the session/);
      expect(await page.isVisible('#player')).toBe(false);
    } finally {
      await page.close();
    }
  }, 120_000);
});
