/**
 * Code-execution sandbox: the only way the system runs submitted code.
 *
 *   executeRun({language, code, stdin, timeoutMs, memoryMb})      one "Run": compile + one execution
 *   judgeSubmission({language, code, tests})                      compile once, run every test, verdicts
 *   compile(language, code) → artifact; runProgram(artifact, …); release(artifact)   the same, step by step
 *   probeSandbox(), languageVersions()                            health and GET /execution/languages
 *   closeSandboxesAhead()                                         on shutdown: ends the sandboxes and the launcher
 *                                                                 started ahead of the next runs
 *
 * Needs root and the tools from scripts/setup-sandbox.sh; otherwise every call throws SandboxUnavailableError
 * (never runs code unsandboxed). timeoutMs is CPU time; the wall clock allows 2 × timeoutMs + 1 s.
 */
export { probeSandbox, resetSandboxProbe, type SandboxProbe } from './probe.js';
export { closePrestartedSandboxes } from './prestarted.js';
export { closeSandboxesAhead } from './close.js';
export {
  compile,
  runProgram,
  executeRun,
  judgeSubmission,
  release,
  DEFAULT_MEMORY_MB,
  DEFAULT_TIMEOUT_MS,
  MAX_MEMORY_MB,
  MAX_TIMEOUT_MS,
  OUTPUT_CAP_BYTES,
  type Artifact,
  type CompileResult,
  type RunInput,
} from './runner.js';
export { LANGUAGES, isLanguage, languageVersions, type LanguageVersion } from './languages.js';
export { outputMatches } from './verdict.js';
export * from './types.js';
