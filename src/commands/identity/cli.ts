/**
 * `syncode admin grant <email>`: bootstrap the first administrator (and any later one) from the command line.
 * The role change is appended with the system as actor, so the audit log shows `admin.user.role_change` with no
 * actor. `syncode admin revoke <email>` turns an administrator back into a user.
 */
import { randomUUID } from 'node:crypto';
import { DomainError } from '../../domain/shared/errors.js';
import type { Ports } from '../ports.js';
import { systemMetadata } from '../metadata.js';
import { grantAdmin } from './admin.js';

export async function adminCli(ctx: Pick<Ports, 'store'>, args: string[]): Promise<number> {
  const [sub, email] = args;
  if ((sub !== 'grant' && sub !== 'revoke') || !email) {
    console.error('usage: syncode admin grant <email> | syncode admin revoke <email>');
    return 2;
  }
  try {
    const result = await grantAdmin(ctx, systemMetadata(randomUUID()), { email }, sub === 'grant' ? 'admin' : 'user');
    const changed = result.eventTypes.length > 0;
    console.log(`${email}: ${sub === 'grant' ? 'administrator' : 'user'}${changed ? '' : ' (unchanged)'} [user ${result.userId}]`);
    return 0;
  } catch (err) {
    if (err instanceof DomainError && err.code === 'USER_NOT_FOUND') {
      console.error(`No account with email ${email}`);
      return 1;
    }
    throw err;
  }
}
