/**
 * Password hashing with scrypt (node:crypto, memory-hard): 16-byte random salt, 64-byte key, stored as
 * `saltHex:keyHex`. Cost parameters are Node's defaults (N=16384, r=8, p=1: 16 MiB per hash), so hashes made by
 * the reference verify here unchanged. Verification compares in constant time; a sign-in for an unknown account
 * is verified against a dummy hash so it costs the same as one for a known account.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const SALT_BYTES = 16;
const KEY_BYTES = 64;
const OPTIONS: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, OPTIONS, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt);
  return `${salt.toString('hex')}:${key.toString('hex')}`;
}

function parse(stored: string): { salt: Buffer; key: Buffer } | undefined {
  const [saltHex, keyHex, extra] = stored.split(':');
  if (extra !== undefined || !saltHex || !keyHex || !/^[0-9a-f]+$/i.test(saltHex) || !/^[0-9a-f]+$/i.test(keyHex)) return undefined;
  const salt = Buffer.from(saltHex, 'hex');
  const key = Buffer.from(keyHex, 'hex');
  return salt.length > 0 && key.length === KEY_BYTES ? { salt, key } : undefined;
}

let dummy: Promise<string> | undefined;
/** A hash of a random secret, made once per process: what unknown accounts are verified against. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(32).toString('hex'));
  return dummy;
}

/**
 * True when `password` matches `stored`. `stored` undefined (unknown account) or malformed still runs one full
 * scrypt against the dummy hash and answers false, so timing does not tell accounts apart.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parsed = stored !== undefined ? parse(stored) : undefined;
  const target = parsed ?? parse(await dummyHash())!;
  const key = await derive(password, target.salt);
  const equal = timingSafeEqual(key, target.key);
  return parsed !== undefined && equal;
}
