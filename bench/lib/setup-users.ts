/**
 * The benchmarks' users, registered by the command in the benchmark's own process (their scrypt does not load the
 * measured server, and a registration never depends on the server's answer under load), then usable over HTTP
 * once the users read model has them (`usersReady`).
 */
import { randomUUID } from 'node:crypto';
import { register } from '../../src/commands/identity/auth.js';
import { systemMetadata } from '../../src/commands/metadata.js';
import { until, type Cluster, type ClusterUser } from '../../test/platform/faults-support.js';

export const BENCH_PASSWORD = 'correct-horse-battery-staple';

export async function registerDirect(cluster: Cluster): Promise<ClusterUser & { username: string }> {
  const username = `b_${randomUUID().slice(0, 12)}`;
  const signed = await register(cluster.ctx, systemMetadata(randomUUID()), { username, email: `${username}@example.test`, password: BENCH_PASSWORD });
  return { id: signed.userId, token: signed.accessToken, refreshCookie: '', username };
}

/** Waits until the read models named (default: users, which the API's token check reads) reach the store's head. */
export async function usersReady(cluster: Cluster, projections: string[] = ['users']): Promise<void> {
  const head = (await cluster.ctx.store.headPosition())!.commit;
  await until('the read models', async () => ((await cluster.ctx.progress.waitFor(head, projections, 1000)) ? true : undefined), 120_000);
}
