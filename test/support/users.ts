/**
 * Accounts for HTTP tests: real registrations through POST /auth/register, sign-ins through POST /auth/login, and
 * administrators through the same command as `syncode admin grant`.
 *
 * Each call comes from its own made-up client IP, so the per-IP auth limit (5/min) never gets in the way of a
 * test that needs many accounts; tests of that limit send their own requests.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { grantAdmin } from '../../src/commands/identity/admin.js';
import { systemMetadata } from '../../src/commands/metadata.js';
import { settle } from '../../src/http/command.js';
import type { Harness } from './harness.js';

export interface TestUser {
  id: string;
  email: string;
  username: string;
  password: string;
  accessToken: string;
  /** `refreshToken=<jwt>`, ready for a `cookie` request header. */
  refreshCookie: string;
}

export const DEFAULT_PASSWORD = 'correct-horse-battery-staple';

/** A random IPv4 address in 10.0.0.0/8. */
export function randomIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

/** The `name=value` part of a Set-Cookie header for `name`, or undefined. */
export function cookieFrom(setCookie: string | string[] | undefined, name = 'refreshToken'): string | undefined {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  for (const c of all) {
    const pair = c.split(';')[0]!;
    if (pair.startsWith(`${name}=`)) return pair;
  }
  return undefined;
}

async function post(h: Harness, url: string, body: unknown, ip = randomIp()) {
  const res = await h.app.inject({ method: 'POST', url, payload: body as object, remoteAddress: ip });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
}

export async function registerUser(
  h: Harness,
  overrides: { username?: string; email?: string; password?: string } = {},
): Promise<TestUser> {
  const tag = randomBytes(5).toString('hex');
  const username = overrides.username ?? `u_${tag}`;
  const email = overrides.email ?? `${username.toLowerCase()}.${tag}@example.test`;
  const password = overrides.password ?? DEFAULT_PASSWORD;
  const res = await post(h, '/auth/register', { username, email, password });
  if (res.status !== 201) throw new Error(`registerUser: ${res.status} ${JSON.stringify(res.body)}`);
  const refreshCookie = cookieFrom(res.headers['set-cookie']);
  if (!refreshCookie) throw new Error('registerUser: no refresh cookie');
  return { id: res.body.user.id, email: res.body.user.email, username, password, accessToken: res.body.accessToken, refreshCookie };
}

export async function loginUser(
  h: Harness,
  identifier: string,
  password: string,
): Promise<{ id: string; accessToken: string; refreshCookie: string; user: any }> {
  const res = await post(h, '/auth/login', { identifier, password });
  if (res.status !== 200) throw new Error(`loginUser: ${res.status} ${JSON.stringify(res.body)}`);
  const refreshCookie = cookieFrom(res.headers['set-cookie']);
  if (!refreshCookie) throw new Error('loginUser: no refresh cookie');
  return { id: res.body.user.id, accessToken: res.body.accessToken, refreshCookie, user: res.body.user };
}

/** Grants the admin role (the `syncode admin grant` command path) and waits until the read models show it. */
export async function makeAdmin(h: Harness, userId: string): Promise<void> {
  const w = await grantAdmin(h.ctx, systemMetadata(randomUUID()), { userId });
  await settle(h.ctx, w.position, w.eventTypes);
}

/** A registered administrator. */
export async function registerAdmin(h: Harness, overrides: { username?: string; email?: string; password?: string } = {}): Promise<TestUser> {
  const user = await registerUser(h, overrides);
  await makeAdmin(h, user.id);
  return user;
}
