/**
 * The composition root's product: every adapter a role needs, as one plain object handed to routes, workers and
 * command handlers. No container, no globals — tests build their own context against their own schema. Command
 * handlers take only the ports they use (src/commands/ports.ts); this adds what only the edges and the root use.
 */
import type pg from 'pg';
import type { Ports } from '../commands/ports.js';
import type { AiAdapters } from '../commands/ai/llm.js';
import type { CollabNodeDirectory } from '../infra/collab-nodes/directory.js';
import type { Lifecycle } from '../infra/observability/lifecycle.js';
import type { Slots } from '../workers/ai/slots.js';
import type { Authenticator } from './principal.js';

export type HealthProbe = () => Promise<void>;

export interface AppContext extends Ports {
  pool: pg.Pool;
  schema: string;
  /** The AI adapters, and the AI work slots every AI job of the process shares (src/workers/ai/slots.ts). */
  ai: AiAdapters & { slots: Slots };
  /** Resolves the caller of an authenticated route; provided by the identity module. */
  authenticate: Authenticator;
  /** Where the process is in its life (starting, running, stopping), for readiness. */
  lifecycle: Lifecycle;
  /** Named dependency checks reported by GET /health (`ok` | `fail` each). */
  health: Map<string, HealthProbe>;
  /**
   * The live collab nodes and the room each owns, when several collab nodes run (docs/collab-cluster.md); set by the
   * rooms wiring. Absent with one collab node: the configured URLs are used.
   */
  collabNodes?: CollabNodeDirectory;
}
