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
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AnalysisDiagnostic, AnalysisSeverity } from '../../domain/run/static-analysis.js';
import { diag, int, type LinterPlan } from './linter-plan.js';
import { cppcheckPlan, goVetPlan, javacPlan, rustPlan } from './linters-compiled.js';

export type { LinterPlan } from './linter-plan.js';

const require = createRequire(import.meta.url);

function resolveModule(id: string): string | null {
  try {
    return require.resolve(id);
  } catch {
    return null;
  }
}


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
