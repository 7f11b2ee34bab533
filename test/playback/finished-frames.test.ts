/**
 * The playback of a session that has just finished: the edit history's last rows may reach storage after the end
 * (on the collab node's next flush), and the frames must show them once they are there — never a copy kept from
 * before. Here the history never flushes on its own: the test decides when its rows arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applyDelta } from '../../src/projections/playback/frames.js';
import { createProblem } from '../problems/support.js';
import { newAdmin, transition } from '../rooms/support.js';
import { codingRoom, converged, playbackHarness, sleep, typeText, type PlaybackHarness } from './support.js';

let h: PlaybackHarness;

beforeAll(async () => {
  h = await playbackHarness({ history: { flushIntervalMs: 600_000 } });
}, 120_000);
afterAll(async () => {
  await h.close();
});

describe('the playback of a session that just finished', () => {
  it('shows the edits whose history reached storage after the end', async () => {
    const admin = await newAdmin(h);
    const problemId = (await createProblem(h, admin, { starterCode: { python: 'def solve():\n', javascript: '' } })).id;
    const { host, room, sessionId, hostPeer, candPeer } = await codingRoom(h, problemId);
    await typeText(candPeer, 'early = 1\n');
    await converged([hostPeer, candPeer], 'def solve():\nearly = 1\n');
    await sleep(150);
    const instant = Date.now();
    await sleep(150);
    await typeText(candPeer, 'late = 2\n');
    await converged([hostPeer, candPeer], 'def solve():\nearly = 1\nlate = 2\n');
    expect((await transition(h, host, room.roomId, 'finished')).status).toBe(200);

    // the code the frames show at `instant`
    const codeAtInstant = async (): Promise<string> => {
      const pb = (await h.request({ method: 'GET', url: `/sessions/${sessionId}/playback`, token: host.token })).body;
      const upTo = instant - Date.parse(pb.startedAt);
      return pb.frames
        .filter((f: { t: number }) => f.t <= upTo)
        .reduce((text: string, f: { delta: Parameters<typeof applyDelta>[1] }) => applyDelta(text, f.delta), '');
    };
    expect(await codeAtInstant()).not.toBe('def solve():\nearly = 1\n'); // its history rows are not stored yet
    await h.collab.collab.history!.flush();
    expect(await codeAtInstant()).toBe('def solve():\nearly = 1\n');
  }, 60_000);
});
