/**
 * The eight languages: source file name, compile step and run command, all as argv inside the
 * sandbox (/box holds the source and build output, /tmp is scratch). Every tool is a Debian package under /usr,
 * except TypeScript, whose types are stripped by the esbuild binary from node_modules (the same transform tsx
 * applies, so no type checking, as with `tsx`), then run with node.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { esbuildBinary } from './paths.js';
import { LANGUAGE_IDS, type LanguageId } from './types.js';

const exec = promisify(execFile);

/** A read-only file or directory of the host made visible inside the sandbox. */
export interface RoBind {
  host: string;
  sandbox: string;
}

export interface ToolStep {
  argv: string[];
  env?: Record<string, string>;
  binds?: RoBind[];
}

export interface LanguageSpec {
  id: LanguageId;
  /** Source file name in /box, and what the run step needs to start it (file or Java class). */
  source(code: string): { file: string; entry: string };
  compile?(file: string): ToolStep;
  run(entry: string, memoryMb: number): ToolStep;
}

const NODE = process.execPath;
const ESBUILD_IN_SANDBOX = '/opt/esbuild/esbuild';

/**
 * The node binary running this service. A Debian/NodeSource install lives in /usr/bin; one from nvm or a
 * tarball (including /usr/local, which the sandbox hides) is bound in by itself: the binary is self-contained.
 */
function nodeBinds(): RoBind[] {
  if (NODE.startsWith('/usr/') && !NODE.startsWith('/usr/local/')) return [];
  return [{ host: NODE, sandbox: NODE }];
}

/**
 * Stack limit for a run. Deep recursion is common in interview answers, so it is generous, but it stays at half
 * the memory limit: a runaway recursion then overflows its stack (a runtime error) instead of eating all memory.
 */
export function stackLimitMb(memoryMb: number): number {
  return Math.min(256, Math.max(8, Math.floor(memoryMb / 2)));
}

function nodeRun(file: string, memoryMb: number): ToolStep {
  return {
    argv: [
      NODE,
      // V8 sizes its heap from host RAM and cannot see the cgroup; without this a program with lots of garbage
      // would be OOM-killed before V8 bothered to collect it.
      `--max-old-space-size=${Math.max(16, Math.floor(memoryMb * 0.75))}`,
      // V8 checks its own stack bound (RangeError); keep it well inside the real one or it would segfault first.
      `--stack-size=${Math.floor(stackLimitMb(memoryMb) * 1024 * 0.75)}`,
      `/box/${file}`,
    ],
    binds: nodeBinds(),
  };
}

/**
 * Heap half the limit, leaving room for the JVM itself (~25 MB). The main thread's stack gets a tenth: a JIT-
 * compiled recursion that overflows its stack peaks at about 4.5 × -Xss resident (measured), so this keeps a
 * runaway recursion a StackOverflowError (RE) rather than an OOM kill, while allowing ~10⁵-deep recursion.
 */
const jvmMemoryFlags = (memoryMb: number) => [
  `-Xmx${Math.max(16, Math.floor(memoryMb / 2))}m`,
  `-Xss${Math.max(1, Math.floor(memoryMb / 10))}m`,
  '-XX:+UseSerialGC', // one GC thread, smallest footprint
  '-XX:-UsePerfData', // no hsperfdata files in /tmp
];

/**
 * Java's source launcher (`java code.java`) starts the first top-level type; javac additionally needs the
 * file named after the public type. Comments and literals are blanked first so a `class X` inside them is
 * ignored.
 */
export function javaTypes(code: string): { first: string | null; publicType: string | null } {
  const blanked = code
    .replace(/"""[\s\S]*?"""/g, '""')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/'(?:\\.|[^'\\\n])*'/g, "''");
  let depth = 0;
  let first: string | null = null;
  let publicType: string | null = null;
  const token = /[{}]|((?:(?:public|final|abstract|static|sealed|non-sealed|strictfp)\s+)*)(class|interface|enum|record)\s+([A-Za-z_$][\w$]*)/g;
  for (let m = token.exec(blanked); m; m = token.exec(blanked)) {
    if (m[0] === '{') depth += 1;
    else if (m[0] === '}') depth -= 1;
    else if (depth === 0) {
      first ??= m[3]!;
      if (/\bpublic\b/.test(m[1] ?? '')) publicType ??= m[3]!;
    }
  }
  return { first, publicType };
}

