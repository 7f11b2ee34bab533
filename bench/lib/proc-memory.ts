/** A process's resident set from /proc (Linux): now, its kernel high-water mark, and the peak of periodic samples. */
import { readFileSync } from 'node:fs';

export const mb = (bytes: number): number => bytes / 1024 / 1024;

/** VmRSS and VmHWM of `pid`, in bytes (0 once the process is gone). */
export function procMemory(pid: number): { rss: number; hwm: number } {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rss: 0, hwm: 0 };
  }
  const kb = (field: string) => Number(status.split('\n').find((l) => l.startsWith(`${field}:`))?.replace(/\D+/g, '') ?? 0);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}

/** CPU time (user + system) `pid` has used so far, in ms (Linux clock ticks of 10 ms). */
export function procCpuMs(pid: number): number {
  try {
    // fields after the command name, which is in parentheses and may contain spaces
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Samples the RSS of `pid` every `everyMs`; `mark()` starts a sub-interval whose peak `peakSinceMark()` gives. */
export class RssSampler {
  private readonly timer: NodeJS.Timeout;
  private max = 0;
  private maxSinceMark = 0;
  readonly samples: Array<{ atMs: number; rss: number }> = [];
  private readonly started = Date.now();

  constructor(private readonly pid: number, everyMs: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    const { rss } = procMemory(this.pid);
    this.samples.push({ atMs: Date.now() - this.started, rss });
    this.max = Math.max(this.max, rss);
    this.maxSinceMark = Math.max(this.maxSinceMark, rss);
  }

  mark(): void {
    this.maxSinceMark = 0;
  }

  peak(): number {
    return this.max;
  }

  peakSinceMark(): number {
    return this.maxSinceMark;
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}
