/**
 * Load generator for the collab benchmarks — runs as its own process (spawned by bench/collab-bench.ts with
 * `node --import tsx`), so its CPU is not counted against the server.
 *
 * Every writer is a raw y-protocols client with its own Yjs client id. Each op appends a marker `~<writer>:<seq>:<µs>~`
 * to `code:python` and sends that update, encoded directly in the Yjs V1 format (one string item whose left origin is
 * the writer's previous character) instead of through a Y.Doc transaction per op — which would make the generator's
 * own GC pauses and event-loop delay, added to every measured latency, the dominant term. The replicas apply every
 * update with Yjs, and the server's document must equal them (and hold every char sent), so a bad encoding fails the
 * convergence check. Every client (writers included) scans the update frames it receives
 * for markers of the other writers in its room and records `now − sendTime` (same process, same clock). Receivers do
 * not apply updates (so client-side Yjs work is not billed to the server); one replica client per checked room does
 * apply everything, to prove convergence against the server's document.
 *
 * Config: JSON in COLLAB_LOAD_CONFIG. Talks to the parent over IPC: {type:'connected'}, {type:'measure-start'},
 * {type:'measure-end'}, {type:'result', …}.
 */
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { encodeSyncStep1, encodeSyncStep2, encodeSyncUpdate } from '../src/collab/protocol.js';
import { signCollabToken } from '../src/collab/token.js';

export interface LoadConfig {
  wsUrl: string;
  jwtSecret: string;
  rooms: string[];
  writersPerRoom: number;
  opsPerSec: number;
  warmupMs: number;
  measureMs: number;
  drainMs: number;
  /** how many rooms (from the first) get a converging replica */
  replicaRooms: number;
}

export interface LoadResult {
  type: 'result';
  clients: number;
  opsSentTotal: number;
  opsSentInWindow: number;
  expectedDeliveries: number;
  deliveries: number;
  lateOrLost: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  charsSent: number;
  replicas: Array<{ roomId: string; length: number; sha256: string }>;
  generatorCpuPercent: number;
  generatorElu: number;
  generatorLoopDelayP99Ms: number;
  closes: Record<string, number>;
}

const cfg = JSON.parse(process.env.COLLAB_LOAD_CONFIG ?? '{}') as LoadConfig;
const send = (msg: object) => process.send?.(msg);

/** Latency histogram: 10 µs bins up to 2 s, plus a max. */
class Histogram {
  private readonly bins = new Uint32Array(200_000);
  count = 0;
  sum = 0;
  max = 0;
  add(us: number): void {
    const i = Math.min(this.bins.length - 1, Math.max(0, Math.floor(us / 10)));
    this.bins[i]!++;
    this.count++;
    this.sum += us;
    if (us > this.max) this.max = us;
  }
  percentile(p: number): number {
    const target = Math.ceil(this.count * p);
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= target) return ((i + 1) * 10) / 1000;
    }
    return this.max / 1000;
  }
}

const hist = new Histogram();
let measureStart = Infinity;
let measureEnd = Infinity;
let opsSentTotal = 0;
let opsSentInWindow = 0;
let deliveries = 0;
let charsSent = 0;
let stopped = false;
const closes: Record<string, number> = {};
const nowUs = () => Math.round(performance.now() * 1000);
const MARKER = /~(\d+):(\d+):(\d+)~/g;

/**
 * Markers in a frame as flat [writer, seq, sentAt, …]. Every socket of a room receives the same bytes one after the
 * other, so the last parse is reused when the next frame is identical (keeps the generator's CPU — and its own
 * event-loop delay, which would be added to every measured latency — down).
 */
let lastFrame: Buffer | null = null;
let lastMarkers: number[] = [];
function parseMarkers(buf: Buffer): number[] {
  if (lastFrame !== null && lastFrame.length === buf.length && lastFrame.equals(buf)) return lastMarkers;
  const out: number[] = [];
  const text = buf.toString('latin1');
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(text); m !== null; m = MARKER.exec(text)) out.push(Number(m[1]), Number(m[2]), Number(m[3]));
  lastFrame = buf;
  lastMarkers = out;
  return out;
}

/** V1 update: one ContentString item of `client` at `clock`, after (client, originClock) or at the start of the text. */
function encodeAppend(client: number, clock: number, text: string, originClock: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1); // clients
  encoding.writeVarUint(e, 1); // structs of this client
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, clock);
  if (originClock >= 0) {
    encoding.writeUint8(e, 4 | 0x80); // ContentString, left origin present
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, originClock);
  } else {
    encoding.writeUint8(e, 4); // ContentString, no origins: parent given by root key
    encoding.writeVarUint(e, 1);
    encoding.writeVarString(e, 'code:python');
  }
  encoding.writeVarString(e, text);
  encoding.writeVarUint(e, 0); // empty delete set
  return encoding.toUint8Array(e);
}

class Client {
  ws!: WebSocket;
  /** highest seq seen per writer of this room (updates of one writer arrive in order) */
  readonly lastSeq: Int32Array;
  doc: Y.Doc | null = null;
  seq = 0;
  private readonly yClient = 1 + Math.floor(Math.random() * 0xfffffffe);
  private clock = 0;

