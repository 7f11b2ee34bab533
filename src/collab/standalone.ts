/**
 * Role `collab` on its own port: a small fastify server with the internal API and the WebSocket upgrade handler.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { createCollabServer, type CollabServer, type CreateCollabServerInput } from './server.js';

export interface StandaloneCollab {
  collab: CollabServer;
  app: FastifyInstance;
  /** actual port (useful with port 0) */
  port: number;
  close(): Promise<void>;
}

export async function startStandaloneCollab(
  input: CreateCollabServerInput & { host?: string; port: number; bodyLimit?: number },
): Promise<StandaloneCollab> {
  const collab = createCollabServer(input);
  const app = Fastify({ logger: false, bodyLimit: input.bodyLimit ?? 1_048_576 });
  await app.register(collab.internalApi);
  app.server.on('upgrade', (req, socket, head) => {
    if (!collab.handleUpgrade(req, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });
  await app.listen({ host: input.host ?? '0.0.0.0', port: input.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : input.port;
  return {
    collab,
    app,
    port,
    async close() {
      await collab.close();
      await app.close();
    },
  };
}