export const LANGUAGES: Record<LanguageId, LanguageSpec> = {
  python: {
    id: 'python',
    source: () => ({ file: 'code.py', entry: 'code.py' }),
    run: (file) => ({ argv: ['/usr/bin/python3', '-B', `/box/${file}`] }),
  },
  javascript: {
    id: 'javascript',
    source: () => ({ file: 'code.js', entry: 'code.js' }),
    run: nodeRun,
  },
  typescript: {
    id: 'typescript',
    source: () => ({ file: 'code.ts', entry: 'code.js' }),
    compile: (file) => {
      const esbuild = esbuildBinary();
      if (!esbuild) throw new Error('esbuild binary not found in node_modules (npm ci)');
      return {
        argv: [
          ESBUILD_IN_SANDBOX,
          `/box/${file}`,
          '--outfile=/box/code.js',
          '--format=cjs', // so `require` works, as it does under tsx
          '--platform=node',
          '--target=node20',
          '--log-level=warning',
        ],
        binds: [{ host: esbuild, sandbox: ESBUILD_IN_SANDBOX }],
      };
    },
    run: nodeRun,
  },
  java: {
    id: 'java',
    source: (code) => {
      const { first, publicType } = javaTypes(code);
      return { file: `${publicType ?? first ?? 'Main'}.java`, entry: first ?? 'Main' };
    },
    compile: (file) => ({
      argv: [
        '/usr/bin/javac',
        '-J-Xmx512m',
        '-J-XX:+UseSerialGC',
        '-J-XX:TieredStopAtLevel=1', // javac is short-lived: C1 only starts faster
        '-J-XX:-UsePerfData',
        '-encoding',
        'UTF-8',
        '-d',
        '/box',
        `/box/${file}`,
      ],
    }),
    run: (mainClass, memoryMb) => ({
      argv: ['/usr/bin/java', ...jvmMemoryFlags(memoryMb), '-Xshare:auto', '-cp', '/box', mainClass],
    }),
  },
  cpp: {
    id: 'cpp',
    source: () => ({ file: 'code.cpp', entry: 'code.out' }),
    compile: (file) => ({ argv: ['/usr/bin/g++', '-std=gnu++17', '-O2', '-pipe', '-o', '/box/code.out', `/box/${file}`] }),
    run: (binary) => ({ argv: [`/box/${binary}`] }),
  },
  c: {
    id: 'c',
    source: () => ({ file: 'code.c', entry: 'code.out' }),
    compile: (file) => ({
      argv: ['/usr/bin/gcc', '-std=gnu11', '-O2', '-pipe', '-o', '/box/code.out', `/box/${file}`, '-lm'],
    }),
    run: (binary) => ({ argv: [`/box/${binary}`] }),
  },
  go: {
    id: 'go',
    source: () => ({ file: 'code.go', entry: 'code.out' }),
    compile: (file) => ({
      argv: ['/usr/bin/go', 'build', '-o', '/box/code.out', `/box/${file}`],
      // The build cache must be writable; CGO off gives a static binary without invoking gcc.
      env: { GOCACHE: '/tmp/gocache', GOPATH: '/tmp/gopath', CGO_ENABLED: '0' },
    }),
    run: (binary) => ({ argv: [`/box/${binary}`] }),
  },
  rust: {
    id: 'rust',
    source: () => ({ file: 'code.rs', entry: 'code.out' }),
    compile: (file) => ({
      argv: ['/usr/bin/rustc', '--edition=2021', '-O', '-o', '/box/code.out', `/box/${file}`],
    }),
    run: (binary) => ({ argv: [`/box/${binary}`] }),
  },
};

export function isLanguage(value: string): value is LanguageId {
  return (LANGUAGE_IDS as readonly string[]).includes(value);
}

export interface LanguageVersion {
  language: LanguageId;
  /** Toolchain that compiles or runs it, e.g. "g++ 12.2.0". */
  toolchain: string;
  version: string | null;
}

/** Asks each toolchain for its version; trusted binaries with fixed arguments, so no sandbox is needed. */
async function probe(cmd: string, args: string[], pattern: RegExp): Promise<string | null> {
  try {
    const { stdout, stderr } = await exec(cmd, args, { timeout: 10_000, env: { PATH: '/usr/bin:/bin' } });
    return pattern.exec(`${stdout}\n${stderr}`)?.[1] ?? null;
  } catch {
    return null;
  }
}

let versions: Promise<LanguageVersion[]> | null = null;

/** Versions of the installed toolchains, probed once per process (for GET /execution/languages). */
export function languageVersions(): Promise<LanguageVersion[]> {
  versions ??= (async () => {
    const esbuild = esbuildBinary();
    const [python, node, tsStrip, java, gpp, gcc, go, rust] = await Promise.all([
      probe('/usr/bin/python3', ['--version'], /Python (\S+)/),
      probe(NODE, ['--version'], /v(\S+)/),
      esbuild ? probe(esbuild, ['--version'], /^(\S+)/) : Promise.resolve(null),
      probe('/usr/bin/java', ['-version'], /version "([^"]+)"/),
      probe('/usr/bin/g++', ['-dumpfullversion'], /^(\S+)/),
      probe('/usr/bin/gcc', ['-dumpfullversion'], /^(\S+)/),
      probe('/usr/bin/go', ['version'], /go version go(\S+)/),
      probe('/usr/bin/rustc', ['--version'], /rustc (\S+)/),
    ]);
    return [
      { language: 'python', toolchain: `CPython ${python ?? '?'}`, version: python },
      { language: 'javascript', toolchain: `Node.js ${node ?? '?'}`, version: node },
      { language: 'typescript', toolchain: `esbuild ${tsStrip ?? '?'} + Node.js ${node ?? '?'}`, version: node },
      { language: 'java', toolchain: `OpenJDK ${java ?? '?'}`, version: java },
      { language: 'cpp', toolchain: `g++ ${gpp ?? '?'} (-std=gnu++17 -O2)`, version: gpp },
      { language: 'c', toolchain: `gcc ${gcc ?? '?'} (-std=gnu11 -O2)`, version: gcc },
      { language: 'go', toolchain: `go ${go ?? '?'}`, version: go },
      { language: 'rust', toolchain: `rustc ${rust ?? '?'} (edition 2021, -O)`, version: rust },
    ];
  })();
  return versions;
}
