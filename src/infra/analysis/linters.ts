/**
 * One linter per language, each a trusted tool that reads the code as data (nothing here runs the submitted
 * program; annotation processing, build scripts, cgo and toolchain downloads are switched off):
 *
 * | language | tool | command |
 * |---|---|---|
 * | python | pyflakes (Debian `pyflakes3`) | `pyflakes3 Main.py` |
 * | javascript | ESLint, `@eslint/js` recommended | `eslint -c <config> --format json Main.js` |
 * | typescript | ESLint + typescript-eslint recommended | `eslint -c <config> --format json Main.ts` |
 * | java | javac lint (`-Xlint:all -proc:none`) | `javac -Xlint:all -proc:none -d out <Type>.java` |
 * | c, cpp | cppcheck | `cppcheck --enable=warning,style,performance,portability --template=… Main.<ext>` |
 * | go | go vet | `go vet -json .` (module `main`, GOPROXY=off, GOTOOLCHAIN=local, CGO_ENABLED=0) |
 * | rust | clippy (Debian `rust-clippy`), else rustc's own lints | `clippy-driver -W clippy::all --emit=metadata --error-format=json Main.rs` |
 *
 * A tool that is not installed is `skipped` (scripts/setup-analysis.sh installs the Debian ones). The tools run as
 * `nobody` (see tool-process.ts) and only findings located in the submitted file are kept; on top of that, code
 * that asks a compiler to read other files (C/C++ includes other than `<header>`, Rust's `include*!` macros, which
 * `compile_error!` could quote) is not linted at all — the linter is reported as skipped with the reason.
 */
import { existsSync, mkdirSync, chownSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AnalysisDiagnostic, AnalysisSeverity } from '../../domain/run/static-analysis.js';
import { javaTypes } from '../sandbox/languages.js';
import type { ToolRun, WorkDir } from './tool-process.js';

export interface LinterPlan {
  tool: string;
  /** Why it cannot run here (then the tool is reported as skipped). */
  unavailable?: string;
  /**
   * Why this code is not given to the tool (reported as skipped): code that would make a compiler front end read
   * files outside the submission and quote them back in its messages (`include_str!`, `#include "/etc/…"`).
   */
  refuse?(code: string): string | null;
  /** Source file name inside the work directory. */
  file: string;
  prepare(work: WorkDir): { argv: string[]; env?: Record<string, string> };
  parse(run: ToolRun, file: string): AnalysisDiagnostic[];
}

const require = createRequire(import.meta.url);

function resolveModule(id: string): string | null {
  try {
    return require.resolve(id);
  } catch {
    return null;
  }
}

const MAX_MESSAGE = 1000;
const clip = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s);

const diag = (
  tool: string,
  severity: AnalysisSeverity,
  message: string,
  file: string,
  line: number | null,
  column: number | null,
  rule: string | null = null,
): AnalysisDiagnostic => ({ tool, rule, severity, message: clip(message.trim()), file, line, column });

const int = (s: string | undefined) => {
  const v = Number(s);
  return Number.isFinite(v) && v > 0 ? Math.trunc(v) : null;
};

// ------------------------------------------------------------------------------------------------ python

const PYFLAKES = '/usr/bin/pyflakes3';

function pyflakesPlan(): LinterPlan {
  return {
    tool: 'pyflakes',
    ...(existsSync(PYFLAKES) ? {} : { unavailable: 'pyflakes3 is not installed (scripts/setup-analysis.sh)' }),
    file: 'Main.py',
    prepare: () => ({ argv: [PYFLAKES, 'Main.py'], env: { PYTHONDONTWRITEBYTECODE: '1' } }),
    parse(run, file) {
      const out: AnalysisDiagnostic[] = [];
      const re = /^(.+?):(\d+):(?:(\d+):)? (.*)$/;
      for (const text of `${run.stdout}\n${run.stderr}`.split('\n')) {
        const m = re.exec(text);
        if (!m || m[1] !== file) continue;
        const message = m[4]!;
        const rule = /undefined name/.test(message)
          ? 'undefined-name'
          : /imported but unused/.test(message)
            ? 'unused-import'
            : /assigned to but never used/.test(message)
              ? 'unused-variable'
              : /syntax|invalid|unexpected|EOF|indent/i.test(message)
                ? 'syntax-error'
                : null;
        const severity: AnalysisSeverity = rule === 'undefined-name' || rule === 'syntax-error' ? 'error' : 'warning';
        out.push(diag('pyflakes', severity, message, file, int(m[2]), int(m[3]), rule));
      }
      return out;
    },
  };
}

