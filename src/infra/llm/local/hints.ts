/**
 * The local coach's hints: the problem's authored ladder (subtle → moderate → direct) joined to what this session
 * shows — the latest verdict and the line it points at, nested loops, analysis findings. A subtle hint points at
 * the area, a moderate one names the technique, a direct one names the line and the change.
 */
import type { HintLevel } from '../../../domain/ai/events.js';
import type { HintAnswer, HintRequest } from '../port.js';
import { lineRef } from './code-facts.js';
import { describeCase, describeNest, diagnose, type Diagnosis } from './diagnosis.js';

const GENERIC_LADDER = {
  subtle: 'Work one example from the statement by hand and write down every step you take; your program has to take the same steps.',
  moderate: 'Name the data structure that makes the repeated step cheap (a hash map, a set, a sorted order, a stack or a queue) and keep it up to date as you scan the input once.',
  direct: 'Write the loop first, then decide what you must remember after each element so the answer is ready when the loop ends.',
};

const FIRST_APPROACH = 'Restate the input and the output in your own words, solve the smallest example by hand, then write the simplest correct version before you optimise.';

function situationText(d: Diagnosis, code: string, level: HintLevel): string | null {
  const s = d.situation;
  const at = (line: number | null) => (line ? ` on ${lineRef(code, line)}` : '');
  switch (s.kind) {
    case 'no-code':
      return level === 'subtle' ? 'Your solve function is still the starter template.' : null;
    case 'untested':
      return null;
    case 'compile':
      if (level === 'subtle') return `Your code does not compile yet${s.line ? ` — look near line ${s.line}` : ''}.`;
      return `The compiler stops${at(s.line)}: ${s.message}.${level === 'direct' ? ' Fix that line first; nothing else runs until it builds.' : ''}`;
    case 'runtime': {
      const what = `${s.exception}${s.message ? ` (${s.message})` : ''}`;
      const which = s.failing ? ` on ${describeCase(s.failing)}` : '';
      if (level === 'subtle') return `Your program crashes${which}${s.line ? ` around line ${s.line}` : ''}.`;
      if (level === 'moderate') return `The program raises ${what}${at(s.line)}${which}. Check which value can be out of range or missing there.`;
      return `${what} is raised${at(s.line)}${which}. Guard that access: check the index or key before using it, or change the loop bounds so it never goes past the last element.`;
    }
    case 'timeout': {
      const nest = s.nest ? describeNest(code, s.nest) : null;
      const where = s.hidden ? 'larger hidden tests' : 'a test';
      if (level === 'subtle') return `Your solution is too slow on ${where}${s.nest ? `; count how often the body at line ${s.nest.innerLine} runs` : ''}.`;
      if (level === 'moderate') return `It times out on ${where}: ${nest ? `${nest}, so the work grows like n² for n elements` : 'the work grows faster than the input'}. Aim for one pass.`;
      return `Time limit exceeded: ${nest ? `${nest} — that is O(n²). Replace the inner work at line ${s.nest!.innerLine} with a constant-time lookup` : 'remove the repeated work inside your main loop'}.`;
    }
    case 'memory':
      return `The program runs out of memory${s.nest ? `; the structure built inside the loop on ${lineRef(code, s.nest.outerLine)} grows too large` : ''}. Keep only what the next step needs.`;
    case 'wrong': {
      if (!s.failing) {
        return level === 'subtle'
          ? 'The visible examples pass but some hidden tests do not: think about unusual inputs.'
          : 'The visible examples pass but hidden tests fail: check the smallest inputs, repeated values, negatives and the largest values the constraints allow.';
      }
      const kind = s.edge ? 'an edge case' : 'a regular case';
      if (level === 'subtle') return `Your output is wrong on ${kind}: visible test ${s.failing.number}.`;
      return `It gives the wrong answer on ${kind}: ${describeCase(s.failing)}. ${level === 'direct' && d.anchorLine ? `Trace that input through ${lineRef(code, d.anchorLine)} and onward by hand and compare each step with the expected answer.` : 'Trace that input by hand.'}`;
    }
    case 'solved':
      return `All ${s.total} tests pass — the solution is correct, so focus on readability and robustness.`;
  }
}