  constructor(
    readonly roomId: string,
    readonly index: number, // writer index in the room, or -1 for the replica
    readonly replica: boolean,
  ) {
    this.lastSeq = new Int32Array(cfg.writersPerRoom).fill(-1);
    if (replica) this.doc = new Y.Doc();
  }

  connect(): Promise<void> {
    const userId = this.replica ? `replica-${this.roomId}` : `w${this.index}-${this.roomId}`;
    const role = this.replica ? 'observer' : 'interviewer';
    const token = signCollabToken({ userId, roomId: this.roomId, role, isHost: false }, cfg.jwtSecret);
    this.ws = new WebSocket(`${cfg.wsUrl}/${this.roomId}?events=none&token=${token}`, { perMessageDeflate: false });
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) this.onFrame(data);
    });
    this.ws.on('close', (code) => {
      if (!stopped) closes[String(code)] = (closes[String(code)] ?? 0) + 1;
    });
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => {
        this.ws.send(encodeSyncStep1(Y.encodeStateVector(this.doc ?? new Y.Doc())));
        resolve();
      });
      this.ws.once('error', reject);
    });
  }

  private onFrame(buf: Buffer): void {
    if (buf[0] !== 0) return;
    const sub = buf[1];
    if (sub === 0) {
      // server's SyncStep1: answer with our state (writers start empty)
      if (!this.replica) this.ws.send(encodeSyncStep2(Y.encodeStateAsUpdate(new Y.Doc())));
      return;
    }
    if (this.replica && this.doc) {
      const d = decoding.createDecoder(buf);
      decoding.readVarUint(d);
      decoding.readVarUint(d);
      Y.applyUpdate(this.doc, decoding.readVarUint8Array(d));
    }
    const now = nowUs();
    const markers = parseMarkers(buf);
    for (let i = 0; i < markers.length; i += 3) {
      const writer = markers[i]!;
      if (writer === this.index) continue;
      const seq = markers[i + 1]!;
      if (seq <= this.lastSeq[writer]!) continue;
      this.lastSeq[writer] = seq;
      const sentAt = markers[i + 2]!;
      if (sentAt >= measureStart && sentAt < measureEnd && !this.replica) {
        deliveries++;
        hist.add(now - sentAt);
      }
    }
  }

  op(): void {
    if (stopped || this.replica || this.ws.readyState !== WebSocket.OPEN) return;
    const t = nowUs();
    const marker = `~${this.index}:${this.seq++}:${t}~`;
    this.ws.send(encodeSyncUpdate(encodeAppend(this.yClient, this.clock, marker, this.clock - 1)));
    this.clock += marker.length;
    opsSentTotal++;
    charsSent += marker.length;
    if (t >= measureStart && t < measureEnd) opsSentInWindow++;
  }
}

async function main(): Promise<void> {
  const clients: Client[] = [];
  const replicas: Client[] = [];
  cfg.rooms.forEach((roomId, r) => {
    for (let w = 0; w < cfg.writersPerRoom; w++) clients.push(new Client(roomId, w, false));
    if (r < cfg.replicaRooms) replicas.push(new Client(roomId, -1, true));
  });
  const all = [...clients, ...replicas];
  for (let i = 0; i < all.length; i += 50) await Promise.all(all.slice(i, i + 50).map((c) => c.connect()));
  await new Promise((r) => setTimeout(r, 500)); // joins and initial syncs settle
  send({ type: 'connected', clients: all.length });

  const period = 1000 / cfg.opsPerSec;
  const timers: NodeJS.Timeout[] = [];
  for (const c of clients) {
    const start = setTimeout(() => {
      c.op();
      timers.push(setInterval(() => c.op(), period));
    }, Math.random() * period);
    timers.push(start);
  }
  await new Promise((r) => setTimeout(r, cfg.warmupMs));
  measureStart = nowUs();
  measureEnd = measureStart + cfg.measureMs * 1000;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  send({ type: 'measure-start' });
  await new Promise((r) => setTimeout(r, cfg.measureMs));
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0).utilization;
  loopDelay.disable();
  send({ type: 'measure-end' });
  stopped = true;
  for (const t of timers) clearInterval(t);
  await new Promise((r) => setTimeout(r, cfg.drainMs));

  const expected = opsSentInWindow * (cfg.writersPerRoom - 1);
  const result: LoadResult = {
    type: 'result',
    clients: all.length,
    opsSentTotal,
    opsSentInWindow,
    expectedDeliveries: expected,
    deliveries,
    lateOrLost: expected - deliveries,
    latencyMs: {
      p50: hist.percentile(0.5),
      p90: hist.percentile(0.9),
      p99: hist.percentile(0.99),
      p999: hist.percentile(0.999),
      max: hist.max / 1000,
      mean: hist.count ? hist.sum / hist.count / 1000 : 0,
    },
    charsSent,
    replicas: replicas.map((c) => {
      const text = c.doc!.getText('code:python').toString();
      return { roomId: c.roomId, length: text.length, sha256: createHash('sha256').update(text).digest('hex') };
    }),
    generatorCpuPercent: ((cpu.user + cpu.system) / 1000 / cfg.measureMs) * 100,
    generatorElu: elu,
    generatorLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    closes,
  };
  send(result);
  for (const c of all) c.ws.close();
  await new Promise((r) => setTimeout(r, 200));
  process.disconnect?.();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
