/**
 * What the collab benchmarks measure inside the server process over the generator's measured window: CPU and
 * event-loop utilisation, event-loop delay, GC pauses (all, and the major ones apart: which kind stalls the loop says
 * what to fix), the collab counters and server-side propagation, peak RSS — and, with COLLAB_BENCH_PROFILE=1, a CPU
 * profile of that window only (bench/results/<name>.cpuprofile, for Chrome DevTools or speedscope).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';
import type { CollabStats } from '../../src/collab/room.js';
import type { LatencyHistogram } from '../../src/collab/metrics.js';

export interface ProbedNode {
  stats(): CollabStats;
  propagation: LatencyHistogram;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const pauseSummary = (xs: number[]) => ({
  count: xs.length,
  totalMs: Math.round(xs.reduce((a, b) => a + b, 0)),
  maxMs: round(Math.max(0, ...xs), 1),
});

/** A CPU profile of the window only (COLLAB_BENCH_PROFILE=1). */
class WindowProfiler {
  private readonly session = new Session();
  private started: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {
    this.session.connect();
  }

  start(): void {
    this.started = this.session.post('Profiler.enable').then(() => this.session.post('Profiler.start'));
  }

  stop(): void {
    void this.started
      .then(() => this.session.post('Profiler.stop'))
      .then(({ profile }) => {
        mkdirSync(path.dirname(this.file), { recursive: true });
        writeFileSync(this.file, JSON.stringify(profile));
        this.session.disconnect();
      });
  }
}

export class CollabServerProbe {
  private measuring = false;
  private readonly gcPauses: number[] = [];
  private readonly gcMajorPauses: number[] = [];
  private readonly gcObserver: PerformanceObserver;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 5 });
  private readonly profiler: WindowProfiler | null;
  private readonly sampler: NodeJS.Timeout;
  private rssPeak = 0;
  private cpu0 = process.cpuUsage();
  private elu0 = performance.eventLoopUtilization();
  private t0 = 0;
  private stats0: CollabStats;
  /** filled at the end of the window */
  window: { cpuPercent: number; elu: number; ms: number } | null = null;
  counters: Record<string, number> = {};
  propagation: ReturnType<LatencyHistogram['summary']> | null = null;

  constructor(
    private readonly node: ProbedNode,
    profileFile: string,
  ) {
    this.stats0 = node.stats();
    this.gcObserver = new PerformanceObserver((list) => {
      if (!this.measuring) return;
      for (const e of list.getEntries()) {
        this.gcPauses.push(e.duration);
        if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.gcMajorPauses.push(e.duration);
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
    this.profiler = process.env.COLLAB_BENCH_PROFILE ? new WindowProfiler(profileFile) : null;
    this.sampler = setInterval(() => {
      this.rssPeak = Math.max(this.rssPeak, process.memoryUsage().rss);
    }, 200);
  }

  startWindow(): void {
    this.cpu0 = process.cpuUsage();
    this.elu0 = performance.eventLoopUtilization();
    this.t0 = performance.now();
    this.stats0 = this.node.stats();
    this.node.propagation.reset();
    this.measuring = true;
    this.loopDelay.enable();
    this.profiler?.start();
  }

  endWindow(): void {
    this.measuring = false;
    this.loopDelay.disable();
    this.profiler?.stop();
    this.propagation = this.node.propagation.summary();
    const ms = performance.now() - this.t0;
    const cpu = process.cpuUsage(this.cpu0);
    this.window = { cpuPercent: ((cpu.user + cpu.system) / 1000 / ms) * 100, elu: performance.eventLoopUtilization(this.elu0).utilization, ms };
    const before = this.stats0 as unknown as Record<string, number>;
    this.counters = Object.fromEntries(Object.entries(this.node.stats()).map(([k, v]) => [k, v - (before[k] ?? 0)]));
  }

  stop(): void {
    clearInterval(this.sampler);
    this.gcObserver.disconnect();
  }

  /** The loop and GC figures of the window. */
  loopAndGc() {
    return {
      eventLoopDelayP99Ms: round(this.loopDelay.percentile(99) / 1e6, 2),
      eventLoopDelayMaxMs: round(this.loopDelay.max / 1e6, 2),
      gcPauses: pauseSummary(this.gcPauses),
      gcMajorPauses: pauseSummary(this.gcMajorPauses),
    };
  }

  get rssPeakBytes(): number {
    return this.rssPeak;
  }
}