const VERDICT_WORDS: Record<string, string> = { WA: 'wrong answer', RE: 'runtime error', TLE: 'time-out', MLE: 'memory limit', OLE: 'output limit', CE: 'compile error', IE: 'internal error' };

/** "Hidden tests: 2 wrong answers, 1 runtime error." — counts only, never their data. */
function hiddenText(req: HintRequest, level: HintLevel): string | null {
  const failures = Object.entries(req.execution?.hiddenFailures ?? {}).filter(([, n]) => n > 0);
  if (level === 'subtle' || failures.length === 0) return null;
  const parts = failures.map(([v, n]) => `${n} ${VERDICT_WORDS[v] ?? v}${n > 1 ? 's' : ''}`);
  return `Hidden tests: ${parts.join(', ')}.`;
}

function findingText(d: Diagnosis, code: string, level: HintLevel): string | null {
  if (level === 'subtle' || !d.finding) return null;
  return `The analyser also flags ${lineRef(code, d.finding.line)}: ${d.finding.message}.`;
}

function nestText(d: Diagnosis, code: string, level: HintLevel): string | null {
  if (d.situation.kind === 'timeout' || d.nests.length === 0 || level === 'subtle') return null;
  return `Note that ${describeNest(code, d.nests[0]!)}, which is quadratic.`;
}

function reflectionFor(d: Diagnosis, level: HintLevel): string {
  const s = d.situation;
  if (s.kind === 'timeout' && s.nest) return `How many times does line ${s.nest.innerLine} run when n is 10,000?`;
  if (s.kind === 'wrong' && s.failing) return `What does visible test ${s.failing.number} have that the passing ones do not?`;
  if (s.kind === 'runtime' && s.line) return `Which value on line ${s.line} can be missing or out of range?`;
  return level === 'direct' ? 'Which part of this hint will you try first, and how will you check it worked?' : 'What would you try next, and why?';
}

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1).replace(/\s+\S*$/, '')}…`);

export function localHint(req: HintRequest): HintAnswer {
  const d = diagnose(req);
  const level = req.level;
  const ladder = req.problem?.ladder ?? GENERIC_LADDER;
  const solved = d.situation.kind === 'solved';
  const parts = [
    d.stale && level !== 'subtle' ? 'Your code changed since the last run, so rerun it to confirm this.' : null,
    situationText(d, req.code, level),
    solved ? null : hiddenText(req, level),
    solved ? null : ladder[level],
    solved ? null : nestText(d, req.code, level),
    findingText(d, req.code, level),
  ].filter((p): p is string => Boolean(p));
  if (solved && level !== 'subtle') {
    parts.push(d.nests[0] ? `One improvement: ${describeNest(req.code, d.nests[0])}; could one pass do?` : 'Check names, comments and the largest inputs the constraints allow.');
  }
  if (req.stage === 'follow_up') return followUp(req, parts.join(' '));
  return {
    hint: clip(parts.join(' '), 900),
    suggestedApproach: req.iteration === 1 ? FIRST_APPROACH : null,
    reflectionPrompt: solved ? null : clip(reflectionFor(d, level), 180),
  };
}

const ON_TRACK = /\b(hash|map|dict|set|sort|two pointers?|window|stack|queue|heap|binary search|dp|dynamic|memo|bfs|dfs|prefix|greedy|recurs|pointer|index|count)\w*/i;

function followUp(req: HintRequest, next: string): HintAnswer {
  const reflection = req.reflection?.trim() ?? '';
  const named = ON_TRACK.exec(reflection)?.[0];
  const opener = !reflection
    ? "No answer is fine — here's a more concrete step."
    : named
      ? `Good: ${named} is the right kind of idea.`
      : 'Thanks — let me make it more concrete.';
  return { hint: clip(`${opener} ${next}`, 900), suggestedApproach: null, reflectionPrompt: null };
}