// ------------------------------------------------------------------------------------------------ javascript, typescript

/** Rules whose findings are bugs rather than style. */
const ESLINT_ERRORS = new Set([
  'no-undef',
  'no-const-assign',
  'no-dupe-keys',
  'no-dupe-args',
  'no-dupe-class-members',
  'no-func-assign',
  'no-import-assign',
  'no-unreachable',
  'no-unsafe-negation',
  'no-self-assign',
  'use-isnan',
  'valid-typeof',
  'getter-return',
  'no-setter-return',
  'constructor-super',
  'no-this-before-super',
  'for-direction',
]);

const NODE_GLOBALS = [
  'require', 'module', 'exports', '__dirname', '__filename', 'process', 'console', 'Buffer', 'setTimeout', 'setInterval',
  'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask', 'structuredClone', 'URL',
  'URLSearchParams', 'TextEncoder', 'TextDecoder', 'performance', 'fetch', 'AbortController', 'globalThis',
];

function eslintPlan(language: 'javascript' | 'typescript'): LinterPlan {
  const eslint = resolveModule('eslint/package.json');
  const js = resolveModule('@eslint/js');
  const ts = language === 'typescript' ? resolveModule('typescript-eslint') : null;
  const missing = !eslint || !js || (language === 'typescript' && !ts);
  const file = language === 'typescript' ? 'Main.ts' : 'Main.js';
  return {
    tool: 'eslint',
    ...(missing ? { unavailable: 'ESLint (or typescript-eslint) is not installed in node_modules' } : {}),
    file,
    prepare(work) {
      const globals = Object.fromEntries(NODE_GLOBALS.map((g) => [g, 'readonly']));
      // Our own config, in a directory next to the code: it is the only JavaScript that runs, and it is ours.
      const configDir = work.mkdir('.eslint');
      const config = [
        `const js = require(${JSON.stringify(js)});`,
        ts ? `const tseslint = require(${JSON.stringify(ts)});` : '',
        'module.exports = [',
        '  js.configs.recommended,',
        ts ? '  ...tseslint.configs.recommended,' : '',
        `  { languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: ${JSON.stringify(globals)} },`,
        ts ? "    rules: { '@typescript-eslint/no-require-imports': 'off' } }," : '  },',
        '];',
      ].join('\n');
      work.write(path.join('.eslint', 'eslint.config.cjs'), config);
      const bin = path.join(path.dirname(eslint!), 'bin', 'eslint.js');
      return {
        argv: [process.execPath, '--max-old-space-size=512', bin, '-c', path.join(configDir, 'eslint.config.cjs'), '--no-inline-config', '--format', 'json', file],
      };
    },
    parse(run, f) {
      const start = run.stdout.indexOf('[');
      if (start < 0) throw new Error('no JSON report');
      const report = JSON.parse(run.stdout.slice(start)) as Array<{
        filePath: string;
        messages: Array<{ ruleId: string | null; severity: number; message: string; line?: number; column?: number; fatal?: boolean }>;
      }>;
      return report
        .filter((r) => path.basename(r.filePath) === f)
        .flatMap((r) =>
          r.messages.map((m) => {
            const severity: AnalysisSeverity = m.fatal || (m.ruleId && ESLINT_ERRORS.has(m.ruleId)) ? 'error' : m.severity >= 1 ? 'warning' : 'info';
            return diag('eslint', severity, m.message, f, m.line ?? null, m.column ?? null, m.ruleId ?? (m.fatal ? 'parse-error' : null));
          }),
        );
    },
  };
}

// ------------------------------------------------------------------------------------------------ java

const JAVAC = '/usr/bin/javac';

