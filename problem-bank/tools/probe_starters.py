#!/usr/bin/env python3
"""Checks that the starters hand `solve` the right data and print its result in the right format.

`check_starters.py` only shows that the starters compile, read all their input and agree with each other. Here the
empty `solve` of a few problems is replaced, in every language, by a small probe body that sends (part of) its
arguments straight back: the list it was given, the spines of the tree, the matrix in row-major order, and so on.
Each probe's output is compared with what the same probe must print according to the test input. Between them the
probes use every input kind (int, str, int[], str[], int[][], tree, list, lists) and every return type.

Usage:
  python3 problem-bank/tools/probe_starters.py                 # every probe, every installed language
  python3 problem-bank/tools/probe_starters.py --lang go,rust  # selected languages
"""
from __future__ import annotations

import json
import re
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bank import parse_tree  # noqa: E402
import check_starters as cs  # noqa: E402

TODO = re.compile(r"^(?P<indent>[ \t]*)(?:#|//|/\*) TODO: implement your solution here.*\n(?:(?P=indent)\S.*\n)*",
                  re.MULTILINE)


def ints(text: str) -> list[int]:
    return list(map(int, text.split()))


def right_and_left_spines(text: str) -> str:
    t = text.split()
    root = parse_tree(t[1:1 + int(t[0])])
    if root is None:
        return "0"
    spines = []
    for side in ("right", "left"):
        vals, node = [], root
        while node is not None:
            vals.append(node.val)
            node = getattr(node, side)
        spines.append(" ".join(map(str, vals)))
    return "2\n" + "\n".join(spines)


def last_list(text: str) -> str:
    t = ints(text)
    pos, last = 1, []
    for _ in range(t[0]):
        size = t[pos]
        last = t[pos + 1:pos + 1 + size]
        pos += 1 + size
    return f"{len(last)}\n" + " ".join(map(str, last))


