/**
 * AI work slots shared by every AI job of a worker process (docs/ai.md): at most `max` at once; batch jobs (session
 * reports, weakness analyses) never take the last `reservedRealtime` slots; waiting jobs are served realtime first,
 * then in arrival order. A hint never waits behind a report.
 */
export type SlotClass = 'realtime' | 'batch';

export interface Slots {
  run<T>(kind: SlotClass, work: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
}

export function createSlots(max: number, reservedRealtime: number): Slots {
  let active = 0;
  let batchActive = 0;
  const queue: Array<{ kind: SlotClass; start: () => void }> = [];
  const batchLimit = Math.max(1, max - reservedRealtime);

  const canStart = (kind: SlotClass) => active < max && (kind === 'realtime' || batchActive < batchLimit);

  function pump(): void {
    for (;;) {
      const i = queue.findIndex((w) => w.kind === 'realtime' && canStart('realtime'));
      const j = i >= 0 ? i : queue.findIndex((w) => canStart(w.kind));
      if (j < 0) return;
      const [next] = queue.splice(j, 1);
      next!.start();
    }
  }

  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    async run(kind, work) {
      await new Promise<void>((resolve) => {
        queue.push({
          kind,
          start: () => {
            active++;
            if (kind === 'batch') batchActive++;
            resolve();
          },
        });
        pump();
      });
      try {
        return await work();
      } finally {
        active--;
        if (kind === 'batch') batchActive--;
        pump();
      }
    },
  };
}
