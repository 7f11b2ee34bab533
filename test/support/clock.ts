/**
 * The one clock of the tests that need fixed times (deciders take time in the command; fixtures stamp events):
 * `clock(start, unitMs)` answers the ISO time `n` units after `start`, so a test reads `at(30)` for "30 s in".
 */
export const T0 = '2026-03-03T12:00:00.000Z';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export function clock(start: string = T0, unitMs: number = SECOND): (n: number) => string {
  const base = Date.parse(start);
  return (n) => new Date(base + n * unitMs).toISOString();
}
