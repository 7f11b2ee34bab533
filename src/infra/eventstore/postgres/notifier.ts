/**
 * Wake-ups for subscriptions. Commits made through this store wake its subscriptions directly and are announced
 * with NOTIFY; commits made by other processes arrive as NOTIFY on one LISTEN connection per store, shared by all
 * its subscriptions. NOTIFY is only a hint: subscriptions also poll, so a lost notification (listener
 * reconnecting, proxy that drops them) costs at most one poll interval.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { matchesFilter, type EventFilter } from '../port.js';

/**
 * What one committed append wrote: enough to tell which filtered subscriptions it concerns. Another process's
 * announcement names the event types only (`stream` null): it concerns every stream-name filter.
 */
export interface Touched {
  stream: string | null;
  type: string;
}

interface Waiter {
  filter: EventFilter | undefined;
  done(): void;
}

/** Wakes remembered for subscriptions that were busy reading when they happened. */
const RECENT_WAKES = 256;
/** This store's own commits, so their NOTIFY echo does not wake everyone a second time. */
const OWN_POSITIONS = 1024;

function concerns(filter: EventFilter | undefined, touched: readonly Touched[] | null): boolean {
  if (!filter || touched === null) return true;
  return touched.some((t) => (t.stream === null && filter.on === 'streamName') || matchesFilter(filter, t.stream ?? '', t.type));
}

export class Wakeups {
  private generation_ = 0;
  /** Every subscription has been woken for the positions up to here (by wake-ups of unknown content). */
  private highest = 0n;
  private readonly own = new Set<bigint>();
  private readonly recent: Array<{ generation: number; touched: readonly Touched[] | null }> = [];
  private readonly waiters = new Set<Waiter>();

  /** Read before querying; pass to wait() so a wake-up during the query is not missed. */
  get generation(): number {
    return this.generation_;
  }

  /**
   * Another process's commits (its NOTIFY) or a reconnect. With the event types they wrote, wakes the subscriptions
   * they concern; without (a reconnect, an announcement that could not name them), every subscription — for a
   * position only if no such wake-up covered it yet. This store's own commits arrive again as NOTIFY and were
   * already announced to exactly the subscriptions they concern.
   */
  wake(position?: bigint, types?: readonly string[]): void {
    if (position !== undefined && this.own.delete(position)) return;
    if (types !== undefined) {
      // not compared with `highest`: announcements of several processes may arrive out of position order
      this.record(types.map((type) => ({ stream: null, type })));
      return;
    }
    if (position !== undefined) {
      if (position <= this.highest) return;
      this.highest = position;
    }
    this.record(null);
  }

  /**
   * This store's own commit (through `position`): wakes the subscriptions whose filter matches something it wrote.
   * A filtered subscription it does not concern stays asleep rather than read the log and write a checkpoint
   * for nothing; it catches up at its next wake-up or poll.
   */
  wakeFor(position: bigint, touched: readonly Touched[]): void {
    this.own.add(position);
    if (this.own.size > OWN_POSITIONS) this.own.delete(this.own.values().next().value!);
    this.record(touched);
  }

  private record(touched: readonly Touched[] | null): void {
    this.generation_ += 1;
    this.recent.push({ generation: this.generation_, touched });
    if (this.recent.length > RECENT_WAKES) this.recent.shift();
    for (const waiter of [...this.waiters]) if (concerns(waiter.filter, touched)) waiter.done();
  }

  /** Whether a wake-up after generation `since` concerned `filter` (true when that history is gone). */
  private missed(since: number, filter: EventFilter | undefined): boolean {
    if (since === this.generation_) return false;
    const oldest = this.recent[0]?.generation ?? Number.POSITIVE_INFINITY;
    if (since + 1 < oldest) return true;
    return this.recent.some((w) => w.generation > since && concerns(filter, w.touched));
  }

  /**
   * Resolves on the first wake-up after `since` that concerns `filter` (every one without a filter), after
   * `timeoutMs`, or when `signal` aborts.
   */
  wait(since: number, timeoutMs: number, signal: AbortSignal, filter?: EventFilter): Promise<void> {
    if (signal.aborted || this.missed(since, filter)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        filter,
        done: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          signal.removeEventListener('abort', waiter.done);
          resolve();
        },
      };
      const timer = setTimeout(waiter.done, timeoutMs);
      this.waiters.add(waiter);
      signal.addEventListener('abort', waiter.done, { once: true });
    });
  }
}

export interface ListenerEvents {
  /** The connection dropped (reported once per outage). */
  lost?(err: Error | undefined): void;
  restored?(): void;
}

/** Longest announcement that names its event types (NOTIFY payloads stop at 8000 bytes); longer ones name none. */
const MAX_TYPED_PAYLOAD = 7_000;

/** `<position>` or `<position> <type>,<type>…`; types with a space or comma cannot be named. */
export function announcement(position: bigint, types: ReadonlySet<string>): string {
  const named = [...types];
  const payload = `${position} ${named.join(',')}`;
  if (named.length === 0 || payload.length > MAX_TYPED_PAYLOAD || named.some((t) => /[\s,]/.test(t))) return position.toString();
  return payload;
}

