import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { signCollabToken, verifyCollabToken } from '../../src/collab/token.js';
import { signAccessToken, verifyAccessToken, verifyRefreshToken } from '../../src/commands/identity/tokens.js';
import { JwtError, jwtKeys, keyId, signToken, verifyToken, type JwtKeySet } from '../../src/infra/jwt/keyring.js';
import { createHarness, type Harness } from '../support/harness.js';
import { registerUser } from '../support/users.js';

const OLD = 'old-secret-'.padEnd(40, 'o');
const NEW = 'new-secret-'.padEnd(40, 'n');
const keys = (secrets: string[], audience = 'syncode:access'): JwtKeySet => ({ secrets, issuer: 'syncode', audience, clockToleranceSeconds: 5 });
const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as JwtError).reason;
  }
  return 'accepted';
};
const header = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
const payload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('token key sets', () => {
  it('signs HS256 with iss, aud, kid of the newest secret and the lifetime asked for', () => {
    const token = signToken({ sub: 'u1', tokenType: 'access' }, keys([NEW, OLD]), 60);
    expect(header(token)).toMatchObject({ alg: 'HS256', kid: keyId(NEW) });
    const claims = payload(token);
    expect(claims).toMatchObject({ sub: 'u1', iss: 'syncode', aud: 'syncode:access' });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(60);
    expect(verifyToken(token, keys([NEW, OLD]))).toMatchObject({ sub: 'u1' });
  });

  it('rotation: tokens signed with the previous secret still verify; dropping it ends them', () => {
    const before = signToken({ sub: 'u1' }, keys([OLD]), 600);
    expect(verifyToken(before, keys([NEW, OLD]))).toMatchObject({ sub: 'u1' });
    expect(reasonOf(() => verifyToken(before, keys([NEW])))).toBe('signature');
    const after = signToken({ sub: 'u2' }, keys([NEW, OLD]), 600);
    expect(reasonOf(() => verifyToken(after, keys([OLD])))).toBe('signature');
  });

  it('rejects another audience or issuer even with the right secret', () => {
    const token = signToken({ sub: 'u1' }, keys([NEW], 'syncode:refresh'), 60);
    expect(reasonOf(() => verifyToken(token, keys([NEW], 'syncode:access')))).toBe('claims');
    expect(reasonOf(() => verifyToken(token, { ...keys([NEW], 'syncode:refresh'), issuer: 'someone-else' }))).toBe('claims');
  });

  it('a token accepted before passes only the key set that accepted it, and only until it expires', () => {
    const now = Date.now();
    const token = signToken({ sub: 'u1' }, keys([NEW]), 60, now);
    expect(verifyToken(token, keys([NEW]), now)).toMatchObject({ sub: 'u1' });
    expect(verifyToken(token, keys([NEW]), now + 1_000)).toMatchObject({ sub: 'u1' });
    expect(reasonOf(() => verifyToken(token, keys([NEW], 'syncode:refresh'), now))).toBe('claims');
    expect(reasonOf(() => verifyToken(token, keys([OLD]), now))).toBe('signature');
    expect(reasonOf(() => verifyToken(token, keys([NEW]), now + 70_000))).toBe('expired');
  });

  it('tolerates a few seconds of clock skew and no more', () => {
    const now = Date.now();
    const token = signToken({ sub: 'u1' }, keys([NEW]), 60, now);
    expect(verifyToken(token, keys([NEW]), now + 63_000)).toMatchObject({ sub: 'u1' });
    expect(reasonOf(() => verifyToken(token, keys([NEW]), now + 70_000))).toBe('expired');
    expect(verifyToken(token, keys([NEW]), now - 3_000)).toMatchObject({ sub: 'u1' });
  });

  it('refuses tampering, alg none, HS512 and garbage', () => {
    const token = signToken({ sub: 'u1' }, keys([NEW]), 60);
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload(token), sub: 'admin' })).toString('base64url')}.${s}`;
    expect(reasonOf(() => verifyToken(forged, keys([NEW])))).toBe('signature');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${token.split('.')[1]}.`;
    expect(reasonOf(() => verifyToken(none, keys([NEW])))).toBe('algorithm');
    const hs512 = `${Buffer.from(JSON.stringify({ alg: 'HS512', typ: 'JWT' })).toString('base64url')}.${token.split('.')[1]}.${s}`;
    expect(reasonOf(() => verifyToken(hs512, keys([NEW])))).toBe('algorithm');
    expect(reasonOf(() => verifyToken('not-a-token', keys([NEW])))).toBe('malformed');
  });
});

