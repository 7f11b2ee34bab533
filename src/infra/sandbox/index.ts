/**
 * Code-execution sandbox: the only way the system runs submitted code.
 *
 *   executeRun({language, code, stdin, timeoutMs, memoryMb})      one "Run": compile + one execution
 *   judgeSubmission({language, code, tests})                      compile once, run every test, verdicts
 *   compile(language, code) → artifact; runProgram(artifact, …); release(artifact)   the same, step by step
 *   probeSandbox(), languageVersions()                            health and GET /execution/languages
 *   closePrestartedSandboxes()                                    on shutdown: kills the sandboxes started ahead
 *
 * Needs root and the tools from scripts/setup-sandbox.sh; otherwise every call throws SandboxUnavailableError
 * (never runs code unsandboxed). timeoutMs is CPU time; the wall clock allows 2 × timeoutMs + 1 s.
 */
export { probeSandbox, resetSandboxProbe, type SandboxProbe } from './probe.js';
export { closePrestartedSandboxes } from './prestarted.js';
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
