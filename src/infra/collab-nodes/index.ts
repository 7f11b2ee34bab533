/**
 * Where the API finds the collab node of a room when several run (docs/collab-cluster.md): the node directory
 * (membership read from Redis) and the rendezvous placement.
 */
export * from './directory.js';
export * from './rendezvous.js';
