/**
 * Settings of a server a benchmark starts as a child process: quiet logs, no demo seed, the scheduler on, and the
 * sweeper and job-lock timings relaxed so a loaded machine does not make them re-enqueue work that is only slow.
 */
export const BENCH_SERVER_ENV = {
  LOG_LEVEL: 'warn',
  SEED_ON_START: 'false',
  SCHEDULER_ENABLED: 'true',
  SWEEPER_INTERVAL_MS: '30000',
  SWEEPER_GRACE_MS: '30000',
  EXECUTION_JOB_LOCK_MS: '30000',
  EXECUTION_STALLED_CHECK_MS: '15000',
} as const;