/** Position and event types of an announcement (types undefined when it names none); null if it is not one. */
export function parseAnnouncement(payload: string): { position: bigint; types: string[] | undefined } | null {
  const match = /^(\d+)(?: (\S+))?$/.exec(payload);
  if (!match) return null;
  return { position: BigInt(match[1]!), types: match[2]?.split(',') };
}

/**
 * Tells other processes about commits: `pg_notify` with the committed position and the event types written, sent after the append committed
 * (so only committed positions are announced) in a statement that writes nothing and so holds Postgres' notify lock
 * only briefly. A commit after a quiet spell is announced at once; while commits keep coming, at most one
 * announcement goes out per `intervalMs`, carrying the highest position committed meanwhile and every event type written since the previous one (so a remote
 * subscription that reads none of them stays asleep, as a local one does), and the last commit of
 * a burst is always announced. Each announcement costs a round trip and a notifying transaction (about as much
 * server time as a one-row insert), so a writer committing faster than that no longer pays one per commit, and a
 * remote subscriber reads a burst in a few reads instead of one per commit. Failures are ignored: subscribers poll
 * anyway.
 */
export class Announcer {
  private pending: bigint | undefined;
  private pendingTypes = new Set<string>();
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the last announcement went out (performance.now() ms). */
  private lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly pool: pg.Pool,
    private readonly intervalMs: number,
  ) {}

  announce(position: bigint, touched: readonly Touched[] = []): void {
    if (this.pending === undefined || position > this.pending) this.pending = position;
    for (const t of touched) this.pendingTypes.add(t.type);
    if (this.sending || this.timer) return; // the running or scheduled announcement takes it along
    const wait = this.lastSentAt + this.intervalMs - performance.now();
    if (wait <= 0) this.startSending();
    else this.timer = setTimeout(() => this.startSending(), wait);
  }

  /** Resolves once nothing is waiting to be announced (a scheduled announcement goes out at once). */
  async idle(): Promise<void> {
    while (this.timer || this.sending) {
      if (this.timer) this.startSending();
      await this.sending;
    }
  }

  private startSending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.pending === undefined) return;
    this.sending = this.send().finally(() => {
      this.sending = undefined;
      // Commits announced meanwhile wait out the rest of the interval.
      if (this.pending !== undefined) this.announce(this.pending);
    });
  }

  private async send(): Promise<void> {
    const payload = announcement(this.pending!, this.pendingTypes);
    this.pending = undefined;
    this.pendingTypes = new Set();
    this.lastSentAt = performance.now();
    await this.pool
      .query({ name: 'syncode_es_announce', text: 'SELECT pg_notify(es_notify_channel(), $1)', values: [payload] })
      .catch(() => undefined);
  }
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/**
 * A dedicated client (not from the pool: it stays checked out forever) that LISTENs on the schema's channel and
 * reconnects with backoff when the connection drops. After every (re)connect it wakes everyone once, since
 * notifications sent while it was away are gone.
 */
export class NotifyListener {
  private current: pg.Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private backoffMs = MIN_BACKOFF_MS;
  private closed = false;
  private channel: string | undefined;
  private wasLost = false;

  constructor(
    private readonly config: pg.ClientConfig,
    /** Called with what an announcement carries, or with nothing after a (re)connect. */
    private readonly onWake: (position?: bigint, types?: string[]) => void,
    private readonly events: ListenerEvents = {},
  ) {}

  start(): void {
    if (!this.closed && !this.current && !this.reconnectTimer) void this.connect();
  }

  /** True while a LISTEN is established (for health reporting and tests). */
  get listening(): boolean {
    return this.channel !== undefined && this.current !== undefined;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    this.current = client;
    client.on('notification', (msg) => {
      if (msg.channel !== this.channel) return;
      const announced = parseAnnouncement(msg.payload ?? '');
      if (announced) this.onWake(announced.position, announced.types);
      else this.onWake();
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      // The channel is defined next to the append function, so both always agree on it.
      const { rows } = await client.query<{ channel: string }>('SELECT es_notify_channel() AS channel');
      const channel = rows[0]!.channel;
      await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
      if (this.current !== client) return; // closed or replaced meanwhile
      this.channel = channel;
      this.backoffMs = MIN_BACKOFF_MS;
      if (this.wasLost) this.events.restored?.();
      this.wasLost = false;
      this.onWake();
    } catch (err) {
      this.lost(client, err as Error);
    }
  }

  private lost(client: pg.Client, err?: Error): void {
    if (this.current !== client) return; // already handled ('error' and 'end' both fire)
    this.current = undefined;
    client.end().catch(() => undefined);
    if (this.closed) return;
    if (!this.wasLost) this.events.lost?.(err);
    this.wasLost = true;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, this.backoffMs);
    this.reconnectTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const client = this.current;
    this.current = undefined;
    if (client) await client.end().catch(() => undefined);
  }
}

/** Connection settings for the listener, taken from the pool (pg hides the password from enumeration). */
export function listenerConfig(pool: pg.Pool, schema: string): pg.ClientConfig {
  const options = pool.options as pg.PoolConfig;
  const ssl = options.ssl && typeof options.ssl === 'object' ? { ...options.ssl, key: options.ssl.key } : options.ssl;
  return {
    ...options,
    password: options.password,
    ssl,
    application_name: `syncode-es-listener:${schema}`.slice(0, 63),
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
  };
}
