/**
 * Security headers (helmet's) set from values computed once. @fastify/helmet builds its middleware — parsing the
 * CSP directives among others — on every request, yet the headers depend only on the configuration. So each
 * configuration is answered once by a headless instance with the plugin, and the headers the plugin added are
 * kept and set as they are on every answer: the same headers, with no per-request work.
 */
import Fastify from 'fastify';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';

async function headersOf(options: FastifyHelmetOptions | undefined): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  if (options) await probe.register(helmet, options);
  probe.get('/', async () => '');
  const res = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  return Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
}

/** The headers @fastify/helmet sets with `options` (those a bare answer does not have). */
export async function securityHeaders(options: FastifyHelmetOptions): Promise<Array<[string, string]>> {
  const [bare, secured] = await Promise.all([headersOf(undefined), headersOf(options)]);
  return Object.entries(secured).filter(([name]) => !(name in bare));
}