describe('token kinds from the configuration', () => {
  const config = loadConfig({ NODE_ENV: 'test', AUTH_JWT_SECRET: NEW, AUTH_JWT_PREVIOUS_SECRETS: ` ${OLD} ,`, JWT_ISSUER: 'acme' });
  const user = { id: '6f1c1b7e-1d7a-4c4e-9a54-1f2b3c4d5e6f', email: 'a@example.com' };

  it('reads the previous secrets, issuer and per-kind audience', () => {
    expect(jwtKeys(config, 'access')).toMatchObject({ secrets: [NEW, OLD], issuer: 'acme', audience: 'syncode:access' });
    expect(jwtKeys(config, 'collab').audience).toBe('syncode:collab');
  });

  it('an access token signed with the previous secret is accepted; a refresh-audience token is not', () => {
    const old = signAccessToken({ ...config, AUTH_JWT_SECRET: OLD, AUTH_JWT_PREVIOUS_SECRETS: '' }, user, 'sid');
    expect(verifyAccessToken(config, old)).toMatchObject({ sub: user.id, sid: 'sid' });
    const asRefresh = signToken({ sub: user.id, email: user.email, tokenType: 'refresh', jti: 'j', sid: 's' }, { ...jwtKeys(config, 'refresh'), secrets: [NEW] }, 60);
    expect(() => verifyRefreshToken({ ...config, JWT_REFRESH_SECRET: NEW }, asRefresh)).not.toThrow();
    expect(() => verifyAccessToken(config, asRefresh)).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });

  it('collab tokens go through the same key sets', () => {
    const collabKeys = jwtKeys({ ...config, COLLAB_JWT_SECRET: NEW, COLLAB_JWT_PREVIOUS_SECRETS: OLD }, 'collab');
    const fromOld = signCollabToken({ userId: 'u', roomId: 'r', role: 'candidate', isHost: false }, { ...collabKeys, secrets: [OLD] });
    expect(verifyCollabToken(fromOld, collabKeys)).toMatchObject({ sub: 'u', roomId: 'r', role: 'candidate' });
    const access = signToken({ sub: 'u', roomId: 'r', role: 'candidate', type: 'collab' }, jwtKeys(config, 'access'), 60);
    expect(() => verifyCollabToken(access, { ...collabKeys, secrets: [NEW] })).toThrow('wrong_type');
  });
});

describe('rotation over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ env: { AUTH_JWT_SECRET: NEW, AUTH_JWT_PREVIOUS_SECRETS: OLD } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('a caller holding a token signed with the previous secret keeps working; a foreign audience gets 401', async () => {
    const alice = await registerUser(h);
    const old = signAccessToken({ ...h.config, AUTH_JWT_SECRET: OLD, AUTH_JWT_PREVIOUS_SECRETS: '' }, { id: alice.id, email: alice.email }, 'sid-1');
    const me = await h.request({ method: 'GET', url: '/users/me', token: old });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(alice.id);
    const fresh = await h.request({ method: 'GET', url: '/users/me', token: alice.accessToken });
    expect(fresh.status).toBe(200);
    expect(header(alice.accessToken).kid).toBe(keyId(NEW));
    const otherAudience = signToken({ sub: alice.id, email: alice.email, tokenType: 'access' }, { ...jwtKeys(h.config, 'access'), audience: 'billing:access' }, 60);
    const refused = await h.request({ method: 'GET', url: '/users/me', token: otherAudience });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('UNAUTHORIZED');
  });

  it('the collab token a room hands out is signed by the collab key set (issuer, collab audience, newest key)', async () => {
    const host = await registerUser(h);
    const room = await h.request({ method: 'POST', url: '/rooms', token: host.accessToken, body: { mode: 'peer', language: 'python' } });
    expect(room.status).toBe(201);
    const detail = await h.request({ method: 'GET', url: `/rooms/${room.body.roomId}`, token: host.accessToken });
    const token = detail.body.collabToken as string;
    expect(header(token).kid).toBe(keyId(h.config.COLLAB_JWT_SECRET));
    expect(payload(token)).toMatchObject({ iss: 'syncode', aud: 'syncode:collab', type: 'collab', roomId: room.body.roomId });
    expect(verifyCollabToken(token, jwtKeys(h.config, 'collab'))).toMatchObject({ sub: host.id });
  });
});
