/**
 * Every parametrised query is sent as a named prepared statement, so a connection parses and plans each query text
 * once instead of on every call. Postgres keeps the statement per connection and replans it by itself when a
 * table it reads changes (a projection rebuild swaps tables) or the search_path does. The hot paths (a sign-in,
 * a projector's fetch and checkpoint, a command's stream read) are a handful of texts run thousands of times, and
 * planning was the largest part of their cost in Postgres (docs/performance.md, "Prepared statements").
 *
 * Bounds: Postgres keeps every named statement (its text and plan) in each connection's memory until the connection
 * closes, so only texts worth it get a name: a text is named the second time this process sees it (one-off texts
 * never are), texts over MAX_TEXT characters never are (bulk inserts with a row count of their own), and no more
 * than MAX_NAMED texts per process — beyond that they run unnamed, as before. Queries without parameters stay on
 * the simple protocol, which also carries scripts of several statements (migrations).
 *
 * One case Postgres refuses: a statement whose result columns changed since it was prepared (`SELECT *` over a
 * table that gained a column while the process ran) fails with "cached plan must not change result type". That
 * text then runs unnamed on that connection, and the failed call is repeated unnamed when it ran outside a
 * transaction (inside one, the transaction is already aborted and its caller's retry applies).
 */
import pg from 'pg';

const MAX_NAMED = 500;
export const MAX_TEXT = 4096;
/** Texts seen once, waiting for a second sighting; forgotten all at once when full. */
const MAX_SIGHTED = 5000;
const STALE_PLAN = '0A000';

const names = new Map<string, string>();
const sighted = new Set<string>();

/** The statement name of a query text, or undefined while it does not deserve one (see the header). */
export function statementName(text: string): string | undefined {
  const known = names.get(text);
  if (known !== undefined || names.size >= MAX_NAMED || text.length > MAX_TEXT) return known;
  if (!sighted.has(text)) {
    if (sighted.size >= MAX_SIGHTED) sighted.clear();
    sighted.add(text);
    return undefined;
  }
  sighted.delete(text);
  const name = `syncode_q${names.size + 1}`;
  names.set(text, name);
  return name;
}

function isStalePlan(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === STALE_PLAN && /cached plan must not change result type/.test(e.message ?? '');
}

type Callback = (err: Error | null, result?: unknown) => void;

/** pg's Client, naming parametrised queries (the pool's `Client` option). */
export class PreparingClient extends pg.Client {
  /** Texts whose prepared statement this connection must not use any more (see the header). */
  private readonly unnamed = new Set<string>();

  override query(...args: any[]): any {
    const [config, values, callback] = args as [unknown, unknown, unknown];
    const name =
      typeof config === 'string' && Array.isArray(values) && values.length > 0 && !this.unnamed.has(config)
        ? statementName(config)
        : undefined;
    if (name === undefined) return (super.query as (...a: unknown[]) => unknown)(...args);
    const text = config as string;
    const plain = (...rest: unknown[]) => (super.query as (...a: unknown[]) => unknown)(text, values, ...rest);
    const named = { name, text, values: values as unknown[] };
    // 'I': idle, outside a transaction (before the failed call and after it); 'T' or 'E' inside one.
    const inTransaction = () => this.getTransactionStatus() !== 'I';
    if (typeof callback === 'function') {
      super.query(named, (err: Error | null, result: unknown) => {
        if (!isStalePlan(err)) return (callback as Callback)(err, result);
        this.unnamed.add(text);
        if (inTransaction()) return (callback as Callback)(err);
        plain(callback);
      });
      return undefined;
    }
    return super.query(named).catch((err: unknown) => {
      if (!isStalePlan(err)) throw err;
      this.unnamed.add(text);
      if (inTransaction()) throw err;
      return plain();
    });
  }
}
