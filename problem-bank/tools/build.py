#!/usr/bin/env python3
"""Builds problem-bank/problems/<slug>.json from the specs in this folder.

For every problem it renders the starter code, runs the reference solution (problem-bank/solutions/<slug>.py) on every
example and test input to fill in the expected outputs, and checks along the way that

  * each example's hand-written output and each test's hand-computed `expect` match the reference solution,
  * the optional brute-force solution of the spec agrees with the reference solution on the small inputs,
  * every input lays out exactly the tokens the signature describes,
  * there are at least 6 tests, at least 3 of them hidden, and every input and output is a non-blank text of fewer
    than 20,000 characters (the platform's limit for test cases).

Usage:
  python3 problem-bank/tools/build.py            # rebuild every problem
  python3 problem-bank/tools/build.py two-sum    # rebuild only the named problems
  python3 problem-bank/tools/build.py --check    # fail if any JSON file differs from what the specs give
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import threading
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bank import Problem  # noqa: E402
from starter import parse_signature, render  # noqa: E402
import easy  # noqa: E402
import medium  # noqa: E402
import hard  # noqa: E402

sys.setrecursionlimit(100_000)  # the brute-force checks recurse over deep trees

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS_DIR = ROOT / "problems"
SOLUTIONS_DIR = ROOT / "solutions"
# The platform accepts test inputs and expected outputs of 1 to 20,000 characters after trimming, and test
# descriptions of at most 255 characters.
MAX_TEXT_CHARS = 20_000
MAX_DESCRIPTION_CHARS = 255

ALL: list[Problem] = [*easy.PROBLEMS, *medium.PROBLEMS, *hard.PROBLEMS]


class BuildError(Exception):
    pass


def check_layout(p: Problem, text: str) -> None:
    """The input must hold exactly the tokens the signature describes, with integers where integers belong."""
    tokens = text.split()
    pos = 0
    values: dict[str, int] = {}

    def take(kind: str) -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise BuildError(f"{p.slug}: input ends early: {text[:80]!r}")
        tok = tokens[pos]
        pos += 1
        if kind == "int" or (kind == "tree" and tok != "null"):
            try:
                int(tok)
            except ValueError:
                raise BuildError(f"{p.slug}: expected an integer, got {tok!r}") from None
        return tok

    def size(name: str) -> int:
        return int(name) if name.isdigit() else values[name]

    for f in parse_signature(p.signature):
        if f.kind == "int":
            values[f.name] = int(take("int"))
        elif f.kind == "str":
            take("str")
        elif f.kind in ("ints", "list"):
            for _ in range(size(f.size or "")):
                take("int")
        elif f.kind in ("strs", "tree"):
            for _ in range(size(f.size or "")):
                take(f.kind)
        elif f.kind == "matrix":
            for _ in range(size(f.size or "") * size(f.cols or "")):
                take("int")
        elif f.kind == "lists":
            for _ in range(size(f.size or "")):
                for _ in range(int(take("int"))):
                    take("int")
    if pos != len(tokens):
        raise BuildError(f"{p.slug}: {len(tokens) - pos} unread tokens in input {text[:80]!r}")


def run_solution(slug: str, stdin: str) -> tuple[str, float]:
    """Runs the reference solution; returns its stdout (right-trimmed) and the CPU seconds it used."""
    proc = subprocess.Popen([sys.executable, str(SOLUTIONS_DIR / f"{slug}.py")], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    captured: dict[str, str] = {}

    def feed() -> None:
        assert proc.stdin is not None
        try:
            proc.stdin.write(stdin)
        except BrokenPipeError:
            pass
        proc.stdin.close()

    def drain(name: str) -> None:
        stream = proc.stdout if name == "out" else proc.stderr
        assert stream is not None
        captured[name] = stream.read()

    threads = [threading.Thread(target=feed), threading.Thread(target=drain, args=("out",)),
               threading.Thread(target=drain, args=("err",))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # wait4 rather than wait: it reports the child's own CPU time, which a busy machine does not inflate.
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise BuildError(f"{slug}: reference solution failed on input {stdin[:80]!r}:\n{captured.get('err')}")
    return captured["out"].rstrip(), usage.ru_utime + usage.ru_stime


def build(p: Problem, pool: ThreadPoolExecutor) -> tuple[dict, float]:
    rng = random.Random(f"syncode:{p.slug}")
    tests = p.tests(rng)
    hidden = [t for t in tests if t.hidden]
    if len(p.examples) < 1:
        raise BuildError(f"{p.slug}: no examples")
    if len(p.examples) + len(tests) < 6 or len(hidden) < 3:
        raise BuildError(f"{p.slug}: needs at least 6 tests with 3 hidden")
    inputs = [e.input for e in p.examples] + [t.input for t in tests]
    for text in inputs:
        check_layout(p, text)
        if len(text) >= MAX_TEXT_CHARS or not text.strip():
            raise BuildError(f"{p.slug}: an input has {len(text.strip())} characters")
    for t in tests:
        if not t.description.strip() or len(t.description) > MAX_DESCRIPTION_CHARS:
            raise BuildError(f"{p.slug}: test description {t.description!r} is blank or too long")
    if len(set(inputs)) != len(inputs):
        raise BuildError(f"{p.slug}: duplicate test input")
    results = list(pool.map(lambda text: run_solution(p.slug, text), inputs))
    outputs = [r[0] for r in results]
    for text, out in zip(inputs, outputs):
        if not out.strip() or len(out) + 1 >= MAX_TEXT_CHARS:
            raise BuildError(f"{p.slug}: the output for {text[:60]!r} has {len(out.strip())} characters")
    slowest = max(r[1] for r in results)
    for e, out in zip(p.examples, outputs):
        if out != e.output.rstrip():
            raise BuildError(f"{p.slug}: example {e.input!r} expects {e.output!r}, solution printed {out!r}")
    for t, out in zip(tests, outputs[len(p.examples):]):
        if t.expect is not None and out != t.expect.rstrip():
            raise BuildError(f"{p.slug}: test {t.description!r} expects {t.expect!r}, solution printed {out!r}")
    if p.brute is not None:
        for text, out in zip(inputs, outputs):
            if len(text) <= p.brute_max_chars:
                expected = p.brute(text)
                if expected is not None and expected.rstrip() != out:
                    raise BuildError(f"{p.slug}: brute force gives {expected!r}, solution {out!r} on {text!r}")
    test_cases = [
        {"input": e.input, "expectedOutput": out + "\n", "isHidden": False, "description": f"Example {i + 1}"}
        for i, (e, out) in enumerate(zip(p.examples, outputs))
    ] + [
        {"input": t.input, "expectedOutput": out + "\n", "isHidden": t.hidden, "description": t.description}
        for t, out in zip(tests, outputs[len(p.examples):])
    ]
    examples = []
    for e, out in zip(p.examples, outputs):
        ex = {"input": e.input, "output": out + "\n"}
        if e.explanation:
            ex["explanation"] = e.explanation
        examples.append(ex)
    doc = {
        "slug": p.slug,
        "title": p.title,
        "difficulty": p.difficulty,
        "tags": p.tags,
        "company": p.company,
        "description": p.description.strip() + "\n",
        "constraints": p.constraints.strip() + "\n",
        "examples": examples,
        "timeLimit": p.time_limit,
        "memoryLimit": p.memory_limit,
        "starterCode": render(p.signature, p.returns),
        "testCases": test_cases,
    }
    # The hint ladder is written by hand in the JSON file; rebuilding keeps it.
    existing = PROBLEMS_DIR / f"{p.slug}.json"
    if existing.exists():
        hints = json.loads(existing.read_text()).get("hints")
        if hints is not None:
            doc["hints"] = hints
    return doc, slowest


def main(argv: list[str]) -> int:
    check = "--check" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    slugs = [p.slug for p in ALL]
    if len(set(slugs)) != len(slugs):
        raise BuildError("duplicate slug")
    selected = [p for p in ALL if not wanted or p.slug in wanted]
    unknown = set(wanted) - set(slugs)
    if unknown:
        raise BuildError(f"unknown problems: {', '.join(sorted(unknown))}")
    PROBLEMS_DIR.mkdir(parents=True, exist_ok=True)
    stale = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        for p in selected:
            doc, slowest = build(p, pool)
            text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
            path = PROBLEMS_DIR / f"{p.slug}.json"
            n_tests = len(doc["testCases"])
            n_hidden = sum(1 for t in doc["testCases"] if t["isHidden"])
            note = "  (reference solution uses over half the time limit!)" if slowest > p.time_limit / 2000 else ""
            if check:
                if not path.exists() or path.read_text() != text:
                    stale.append(p.slug)
            else:
                path.write_text(text)
            print(f"{p.difficulty:6} {p.slug:45} tests={n_tests:2} hidden={n_hidden:2} max cpu={slowest:.2f}s{note}")
    if stale:
        print(f"out of date: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
