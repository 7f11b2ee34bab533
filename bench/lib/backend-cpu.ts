/**
 * CPU time of the Postgres backends that serve given client processes (Linux): the client sockets' ports from
 * `ss`, matched to backend pids through pg_stat_activity.client_port, their CPU from /proc. Other engineers' and
 * other benchmarks' backends on the same server are left out. Backends opened after `backendsOf` was called are
 * not counted (take it again after a warm-up).
 */
import { execFileSync } from 'node:child_process';
import type pg from 'pg';
import { processCpuMs } from './http-load.js';

function clientPorts(pids: readonly number[]): number[] {
  let out: string;
  try {
    out = execFileSync('ss', ['-tnpH', 'state', 'established', '( dport = :5432 )'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const line of out.split('\n')) {
    const m = /:(\d+)\s+\S+:5432\b.*pid=(\d+)/.exec(line);
    if (m && pids.includes(Number(m[2]))) ports.push(Number(m[1]));
  }
  return ports;
}

/** The backend pids serving the processes `pids` right now (empty when `ss` is missing). */
export async function backendsOf(pool: pg.Pool, pids: readonly number[]): Promise<number[]> {
  const ports = clientPorts(pids);
  if (ports.length === 0) return [];
  const { rows } = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])', [ports]);
  return rows.map((r) => r.pid);
}

/** CPU ms of each of `pids` now (those already gone are left out). */
export function cpuByPid(pids: readonly number[]): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    try {
      cpu.set(pid, processCpuMs(pid));
    } catch {
      // gone
    }
  }
  return cpu;
}

/** CPU ms spent between two `cpuByPid` samples by the processes present in both. */
export function cpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, cpu] of after) ms += cpu - (before.get(pid) ?? cpu);
  return ms;
}
