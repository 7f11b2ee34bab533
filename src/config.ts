/**
 * Every environment variable the system reads, typed and validated once at start. Defaults make `npm start`
 * work on a fresh machine (local Postgres + Redis, Postgres event store); production overrides the secrets.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Int = (def: number, min = 0) => Type.Integer({ default: def, minimum: min });
const Str = (def: string) => Type.String({ default: def });
const Bool = (def: boolean) => Type.Boolean({ default: def });
const DEV_SECRET = 'syncode-development-secret-change-me-0123456789';

export const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
  }),
  HOST: Str('0.0.0.0'),
  PORT: Int(3000),
  /** Port of the collab role when it runs on its own (role `collab`); in role `all` it shares PORT under /ws. */
  COLLAB_PORT: Int(3001),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), {
    default: 'info',
  }),

  DATABASE_URL: Str('postgres://postgres@127.0.0.1:5432/syncode'),
  /** Postgres schema holding every table; tests give each file its own. */
  DB_SCHEMA: Type.String({ default: 'public', pattern: '^[a-z_][a-z0-9_]{0,62}$' }),
  DB_POOL_SIZE: Int(20, 1),
  REDIS_URL: Str('redis://127.0.0.1:6379'),
  /** Prefix for every Redis key and BullMQ queue, so several deployments (or test files) can share one Redis. */
  REDIS_PREFIX: Str('syncode'),

  EVENT_STORE: Type.Union([Type.Literal('postgres'), Type.Literal('kurrentdb')], { default: 'postgres' }),
  KURRENTDB_URL: Str(''),

  AUTH_JWT_SECRET: Type.String({ default: DEV_SECRET, minLength: 32 }),
  JWT_REFRESH_SECRET: Type.String({ default: `${DEV_SECRET}-refresh`, minLength: 32 }),
  COLLAB_JWT_SECRET: Type.String({ default: `${DEV_SECRET}-collab`, minLength: 32 }),
  INTERNAL_CALLBACK_SECRET: Type.String({ default: `${DEV_SECRET}-internal`, minLength: 32 }),
  STORAGE_SIGNING_SECRET: Type.String({ default: `${DEV_SECRET}-storage`, minLength: 32 }),
  /** HMAC key of the list cursors handed to clients (a cursor the server did not issue is a 400); empty = derived from AUTH_JWT_SECRET. */
  CURSOR_SIGNING_SECRET: Type.String({ default: '' }),
  /** Older secrets still accepted (comma-separated) while tokens signed with them may be alive: key rotation. */
  AUTH_JWT_PREVIOUS_SECRETS: Str(''),
  JWT_REFRESH_PREVIOUS_SECRETS: Str(''),
  COLLAB_JWT_PREVIOUS_SECRETS: Str(''),
  /** `iss` of every token; `aud` is `<JWT_AUDIENCE>:access|refresh|collab`. Both are checked. */
  JWT_ISSUER: Str('syncode'),
  JWT_AUDIENCE: Str('syncode'),
  JWT_CLOCK_TOLERANCE_SECONDS: Int(5, 0),
  ACCESS_TOKEN_TTL_SECONDS: Int(900, 1),
  REFRESH_TOKEN_TTL_SECONDS: Int(604800, 1),
  PASSWORD_RESET_TTL_SECONDS: Int(3600, 1),

  CORS_ORIGINS: Str('http://localhost:5173'),
  TRUSTED_PROXIES: Str(''),
  /** Public base URL of the API, used for signed storage URLs and the collab URL handed to clients. */
  PUBLIC_URL: Str(''),
  /** Where the control plane reaches the collab role's internal API. Empty = same process (role all). */
  COLLAB_PLANE_URL: Str(''),
  /** Public WebSocket URL handed to clients; empty = derived from PUBLIC_URL or the request host, path /ws. */
  COLLAB_PLANE_CLIENT_URL: Str(''),
  /** Where the collab role reaches the control plane's internal callbacks. Empty = same process. */
  CONTROL_PLANE_URL: Str(''),
  /**
   * Several collab nodes (docs/collab-cluster.md): each collab role announces itself in Redis and serves the rooms
   * it owns; the API hands out the owner's URL and routes its internal calls to it. Set on the api and collab roles.
   */
  COLLAB_CLUSTER: Bool(false),
  /** This collab node's id in the cluster; empty = random per start. */
  COLLAB_NODE_ID: Type.String({ default: '', pattern: '^[A-Za-z0-9_.:-]{0,64}$' }),
  /** WebSocket base URL clients use for this collab node (e.g. wss://collab-2.example.com/ws); empty = ws://HOST:COLLAB_PORT/ws. */
  COLLAB_NODE_PUBLIC_URL: Str(''),
  /** Where the API reaches this collab node's internal API; empty = http://HOST:COLLAB_PORT. */
  COLLAB_NODE_INTERNAL_URL: Str(''),
  COLLAB_NODE_HEARTBEAT_MS: Int(1500, 100),
  /** A collab node unheard of for this long is dead and its rooms move. */
  COLLAB_NODE_TTL_MS: Int(5000, 300),
  /** Lifetime of a room's ownership lease (renewed every heartbeat). */
  COLLAB_ROOM_LEASE_MS: Int(5000, 300),

  BODY_LIMIT_BYTES: Int(1_048_576, 1),
  SUBMIT_BODY_LIMIT_BYTES: Int(5_242_880, 1),
  TRANSCRIBE_BODY_LIMIT_BYTES: Int(6_291_456, 1),
  /** Time to receive a whole request (headers and body); cuts clients that stall mid-body. */
  HTTP_REQUEST_TIMEOUT_MS: Int(60_000, 1000),
  /** Time to receive the request headers (slow-header clients). */
  HTTP_HEADERS_TIMEOUT_MS: Int(15_000, 500),
  /** Idle time before a keep-alive connection between requests is closed (above common proxy idle timeouts). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: Int(65_000, 1000),
  /** Inactivity on a socket with a request in progress (longer than the slowest synchronous handler). */
  HTTP_IDLE_TIMEOUT_MS: Int(120_000, 1000),
  /** Open connections (HTTP and WebSocket) per peer address; 0 = no cap. */
  HTTP_MAX_CONNECTIONS_PER_IP: Int(256, 0),

  RATE_LIMIT_ENABLED: Bool(true),
  RATE_LIMIT_GLOBAL_PER_MIN: Int(100, 1),
  RATE_LIMIT_AUTH_PER_MIN: Int(5, 1),
  RATE_LIMIT_RUN_PER_MIN: Int(10, 1),
  RATE_LIMIT_SUBMIT_PER_MIN: Int(3, 1),
  RATE_LIMIT_JOIN_PER_MIN: Int(5, 1),
  RATE_LIMIT_HINTS_PER_5MIN: Int(3, 1),
  RATE_LIMIT_AI_MESSAGES_PER_MIN: Int(20, 1),
  RATE_LIMIT_AI_ANALYSIS_PER_5MIN: Int(10, 1),
  RATE_LIMIT_AI_TRANSCRIPTIONS_PER_5MIN: Int(10, 1),

  /** Bounded wait for projections to reach a command's position before its response is sent. */
  READ_YOUR_WRITES_TIMEOUT_MS: Int(2000, 0),
  PROJECTION_BATCH_SIZE: Int(500, 1),
  PROJECTION_POLL_MS: Int(500, 10),
  PROJECTION_ON_POISON: Type.Union([Type.Literal('stop'), Type.Literal('skip')], { default: 'stop' }),

  STORAGE_DRIVER: Type.Union([Type.Literal('local'), Type.Literal('s3')], { default: 'local' }),
  STORAGE_DIR: Str('.data/storage'),
  S3_ENDPOINT: Str(''),
  S3_BUCKET: Str('syncode'),
  S3_ACCESS_KEY: Str(''),
  S3_SECRET_KEY: Str(''),
  S3_REGION: Str('us-east-1'),
  /** Endpoint put in presigned URLs when clients reach the object store by another name than the API does. */
  S3_PUBLIC_ENDPOINT: Str(''),
  /** Path-style addressing (`<endpoint>/<bucket>/<key>`), what MinIO and most self-hosted stores need. */
  S3_FORCE_PATH_STYLE: Bool(true),

  MAIL_DRIVER: Type.Union([Type.Literal('outbox'), Type.Literal('smtp')], { default: 'outbox' }),
  SMTP_URL: Str(''),
  MAIL_FROM: Str('SynCode <no-reply@syncode.local>'),

  LLM_PROVIDER: Type.Union([Type.Literal('local'), Type.Literal('openai')], { default: 'local' }),
  OPENAI_BASE_URL: Str('https://api.openai.com/v1'),
  OPENAI_API_KEY: Str(''),
  OPENAI_MODEL: Str('gpt-4o-mini'),
  LLM_TIMEOUT_MS: Int(30000, 1),
  /** Retries of one LLM call after the first attempt (408, 429 and 5xx answers, network errors). */
  LLM_MAX_RETRIES: Int(2, 0),
  LLM_RETRY_BASE_MS: Int(500, 0),
  /** A Retry-After longer than this ends the call (the local coach answers) instead of waiting. */
  LLM_RETRY_AFTER_MAX_MS: Int(10000, 0),
  /** Ask for `response_format: json_object` (some proxies reject it). */
  LLM_JSON_MODE: Bool(true),
  LLM_BREAKER_RESET_MS: Int(30000, 1),
  /** Calls seen before the LLM breaker may open. */
  LLM_BREAKER_VOLUME: Int(5, 1),
  /** Model of the OpenAI-compatible /audio/transcriptions endpoint; empty = speech-to-text off (503). */
  OPENAI_TRANSCRIPTION_MODEL: Str(''),
  /** AI jobs a worker runs at once, and how many of those slots batch jobs (reports) may never take. */
  AI_MAX_CONCURRENT_TASKS: Int(5, 1),
  AI_RESERVED_REALTIME_SLOTS: Int(2, 0),
  /** Breaker timeout around enqueueing an AI job (504 AI_SERVICE_TIMEOUT past it). */
  AI_QUEUE_TIMEOUT_MS: Int(5000, 1),

  LIVEKIT_URL: Str(''),
  LIVEKIT_CLIENT_URL: Str(''),
  LIVEKIT_API_KEY: Str(''),
  LIVEKIT_API_SECRET: Str(''),

  SANDBOX_WORKDIR: Str('/tmp/syncode-sandbox'),
  EXECUTION_CONCURRENCY: Int(2, 1),
  EXECUTION_DEFAULT_TIMEOUT_MS: Int(10000, 1),
  EXECUTION_MAX_TIMEOUT_MS: Int(30000, 1),
  EXECUTION_DEFAULT_MEMORY_MB: Int(256, 16),
  EXECUTION_MAX_MEMORY_MB: Int(1024, 16),
  /** Breaker timeout around enqueueing an execution job (504 EXECUTION_SERVICE_TIMEOUT past it). */
  EXECUTION_QUEUE_TIMEOUT_MS: Int(5000, 1),
  /**
   * How long a run or submission may wait in the queue. When the queue is deeper than the workers can drain in
   * that time, new runs and submissions answer 503 with Retry-After instead of waiting (backpressure).
   */
  EXECUTION_QUEUE_BUDGET_MS: Int(30000, 1),
  /** How long a job stays owned by a worker that stopped renewing its lock (a killed worker's job waits this long). */
  EXECUTION_JOB_LOCK_MS: Int(30000, 1000),
  /** How often workers look for jobs whose lock expired (their worker died) and put them back in the queue. */
  EXECUTION_STALLED_CHECK_MS: Int(15000, 500),
  /** How often the sweeper looks for requested work whose queue job vanished (0 = never). */
  SWEEPER_INTERVAL_MS: Int(30000, 0),
  /** Work younger than this is left alone by the sweeper (its enqueue may still be on its way). */
  SWEEPER_GRACE_MS: Int(30000, 0),
  /** Work still unfinished this long after it was requested is failed with a reason (never pending forever). */
  SWEEPER_DEADLINE_MS: Int(900000, 1),
  /** Static-analysis jobs a worker runs at once (the linters run outside the sandbox, on the worker's cores). */
  ANALYSIS_CONCURRENCY: Int(1, 1),
  /** Report grading jobs a worker runs at once (the deterministic grader takes milliseconds of CPU per report). */
  REPORT_CONCURRENCY: Int(4, 1),
  /** Time limit of each static-analysis tool. */
  ANALYSIS_TOOL_TIMEOUT_MS: Int(15000, 1),

  /** Ports of the ops endpoints (/health/live, /health/ready, /metrics) of the roles that serve no API. */
  WORKER_OPS_PORT: Int(3002),
  PROJECTOR_OPS_PORT: Int(3003),
  COLLAB_OPS_PORT: Int(3004),
  /** Readiness fails while a projection is further than this many positions behind the head of the store. */
  READY_MAX_PROJECTION_LAG: Int(1000, 0),
  /** Deadline for a graceful stop (in-flight requests and jobs); past it the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: Int(45000, 1),
  /** Create the demo accounts and a finished demo session on start when the database has no users. */
  SEED_DEMO: Bool(false),
  /** Seed the problem bank on start when the database has no problems. */
  SEED_ON_START: Bool(true),
  /** Run the BullMQ repeatable jobs (sweeps, expiries, retention) in this process. */
  SCHEDULER_ENABLED: Bool(true),
});

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Values never printed in a configuration error: secrets, keys, and URLs that may carry credentials. */
const SENSITIVE = /SECRET|KEY|PASSWORD|TOKEN|_URL$/;
/** Placeholder marker of `.env.example` and the dev defaults: refused as a secret in production. */
const PLACEHOLDER = /change[-_]?me/i;

