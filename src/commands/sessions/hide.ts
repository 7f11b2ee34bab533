/** DELETE /sessions/:id — per-user soft delete on the session stream (idempotent). */
import { handleCommand } from '../handle-command.js';
import type { RequestMetadata } from '../metadata.js';
import { sessionDecider } from '../../domain/session/decider.js';
import { sessionStream } from '../../domain/session/events.js';
import type { WriteDeps } from '../ports.js';
import { settleWrites, written } from '../rooms/room-commands.js';

export async function hideSession(ctx: WriteDeps, sessionId: string, userId: string, isAdmin: boolean, metadata: RequestMetadata): Promise<void> {
  const result = await handleCommand(ctx.store, sessionStream(sessionId), sessionDecider, {
    type: 'HideSession',
    userId,
    isAdmin,
    now: metadata.now.toISOString(),
  }, metadata);
  await settleWrites(ctx, [written(result)]);
}
