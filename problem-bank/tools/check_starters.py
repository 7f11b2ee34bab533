#!/usr/bin/env python3
"""Compiles every starter program of the problem bank and runs it on every test input.

For each problem and each language whose toolchain is installed (python3, node, tsx via the repository's
node_modules, javac/java, g++, gcc, go, rustc; the /usr/bin ones when present, as the judge uses those), the starter
is compiled with warnings enabled and run on every test input. TypeScript is also type-checked with `tsc --strict`.
A starter passes when it compiles, exits with status 0 on every input (so it read the whole input without running out
of tokens), and prints the same output as the starters in the other languages (they all return the same placeholder
value from `solve`, so their outputs must agree).

Usage:
  python3 problem-bank/tools/check_starters.py                 # all problems, all installed languages
  python3 problem-bank/tools/check_starters.py two-sum         # selected problems
  python3 problem-bank/tools/check_starters.py --lang c,rust   # selected languages
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BANK = Path(__file__).resolve().parent.parent
REPO = BANK.parent
TSC = REPO / "node_modules" / ".bin" / "tsc"
TSX_LOADER = REPO / "node_modules" / "tsx" / "dist" / "loader.mjs"

# Prefer the system toolchains in /usr/bin, which are the ones the judge's sandbox runs (a newer rustc elsewhere on
# PATH would accept code that the judge's older one rejects).
def tool(name: str) -> str | None:
    system = Path("/usr/bin") / name
    return str(system) if system.exists() else shutil.which(name)


RUSTC = tool("rustc")
PYTHON = tool("python3")

SOURCES = {"python": "main.py", "javascript": "main.js", "typescript": "main.ts", "java": "Main.java",
           "cpp": "main.cpp", "c": "main.c", "go": "main.go", "rust": "main.rs"}


def available() -> list[str]:
    langs = []
    checks = {
        "python": PYTHON,
        "javascript": shutil.which("node"),
        "typescript": shutil.which("node") and TSC.exists(),
        "java": shutil.which("javac") and shutil.which("java"),
        "cpp": shutil.which("g++"),
        "c": shutil.which("gcc"),
        "go": shutil.which("go"),
        "rust": RUSTC,
    }
    for lang, ok in checks.items():
        if ok:
            langs.append(lang)
    return langs


def compile_cmd(lang: str, d: Path) -> list[str] | None:
    return {
        "typescript": [str(TSC), "--noEmit", "--strict", "--noUncheckedIndexedAccess", "--target", "es2022",
                       "--module", "commonjs", "--types", "node", "--typeRoots", str(REPO / "node_modules" / "@types"),
                       str(d / "main.ts")],
        "javascript": ["node", "--check", str(d / "main.js")],
        "java": ["javac", "-Xlint:all", "-d", str(d), str(d / "Main.java")],
        # Unused parameters are expected: `solve` is an empty stub.
        "cpp": ["g++", "-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-o", str(d / "main"),
                str(d / "main.cpp")],
        "c": ["gcc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-o", str(d / "main"),
              str(d / "main.c"), "-lm"],
        "go": ["go", "build", "-o", str(d / "main"), str(d / "main.go")],
        "rust": [str(RUSTC), "--edition", "2021", "-O", "-o", str(d / "main"), str(d / "main.rs")],
    }.get(lang)


def run_cmd(lang: str, d: Path) -> list[str]:
    return {
        "python": [str(PYTHON), str(d / "main.py")],
        "javascript": ["node", str(d / "main.js")],
        "typescript": ["node", "--import", TSX_LOADER.as_uri(), str(d / "main.ts")],
        "java": ["java", "-cp", str(d), "Main"],
    }.get(lang, [str(d / "main")])


def check_problem(doc: dict, lang: str, work: Path) -> tuple[list[str], list[str], dict[int, str]]:
    """Returns (errors, warnings, outputs by test index)."""
    d = work / f"{doc['slug']}-{lang}"
    d.mkdir()
    (d / SOURCES[lang]).write_text(doc["starterCode"][lang])
    errors: list[str] = []
    warnings: list[str] = []
    env = {**os.environ, "GOCACHE": str(work / "gocache"), "GOPATH": str(work / "gopath"), "GO111MODULE": "off"}
    cmd = compile_cmd(lang, d)
    if cmd:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=d, timeout=300)
        if proc.returncode != 0:
            return [f"compile failed:\n{proc.stdout}{proc.stderr}"], [], {}
        noise = (proc.stdout + proc.stderr).strip()
        if noise:
            warnings.append(noise)
    outputs: dict[int, str] = {}
    for i, tc in enumerate(doc["testCases"]):
        proc = subprocess.run(run_cmd(lang, d), input=tc["input"], capture_output=True, text=True, env=env,
                              cwd=d, timeout=60)
        if proc.returncode != 0:
            errors.append(f"test {i} ({tc.get('description')}): exit {proc.returncode}: {proc.stderr[-400:]}")
        outputs[i] = proc.stdout
    return errors, warnings, outputs


def main(argv: list[str]) -> int:
    langs = available()
    wanted_langs = next((a.split("=", 1)[1] for a in argv if a.startswith("--lang=")), None)
    if "--lang" in argv:
        wanted_langs = argv[argv.index("--lang") + 1]
        argv = [a for a in argv if a not in ("--lang", wanted_langs)]
    if wanted_langs:
        langs = [lang for lang in langs if lang in wanted_langs.split(",")]
    slugs = [a for a in argv if not a.startswith("--")]
    files = sorted((BANK / "problems").glob("*.json"))
    docs = [json.loads(f.read_text()) for f in files]
    if slugs:
        docs = [d for d in docs if d["slug"] in slugs]
    print(f"languages: {', '.join(langs)}; problems: {len(docs)}")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="starters-") as tmp, ThreadPoolExecutor(max_workers=8) as pool:
        work = Path(tmp)
        jobs = {(doc["slug"], lang): pool.submit(check_problem, doc, lang, work) for doc in docs for lang in langs}
        for doc in docs:
            per_lang = {lang: jobs[(doc["slug"], lang)].result() for lang in langs}
            problems: list[str] = []
            for lang, (errors, warnings, _) in per_lang.items():
                problems += [f"  [{lang}] error: {e}" for e in errors]
                problems += [f"  [{lang}] warning: {w}" for w in warnings]
            reference = next((out for _, _, out in per_lang.values() if out), {})
            for lang, (errors, _, outputs) in per_lang.items():
                if not errors and outputs != reference:
                    diff = [i for i in reference if outputs.get(i) != reference[i]]
                    problems.append(f"  [{lang}] output differs from the other languages on tests {diff}")
            bad = any(" error: " in p or "differs" in p for p in problems)
            failed += bad
            print(f"{'FAIL' if bad else 'ok  '} {doc['slug']}")
            for p in problems:
                print(p)
    print(f"{len(docs) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
