/** Code-execution sandbox (DESIGN §6, SPEC §6): the only way the system runs submitted code. */
export { probeSandbox, resetSandboxProbe, type SandboxProbe } from './probe.js';
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