function javacPlan(code: string): LinterPlan {
  const { first, publicType } = javaTypes(code);
  const file = `${publicType ?? first ?? 'Main'}.java`;
  return {
    tool: 'javac-lint',
    ...(existsSync(JAVAC) ? {} : { unavailable: 'javac is not installed' }),
    file,
    prepare(work) {
      work.mkdir('out');
      return {
        argv: [
          JAVAC,
          '-J-Xmx256m',
          '-J-XX:+UseSerialGC',
          '-J-XX:TieredStopAtLevel=1',
          '-J-XX:-UsePerfData',
          '-Xlint:all',
          '-proc:none', // no annotation processors: nothing but the compiler runs
          '-implicit:none',
          '-encoding',
          'UTF-8',
          '-Xmaxwarns',
          '200',
          '-Xmaxerrs',
          '200',
          '-d',
          'out',
          file,
        ],
      };
    },
    parse(run, f) {
      const out: AnalysisDiagnostic[] = [];
      const lines = run.stderr.split('\n');
      const head = /^(.+?\.java):(\d+): (error|warning): (?:\[([\w-]+)\] )?(.*)$/;
      for (let i = 0; i < lines.length; i++) {
        const m = head.exec(lines[i]!);
        if (!m || path.basename(m[1]!) !== f) continue;
        // javac prints the source line, then a caret under the column
        const caret = lines[i + 2]?.indexOf('^') ?? -1;
        out.push(diag('javac-lint', m[3] === 'error' ? 'error' : 'warning', m[5]!, f, int(m[2]), caret >= 0 ? caret + 1 : null, m[4] ?? (m[3] === 'error' ? 'compile-error' : null)));
      }
      return out;
    },
  };
}

// ------------------------------------------------------------------------------------------------ c, cpp

const CPPCHECK = '/usr/bin/cppcheck';
const SEP = '\u001f';

function cppcheckPlan(language: 'c' | 'cpp'): LinterPlan {
  const file = language === 'c' ? 'Main.c' : 'Main.cpp';
  return {
    tool: 'cppcheck',
    ...(existsSync(CPPCHECK) ? {} : { unavailable: 'cppcheck is not installed (scripts/setup-analysis.sh)' }),
    file,
    refuse(code) {
      // what the preprocessor sees: continued lines joined, digraph/trigraph `#` spelled out, comments gone
      const directives = code
        .replace(/\\\r?\n/g, '')
        .replace(/%:|\?\?=/g, '#')
        .replace(/\/\*[\s\S]*?\*\//g, ' ');
      for (const m of directives.matchAll(/^\s*#\s*include\b(.*)$/gm)) {
        const target = m[1]!.trim();
        if (!/^<[A-Za-z0-9_+.\-/]+>/.test(target) || target.startsWith('</') || target.includes('..')) {
          return `not analysed: #include ${target.slice(0, 100)} (only <system> headers are followed)`;
        }
      }
      return null;
    },
    prepare: () => ({
      argv: [
        CPPCHECK,
        '--enable=warning,style,performance,portability',
        '--inline-suppr',
        '--quiet',
        `--language=${language === 'c' ? 'c' : 'c++'}`,
        `--std=${language === 'c' ? 'c11' : 'c++17'}`,
        '--suppress=missingIncludeSystem',
        '--suppress=missingInclude',
        '--suppress=checkersReport',
        `--template={file}${SEP}{line}${SEP}{column}${SEP}{severity}${SEP}{id}${SEP}{message}`,
        file,
      ],
    }),
    parse(run, f) {
      const out: AnalysisDiagnostic[] = [];
      for (const text of run.stderr.split('\n')) {
        const parts = text.split(SEP);
        if (parts.length < 6 || path.basename(parts[0]!) !== f) continue;
        const [, line, column, severity, id, ...message] = parts;
        const mapped: AnalysisSeverity =
          severity === 'error' ? 'error' : severity === 'warning' || severity === 'performance' || severity === 'portability' ? 'warning' : 'info';
        out.push(diag('cppcheck', mapped, message.join(SEP), f, int(line), int(column), id ?? null));
      }
      return out;
    },
  };
}

// ------------------------------------------------------------------------------------------------ go

const GO = '/usr/bin/go';

/** A build cache shared by analyses (stdlib export data takes seconds to build cold); it holds no code that runs. */
function goCacheDir(): string {
  const dir = path.join(tmpdir(), 'syncode-analysis-gocache');
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.getuid?.() === 0) chownSync(dir, 65534, 65534);
  }
  return dir;
}