function allowedValues(key: string): string[] | undefined {
  const schema = (ConfigSchema.properties as Record<string, { anyOf?: Array<{ const?: unknown }> }>)[key];
  const options = schema?.anyOf?.map((s) => s.const).filter((v) => v !== undefined);
  return options && options.length > 0 ? options.map(String) : undefined;
}

function describeProblem(key: string, message: string, value: unknown): string {
  const allowed = allowedValues(key);
  const what = allowed ? `must be one of ${allowed.join(', ')}` : message;
  const shown = SENSITIVE.test(key) ? '(value hidden)' : `(got ${JSON.stringify(value)})`;
  return `  ${key}: ${what} ${shown}`;
}

function refusePlaceholders(config: Config): void {
  const secrets = ['AUTH_JWT_SECRET', 'JWT_REFRESH_SECRET', 'COLLAB_JWT_SECRET', 'INTERNAL_CALLBACK_SECRET', 'STORAGE_SIGNING_SECRET'] as const;
  for (const key of secrets) {
    if (config[key].startsWith(DEV_SECRET) || PLACEHOLDER.test(config[key])) throw new ConfigError(`${key} must be set in production (a real secret, not a placeholder)`);
  }
  for (const key of ['LIVEKIT_API_SECRET', 'S3_SECRET_KEY', 'OPENAI_API_KEY'] as const) {
    if (PLACEHOLDER.test(config[key])) throw new ConfigError(`${key} is still a placeholder; set a real value in production`);
  }
}

