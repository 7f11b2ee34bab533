/**
 * Room ownership leases in Redis (docs/collab-cluster.md): `<prefix>:collab:room:<roomId>:owner` holds the id of
 * the one node serving the room, set with NX and an expiry, renewed by its holder. A node serves a room only while
 * it holds the lease, so two nodes never serve one room at once even while their views of the cluster differ.
 */
import type { Redis } from 'ioredis';

export const leaseKey = (prefix: string, roomId: string) => `${prefix}:collab:room:${roomId}:owner`;

// KEYS = lease keys, ARGV = [node id, lease ms]: 1 per key still ours (expiry pushed out), 0 per key lost
const RENEW = `
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out`;

// KEYS[1] = lease key, ARGV[1] = node id: delete only our own lease
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// KEYS[1] = lease key, ARGV = [node id, lease ms]: take a free lease or extend ours; 1 when we hold it after
const TAKE = `
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

export class RoomLeases {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly nodeId: string,
    private readonly leaseMs: number,
  ) {}

  /** One attempt: true when this node holds the lease afterwards. */
  async take(roomId: string): Promise<boolean> {
    const out = await this.redis.eval(TAKE, 1, leaseKey(this.prefix, roomId), this.nodeId, this.leaseMs);
    return out === 1;
  }

  /** Renew every lease in `roomIds`; returns the ones this node no longer holds. */
  async renew(roomIds: readonly string[]): Promise<string[]> {
    const lost: string[] = [];
    const chunk = 500; // keeps each script run short: Redis runs nothing else meanwhile
    for (let i = 0; i < roomIds.length; i += chunk) {
      const ids = roomIds.slice(i, i + chunk);
      const out = (await this.redis.eval(RENEW, ids.length, ...ids.map((id) => leaseKey(this.prefix, id)), this.nodeId, this.leaseMs)) as number[];
      ids.forEach((id, j) => {
        if (out[j] !== 1) lost.push(id);
      });
    }
    return lost;
  }

  async release(roomId: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, leaseKey(this.prefix, roomId), this.nodeId);
  }

  async holder(roomId: string): Promise<string | null> {
    return this.redis.get(leaseKey(this.prefix, roomId));
  }
}
