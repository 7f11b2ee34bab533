/**
 * WAL written by one lone append against one raw one-row INSERT (the baseline of bench/eventstore-append.ts), as
 * EXPLAIN (ANALYZE, WAL) reports it for the statement in this backend alone (other sessions' WAL does not count;
 * the commit record, the same for both, is not included). With fsync on, a commit waits for its WAL to be flushed,
 * so what a commit writes is part of what it costs.
 *
 *   node --import tsx bench/eventstore-append-wal.ts
 * Env: BENCH_SAMPLES (default 200 per side), BENCH_DATABASE_URL.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { withBenchSchema } from './lib/bench-db.js';
import { median, printTable, writeResults, type Row } from './lib/report.js';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const payload = (i: number): Record<string, unknown> => ({ writer: 0, i, note: 'x'.repeat(100) });

interface WalUsage {
  records: number;
  bytes: number;
  fullPageImages: number;
}

await withBenchSchema(2, async ({ pool }) => {
  await pool.query('CREATE TABLE bench_raw (id bigserial PRIMARY KEY, stream text NOT NULL, data jsonb NOT NULL)');
  const client = await pool.connect();
  try {
    const explain = async (text: string, values: unknown[]): Promise<WalUsage> => {
      const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: Record<string, number> }> }>(
        `EXPLAIN (ANALYZE, WAL, FORMAT JSON) ${text}`,
        values,
      );
      const plan = rows[0]!['QUERY PLAN'][0]!.Plan;
      return { records: plan['WAL Records'] ?? 0, bytes: plan['WAL Bytes'] ?? 0, fullPageImages: plan['WAL FPI'] ?? 0 };
    };
    const stream = `wal-${randomUUID().slice(0, 8)}`;
    let expected = 'no_stream';
    let n = 0;
    const sides: Record<string, () => Promise<WalUsage>> = {
      raw: () => explain('INSERT INTO bench_raw (stream, data) VALUES ($1, $2::jsonb)', ['raw-0', JSON.stringify(payload(n++))]),
      store: async () => {
        const doc = JSON.stringify([{ s: stream, e: expected, ev: [{ id: randomUUID(), type: 'BenchAppended', data: payload(n++), metadata: {} }] }]);
        const usage = await explain('SELECT * FROM es_append_batch($1::jsonb)', [doc]);
        expected = expected === 'no_stream' ? '0' : String(Number(expected) + 1);
        return usage;
      },
    };
    const samples: Record<string, WalUsage[]> = { raw: [], store: [] };
    for (let i = 0; i < SAMPLES; i++) {
      for (const side of i % 2 ? ['store', 'raw'] : ['raw', 'store']) samples[side]!.push(await sides[side]!());
    }
    const rows: Row[] = Object.entries(samples).map(([side, list]) => ({
      side,
      'WAL records (median)': median(list.map((u) => u.records)),
      'WAL bytes (median)': median(list.map((u) => u.bytes)),
      'WAL bytes (mean)': list.reduce((sum, u) => sum + u.bytes, 0) / list.length,
      'full-page images': list.reduce((sum, u) => sum + u.fullPageImages, 0),
    }));
    printTable(`WAL per statement: lone append vs raw one-row INSERT (${SAMPLES} samples each, commit record excluded)`, rows);
    const file = writeResults('eventstore-append-wal', { samples: SAMPLES, loadAverage: os.loadavg(), rows });
    console.log(`\nwrote ${file}`);
  } finally {
    client.release();
  }
});
