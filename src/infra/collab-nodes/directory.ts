/**
 * The live collab nodes, as they announce themselves in Redis (docs/collab-cluster.md):
 *
 *   <prefix>:collab:nodes          SET of node ids that ever announced themselves (pruned as they expire)
 *   <prefix>:collab:node:<id>      JSON {id, publicUrl, internalUrl, startedAt}, expiring `ttlMs` after the
 *                                  node's last heartbeat
 *
 * A node is live while its key exists, so liveness is decided by Redis' clock alone (no clock comparison between
 * machines). `CollabNodeDirectory` keeps a copy of the list refreshed in the background, so the owner of a room
 * is computed without a Redis round trip on the request path.
 */
import type { Redis } from 'ioredis';
import { rendezvousOwner } from './rendezvous.js';

export interface CollabNodeInfo {
  id: string;
  /** WebSocket base URL handed to clients, e.g. ws://collab-2:3001/ws */
  publicUrl: string;
  /** base URL of the node's internal HTTP API, e.g. http://collab-2:3001 */
  internalUrl: string;
  /** epoch ms */
  startedAt: number;
}

export const nodesSetKey = (prefix: string) => `${prefix}:collab:nodes`;
export const nodeKey = (prefix: string, id: string) => `${prefix}:collab:node:${id}`;

function parseNode(raw: string | null): CollabNodeInfo | undefined {
  if (raw === null) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<CollabNodeInfo>;
    if (typeof v.id !== 'string' || typeof v.publicUrl !== 'string' || typeof v.internalUrl !== 'string') return undefined;
    return { id: v.id, publicUrl: v.publicUrl, internalUrl: v.internalUrl, startedAt: Number(v.startedAt) || 0 };
  } catch {
    return undefined;
  }
}

/** Announce (or re-announce) a node for `ttlMs`. */
export async function announceNode(redis: Redis, prefix: string, node: CollabNodeInfo, ttlMs: number): Promise<void> {
  await redis.multi().sadd(nodesSetKey(prefix), node.id).set(nodeKey(prefix, node.id), JSON.stringify(node), 'PX', ttlMs).exec();
}

/** A node leaving on purpose: the others see it gone at once instead of after its TTL. */
export async function withdrawNode(redis: Redis, prefix: string, id: string): Promise<void> {
  await redis.multi().srem(nodesSetKey(prefix), id).del(nodeKey(prefix, id)).exec();
}

/** The live nodes, sorted by id. Ids whose key expired are removed from the set on the way. */
export async function listLiveNodes(redis: Redis, prefix: string): Promise<CollabNodeInfo[]> {
  const ids = await redis.smembers(nodesSetKey(prefix));
  if (ids.length === 0) return [];
  const values = await redis.mget(...ids.map((id) => nodeKey(prefix, id)));
  const live: CollabNodeInfo[] = [];
  const gone: string[] = [];
  ids.forEach((id, i) => {
    const node = parseNode(values[i] ?? null);
    if (node) live.push(node);
    else gone.push(id);
  });
  // a node re-announcing between the MGET and the SREM adds itself back on its next heartbeat
  if (gone.length > 0) await redis.srem(nodesSetKey(prefix), ...gone);
  return live.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface DirectoryOptions {
  /** how often the list is re-read; default 1000 ms */
  refreshMs?: number;
  onError?: (err: unknown) => void;
}

export class CollabNodeDirectory {
  private nodes: CollabNodeInfo[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<CollabNodeInfo[]> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly options: DirectoryOptions = {},
  ) {}

  /** Read the list once, then keep it fresh in the background. */
  async start(): Promise<void> {
    await this.refresh().catch((err: unknown) => this.options.onError?.(err));
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.options.onError?.(err));
    }, this.options.refreshMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Re-read now (concurrent callers share one read). */
  refresh(): Promise<CollabNodeInfo[]> {
    this.inFlight ??= listLiveNodes(this.redis, this.prefix)
      .then((nodes) => {
        this.nodes = nodes;
        return nodes;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** The live nodes as last read. */
  live(): readonly CollabNodeInfo[] {
    return this.nodes;
  }

  /** The node that owns `roomId` by rendezvous hashing over the live nodes; undefined while none is live. */
  ownerOf(roomId: string): CollabNodeInfo | undefined {
    return rendezvousOwner(roomId, this.nodes);
  }
}
