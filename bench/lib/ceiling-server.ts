/**
 * The framework's ceiling for authenticated reads: a bare fastify server (the API's fastify version, no plugins but
 * @fastify/jwt) whose routes verify the bearer token exactly as the API does (HS256 through @fastify/jwt, the same
 * secret, issuer and audience checks) and answer the JSON the API answered, from memory. No database, no Redis, no
 * hooks: what a read costs when the only work is the framework, the token check and sending the answer's JSON
 * (kept serialised).
 *
 * Runs in a process of its own (`startCeilingServer` forks it); the answers arrive over IPC, keyed by
 * `<token subject> <url>` so each caller gets the body the API gave that caller.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import fastifyJwt from '@fastify/jwt';

export interface CeilingConfig {
  secret: string;
  issuer: string;
  audience: string;
  /** Route paths as fastify declares them, e.g. `/rooms/:id`. */
  routes: string[];
  /** `<sub> <url>` → the JSON body to answer. */
  bodies: Record<string, unknown>;
  /** Serialise the body on every request (a route returning an object) instead of sending it kept serialised. */
  serialisePerRequest?: boolean;
  /** Run the ceiling's process with these V8 flags and environment (the API's deployed memory settings, say). */
  runtime?: { nodeArgs: string[]; env: Record<string, string> };
}

export interface CeilingServer {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startCeilingServer(cfg: CeilingConfig): Promise<CeilingServer> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx', ...(cfg.runtime?.nodeArgs ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...cfg.runtime?.env, CEILING_SERVER_CHILD: '1' },
  });
  const base = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { base?: string }) => (m.base ? resolve(m.base) : reject(new Error('ceiling server did not start'))));
    child.once('exit', (code) => reject(new Error(`ceiling server exited with ${code}`)));
    child.send(cfg);
  });
  return {
    base,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function serveCeiling(cfg: CeilingConfig): Promise<string> {
  const app = Fastify({ logger: false });
  await app.register(fastifyJwt, {
    secret: cfg.secret,
    verify: { algorithms: ['HS256'], allowedIss: cfg.issuer, allowedAud: cfg.audience, requiredClaims: ['exp', 'iss', 'aud'] },
  });
  // Kept serialised: the ceiling sends bytes it already has (serialising per request would be work of the route's,
  // not of the framework's; the API keeps its hot answers serialised too).
  const bodies = new Map(Object.entries(cfg.bodies).map(([key, body]) => [key, cfg.serialisePerRequest ? body : JSON.stringify(body)]));
  for (const route of cfg.routes) {
    app.get(route, async (request, reply) => {
      const claims = await request.jwtVerify<{ sub: string }>();
      const body = bodies.get(`${claims.sub} ${request.url}`);
      if (body === undefined) return reply.status(404).send({ code: 'NOT_FOUND' });
      if (cfg.serialisePerRequest) return body;
      return reply.type('application/json; charset=utf-8').send(body);
    });
  }
  return app.listen({ port: 0, host: '127.0.0.1' });
}

if (process.env.CEILING_SERVER_CHILD === '1' && process.send) {
  process.once('message', (cfg: CeilingConfig) => {
    serveCeiling(cfg).then(
      (base) => process.send!({ base }),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
  process.once('SIGTERM', () => process.exit(0));
}
