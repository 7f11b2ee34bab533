/**
 * Verdicts through the whole path — POST /rooms/:id/submit → queue → worker → sandbox → events → read model →
 * GET /submissions/:id — for Python, C++ and Java; hidden-case redaction; and the problems module's statistics
 * moving with real submissions. (The sandbox's own suite covers every verdict in every language.)
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createProblem,
  createRoom,
  execHarness,
  newAdmin,
  newUser,
  submissionResult,
  submit,
  type ExecHarness,
  type TestRoom,
  type TestUser,
} from './support.js';

let h: ExecHarness;
let admin: TestUser;
let problemId: string;
let room: TestRoom;

beforeAll(async () => {
  h = await execHarness();
  admin = await newAdmin(h);
  // Generous CPU limit: the machine may be busy, and a JVM must not time out by accident; spinning programs still TLE.
  problemId = (await createProblem(h, admin, { timeLimit: 2500 })).id;
  room = await createRoom(h, { problemId });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const PROGRAMS: Record<string, Record<string, string>> = {
  python: {
    AC: 'a, b = map(int, input().split())\nprint(a + b)\n',
    WA: 'a, b = map(int, input().split())\nprint(a - b)\n',
    RE: 'a, b = map(int, input().split())\nraise ValueError("boom")\n',
    TLE: 'while True:\n    pass\n',
  },
  cpp: {
    AC: '#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }\n',
    WA: '#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a * b << "\\n"; }\n',
    CE: '#include <iostream>\nint main() { std::cout << undefined_name << "\\n"; }\n',
    RE: '#include <cstdlib>\nint main() { std::abort(); }\n',
    TLE: 'int main() { volatile unsigned long x = 0; for (;;) x++; }\n',
  },
  java: {
    AC: 'import java.util.*;\npublic class Main { public static void main(String[] a) { Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }\n',
    WA: 'import java.util.*;\npublic class Main { public static void main(String[] a) { Scanner s = new Scanner(System.in); System.out.println(s.nextLong() - s.nextLong()); } }\n',
    CE: 'public class Main { public static void main(String[] a) { int x = "not an int"; } }\n',
    RE: 'public class Main { public static void main(String[] a) { throw new IllegalStateException("boom"); } }\n',
    TLE: 'public class Main { public static void main(String[] a) { long x = 0; while (true) { x++; if (x == -1) System.out.println(x); } } }\n',
  },
};

describe.each(Object.keys(PROGRAMS))('%s', (language) => {
  it.each(Object.keys(PROGRAMS[language]!))('verdict %s', async (verdict) => {
    const res = await submit(h, room.candidate, room.roomId, { language, code: PROGRAMS[language]![verdict] });
    expect(res.status).toBe(202);
    const details = await submissionResult(h, room.candidate, res.body.submissionId, 120_000);
    expect(details.verdict).toBe(verdict);
    expect(details.status).toBe('completed');
    expect(details.testCases.map((t: any) => t.verdict)).toEqual([verdict, verdict]);
    const passed = verdict === 'AC';
    expect(details).toMatchObject({
      accepted: passed,
      totalTestCases: 2,
      passedTestCases: passed ? 2 : 0,
      failedTestCases: verdict === 'WA' ? 2 : 0,
      errorTestCases: passed || verdict === 'WA' ? 0 : 2,
    });
    if (verdict === 'CE') {
      expect(details.compileError).toEqual(expect.any(String));
      expect(details.testCases[0].errorMessage).toEqual(expect.any(String));
    }
    if (verdict === 'TLE') {
      expect(details.testCases[0].timedOut).toBe(true);
      // the completion is stamped when it happens, not when the job started
      expect(Date.parse(details.completedAt) - Date.parse(details.submittedAt)).toBeGreaterThan(2 * 2500);
    }
    if (verdict === 'RE') expect(details.testCases[0]).toMatchObject({ passed: null, errorMessage: expect.stringContaining('Runtime error') });
  }, 150_000);
});

describe('hidden test cases', () => {
  it('never show their expected output, actual output, stdout or stderr to a non-admin submitter', async () => {
    const res = await submit(h, room.candidate, room.roomId, { language: 'python', code: PROGRAMS.python!.WA });
    const details = await submissionResult(h, room.candidate, res.body.submissionId);
    const [visible, hidden] = details.testCases;
    expect(visible).toMatchObject({ isHidden: false, verdict: 'WA', passed: false, expectedOutput: '3\n', actualOutput: '-1', stdout: '-1\n', stderr: '' });
    expect(hidden).toMatchObject({ isHidden: true, verdict: 'WA', passed: false, expectedOutput: null, actualOutput: null, stdout: null, stderr: null });
    // neither the hidden expected output (42) nor the program's answer to the hidden input (-2) appears anywhere
    // among the test cases (ids and timestamps elsewhere in the body may contain those digits by chance)
    expect(JSON.stringify(details.testCases)).not.toMatch(/"42\\n"|"-2|20 22/);
    // the failing RE output of a hidden case stays hidden too, its verdict and timing do not
    const re = await submit(h, room.candidate, room.roomId, { language: 'python', code: PROGRAMS.python!.RE });
    const reDetails = await submissionResult(h, room.candidate, re.body.submissionId);
    expect(reDetails.testCases[1]).toMatchObject({ isHidden: true, verdict: 'RE', stderr: null, stdout: null, expectedOutput: null });
    expect(reDetails.testCases[0].stderr).toContain('ValueError');
    expect(reDetails.testCases[1].durationMs).toEqual(expect.any(Number));
  });

  it('are shown to an admin who submitted', async () => {
    const adminRoom = await createRoom(h, { problemId, host: admin });
    const res = await submit(h, admin, adminRoom.roomId, { language: 'python', code: PROGRAMS.python!.WA });
    const details = await submissionResult(h, admin, res.body.submissionId);
    expect(details.testCases[1]).toMatchObject({ isHidden: true, expectedOutput: '42\n', actualOutput: '-2', stdout: '-2\n' });
  });
});

describe('problem statistics', () => {
  it('a real accepted submission moves acceptanceRate and attemptStatus; a rejected one counts as an attempt', async () => {
    const fresh = (await createProblem(h, admin)).id;
    const r = await createRoom(h, { problemId: fresh });
    const other = await newUser(h);
    const detailOf = async (user: TestUser) => (await h.request({ method: 'GET', url: `/problems/${fresh}`, token: user.token })).body;

    expect(await detailOf(r.candidate)).toMatchObject({ acceptanceRate: null, attemptStatus: null, totalSubmissions: 0 });
    const ok = await submit(h, r.candidate, r.roomId, { language: 'python', code: PROGRAMS.python!.AC });
    await submissionResult(h, r.candidate, ok.body.submissionId);
    expect(await detailOf(r.candidate)).toMatchObject({ acceptanceRate: 100, attemptStatus: 'solved', totalSubmissions: 1, userAttempts: 1 });

    const wrong = await submit(h, r.host, r.roomId, { language: 'python', code: PROGRAMS.python!.WA });
    await submissionResult(h, r.host, wrong.body.submissionId);
    expect(await detailOf(r.host)).toMatchObject({ acceptanceRate: 50, attemptStatus: 'attempted', totalSubmissions: 2 });
    expect(await detailOf(other)).toMatchObject({ acceptanceRate: 50, attemptStatus: null });
  });
});
