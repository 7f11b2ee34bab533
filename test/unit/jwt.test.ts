import { describe, expect, it } from '@jest/globals';
import { signJwt, verifyJwt, JwtError } from '../../src/infra/jwt.js';

const secret = 'a'.repeat(40);
const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as JwtError).reason;
  }
  return 'accepted';
};

describe('HS256 tokens', () => {
  it('round-trips claims and stamps iat/exp', () => {
    const claims = verifyJwt(signJwt({ sub: 'u1', tokenType: 'access' }, secret, 60), secret);
    expect(claims).toMatchObject({ sub: 'u1', tokenType: 'access' });
    expect(claims.exp! - claims.iat!).toBe(60);
  });

  it('rejects a tampered payload, a foreign secret, alg none and expired tokens', () => {
    const token = signJwt({ sub: 'u1' }, secret, 60);
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin', exp: 9999999999 })).toString('base64url')}.${s}`;
    expect(reasonOf(() => verifyJwt(forged, secret))).toBe('signature');
    expect(reasonOf(() => verifyJwt(token, 'b'.repeat(40)))).toBe('signature');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${token.split('.')[1]}.`;
    expect(reasonOf(() => verifyJwt(none, secret))).toBe('algorithm');
    expect(reasonOf(() => verifyJwt(signJwt({ sub: 'u1' }, secret, 1, Date.now() - 5000), secret))).toBe('expired');
    expect(reasonOf(() => verifyJwt('not-a-token', secret))).toBe('malformed');
  });
});
