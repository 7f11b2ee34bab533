/**
 * The local interviewer: follows the room's phase. Warmup → restate the problem and its constraints; coding →
 * complexity after a passing run, edge cases after a wrong answer, the error after a crash, a nudge after a long
 * idle, concrete coaching for "I'm stuck"; wrapup → a testing strategy. Proactive turns stay silent when there is
 * nothing worth saying. Every line it mentions exists in the candidate's code, and annotations sit on those lines.
 */
import type { CodeAnnotation } from '../../../domain/ai/events.js';
import type { InterviewAnswer, InterviewRequest } from '../port.js';
import { isRealLine, lineRef } from './code-facts.js';
import { describeCase, describeNest, diagnose, type Diagnosis } from './diagnosis.js';
import { localHint } from './hints.js';

const STUCK = /\b(stuck|don'?t know|dont know|no idea|help( me)?|lost|confused|can'?t figure|give me a hint|what should i do)\b/i;
const COMPLEXITY = /\b(complexity|big[- ]?o|o\(|faster|slow|optimi[sz]e|efficient)/i;
const IDLE_SECONDS = 90;

interface Turn {
  message: string;
  followUpQuestion: string | null;
  annotations: CodeAnnotation[];
}

function firstConstraint(req: InterviewRequest): string | null {
  const line = req.problem?.constraints?.split('\n').map((l) => l.replace(/^[-*\s]+/, '').trim()).find(Boolean);
  return line ? line.replace(/`/g, '') : null;
}

function warmup(req: InterviewRequest): Turn {
  const title = req.problem?.title ?? 'the problem';
  const constraint = firstConstraint(req);
  return {
    message: `Before writing code, restate ${title} in your own words: what exactly is the input, and what must you print?`,
    followUpQuestion: constraint ? `Which constraints matter for your approach — for example, ${constraint}?` : 'Which constraints matter for your approach, and what is the largest input you must handle?',
    annotations: [],
  };
}

function wrapup(req: InterviewRequest, d: Diagnosis): Turn {
  const edge = d.situation.kind === 'wrong' && d.situation.failing ? ` Start with ${describeCase(d.situation.failing)}, which still fails.` : '';
  return {
    message: `Let's wrap up. How would you test this solution before shipping it?${edge}`,
    followUpQuestion: 'Name three inputs you would pick — the smallest, one with repeated or extreme values, and the largest the constraints allow — and what you expect for each.',
    annotations: [],
  };
}

function annotate(req: InterviewRequest, line: number | null, comment: string): CodeAnnotation[] {
  return isRealLine(req.code, line) ? [{ line, comment }] : [];
}

/** Concrete coaching for a candidate who says they are stuck: the next rung of help, tied to their code. */
function coach(req: InterviewRequest, d: Diagnosis): Turn {
  const level = req.previousHints.length >= 2 ? 'direct' : 'moderate';
  const hint = localHint({ ...req, level, stage: 'initial', iteration: 2, previousHint: null, reflection: null }).hint;
  const line = d.situation.kind === 'timeout' && d.situation.nest ? d.situation.nest.innerLine : d.situation.kind === 'runtime' || d.situation.kind === 'compile' ? d.situation.line : d.anchorLine;
  return {
    message: `Let's get you moving. ${hint}`,
    followUpQuestion: 'Try that one change, run the examples again, and tell me what you see. If you would rather stop here, we can wrap up.',
    annotations: annotate(req, line, 'Start here.'),
  };
}

function afterExecution(req: InterviewRequest, d: Diagnosis): Turn | null {
  const s = d.situation;
  const code = req.code;
  switch (s.kind) {
    case 'solved': {
      const nest = d.nests[0];
      return {
        message: `All ${s.total} tests pass. What is the time and space complexity of your solution?`,
        followUpQuestion: nest ? `In particular, ${describeNest(code, nest)} — how does that grow as n gets large, and can you avoid it?` : 'Could you do better, or argue why this is optimal?',
        annotations: nest ? annotate(req, nest.innerLine, 'How many times does this run?') : [],
      };
    }
    case 'wrong':
      return {
        message: s.failing
          ? `Your answer is wrong on ${describeCase(s.failing)}. What is special about that input?`
          : 'The visible examples pass, but hidden tests fail. Which edge cases have you not covered yet?',
        followUpQuestion: 'Walk me through the smallest input, an input with repeated values and one at the limits of the constraints.',
        annotations: [],
      };
    case 'runtime':
      return {
        message: `The program crashed with ${s.exception}${s.line ? ` on ${lineRef(code, s.line)}` : ''}. What value reaches that point that you did not expect?`,
        followUpQuestion: null,
        annotations: annotate(req, s.line, `${s.exception} is raised here.`),
      };
    case 'compile':
      return {
        message: `It does not compile${s.line ? ` — ${lineRef(code, s.line)}` : ''}: ${s.message}.`,
        followUpQuestion: null,
        annotations: annotate(req, s.line, s.message),
      };
    case 'timeout':
      return {
        message: `It times out. ${s.nest ? `${describeNest(code, s.nest).replace(/^the/, 'The')}` : 'Something inside the main loop repeats too much work'}. What is the complexity, and what would bring it down?`,
        followUpQuestion: null,
        annotations: s.nest ? annotate(req, s.nest.innerLine, 'This runs once per outer iteration.') : [],
      };
    default:
      return null;
  }
}

function nudge(req: InterviewRequest, d: Diagnosis): Turn {
  const line = req.codeContext && isRealLine(req.code, req.codeContext.startLine) ? req.codeContext.startLine : d.anchorLine;
  return {
    message: `You've been quiet for a while. Talk me through what you're trying${line ? ` at ${lineRef(req.code, line)}` : ''}.`,
    followUpQuestion: 'What is the next small step, and how will you check it?',
    annotations: [],
  };
}

function answerMessage(req: InterviewRequest, d: Diagnosis): Turn {
  const text = req.userMessage ?? '';
  if (COMPLEXITY.test(text)) {
    const nest = d.nests[0];
    return {
      message: nest ? `Good question to ask yourself. ${describeNest(req.code, nest)}, so this is O(n²) as written.` : 'As written I see no nested loop, so one pass over the input — what does each step cost?',
      followUpQuestion: nest ? 'What would you need to remember to drop the inner loop?' : 'What extra memory does it use?',
      annotations: nest ? annotate(req, nest.innerLine, 'Inner work per outer iteration.') : [],
    };
  }
  const after = afterExecution(req, d);
  if (after && d.situation.kind !== 'solved') return after;
  const line = req.codeContext && isRealLine(req.code, req.codeContext.startLine) ? req.codeContext.startLine : d.anchorLine;
  return {
    message: `Understood. ${line ? `Looking at ${lineRef(req.code, line)}: ` : ''}explain what this part guarantees once it has run.`,
    followUpQuestion: d.situation.kind === 'solved' ? 'What is the complexity of the whole solution?' : 'Which example from the statement would you trace through it first?',
    annotations: [],
  };
}

export function localInterview(req: InterviewRequest): InterviewAnswer {
  const d = diagnose(req);
  const silent: InterviewAnswer = { shouldRespond: false, message: null, followUpQuestion: null, codeAnnotations: [] };
  let turn: Turn | null;
  if (req.phase === 'warmup') turn = req.trigger === 'user_message' || req.conversation.length === 0 ? warmup(req) : null;
  else if (req.phase === 'wrapup') turn = wrapup(req, d);
  else if (req.trigger === 'user_message') turn = STUCK.test(req.userMessage ?? '') ? coach(req, d) : answerMessage(req, d);
  else {
    const idle = (req.signals.secondsSinceLastEditorActivity ?? 0) >= IDLE_SECONDS || req.signals.reason === 'user_idle';
    const ran = req.signals.reason === 'code_ran' || req.signals.reason === 'code_submitted';
    turn = ran || !idle ? afterExecution(req, d) : nudge(req, d);
    if (!turn && idle) turn = nudge(req, d);
  }
  if (!turn) return silent;
  // A proactive turn never repeats what the interviewer said last: nothing new happened, so stay quiet.
  const lastSaid = [...req.conversation].reverse().find((m) => m.role === 'assistant')?.content ?? '';
  if (req.trigger === 'proactive' && lastSaid.startsWith(turn.message)) return silent;
  const annotations = turn.annotations.slice(0, 3);
  let message = turn.message;
  if (annotations.length > 0 && !/inline comment/i.test(message)) message += ' I left an inline comment on the line.';
  return { shouldRespond: true, message: message.slice(0, 500), followUpQuestion: turn.followUpQuestion?.slice(0, 240) ?? null, codeAnnotations: annotations };
}
