/**
 * One collab node of a cluster (docs/collab-cluster.md): it heartbeats its address into Redis, keeps a view of
 * the other live nodes, and holds a lease on every room it serves. Rooms are placed by rendezvous hashing over the
 * live nodes, so the API and every node agree on the owner without asking each other:
 *
 * - `acquire(roomId)` (before a room is loaded here): refused when another live node is the room's owner;
 *   otherwise waits, up to `acquireWaitMs`, for the lease to be free (a node handing the room over, or the lease
 *   of a dead node running out) and takes it.
 * - every heartbeat: leases of the loaded rooms are renewed (a lost one evicts the room), and rooms whose owner is
 *   now another live node (one joined) are handed over.
 * - a node that cannot renew for longer than the lease stops serving all its rooms (it may be cut off from Redis
 *   while another node takes them over).
 */
import type { Redis } from 'ioredis';
import {
  CollabNodeDirectory,
  announceNode,
  rendezvousOwner,
  withdrawNode,
  type CollabNodeInfo,
} from '../../infra/collab-nodes/index.js';
import type { CollabLogger } from '../options.js';
import { RoomLeases } from './leases.js';

export interface ClusterTimings {
  /** how often the node announces itself and renews its leases; default 1500 */
  heartbeatMs: number;
  /** a node unheard of for this long is dead; default 5000 */
  nodeTtlMs: number;
  /** room lease lifetime (renewed every heartbeat); default 5000 */
  leaseMs: number;
  /** how long a load waits for a busy lease before refusing; default leaseMs + heartbeatMs */
  acquireWaitMs: number;
}

export const DEFAULT_CLUSTER_TIMINGS: ClusterTimings = { heartbeatMs: 1500, nodeTtlMs: 5000, leaseMs: 5000, acquireWaitMs: 6500 };

/** What the node asks of the room registry it guards. */
export interface ClusterRooms {
  /** ids of the rooms loaded on this node */
  loadedRoomIds(): string[];
  /** the lease is gone: close the room's sockets with the retryable "room moved" code and unload it */
  evict(roomId: string): Promise<void>;
  /** another live node owns the room now: close its sockets ("room moved"), save, unload, release the lease */
  handOff(roomId: string): Promise<void>;
}

/** What the room registry needs: permission to load a room here, and to give it up. */
export interface RoomOwnership {
  acquire(roomId: string): Promise<boolean>;
  release(roomId: string): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class CollabClusterNode implements RoomOwnership {
  readonly timings: ClusterTimings;
  private readonly directory: CollabNodeDirectory;
  private readonly leases: RoomLeases;
  private rooms: ClusterRooms | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private lastRenewOk = Date.now();
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly self: CollabNodeInfo,
    private readonly logger: CollabLogger,
    timings: Partial<ClusterTimings> = {},
  ) {
    const merged = { ...DEFAULT_CLUSTER_TIMINGS, ...timings };
    if (timings.acquireWaitMs === undefined) merged.acquireWaitMs = merged.leaseMs + merged.heartbeatMs;
    // a lease must survive a late heartbeat, and a node must not be declared dead between two of its heartbeats
    if (merged.leaseMs < 2 * merged.heartbeatMs || merged.nodeTtlMs < 2 * merged.heartbeatMs) {
      throw new Error('COLLAB_ROOM_LEASE_MS and COLLAB_NODE_TTL_MS must each be at least twice COLLAB_NODE_HEARTBEAT_MS');
    }
    this.timings = merged;
    this.directory = new CollabNodeDirectory(redis, prefix, { refreshMs: 60_000 }); // refreshed by our own tick
    this.leases = new RoomLeases(redis, prefix, self.id, merged.leaseMs);
  }

  /** Announce this node and start the heartbeat. Call once the node accepts connections. */
  async start(rooms: ClusterRooms): Promise<void> {
    this.rooms = rooms;
    await announceNode(this.redis, this.prefix, this.self, this.timings.nodeTtlMs);
    await this.directory.refresh();
    this.lastRenewOk = Date.now();
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => {
        this.ticking = undefined;
      });
    }, this.timings.heartbeatMs);
    this.timer.unref();
  }

  /** Stop the heartbeat and leave the cluster at once (the rooms were released by the registry's shutdown). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await withdrawNode(this.redis, this.prefix, this.self.id).catch((err: unknown) => {
      this.logger.warn({ err }, 'collab node could not withdraw from the cluster');
    });
  }

  /** The live nodes as this node sees them (itself always included). */
  liveNodes(): CollabNodeInfo[] {
    const nodes = this.directory.live().filter((n) => n.id !== this.self.id);
    return [...nodes, this.self];
  }

  ownerOf(roomId: string): CollabNodeInfo {
    return rendezvousOwner(roomId, this.liveNodes()) ?? this.self;
  }

  async acquire(roomId: string): Promise<boolean> {
    if (this.stopped) return false;
    if (this.ownerOf(roomId).id !== this.self.id) {
      // the API may have seen a node come or go before we did
      await this.directory.refresh().catch(() => undefined);
      if (this.ownerOf(roomId).id !== this.self.id) return false;
    }
    const deadline = Date.now() + this.timings.acquireWaitMs;
    for (;;) {
      if (await this.leases.take(roomId)) return true;
      if (Date.now() >= deadline || this.stopped) return false;
      await sleep(100);
    }
  }

  async release(roomId: string): Promise<void> {
    await this.leases.release(roomId).catch((err: unknown) => {
      this.logger.warn({ err, roomId }, 'room lease could not be released; it expires on its own');
    });
  }

  private async tick(): Promise<void> {
    const rooms = this.rooms;
    if (!rooms || this.stopped) return;
    try {
      await announceNode(this.redis, this.prefix, this.self, this.timings.nodeTtlMs);
      await this.directory.refresh();
      const lost = await this.leases.renew(rooms.loadedRoomIds());
      this.lastRenewOk = Date.now();
      for (const roomId of lost) {
        this.logger.warn({ roomId }, 'room lease lost; closing the room here');
        await rooms.evict(roomId);
      }
    } catch (err) {
      this.logger.warn({ err }, 'collab cluster heartbeat failed');
      // cut off from Redis: once our leases may have run out, another node may serve our rooms
      if (Date.now() - this.lastRenewOk >= this.timings.leaseMs - this.timings.heartbeatMs) {
        for (const roomId of rooms.loadedRoomIds()) await rooms.evict(roomId);
      }
      return;
    }
    for (const roomId of rooms.loadedRoomIds()) {
      if (this.stopped) return;
      if (this.ownerOf(roomId).id !== this.self.id) await rooms.handOff(roomId);
    }
  }
}