function goVetPlan(): LinterPlan {
  return {
    tool: 'go-vet',
    ...(existsSync(GO) ? {} : { unavailable: 'go is not installed' }),
    file: 'Main.go',
    prepare(work) {
      work.write('go.mod', 'module main\n\ngo 1.19\n');
      return {
        argv: [GO, 'vet', '-json', '.'],
        env: {
          GOCACHE: goCacheDir(),
          GOPATH: path.join(work.dir, '.gopath'),
          GOFLAGS: '-mod=mod',
          GOPROXY: 'off',
          GOTOOLCHAIN: 'local',
          GOTELEMETRY: 'off',
          CGO_ENABLED: '0',
          GO111MODULE: 'on',
        },
      };
    },
    parse(run, f) {
      const out: AnalysisDiagnostic[] = [];
      const text = `${run.stdout}\n${run.stderr}`;
      // analyzer findings: {"<pkg>": {"<analyzer>": [{"posn": "/dir/Main.go:7:2", "message": "…"}]}}
      for (const block of text.match(/^\{[\s\S]*?^\}/gm) ?? []) {
        const parsed = JSON.parse(block) as Record<string, Record<string, Array<{ posn: string; message: string }> | { error: string }>>;
        for (const analyzers of Object.values(parsed)) {
          for (const [analyzer, found] of Object.entries(analyzers)) {
            if (!Array.isArray(found)) continue;
            for (const d of found) {
              const m = /([^/]+\.go):(\d+):(\d+)/.exec(d.posn);
              if (!m || m[1] !== f) continue;
              out.push(diag('go-vet', 'warning', d.message, f, int(m[2]), int(m[3]), analyzer));
            }
          }
        }
      }
      // type-check and syntax errors: "vet: ./Main.go:4:2: x declared but not used" or "./Main.go:4:2: …"
      for (const line of text.split('\n')) {
        const m = /^(?:vet: )?(?:\.\/)?([^\s:]+\.go):(\d+):(\d+): (.*)$/.exec(line);
        if (!m || path.basename(m[1]!) !== f) continue;
        out.push(diag('go-vet', 'error', m[4]!, f, int(m[2]), int(m[3]), 'compile-error'));
      }
      return out;
    },
  };
}

// ------------------------------------------------------------------------------------------------ rust

const CLIPPY = '/usr/bin/clippy-driver';
const RUSTC = '/usr/bin/rustc';

function rustPlan(): LinterPlan {
  const clippy = existsSync(CLIPPY);
  const tool = clippy ? 'clippy' : 'rustc-lints';
  return {
    tool,
    ...(clippy || existsSync(RUSTC) ? {} : { unavailable: 'neither clippy nor rustc is installed' }),
    file: 'Main.rs',
    // any mention, so `use std::include_str as x;` cannot smuggle it in under another name
    refuse: (code) => (/\binclude(?:_str|_bytes)?\b/.test(code) ? 'not analysed: include!/include_str!/include_bytes! read files outside the submission' : null),
    prepare: (work) => ({
      argv: [
        clippy ? CLIPPY : RUSTC,
        '--edition=2021',
        '--crate-type=bin',
        '--emit=metadata', // type-check only: no code generation, nothing to run
        '--error-format=json',
        ...(clippy ? ['-W', 'clippy::all'] : []),
        '-o',
        path.join(work.dir, 'main.rmeta'),
        'Main.rs',
      ],
    }),
    parse(run, f) {
      const out: AnalysisDiagnostic[] = [];
      for (const line of run.stderr.split('\n')) {
        if (!line.startsWith('{')) continue;
        const m = JSON.parse(line) as {
          level: string;
          message: string;
          code: { code: string } | null;
          spans: Array<{ file_name: string; line_start: number; column_start: number; is_primary: boolean }>;
        };
        const span = m.spans.find((s) => s.is_primary) ?? m.spans[0];
        if (!span || path.basename(span.file_name) !== f) continue; // summaries ("2 warnings emitted") have no span
        const severity: AnalysisSeverity = m.level === 'error' || m.level === 'fatal' ? 'error' : m.level === 'warning' ? 'warning' : 'info';
        out.push(diag(tool, severity, m.message, f, span.line_start, span.column_start, m.code?.code ?? null));
      }
      return out;
    },
  };
}

export function linterFor(language: string, code: string): LinterPlan | null {
  switch (language) {
    case 'python':
      return pyflakesPlan();
    case 'javascript':
    case 'typescript':
      return eslintPlan(language);
    case 'java':
      return javacPlan(code);
    case 'c':
    case 'cpp':
      return cppcheckPlan(language);
    case 'go':
      return goVetPlan();
    case 'rust':
      return rustPlan();
    default:
      return null;
  }
}
