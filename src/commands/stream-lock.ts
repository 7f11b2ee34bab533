/**
 * Commands on the same stream inside one process take turns. Optimistic concurrency still guards against other
 * processes, but a burst of commands on one aggregate (20 people joining a room) no longer turns into a retry storm
 * where every loser re-reads and re-decides.
 */
const tails = new Map<string, Promise<void>>();

export async function withStreamLock<T>(stream: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(stream) ?? Promise.resolve();
  let release!: () => void;
  const current = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => current);
  tails.set(stream, tail);
  await previous;
  try {
    return await work();
  } finally {
    release();
    if (tails.get(stream) === tail) tails.delete(stream);
  }
}
