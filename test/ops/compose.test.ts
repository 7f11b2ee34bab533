/**
 * docker-compose.yml as it would run: validated by Debian's docker-compose (no engine needed) with the variables
 * of .env.example, then checked for what an operator relies on — healthchecks and healthy dependencies, pinned
 * images, required secrets, matching LiveKit keys, S3 and SMTP wired to MinIO and Mailpit, an unprivileged
 * backend, a worker with only the sandbox's capabilities and a grace period beyond its longest run — and each
 * role's environment accepted by the configuration loader, except for the placeholders in production.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROLES = ['api', 'collab', 'worker', 'projector'];

interface Service {
  image?: string;
  build?: unknown;
  user?: string;
  init?: boolean;
  privileged?: boolean;
  cap_drop?: string[];
  cap_add?: string[];
  stop_grace_period?: string;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | null>;
  restart?: string;
}

function compose(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

const resolved = compose(['--env-file', path.join(ROOT, '.env.example'), 'config']);
const services = (resolved.code === 0 ? (parse(resolved.stdout) as { services: Record<string, Service> }).services : {}) as Record<string, Service>;
const seconds = (d: string | undefined) => {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(d ?? '');
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : 0;
};

describe('docker-compose.yml', () => {
  it('is valid for docker-compose with the variables of .env.example', () => {
    expect(resolved.error).toBeUndefined();
    expect(resolved.stderr).not.toMatch(/error|invalid/i);
    expect(resolved.code).toBe(0);
    expect(Object.keys(services)).toEqual(expect.arrayContaining([...ROLES, 'postgres', 'redis', 'kurrentdb', 'minio', 'minio-init', 'mailpit', 'livekit', 'egress']));
  });

  it('refuses to start without the secrets (no working defaults)', () => {
    const r = compose(['config', '-q']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/set [A-Z_]+ \(see \.env\.example\)/);
  });

  it('every long-running service has a healthcheck; every dependency waits for health or completion', () => {
    for (const [name, s] of Object.entries(services)) {
      if (name !== 'minio-init') expect({ name, healthcheck: Boolean(s.healthcheck?.test) }).toEqual({ name, healthcheck: true });
      for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
        expect({ name, dep, condition: d.condition }).toEqual({ name, dep, condition: dep === 'minio-init' ? 'service_completed_successfully' : 'service_healthy' });
      }
    }
  });

  it('pins every image and builds the backend on a supported Node LTS', () => {
    for (const [name, s] of Object.entries(services)) {
      if (ROLES.includes(name)) continue;
      expect({ name, image: s.image }).toEqual({ name, image: expect.stringMatching(/:(v?\d[\w.-]*|RELEASE\.[\w-]+)$/) });
    }
    const from = /^FROM node:(\d+)\.\d+\.\d+-/m.exec(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
    expect(from).not.toBeNull();
    expect(Number(from![1]) % 2).toBe(0); // even majors become LTS
    expect(Number(from![1])).toBeGreaterThanOrEqual(22);
  });

  it('roles run with init, unprivileged except the worker, which gets only the sandbox capabilities', () => {
    for (const role of ROLES) {
      expect({ role, init: services[role]!.init, privileged: services[role]!.privileged ?? false }).toEqual({ role, init: true, privileged: false });
      if (role !== 'worker') expect({ role, user: services[role]!.user }).toEqual({ role, user: 'node' });
    }
    const worker = services.worker!;
    expect(worker.cap_drop).toEqual(['ALL']);
    expect(worker.cap_add).toEqual(expect.arrayContaining(['SYS_ADMIN', 'SETUID', 'SETGID']));
    expect(worker.cap_add).not.toContain('NET_ADMIN');
    const deadlineMs = Number(worker.environment!.SHUTDOWN_TIMEOUT_MS);
    const longestRunMs = loadConfig({}).EXECUTION_MAX_TIMEOUT_MS;
    expect(deadlineMs).toBeGreaterThan(longestRunMs);
    expect(seconds(worker.stop_grace_period) * 1000).toBeGreaterThan(deadlineMs);
  });

  it('LiveKit and its egress use the key pair the API signs with; storage is MinIO over S3, mail goes to Mailpit', () => {
    const env = services.api!.environment!;
    expect(services.livekit!.environment!.LIVEKIT_KEYS).toBe(`${env.LIVEKIT_API_KEY}: ${env.LIVEKIT_API_SECRET}`);
    const egress = parse(services.egress!.environment!.EGRESS_CONFIG_BODY!) as { api_key: string; api_secret: string; ws_url: string };
    expect(egress).toMatchObject({ api_key: env.LIVEKIT_API_KEY, api_secret: env.LIVEKIT_API_SECRET, ws_url: 'ws://livekit:7880' });
    expect(env).toMatchObject({ STORAGE_DRIVER: 's3', S3_ENDPOINT: 'http://minio:9000', MAIL_DRIVER: 'smtp', SMTP_URL: 'smtp://mailpit:1025' });
    expect(env.S3_SECRET_KEY).toBe(services.minio!.environment!.MINIO_ROOT_PASSWORD);
    const init = JSON.stringify(services['minio-init']);
    expect(init).toContain(`mc mb --ignore-existing local/${env.S3_BUCKET}`);
  });

  it('each role\'s environment loads, and production refuses the .env.example placeholders', () => {
    for (const role of ROLES) {
      const env = Object.fromEntries(Object.entries(services[role]!.environment!).map(([k, v]) => [k, v ?? '']));
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(/must be set in production|placeholder/);
      const real = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, /change-me/.test(v) ? v.replace(/change-me[\w-]*/g, `real-${k.toLowerCase()}-`.padEnd(40, 'x')) : v]));
      expect(loadConfig(real)).toMatchObject({ NODE_ENV: 'production', STORAGE_DRIVER: 's3', MAIL_DRIVER: 'smtp' });
    }
  });
});
