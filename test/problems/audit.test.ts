/** Successful admin mutations of problems write complete audit entries (SPEC §4.10, §4.13). */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Harness } from '../support/harness.js';
import { newAdmin, problemBody, problemHarness, type TestUser } from './support.js';

// Whole-control-plane setup can be slow on a busy machine.
jest.setTimeout(120_000);

let h: Harness;
let admin: TestUser;

beforeAll(async () => {
  h = await problemHarness();
  admin = await newAdmin(h);
});
afterAll(() => h.close());

describe('problem audit entries', () => {
  it('create, update, publish, unpublish and delete each leave an entry with the SPEC metadata', async () => {
    const body = problemBody({
      difficulty: 'medium',
      testCases: [
        { input: '1', expectedOutput: '1' },
        { input: '2', expectedOutput: '2', isHidden: true },
        { input: '3', expectedOutput: '3', isHidden: true },
      ],
    });
    const created = await h.request({ method: 'POST', url: '/problems', token: admin.token, body });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const title = body.title as string;
    const update = await h.request({
      method: 'PATCH',
      url: `/problems/${id}`,
      token: admin.token,
      body: { title: `${title} v2`, timeLimit: 900, testCases: [{ input: '9', expectedOutput: '9', isHidden: true }] },
    });
    expect(update.status).toBe(200);
    await h.request({ method: 'PATCH', url: `/problems/${id}/publish-status`, token: admin.token, body: { isPublished: true } });
    await h.request({ method: 'PATCH', url: `/problems/${id}/publish-status`, token: admin.token, body: { isPublished: false } });
    expect((await h.request({ method: 'DELETE', url: `/problems/${id}`, token: admin.token })).status).toBe(204);

    const res = await h.request({ method: 'GET', url: `/admin/audit-logs?targetId=${id}&limit=10`, token: admin.token });
    expect(res.status).toBe(200);
    const entries = [...res.body.data].reverse();
    expect(entries.map((e: any) => e.action)).toEqual([
      'admin.problem.create',
      'admin.problem.update',
      'admin.problem.publish',
      'admin.problem.unpublish',
      'admin.problem.delete',
    ]);
    expect(entries.map((e: any) => e.metadata)).toEqual([
      { title, difficulty: 'medium', isPublished: false, testCaseCount: 3, hiddenTestCaseCount: 2 },
      { title, changedFields: ['title', 'timeLimit', 'testCases'], testCaseCount: 1, hiddenTestCaseCount: 1 },
      { title: `${title} v2`, previousIsPublished: false, isPublished: true },
      { title: `${title} v2`, previousIsPublished: true, isPublished: false },
      { title: `${title} v2`, difficulty: 'medium', wasPublished: false },
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({ actorId: admin.id, targetType: 'problem', targetId: id });
      expect(e.ipAddress).toEqual(expect.any(String));
    }
  });
});
