/**
 * Where the API finds the collab node of a room when several run (docs/collab-cluster.md). The rooms wiring
 * installs one directory per process with `installCollabNodes`; the room views read it with `collabNodesOf` to
 * hand out the owner's WebSocket URL. Absent (single collab node, or role `all`) everything uses the configured
 * URLs as before.
 */
import type { CollabNodeDirectory } from './directory.js';

export * from './directory.js';
export * from './rendezvous.js';

const directories = new WeakMap<object, CollabNodeDirectory>();

export function installCollabNodes(host: object, directory: CollabNodeDirectory): void {
  directories.set(host, directory);
}

export function collabNodesOf(host: object): CollabNodeDirectory | undefined {
  return directories.get(host);
}