# slug -> (expected output from the input, probe body per language)
PROBES: dict[str, tuple[Callable[[str], str], dict[str, str]]] = {
    "two-sum": (
        lambda text: (lambda t: f"{t[1 + t[0]]} {t[1]}")(ints(text)),
        {
            "python": "return [target, nums[0]]",
            "javascript": "return [target, nums[0]];",
            "typescript": "return [target, nums[0] as number];",
            "java": "return new int[] {target, nums[0]};",
            "cpp": "return {target, nums[0]};",
            "c": "int *out = malloc(2 * sizeof(int));\nout[0] = target;\nout[1] = nums[0];\n*return_size = 2;\nreturn out;",
            "go": "return []int{target, nums[0]}",
            "rust": "vec![target, nums[0]]",
        },
    ),
    "valid-parentheses": (
        lambda text: "true" if len(text.split()[0]) % 2 == 0 else "false",
        {
            "python": "return len(s) % 2 == 0",
            "javascript": "return s.length % 2 === 0;",
            "typescript": "return s.length % 2 === 0;",
            "java": "return s.length() % 2 == 0;",
            "cpp": "return s.size() % 2 == 0;",
            "c": "return strlen(s) % 2 == 0;",
            "go": "return len(s)%2 == 0",
            "rust": "s.len() % 2 == 0",
        },
    ),
    "reverse-linked-list": (
        lambda text: text.split("\n")[0] + "\n" + " ".join(text.split()[1:]),
        {
            "python": "return head",
            "javascript": "return head;",
            "typescript": "return head;",
            "java": "return head;",
            "cpp": "return head;",
            "c": "return head;",
            "go": "return head",
            "rust": "head",
        },
    ),
    "merge-k-sorted-lists": (
        last_list,
        {
            "python": "return lists[-1] if lists else None",
            "javascript": "return lists.length > 0 ? lists[lists.length - 1] : null;",
            "typescript": "return lists[lists.length - 1] ?? null;",
            "java": "return lists.length > 0 ? lists[lists.length - 1] : null;",
            "cpp": "return lists.empty() ? nullptr : lists.back();",
            "c": "return lists_size > 0 ? lists[lists_size - 1] : NULL;",
            "go": "if len(lists) == 0 {\n\treturn nil\n}\nreturn lists[len(lists)-1]",
            "rust": "lists.into_iter().last().flatten()",
        },
    ),
    "binary-tree-level-order-traversal": (
        right_and_left_spines,
        {
            "python": "if root is None:\n    return []\nrows = []\nfor side in ('right', 'left'):\n"
                      "    row, node = [], root\n    while node is not None:\n        row.append(node.val)\n"
                      "        node = getattr(node, side)\n    rows.append(row)\nreturn rows",
            "javascript": "if (root === null) return [];\nconst spine = (next) => {\n  const row = [];\n"
                          "  for (let n = root; n !== null; n = next(n)) row.push(n.val);\n  return row;\n};\n"
                          "return [spine((n) => n.right), spine((n) => n.left)];",
            "typescript": "if (root === null) return [];\nconst spine = (next: (n: TreeNode) => TreeNode | null) => {\n"
                          "  const row: number[] = [];\n"
                          "  for (let n: TreeNode | null = root; n !== null; n = next(n)) row.push(n.val);\n"
                          "  return row;\n};\nreturn [spine((n) => n.right), spine((n) => n.left)];",
            "java": "List<List<Integer>> rows = new ArrayList<>();\nif (root == null) return rows;\n"
                    "List<Integer> right = new ArrayList<>();\nfor (TreeNode n = root; n != null; n = n.right) right.add(n.val);\n"
                    "List<Integer> left = new ArrayList<>();\nfor (TreeNode n = root; n != null; n = n.left) left.add(n.val);\n"
                    "rows.add(right);\nrows.add(left);\nreturn rows;",
            "cpp": "if (!root) return {};\nvector<int> right, left;\n"
                   "for (TreeNode* n = root; n; n = n->right) right.push_back(n->val);\n"
                   "for (TreeNode* n = root; n; n = n->left) left.push_back(n->val);\nreturn {right, left};",
            "c": "*return_size = 0;\nif (!root) return NULL;\nint **rows = malloc(2 * sizeof(int *));\n"
                 "*return_col_sizes = calloc(2, sizeof(int));\nfor (int side = 0; side < 2; side++) {\n"
                 "    rows[side] = malloc(10000 * sizeof(int));\n"
                 "    for (struct TreeNode *n = root; n; n = side == 0 ? n->right : n->left)\n"
                 "        rows[side][(*return_col_sizes)[side]++] = n->val;\n}\n*return_size = 2;\nreturn rows;",
            "go": "if root == nil {\n\treturn [][]int{}\n}\nright, left := []int{}, []int{}\n"
                  "for n := root; n != nil; n = n.Right {\n\tright = append(right, n.Val)\n}\n"
                  "for n := root; n != nil; n = n.Left {\n\tleft = append(left, n.Val)\n}\nreturn [][]int{right, left}",
            "rust": "if root.is_none() {\n    return vec![];\n}\nlet mut right = vec![];\nlet mut node = &root;\n"
                    "while let Some(n) = node {\n    right.push(n.val);\n    node = &n.right;\n}\n"
                    "let mut left = vec![];\nlet mut node = &root;\nwhile let Some(n) = node {\n"
                    "    left.push(n.val);\n    node = &n.left;\n}\nvec![right, left]",
        },
    ),
    "spiral-matrix": (
        lambda text: " ".join(text.split()[2:]),
        {
            "python": "return [v for row in matrix for v in row]",
            "javascript": "return matrix.flat();",
            "typescript": "return matrix.flat();",
            "java": "return java.util.Arrays.stream(matrix).flatMapToInt(java.util.Arrays::stream).toArray();",
            "cpp": "vector<int> out;\nfor (auto& row : matrix) out.insert(out.end(), row.begin(), row.end());\nreturn out;",
            "c": "int *out = malloc(sizeof(int) * matrix_rows * matrix_cols);\n*return_size = 0;\n"
                 "for (int i = 0; i < matrix_rows; i++)\n    for (int j = 0; j < matrix_cols; j++) "
                 "out[(*return_size)++] = matrix[i][j];\nreturn out;",
            "go": "out := []int{}\nfor _, row := range matrix {\n\tout = append(out, row...)\n}\nreturn out",
            "rust": "matrix.concat()",
        },
    ),
    "number-of-islands": (
        lambda text: str(sum(row.count("1") for row in text.split()[2:])),
        {
            "python": "return sum(row.count('1') for row in grid)",
            "javascript": "return grid.join('').split('').filter((c) => c === '1').length;",
            "typescript": "return grid.join('').split('').filter((c) => c === '1').length;",
            "java": "int count = 0;\nfor (String row : grid) for (char ch : row.toCharArray()) if (ch == '1') count++;\n"
                    "return count;",
            "cpp": "int count = 0;\nfor (auto& row : grid) for (char ch : row) count += ch == '1';\nreturn count;",
            "c": "int count = 0;\nfor (int i = 0; i < grid_size; i++)\n    for (const char *p = grid[i]; *p; p++) "
                 "count += *p == '1';\nreturn count;",
            "go": "count := 0\nfor _, row := range grid {\n\tfor _, ch := range row {\n\t\tif ch == '1' {\n"
                  "\t\t\tcount++\n\t\t}\n\t}\n}\nreturn count",
            "rust": "grid.iter().map(|row| row.matches('1').count() as i32).sum()",
        },
    ),
    "course-schedule": (
        lambda text: (lambda t: "true" if (t[0] + sum(t[2::2]) - sum(t[3::2])) % 2 == 0 else "false")(ints(text)),
        {
            "python": "return (num_courses + sum(a - b for a, b in prerequisites)) % 2 == 0",
            "javascript": "return (numCourses + prerequisites.reduce((acc, [a, b]) => acc + a - b, 0)) % 2 === 0;",
            "typescript": "const total = prerequisites.reduce((acc, p) => acc + (p[0] as number) - (p[1] as number), 0);\n"
                          "return (numCourses + total) % 2 === 0;",
            "java": "int total = numCourses;\nfor (int[] p : prerequisites) total += p[0] - p[1];\nreturn total % 2 == 0;",
            "cpp": "int total = numCourses;\nfor (auto& p : prerequisites) total += p[0] - p[1];\nreturn total % 2 == 0;",
            "c": "int total = num_courses;\nfor (int i = 0; i < prerequisites_rows; i++)\n"
                 "    total += prerequisites[i][0] - prerequisites[i][1];\nreturn prerequisites_cols == 2 && total % 2 == 0;",
            "go": "total := numCourses\nfor _, p := range prerequisites {\n\ttotal += p[0] - p[1]\n}\nreturn total%2 == 0",
            "rust": "(num_courses + prerequisites.iter().map(|p| p[0] - p[1]).sum::<i32>()) % 2 == 0",
        },
    ),
    "word-ladder": (
        lambda text: (lambda t: str(int(t[2]) * 100 + len(t[0]) * 10 + len(t[-1])))(text.split()),
        {
            "python": "return len(word_list) * 100 + len(begin_word) * 10 + len(word_list[-1])",
            "javascript": "return wordList.length * 100 + beginWord.length * 10 + wordList[wordList.length - 1].length;",
            "typescript": "return wordList.length * 100 + beginWord.length * 10 + "
                          "(wordList[wordList.length - 1] as string).length;",
            "java": "return wordList.length * 100 + beginWord.length() * 10 + wordList[wordList.length - 1].length();",
            "cpp": "return wordList.size() * 100 + beginWord.size() * 10 + wordList.back().size();",
            "c": "return word_list_size * 100 + (int)strlen(begin_word) * 10 + (int)strlen(word_list[word_list_size - 1]);",
            "go": "return len(wordList)*100 + len(beginWord)*10 + len(wordList[len(wordList)-1])",
            "rust": "(word_list.len() * 100 + begin_word.len() * 10 + word_list[word_list.len() - 1].len()) as i32",
        },
    ),
    "minimum-window-substring": (
        lambda text: (lambda s, t: "-" if s == t else s)(*text.split()),
        {
            "python": "return '' if s == t else s",
            "javascript": "return s === t ? '' : s;",
            "typescript": "return s === t ? '' : s;",
            "java": "return s.equals(t) ? \"\" : s;",
            "cpp": "return s == t ? \"\" : s;",
            "c": "char *out = calloc(strlen(s) + 1, 1);\nif (strcmp(s, t) != 0) strcpy(out, s);\nreturn out;",
            "go": "if s == t {\n\treturn \"\"\n}\nreturn s",
            "rust": "if s == t { String::new() } else { s }",
        },
    ),
    "trapping-rain-water": (
        lambda text: str(sum(ints(text)[1:]) * 1000003),
        {
            "python": "return sum(height) * 1000003",
            "javascript": "return height.reduce((a, b) => a + b, 0) * 1000003;",
            "typescript": "return height.reduce((a, b) => a + b, 0) * 1000003;",
            "java": "long total = 0;\nfor (int h : height) total += h;\nreturn total * 1000003L;",
            "cpp": "long long total = 0;\nfor (int h : height) total += h;\nreturn total * 1000003LL;",
            "c": "long long total = 0;\nfor (int i = 0; i < height_size; i++) total += height[i];\n"
                 "return total * 1000003LL;",
            "go": "var total int64\nfor _, h := range height {\n\ttotal += int64(h)\n}\nreturn total * 1000003",
            "rust": "height.iter().map(|&h| h as i64).sum::<i64>() * 1000003",
        },
    ),
}


