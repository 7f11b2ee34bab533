/**
 * The contract suite against a real KurrentDB/EventStoreDB node. No such server exists on the development or CI
 * machines, so this file is skipped unless KURRENTDB_URL is set (e.g. `kurrentdb://localhost:2113?tls=false`
 * with the docker compose stack).
 */
import { eventStoreContract } from './contract.js';

const url = process.env.KURRENTDB_URL;

eventStoreContract(
  'kurrentdb',
  async () => {
    // Loaded on demand so a skipped run never loads the gRPC client and its native bridge.
    const { createKurrentDbEventStore } = await import('../../src/infra/eventstore/kurrentdb.js');
    return createKurrentDbEventStore({ url: url ?? '' });
  },
  { skip: !url },
);
