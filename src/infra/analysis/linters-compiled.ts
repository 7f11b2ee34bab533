/** Linters of the compiled languages: javac lint, cppcheck, go vet and clippy (see linters.ts for the table). */
import { existsSync, mkdirSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AnalysisDiagnostic, AnalysisSeverity } from '../../domain/run/static-analysis.js';
import { javaTypes } from '../sandbox/languages.js';
import { diag, int, type LinterPlan } from './linter-plan.js';


const JAVAC = '/usr/bin/javac';

export function javacPlan(code: string): LinterPlan {
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

export function cppcheckPlan(language: 'c' | 'cpp'): LinterPlan {
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

export function goVetPlan(): LinterPlan {
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

export function rustPlan(): LinterPlan {
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
