/**
 * Registering the benchmark's users over HTTP. Under load a registration can fail on the server's side (seen: 404
 * `USER_NOT_FOUND` when the read-your-writes wait runs out); the benchmark's setup retries with a fresh user and
 * counts the retries, so the run starts and the failure is still reported.
 */
import { register, type ClusterUser } from '../../test/platform/faults-support.js';

export const setupFailures: string[] = [];

export async function registerRetrying(apiUrl: string, attempts = 3): Promise<ClusterUser> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await register(apiUrl);
    } catch (err) {
      if (attempt >= attempts) throw err;
      setupFailures.push((err as Error).message);
      console.error(`setup: ${(err as Error).message}; retrying with another user`);
    }
  }
}
