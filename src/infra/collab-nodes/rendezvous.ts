/**
 * Rendezvous (highest random weight) hashing: every room goes to the live node whose hash of `(node, room)` is
 * the highest. Every process that sees the same set of live nodes computes the same owner without talking to
 * the others, and when a node leaves only its rooms move (each to the node that scored second for it).
 */

/** FNV-1a over the UTF-16 code units, then murmur3's finaliser so that similar inputs spread over all 32 bits. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function rendezvousScore(nodeId: string, key: string): number {
  return hash32(`${nodeId}\u0000${key}`);
}

/** The winning node for `key`, or undefined when there is none. Ties (practically never) go to the smaller id. */
export function rendezvousOwner<T extends { id: string }>(key: string, nodes: readonly T[]): T | undefined {
  let best: T | undefined;
  let bestScore = -1;
  for (const node of nodes) {
    const score = rendezvousScore(node.id, key);
    if (score > bestScore || (score === bestScore && best !== undefined && node.id < best.id)) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}