/** Parse and validate a config from an env-like record. Unknown variables are ignored. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const withDefaults = Value.Default(ConfigSchema, raw);
  const converted = Value.Convert(ConfigSchema, withDefaults);
  const errors = [...Value.Errors(ConfigSchema, converted)];
  if (errors.length > 0) {
    const byKey = new Map(errors.map((e) => [e.path.slice(1).split('/')[0] ?? '', e] as const));
    const lines = [...byKey].map(([key, e]) => describeProblem(key, e.message, e.value));
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = converted as Config;
  if (config.NODE_ENV === 'development') applyMediaDevDefaults(config);
  if (config.NODE_ENV === 'production') refusePlaceholders(config);
  return config;
}

/**
 * Development only: with no LiveKit settings at all, use those of `livekit-server --dev` (key `devkey`, secret
 * `secret`, ws://127.0.0.1:7880), so a client developer running a local media server gets working tokens without
 * configuring anything. Any LiveKit variable that is set switches the defaults off.
 */
export const LIVEKIT_DEV = { key: 'devkey', secret: 'secret', url: 'ws://127.0.0.1:7880' } as const;
function applyMediaDevDefaults(config: Config): void {
  if (config.LIVEKIT_API_KEY !== '' || config.LIVEKIT_API_SECRET !== '' || config.LIVEKIT_URL !== '') return;
  config.LIVEKIT_API_KEY = LIVEKIT_DEV.key;
  config.LIVEKIT_API_SECRET = LIVEKIT_DEV.secret;
  config.LIVEKIT_URL = LIVEKIT_DEV.url;
}