def with_probe(code: str, body: str) -> str:
    m = TODO.search(code)
    if not m:
        raise ValueError("no TODO body found")
    indent = m.group("indent")
    lines = "".join(f"{indent}{ln}\n" if ln else "\n" for ln in body.split("\n"))
    return code[:m.start()] + lines + code[m.end():]


def main(argv: list[str]) -> int:
    langs = cs.available()
    if "--lang" in argv:
        wanted = argv[argv.index("--lang") + 1].split(",")
        langs = [lang for lang in langs if lang in wanted]
    docs = {d["slug"]: d for d in (json.loads(f.read_text()) for f in (cs.BANK / "problems").glob("*.json"))}
    failed = 0
    with tempfile.TemporaryDirectory(prefix="probes-") as tmp, ThreadPoolExecutor(max_workers=8) as pool:
        work = Path(tmp)
        jobs = {}
        for slug, (expect, bodies) in PROBES.items():
            doc = docs[slug]
            probed = {**doc, "starterCode": {lang: with_probe(doc["starterCode"][lang], bodies[lang])
                                             for lang in cs.SOURCES}}
            for lang in langs:
                jobs[(slug, lang)] = pool.submit(cs.check_problem, probed, lang, work)
        for slug, (expect, _) in PROBES.items():
            wanted = [expect(tc["input"]).rstrip() for tc in docs[slug]["testCases"]]
            for lang in langs:
                errors, _, outputs = jobs[(slug, lang)].result()
                wrong = [i for i, out in outputs.items() if out.rstrip() != wanted[i]]
                ok = not errors and not wrong
                failed += not ok
                print(f"{'ok  ' if ok else 'FAIL'} {slug} [{lang}]")
                for e in errors:
                    print(f"    {e}")
                for i in wrong[:3]:
                    print(f"    test {i}: expected {wanted[i][:80]!r}, got {outputs[i].rstrip()[:80]!r}")
    print(f"{len(PROBES) * len(langs) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
