"""Starter-code generator for the problem bank.

A problem declares its stdin layout as a compact signature, for example

    "n:#int nums:int[n] target:int"  returning  "int[]"

Fields are read in order as whitespace-separated tokens. A `#` before the type marks a count that is only needed to read the
input (it is not passed to `solve`). Field types:

    int            one integer
    str            one token (no whitespace)
    int[N]         N integers (N names an earlier count field)
    str[N]         N tokens
    int[R][C]      R rows of C integers (C may be a literal number)
    tree[N]        N level-order tokens, integers or `null`, built into a binary tree
    list[N]        N integers built into a singly linked list
    lists[K]       K linked lists, each given as its length followed by its values

Return types: int, long, bool, str, str? (a string printed as `-` when empty), int[] (one line, space separated),
int[][] (a line with the row count, then one line per row) and list (a line with the node count, then the node values
on one line). Every test therefore expects at least one visible line of output.

`render(signature, returns)` gives the starter program for each of the eight judge languages. Every starter reads the
input, builds the structures, calls an empty `solve` and prints the result in the problem's output format.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

LANGUAGES = ["python", "javascript", "typescript", "java", "cpp", "c", "go", "rust"]
RETURN_TYPES = {"int", "long", "bool", "str", "str?", "int[]", "int[][]", "list"}

# For "str?" the starters return a string like "str", but print `-` in place of an empty result, so that the expected
# output of every test is a visible line.
DASH_FOR_EMPTY = {
    "python": ("    print(result)\n", '    print(result if result else "-")\n'),
    "javascript": ("  console.log(result);\n", "  console.log(result === '' ? '-' : result);\n"),
    "typescript": ("  console.log(result);\n", "  console.log(result === '' ? '-' : result);\n"),
    "java": ("        out.println(result);\n", '        out.println(result.isEmpty() ? "-" : result);\n'),
    "cpp": ("    cout << result << '\\n';\n", "    cout << (result.empty() ? \"-\" : result) << '\\n';\n"),
    "c": ('    printf("%s\\n", result);\n', '    printf("%s\\n", result[0] != \'\\0\' ? result : "-");\n'),
    "go": ("\tfmt.Fprintln(out, result)\n", '\tif result == "" {\n\t\tresult = "-"\n\t}\n\tfmt.Fprintln(out, result)\n'),
    "rust": ('    println!("{}", result);\n',
             '    println!("{}", if result.is_empty() { "-" } else { result.as_str() });\n'),
}


@dataclass
class Field:
    name: str
    kind: str  # int | str | ints | strs | matrix | tree | list | lists
    count_only: bool = False
    size: Optional[str] = None  # for ints/strs/tree/list/lists and the rows of a matrix
    cols: Optional[str] = None  # matrix columns: a count name or a literal number
    used_as_size: bool = False


FIELD_RE = re.compile(r"^([a-z][a-z0-9_]*):(#?)(int|str|tree|list|lists)(?:\[([a-z0-9_]+)\])?(?:\[([a-z0-9_]+)\])?$")


def parse_signature(signature: str) -> list[Field]:
    fields: list[Field] = []
    by_name: dict[str, Field] = {}
    for part in signature.split():
        m = FIELD_RE.match(part)
        if not m:
            raise ValueError(f"bad field {part!r}")
        name, hidden, base, dim1, dim2 = m.groups()
        if base in ("tree", "list", "lists"):
            if not dim1 or dim2:
                raise ValueError(f"{part}: {base} needs exactly one size")
            kind = base
        elif dim2:
            if base != "int":
                raise ValueError(f"{part}: only int matrices are supported")
            kind = "matrix"
        elif dim1:
            kind = "ints" if base == "int" else "strs"
        else:
            kind = base
        f = Field(name=name, kind=kind, count_only=bool(hidden), size=dim1, cols=dim2)
        for dim in (dim1, dim2):
            if dim and not dim.isdigit():
                if dim not in by_name or by_name[dim].kind != "int":
                    raise ValueError(f"{part}: size {dim} must be an earlier int field")
                by_name[dim].used_as_size = True
        if f.count_only and kind != "int":
            raise ValueError(f"{part}: only int fields can be count-only")
        fields.append(f)
        by_name[name] = f
    return fields


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def params(fields: list[Field]) -> list[Field]:
    return [f for f in fields if not f.count_only]


def kinds(fields: list[Field]) -> set[str]:
    return {f.kind for f in fields}


def needs_tree(fields: list[Field]) -> bool:
    return "tree" in kinds(fields)


def needs_list(fields: list[Field], returns: str) -> bool:
    return bool({"list", "lists"} & kinds(fields)) or returns == "list"


def unused_count(f: Field) -> bool:
    return f.count_only and not f.used_as_size


# --------------------------------------------------------------------------------------------------------- Python

def render_python(fields: list[Field], returns: str) -> str:
    ptype = {"int": "int", "str": "str", "ints": "list[int]", "strs": "list[str]", "matrix": "list[list[int]]",
             "tree": "Optional[TreeNode]", "list": "Optional[ListNode]", "lists": "list[Optional[ListNode]]"}
    rtype = {"int": "int", "long": "int", "bool": "bool", "str": "str", "int[]": "list[int]",
             "int[][]": "list[list[int]]", "list": "Optional[ListNode]"}[returns]
    default = {"int": "0", "long": "0", "bool": "False", "str": '""', "int[]": "[]", "int[][]": "[]",
               "list": "None"}[returns]
    out: list[str] = ["import sys"]
    if needs_tree(fields):
        out.append("from collections import deque")
    if needs_tree(fields) or needs_list(fields, returns):
        out.append("from typing import Optional")
    out += ["", ""]
    if needs_list(fields, returns):
        out += [
            "class ListNode:",
            '    def __init__(self, val: int = 0, next: "Optional[ListNode]" = None) -> None:',
            "        self.val = val",
            "        self.next = next",
            "", "",
            "def build_list(values: list[int]) -> Optional[ListNode]:",
            "    head: Optional[ListNode] = None",
            "    for value in reversed(values):",
            "        head = ListNode(value, head)",
            "    return head",
            "", "",
            "def list_values(head: Optional[ListNode]) -> list[int]:",
            "    values = []",
            "    while head is not None:",
            "        values.append(head.val)",
            "        head = head.next",
            "    return values",
            "", "",
        ]
    if needs_tree(fields):
        out += [
            "class TreeNode:",
            '    def __init__(self, val: int = 0, left: "Optional[TreeNode]" = None,',
            '                 right: "Optional[TreeNode]" = None) -> None:',
            "        self.val = val",
            "        self.left = left",
            "        self.right = right",
            "", "",
            "def build_tree(tokens: list[str]) -> Optional[TreeNode]:",
            '    """Builds a tree from level-order tokens, where "null" marks a missing child."""',
            '    if not tokens or tokens[0] == "null":',
            "        return None",
            "    root = TreeNode(int(tokens[0]))",
            "    queue = deque([root])",
            "    i = 1",
            "    while queue and i < len(tokens):",
            "        node = queue.popleft()",
            '        if tokens[i] != "null":',
            "            node.left = TreeNode(int(tokens[i]))",
            "            queue.append(node.left)",
            "        i += 1",
            '        if i < len(tokens) and tokens[i] != "null":',
            "            node.right = TreeNode(int(tokens[i]))",
            "            queue.append(node.right)",
            "        i += 1",
            "    return root",
            "", "",
        ]
    args = ", ".join(f"{f.name}: {ptype[f.kind]}" for f in params(fields))
    out += [
        f"def solve({args}) -> {rtype}:",
        "    # TODO: implement your solution here",
        f"    return {default}",
        "", "",
        "def main() -> None:",
        "    tokens = iter(sys.stdin.read().split())",
    ]
    for f in fields:
        if f.kind == "int":
            if unused_count(f):
                out.append(f"    next(tokens)  # {f.name}: not needed to read the rest")
            else:
                out.append(f"    {f.name} = int(next(tokens))")
        elif f.kind == "str":
            out.append(f"    {f.name} = next(tokens)")
        elif f.kind == "ints":
            out.append(f"    {f.name} = [int(next(tokens)) for _ in range({f.size})]")
        elif f.kind == "strs":
            out.append(f"    {f.name} = [next(tokens) for _ in range({f.size})]")
        elif f.kind == "matrix":
            out.append(f"    {f.name} = [[int(next(tokens)) for _ in range({f.cols})] for _ in range({f.size})]")
        elif f.kind == "tree":
            out.append(f"    {f.name} = build_tree([next(tokens) for _ in range({f.size})])")
        elif f.kind == "list":
            out.append(f"    {f.name} = build_list([int(next(tokens)) for _ in range({f.size})])")
        elif f.kind == "lists":
            out += [
                f"    {f.name}: list[Optional[ListNode]] = []",
                f"    for _ in range({f.size}):",
                "        length = int(next(tokens))",
                f"        {f.name}.append(build_list([int(next(tokens)) for _ in range(length)]))",
            ]
    out.append(f"    result = solve({', '.join(f.name for f in params(fields))})")
    out += {
        "int": ["    print(result)"],
        "long": ["    print(result)"],
        "bool": ['    print("true" if result else "false")'],
        "str": ["    print(result)"],
        "int[]": ['    print(" ".join(map(str, result)))'],
        "int[][]": ["    print(len(result))", "    for row in result:", '        print(" ".join(map(str, row)))'],
        "list": ["    values = list_values(result)", "    print(len(values))", '    print(" ".join(map(str, values)))'],
    }[returns]
    out += ["", "", 'if __name__ == "__main__":', "    main()", ""]
    return "\n".join(out)


# ------------------------------------------------------------------------------------------ JavaScript / TypeScript

def render_js(fields: list[Field], returns: str, ts: bool) -> str:
    tstype = {"int": "number", "str": "string", "ints": "number[]", "strs": "string[]", "matrix": "number[][]",
              "tree": "TreeNode | null", "list": "ListNode | null", "lists": "(ListNode | null)[]"}
    rtype = {"int": "number", "long": "number", "bool": "boolean", "str": "string", "int[]": "number[]",
             "int[][]": "number[][]", "list": "ListNode | null"}[returns]
    default = {"int": "0", "long": "0", "bool": "false", "str": "''", "int[]": "[]", "int[][]": "[]",
               "list": "null"}[returns]

    def t(annotation: str) -> str:
        return f": {annotation}" if ts else ""

    out: list[str] = [] if ts else ["'use strict';", ""]
    if needs_list(fields, returns):
        if ts:
            out += [
                "class ListNode {",
                "  val: number;",
                "  next: ListNode | null;",
                "  constructor(val = 0, next: ListNode | null = null) {",
                "    this.val = val;",
                "    this.next = next;",
                "  }",
                "}",
            ]
        else:
            out += [
                "class ListNode {",
                "  /** @param {number} val @param {ListNode | null} next */",
                "  constructor(val = 0, next = null) {",
                "    this.val = val;",
                "    this.next = next;",
                "  }",
                "}",
            ]
        out += [
            "",
            *([] if ts else ["/** @param {number[]} values @returns {ListNode | null} */"]),
            f"function buildList(values{t('number[]')}){t('ListNode | null')} {{",
            f"  let head{t('ListNode | null')} = null;",
            "  for (let i = values.length - 1; i >= 0; i--) head = new ListNode(values[i], head);",
            "  return head;",
            "}",
            "",
            *([] if ts else ["/** @param {ListNode | null} head @returns {number[]} */"]),
            f"function listValues(head{t('ListNode | null')}){t('number[]')} {{",
            "  const values = [];" if not ts else "  const values: number[] = [];",
            "  for (let node = head; node !== null; node = node.next) values.push(node.val);",
            "  return values;",
            "}",
            "",
        ]
        if ts:
            out[out.index("  for (let i = values.length - 1; i >= 0; i--) head = new ListNode(values[i], head);")] = \
                "  for (let i = values.length - 1; i >= 0; i--) head = new ListNode(values[i] as number, head);"
    if needs_tree(fields):
        if ts:
            out += [
                "class TreeNode {",
                "  val: number;",
                "  left: TreeNode | null = null;",
                "  right: TreeNode | null = null;",
                "  constructor(val = 0) {",
                "    this.val = val;",
                "  }",
                "}",
                "",
                "// Builds a tree from level-order tokens, where \"null\" marks a missing child.",
                "function buildTree(tokens: string[]): TreeNode | null {",
                "  if (tokens.length === 0 || tokens[0] === 'null') return null;",
                "  const root = new TreeNode(Number(tokens[0]));",
                "  const queue: TreeNode[] = [root];",
                "  let head = 0;",
                "  let i = 1;",
                "  while (head < queue.length && i < tokens.length) {",
                "    const node = queue[head++] as TreeNode;",
                "    if (tokens[i] !== 'null') {",
                "      node.left = new TreeNode(Number(tokens[i]));",
                "      queue.push(node.left);",
                "    }",
                "    i++;",
                "    if (i < tokens.length && tokens[i] !== 'null') {",
                "      node.right = new TreeNode(Number(tokens[i]));",
                "      queue.push(node.right);",
                "    }",
                "    i++;",
                "  }",
                "  return root;",
                "}",
                "",
            ]
        else:
            out += [
                "class TreeNode {",
                "  /** @param {number} val */",
                "  constructor(val = 0) {",
                "    this.val = val;",
                "    /** @type {TreeNode | null} */",
                "    this.left = null;",
                "    /** @type {TreeNode | null} */",
                "    this.right = null;",
                "  }",
                "}",
                "",
                "/**",
                " * Builds a tree from level-order tokens, where \"null\" marks a missing child.",
                " * @param {string[]} tokens",
                " * @returns {TreeNode | null}",
                " */",
                "function buildTree(tokens) {",
                "  if (tokens.length === 0 || tokens[0] === 'null') return null;",
                "  const root = new TreeNode(Number(tokens[0]));",
                "  const queue = [root];",
                "  let head = 0;",
                "  let i = 1;",
                "  while (head < queue.length && i < tokens.length) {",
                "    const node = queue[head++];",
                "    if (tokens[i] !== 'null') {",
                "      node.left = new TreeNode(Number(tokens[i]));",
                "      queue.push(node.left);",
                "    }",
                "    i++;",
                "    if (i < tokens.length && tokens[i] !== 'null') {",
                "      node.right = new TreeNode(Number(tokens[i]));",
                "      queue.push(node.right);",
                "    }",
                "    i++;",
                "  }",
                "  return root;",
                "}",
                "",
            ]
    ps = params(fields)
    if ts:
        args = ", ".join(f"{camel(f.name)}: {tstype[f.kind]}" for f in ps)
        out += [f"function solve({args}): {rtype} {{"]
    else:
        out += ["/**"]
        out += [f" * @param {{{tstype[f.kind]}}} {camel(f.name)}" for f in ps]
        out += [f" * @returns {{{rtype}}}", " */", f"function solve({', '.join(camel(f.name) for f in ps)}) {{"]
    out += ["  // TODO: implement your solution here", f"  return {default};", "}", ""]
    out += [
        f"function main(input{t('string')}){t('void')} {{",
        "  const tokens = input.split(/\\s+/).filter((token) => token.length > 0);",
        "  let pos = 0;",
        f"  const next = (){t('string')} => tokens[pos++]{' as string' if ts else ''};",
    ]
    for f in fields:
        v = camel(f.name)
        size = camel(f.size) if f.size else ""
        cols = camel(f.cols) if f.cols and not f.cols.isdigit() else (f.cols or "")
        if f.kind == "int":
            if unused_count(f):
                out.append(f"  next(); // {v}: not needed to read the rest")
            else:
                out.append(f"  const {v} = Number(next());")
        elif f.kind == "str":
            out.append(f"  const {v} = next();")
        elif f.kind == "ints":
            out.append(f"  const {v} = Array.from({{ length: {size} }}, () => Number(next()));")
        elif f.kind == "strs":
            out.append(f"  const {v} = Array.from({{ length: {size} }}, () => next());")
        elif f.kind == "matrix":
            out.append(f"  const {v} = Array.from({{ length: {size} }}, () => "
                       f"Array.from({{ length: {cols} }}, () => Number(next())));")
        elif f.kind == "tree":
            out.append(f"  const {v} = buildTree(Array.from({{ length: {size} }}, () => next()));")
        elif f.kind == "list":
            out.append(f"  const {v} = buildList(Array.from({{ length: {size} }}, () => Number(next())));")
        elif f.kind == "lists":
            out.append(f"  const {v} = Array.from({{ length: {size} }}, () => {{")
            out.append("    const length = Number(next());")
            out.append("    return buildList(Array.from({ length }, () => Number(next())));")
            out.append("  });")
    out.append(f"  const result = solve({', '.join(camel(f.name) for f in ps)});")
    out += {
        "int": ["  console.log(String(result));"],
        "long": ["  console.log(String(result));"],
        "bool": ["  console.log(result ? 'true' : 'false');"],
        "str": ["  console.log(result);"],
        "int[]": ["  console.log(result.join(' '));"],
        "int[][]": ["  const lines = [String(result.length), ...result.map((row) => row.join(' '))];",
                    "  console.log(lines.join('\\n'));"],
        "list": ["  const values = listValues(result);", "  console.log(`${values.length}\\n${values.join(' ')}`);"],
    }[returns]
    out += [
        "}",
        "",
        "let input = '';",
        "process.stdin.setEncoding('utf8');",
        f"process.stdin.on('data', (chunk{t('string')}) => {{",
        "  input += chunk;",
        "});",
        "process.stdin.on('end', () => main(input));",
        "",
    ]
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------------------- Java

def render_java(fields: list[Field], returns: str) -> str:
    jtype = {"int": "int", "str": "String", "ints": "int[]", "strs": "String[]", "matrix": "int[][]",
             "tree": "TreeNode", "list": "ListNode", "lists": "ListNode[]"}
    rtype = {"int": "int", "long": "long", "bool": "boolean", "str": "String", "int[]": "int[]",
             "int[][]": "List<List<Integer>>", "list": "ListNode"}[returns]
    default = {"int": "0", "long": "0L", "bool": "false", "str": '""', "int[]": "new int[0]",
               "int[][]": "new ArrayList<>()", "list": "null"}[returns]
    imports = ["import java.io.BufferedReader", "import java.io.EOFException", "import java.io.IOException",
               "import java.io.InputStreamReader", "import java.io.PrintWriter", "import java.util.StringTokenizer"]
    if needs_tree(fields):
        imports.append("import java.util.ArrayDeque")
    if returns == "int[][]":
        imports += ["import java.util.ArrayList", "import java.util.List"]
    out = [f"{i};" for i in sorted(imports)]
    out += ["", "public class Main {"]
    if needs_list(fields, returns):
        out += [
            "    static class ListNode {",
            "        int val;",
            "        ListNode next;",
            "",
            "        ListNode(int val, ListNode next) {",
            "            this.val = val;",
            "            this.next = next;",
            "        }",
            "    }",
            "",
            "    static ListNode buildList(int[] values) {",
            "        ListNode head = null;",
            "        for (int i = values.length - 1; i >= 0; i--) head = new ListNode(values[i], head);",
            "        return head;",
            "    }",
            "",
        ]
    if needs_tree(fields):
        out += [
            "    static class TreeNode {",
            "        int val;",
            "        TreeNode left;",
            "        TreeNode right;",
            "",
            "        TreeNode(int val) {",
            "            this.val = val;",
            "        }",
            "    }",
            "",
            "    // Builds a tree from level-order tokens, where \"null\" marks a missing child.",
            "    static TreeNode buildTree(String[] tokens) {",
            "        if (tokens.length == 0 || tokens[0].equals(\"null\")) return null;",
            "        TreeNode root = new TreeNode(Integer.parseInt(tokens[0]));",
            "        ArrayDeque<TreeNode> queue = new ArrayDeque<>();",
            "        queue.add(root);",
            "        int i = 1;",
            "        while (!queue.isEmpty() && i < tokens.length) {",
            "            TreeNode node = queue.poll();",
            "            if (!tokens[i].equals(\"null\")) {",
            "                node.left = new TreeNode(Integer.parseInt(tokens[i]));",
            "                queue.add(node.left);",
            "            }",
            "            i++;",
            "            if (i < tokens.length && !tokens[i].equals(\"null\")) {",
            "                node.right = new TreeNode(Integer.parseInt(tokens[i]));",
            "                queue.add(node.right);",
            "            }",
            "            i++;",
            "        }",
            "        return root;",
            "    }",
            "",
        ]
    ps = params(fields)
    args = ", ".join(f"{jtype[f.kind]} {camel(f.name)}" for f in ps)
    out += [
        f"    static {rtype} solve({args}) {{",
        "        // TODO: implement your solution here",
        f"        return {default};",
        "    }",
        "",
        "    private static final BufferedReader READER = new BufferedReader(new InputStreamReader(System.in));",
        "    private static StringTokenizer tokens = new StringTokenizer(\"\");",
        "",
        "    static String next() throws IOException {",
        "        while (!tokens.hasMoreTokens()) {",
        "            String line = READER.readLine();",
        "            if (line == null) throw new EOFException(\"unexpected end of input\");",
        "            tokens = new StringTokenizer(line);",
        "        }",
        "        return tokens.nextToken();",
        "    }",
        "",
        "    static int nextInt() throws IOException {",
        "        return Integer.parseInt(next());",
        "    }",
        "",
    ]
    if returns in ("int[]", "list", "int[][]"):
        out += [
            "    static String join(Iterable<Integer> values) {",
            "        StringBuilder sb = new StringBuilder();",
            "        for (int value : values) {",
            "            if (sb.length() > 0) sb.append(' ');",
            "            sb.append(value);",
            "        }",
            "        return sb.toString();",
            "    }",
            "",
        ] if returns == "int[][]" else [
            "    static String join(int[] values) {",
            "        StringBuilder sb = new StringBuilder();",
            "        for (int i = 0; i < values.length; i++) {",
            "            if (i > 0) sb.append(' ');",
            "            sb.append(values[i]);",
            "        }",
            "        return sb.toString();",
            "    }",
            "",
        ] if returns == "int[]" else [
            "    // The node count on one line, then the values on the next.",
            "    static String format(ListNode head) {",
            "        StringBuilder sb = new StringBuilder();",
            "        int count = 0;",
            "        for (ListNode node = head; node != null; node = node.next) {",
            "            if (count++ > 0) sb.append(' ');",
            "            sb.append(node.val);",
            "        }",
            "        return count + \"\\n\" + sb;",
            "    }",
            "",
        ]
    out += ["    public static void main(String[] args) throws IOException {"]
    for f in fields:
        v = camel(f.name)
        size = camel(f.size) if f.size else ""
        cols = camel(f.cols) if f.cols and not f.cols.isdigit() else (f.cols or "")
        if f.kind == "int":
            if unused_count(f):
                out.append(f"        nextInt(); // {v}: not needed to read the rest")
            else:
                out.append(f"        int {v} = nextInt();")
        elif f.kind == "str":
            out.append(f"        String {v} = next();")
        elif f.kind == "ints":
            out += [f"        int[] {v} = new int[{size}];",
                    f"        for (int i = 0; i < {size}; i++) {v}[i] = nextInt();"]
        elif f.kind == "strs":
            out += [f"        String[] {v} = new String[{size}];",
                    f"        for (int i = 0; i < {size}; i++) {v}[i] = next();"]
        elif f.kind == "matrix":
            out += [f"        int[][] {v} = new int[{size}][{cols}];",
                    f"        for (int i = 0; i < {size}; i++) {{",
                    f"            for (int j = 0; j < {cols}; j++) {v}[i][j] = nextInt();",
                    "        }"]
        elif f.kind == "tree":
            out += [f"        String[] {v}Tokens = new String[{size}];",
                    f"        for (int i = 0; i < {size}; i++) {v}Tokens[i] = next();",
                    f"        TreeNode {v} = buildTree({v}Tokens);"]
        elif f.kind == "list":
            out += [f"        int[] {v}Values = new int[{size}];",
                    f"        for (int i = 0; i < {size}; i++) {v}Values[i] = nextInt();",
                    f"        ListNode {v} = buildList({v}Values);"]
        elif f.kind == "lists":
            out += [f"        ListNode[] {v} = new ListNode[{size}];",
                    f"        for (int i = 0; i < {size}; i++) {{",
                    "            int[] values = new int[nextInt()];",
                    "            for (int j = 0; j < values.length; j++) values[j] = nextInt();",
                    f"            {v}[i] = buildList(values);",
                    "        }"]
    out.append(f"        {rtype} result = solve({', '.join(camel(f.name) for f in ps)});")
    out.append("        PrintWriter out = new PrintWriter(System.out);")
    out += {
        "int": ["        out.println(result);"],
        "long": ["        out.println(result);"],
        "bool": ["        out.println(result);"],
        "str": ["        out.println(result);"],
        "int[]": ["        out.println(join(result));"],
        "int[][]": ["        out.println(result.size());", "        for (List<Integer> row : result) out.println(join(row));"],
        "list": ["        out.println(format(result));"],
    }[returns]
    out += ["        out.flush();", "    }", "}", ""]
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------------------ C++

def render_cpp(fields: list[Field], returns: str) -> str:
    ctype = {"int": "int", "str": "string", "ints": "vector<int>", "strs": "vector<string>",
             "matrix": "vector<vector<int>>", "tree": "TreeNode*", "list": "ListNode*", "lists": "vector<ListNode*>"}
    rtype = {"int": "int", "long": "long long", "bool": "bool", "str": "string", "int[]": "vector<int>",
             "int[][]": "vector<vector<int>>", "list": "ListNode*"}[returns]
    default = {"int": "0", "long": "0", "bool": "false", "str": '""', "int[]": "{}", "int[][]": "{}",
               "list": "nullptr"}[returns]
    includes = ["iostream", "string", "vector"]
    if needs_tree(fields):
        includes.append("queue")
    out = [f"#include <{h}>" for h in sorted(includes)]
    out += ["", "using namespace std;", ""]
    if needs_list(fields, returns):
        out += [
            "struct ListNode {",
            "    int val;",
            "    ListNode* next;",
            "    ListNode(int v, ListNode* n) : val(v), next(n) {}",
            "};",
            "",
            "ListNode* buildList(const vector<int>& values) {",
            "    ListNode* head = nullptr;",
            "    for (auto it = values.rbegin(); it != values.rend(); ++it) head = new ListNode(*it, head);",
            "    return head;",
            "}",
            "",
        ]
    if needs_tree(fields):
        out += [
            "struct TreeNode {",
            "    int val;",
            "    TreeNode* left = nullptr;",
            "    TreeNode* right = nullptr;",
            "    explicit TreeNode(int v) : val(v) {}",
            "};",
            "",
            "// Builds a tree from level-order tokens, where \"null\" marks a missing child.",
            "TreeNode* buildTree(const vector<string>& tokens) {",
            "    if (tokens.empty() || tokens[0] == \"null\") return nullptr;",
            "    TreeNode* root = new TreeNode(stoi(tokens[0]));",
            "    queue<TreeNode*> pending;",
            "    pending.push(root);",
            "    size_t i = 1;",
            "    while (!pending.empty() && i < tokens.size()) {",
            "        TreeNode* node = pending.front();",
            "        pending.pop();",
            "        if (tokens[i] != \"null\") {",
            "            node->left = new TreeNode(stoi(tokens[i]));",
            "            pending.push(node->left);",
            "        }",
            "        i++;",
            "        if (i < tokens.size() && tokens[i] != \"null\") {",
            "            node->right = new TreeNode(stoi(tokens[i]));",
            "            pending.push(node->right);",
            "        }",
            "        i++;",
            "    }",
            "    return root;",
            "}",
            "",
        ]
    ps = params(fields)

    def arg(f: Field) -> str:
        t = ctype[f.kind]
        if f.kind in ("str", "ints", "strs", "matrix", "lists"):
            return f"{t}& {camel(f.name)}"
        return f"{t} {camel(f.name)}"

    out += [
        f"{rtype} solve({', '.join(arg(f) for f in ps)}) {{",
        "    // TODO: implement your solution here",
        f"    return {default};",
        "}",
        "",
    ]
    if returns in ("int[]", "int[][]", "list"):
        out += [
            "string join(const vector<int>& values) {",
            "    string s;",
            "    for (size_t i = 0; i < values.size(); i++) {",
            "        if (i > 0) s += ' ';",
            "        s += to_string(values[i]);",
            "    }",
            "    return s;",
            "}",
            "",
        ]
    out += ["int main() {", "    ios::sync_with_stdio(false);", "    cin.tie(nullptr);"]
    for f in fields:
        v = camel(f.name)
        size = camel(f.size) if f.size else ""
        cols = camel(f.cols) if f.cols and not f.cols.isdigit() else (f.cols or "")
        if f.kind == "int":
            if unused_count(f):
                out.append(f"    int {v};  // not needed to read the rest")
                out.append(f"    cin >> {v};")
            else:
                out.append(f"    int {v};")
                out.append(f"    cin >> {v};")
        elif f.kind == "str":
            out += [f"    string {v};", f"    cin >> {v};"]
        elif f.kind == "ints":
            out += [f"    vector<int> {v}({size});", f"    for (auto& x : {v}) cin >> x;"]
        elif f.kind == "strs":
            out += [f"    vector<string> {v}({size});", f"    for (auto& x : {v}) cin >> x;"]
        elif f.kind == "matrix":
            out += [f"    vector<vector<int>> {v}({size}, vector<int>({cols}));",
                    f"    for (auto& row : {v})",
                    "        for (auto& x : row) cin >> x;"]
        elif f.kind == "tree":
            out += [f"    vector<string> {v}Tokens({size});",
                    f"    for (auto& x : {v}Tokens) cin >> x;",
                    f"    TreeNode* {v} = buildTree({v}Tokens);"]
        elif f.kind == "list":
            out += [f"    vector<int> {v}Values({size});",
                    f"    for (auto& x : {v}Values) cin >> x;",
                    f"    ListNode* {v} = buildList({v}Values);"]
        elif f.kind == "lists":
            out += [f"    vector<ListNode*> {v}({size});",
                    f"    for (auto& head : {v}) {{",
                    "        int length;",
                    "        cin >> length;",
                    "        vector<int> values(length);",
                    "        for (auto& x : values) cin >> x;",
                    "        head = buildList(values);",
                    "    }"]
    out.append(f"    {rtype} result = solve({', '.join(camel(f.name) for f in ps)});")
    out += {
        "int": ["    cout << result << '\\n';"],
        "long": ["    cout << result << '\\n';"],
        "bool": ["    cout << (result ? \"true\" : \"false\") << '\\n';"],
        "str": ["    cout << result << '\\n';"],
        "int[]": ["    cout << join(result) << '\\n';"],
        "int[][]": ["    cout << result.size() << '\\n';", "    for (const auto& row : result) cout << join(row) << '\\n';"],
        "list": ["    vector<int> values;",
                 "    for (ListNode* node = result; node != nullptr; node = node->next) values.push_back(node->val);",
                 "    cout << values.size() << '\\n' << join(values) << '\\n';"],
    }[returns]
    out += ["    return 0;", "}", ""]
    return "\n".join(out)


# -------------------------------------------------------------------------------------------------------------- C

def render_c(fields: list[Field], returns: str) -> str:
    ps = params(fields)
    need_int = any(f.kind in ("int", "ints", "matrix", "list", "lists") for f in fields)
    need_token = any(f.kind in ("str", "strs", "tree") for f in fields)
    includes = ["stdbool.h", "stdio.h", "stdlib.h"]
    if need_token:
        includes += ["ctype.h", "string.h"]
    out = [f"#include <{h}>" for h in sorted(includes)]
    out.append("")
    if need_int:
        out += [
            "static int read_int(void) {",
            "    int value = 0;",
            "    if (scanf(\"%d\", &value) != 1) {",
            "        fprintf(stderr, \"unexpected end of input\\n\");",
            "        exit(1);",
            "    }",
            "    return value;",
            "}",
            "",
        ]
    if need_token:
        out += [
            "/* Reads the next whitespace-separated token into a newly allocated string. */",
            "static char *read_token(void) {",
            "    size_t cap = 16, len = 0;",
            "    char *buf = malloc(cap);",
            "    int c = getchar();",
            "    while (c != EOF && isspace(c)) c = getchar();",
            "    while (c != EOF && !isspace(c)) {",
            "        if (len + 1 >= cap) {",
            "            cap *= 2;",
            "            buf = realloc(buf, cap);",
            "        }",
            "        buf[len++] = (char)c;",
            "        c = getchar();",
            "    }",
            "    buf[len] = '\\0';",
            "    return buf;",
            "}",
            "",
        ]
    if needs_list(fields, returns):
        out += [
            "struct ListNode {",
            "    int val;",
            "    struct ListNode *next;",
            "};",
            "",
            "static struct ListNode *read_list(int length) {",
            "    struct ListNode *head = NULL, **tail = &head;",
            "    for (int i = 0; i < length; i++) {",
            "        struct ListNode *node = malloc(sizeof *node);",
            "        node->val = read_int();",
            "        node->next = NULL;",
            "        *tail = node;",
            "        tail = &node->next;",
            "    }",
            "    return head;",
            "}",
            "",
        ] if any(f.kind in ("list", "lists") for f in fields) else [
            "struct ListNode {",
            "    int val;",
            "    struct ListNode *next;",
            "};",
            "",
        ]
    if needs_tree(fields):
        out += [
            "struct TreeNode {",
            "    int val;",
            "    struct TreeNode *left;",
            "    struct TreeNode *right;",
            "};",
            "",
            "static struct TreeNode *new_tree_node(const char *token) {",
            "    struct TreeNode *node = malloc(sizeof *node);",
            "    node->val = atoi(token);",
            "    node->left = node->right = NULL;",
            "    return node;",
            "}",
            "",
            "/* Builds a tree from level-order tokens, where \"null\" marks a missing child. */",
            "static struct TreeNode *build_tree(char **tokens, int n) {",
            "    if (n == 0 || strcmp(tokens[0], \"null\") == 0) return NULL;",
            "    struct TreeNode **queue = malloc(sizeof *queue * n);",
            "    int head = 0, tail = 0, i = 1;",
            "    struct TreeNode *root = new_tree_node(tokens[0]);",
            "    queue[tail++] = root;",
            "    while (head < tail && i < n) {",
            "        struct TreeNode *node = queue[head++];",
            "        if (strcmp(tokens[i], \"null\") != 0) queue[tail++] = node->left = new_tree_node(tokens[i]);",
            "        i++;",
            "        if (i < n && strcmp(tokens[i], \"null\") != 0) queue[tail++] = node->right = new_tree_node(tokens[i]);",
            "        i++;",
            "    }",
            "    free(queue);",
            "    return root;",
            "}",
            "",
        ]

    def arg(f: Field) -> str:
        return {
            "int": f"int {f.name}",
            "str": f"const char *{f.name}",
            "ints": f"const int *{f.name}, int {f.name}_size",
            "strs": f"char **{f.name}, int {f.name}_size",
            "matrix": f"int **{f.name}, int {f.name}_rows, int {f.name}_cols",
            "tree": f"struct TreeNode *{f.name}",
            "list": f"struct ListNode *{f.name}",
            "lists": f"struct ListNode **{f.name}, int {f.name}_size",
        }[f.kind]

    args = [arg(f) for f in ps]
    rtype = {"int": "int ", "long": "long long ", "bool": "bool ", "str": "char *", "int[]": "int *",
             "int[][]": "int **", "list": "struct ListNode *"}[returns]
    if returns == "int[]":
        args.append("int *return_size")
    if returns == "int[][]":
        args.append("int *return_size")
        args.append("int **return_col_sizes")
    doc = {
        "int[]": ["/* Return a malloc'ed array and store its length in *return_size. */"],
        "int[][]": ["/* Return a malloc'ed array of rows; store the row count in *return_size and a malloc'ed",
                    "   array with the length of each row in *return_col_sizes. */"],
        "str": ["/* Return a malloc'ed, NUL-terminated string. */"],
    }.get(returns, [])
    body = {
        "int": ["    return 0;"], "long": ["    return 0;"], "bool": ["    return false;"],
        "str": ["    return calloc(1, 1);"],
        "int[]": ["    *return_size = 0;", "    return NULL;"],
        "int[][]": ["    *return_size = 0;", "    *return_col_sizes = NULL;", "    return NULL;"],
        "list": ["    return NULL;"],
    }[returns]
    out += doc
    out += [f"{rtype}solve({', '.join(args)}) {{", "    /* TODO: implement your solution here */", *body, "}", ""]
    out += ["int main(void) {"]
    call: list[str] = []
    for f in fields:
        v = f.name
        if f.kind == "int":
            if unused_count(f):
                out.append(f"    read_int(); /* {v}: not needed to read the rest */")
            else:
                out.append(f"    int {v} = read_int();")
        elif f.kind == "str":
            out.append(f"    char *{v} = read_token();")
        elif f.kind == "ints":
            out += [f"    int *{v} = malloc(sizeof(int) * ({f.size} > 0 ? {f.size} : 1));",
                    f"    for (int i = 0; i < {f.size}; i++) {v}[i] = read_int();"]
        elif f.kind == "strs":
            out += [f"    char **{v} = malloc(sizeof(char *) * ({f.size} > 0 ? {f.size} : 1));",
                    f"    for (int i = 0; i < {f.size}; i++) {v}[i] = read_token();"]
        elif f.kind == "matrix":
            out += [f"    int **{v} = malloc(sizeof(int *) * ({f.size} > 0 ? {f.size} : 1));",
                    f"    for (int i = 0; i < {f.size}; i++) {{",
                    f"        {v}[i] = malloc(sizeof(int) * ({f.cols} > 0 ? {f.cols} : 1));",
                    f"        for (int j = 0; j < {f.cols}; j++) {v}[i][j] = read_int();",
                    "    }"]
        elif f.kind == "tree":
            out += [f"    char **{v}_tokens = malloc(sizeof(char *) * ({f.size} > 0 ? {f.size} : 1));",
                    f"    for (int i = 0; i < {f.size}; i++) {v}_tokens[i] = read_token();",
                    f"    struct TreeNode *{v} = build_tree({v}_tokens, {f.size});"]
        elif f.kind == "list":
            out.append(f"    struct ListNode *{v} = read_list({f.size});")
        elif f.kind == "lists":
            out += [f"    struct ListNode **{v} = malloc(sizeof(struct ListNode *) * ({f.size} > 0 ? {f.size} : 1));",
                    f"    for (int i = 0; i < {f.size}; i++) {v}[i] = read_list(read_int());"]
        if not f.count_only:
            call += {
                "ints": [v, f.size or ""], "strs": [v, f.size or ""], "matrix": [v, f.size or "", f.cols or ""],
                "lists": [v, f.size or ""],
            }.get(f.kind, [v])
    if returns == "int[]":
        out += ["    int result_size = 0;", f"    int *result = solve({', '.join(call + ['&result_size'])});",
                "    for (int i = 0; i < result_size; i++) printf(i > 0 ? \" %d\" : \"%d\", result[i]);",
                "    printf(\"\\n\");"]
    elif returns == "int[][]":
        out += ["    int rows = 0;", "    int *cols = NULL;",
                f"    int **result = solve({', '.join(call + ['&rows', '&cols'])});",
                "    printf(\"%d\\n\", rows);",
                "    for (int i = 0; i < rows; i++) {",
                "        for (int j = 0; j < cols[i]; j++) printf(j > 0 ? \" %d\" : \"%d\", result[i][j]);",
                "        printf(\"\\n\");",
                "    }"]
    else:
        out.append(f"    {rtype}result = solve({', '.join(call)});")
        out += {
            "int": ["    printf(\"%d\\n\", result);"],
            "long": ["    printf(\"%lld\\n\", result);"],
            "bool": ["    printf(\"%s\\n\", result ? \"true\" : \"false\");"],
            "str": ["    printf(\"%s\\n\", result);"],
            "list": ["    int count = 0;",
                     "    for (struct ListNode *node = result; node != NULL; node = node->next) count++;",
                     "    printf(\"%d\\n\", count);",
                     "    for (struct ListNode *node = result; node != NULL; node = node->next)",
                     "        printf(node == result ? \"%d\" : \" %d\", node->val);",
                     "    printf(\"\\n\");"],
        }[returns]
    out += ["    return 0;", "}", ""]
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------------------- Go

def render_go(fields: list[Field], returns: str) -> str:
    gtype = {"int": "int", "str": "string", "ints": "[]int", "strs": "[]string", "matrix": "[][]int",
             "tree": "*TreeNode", "list": "*ListNode", "lists": "[]*ListNode"}
    rtype = {"int": "int", "long": "int64", "bool": "bool", "str": "string", "int[]": "[]int",
             "int[][]": "[][]int", "list": "*ListNode"}[returns]
    default = {"int": "0", "long": "0", "bool": "false", "str": '""', "int[]": "[]int{}", "int[][]": "[][]int{}",
               "list": "nil"}[returns]
    imports = ["bufio", "fmt", "os", "strconv"]
    if returns in ("int[]", "int[][]", "list"):
        imports.append("strings")
    out = ["package main", "", "import ("] + [f'\t"{i}"' for i in imports] + [")", ""]
    if needs_list(fields, returns):
        out += [
            "type ListNode struct {",
            "\tVal  int",
            "\tNext *ListNode",
            "}",
            "",
            "func buildList(values []int) *ListNode {",
            "\tvar head *ListNode",
            "\tfor i := len(values) - 1; i >= 0; i-- {",
            "\t\thead = &ListNode{Val: values[i], Next: head}",
            "\t}",
            "\treturn head",
            "}",
            "",
        ]
    if needs_tree(fields):
        out += [
            "type TreeNode struct {",
            "\tVal   int",
            "\tLeft  *TreeNode",
            "\tRight *TreeNode",
            "}",
            "",
            "// buildTree builds a tree from level-order tokens, where \"null\" marks a missing child.",
            "func buildTree(tokens []string) *TreeNode {",
            "\tif len(tokens) == 0 || tokens[0] == \"null\" {",
            "\t\treturn nil",
            "\t}",
            "\tnewNode := func(token string) *TreeNode {",
            "\t\tv, _ := strconv.Atoi(token)",
            "\t\treturn &TreeNode{Val: v}",
            "\t}",
            "\troot := newNode(tokens[0])",
            "\tqueue := []*TreeNode{root}",
            "\ti := 1",
            "\tfor len(queue) > 0 && i < len(tokens) {",
            "\t\tnode := queue[0]",
            "\t\tqueue = queue[1:]",
            "\t\tif tokens[i] != \"null\" {",
            "\t\t\tnode.Left = newNode(tokens[i])",
            "\t\t\tqueue = append(queue, node.Left)",
            "\t\t}",
            "\t\ti++",
            "\t\tif i < len(tokens) && tokens[i] != \"null\" {",
            "\t\t\tnode.Right = newNode(tokens[i])",
            "\t\t\tqueue = append(queue, node.Right)",
            "\t\t}",
            "\t\ti++",
            "\t}",
            "\treturn root",
            "}",
            "",
        ]
    ps = params(fields)
    args = ", ".join(f"{camel(f.name)} {gtype[f.kind]}" for f in ps)
    out += [
        f"func solve({args}) {rtype} {{",
        "\t// TODO: implement your solution here",
        f"\treturn {default}",
        "}",
        "",
        "var scanner *bufio.Scanner",
        "",
        "func next() string {",
        "\tif !scanner.Scan() {",
        "\t\tpanic(\"unexpected end of input\")",
        "\t}",
        "\treturn scanner.Text()",
        "}",
        "",
        "func nextInt() int {",
        "\tv, err := strconv.Atoi(next())",
        "\tif err != nil {",
        "\t\tpanic(err)",
        "\t}",
        "\treturn v",
        "}",
        "",
    ]
    if returns in ("int[]", "int[][]", "list"):
        out += [
            "func join(values []int) string {",
            "\tparts := make([]string, len(values))",
            "\tfor i, v := range values {",
            "\t\tparts[i] = strconv.Itoa(v)",
            "\t}",
            "\treturn strings.Join(parts, \" \")",
            "}",
            "",
        ]
    out += [
        "func main() {",
        "\tscanner = bufio.NewScanner(os.Stdin)",
        "\tscanner.Buffer(make([]byte, 1<<20), 1<<20)",
        "\tscanner.Split(bufio.ScanWords)",
        "\tout := bufio.NewWriter(os.Stdout)",
        "\tdefer out.Flush()",
        "",
    ]
    for f in fields:
        v = camel(f.name)
        size = camel(f.size) if f.size else ""
        cols = camel(f.cols) if f.cols and not f.cols.isdigit() else (f.cols or "")
        if f.kind == "int":
            if unused_count(f):
                out.append(f"\tnextInt() // {v}: not needed to read the rest")
            else:
                out.append(f"\t{v} := nextInt()")
        elif f.kind == "str":
            out.append(f"\t{v} := next()")
        elif f.kind == "ints":
            out += [f"\t{v} := make([]int, {size})", f"\tfor i := range {v} {{", f"\t\t{v}[i] = nextInt()", "\t}"]
        elif f.kind == "strs":
            out += [f"\t{v} := make([]string, {size})", f"\tfor i := range {v} {{", f"\t\t{v}[i] = next()", "\t}"]
        elif f.kind == "matrix":
            out += [f"\t{v} := make([][]int, {size})",
                    f"\tfor i := range {v} {{",
                    f"\t\t{v}[i] = make([]int, {cols})",
                    f"\t\tfor j := range {v}[i] {{",
                    f"\t\t\t{v}[i][j] = nextInt()",
                    "\t\t}",
                    "\t}"]
        elif f.kind == "tree":
            out += [f"\t{v}Tokens := make([]string, {size})",
                    f"\tfor i := range {v}Tokens {{", f"\t\t{v}Tokens[i] = next()", "\t}",
                    f"\t{v} := buildTree({v}Tokens)"]
        elif f.kind == "list":
            out += [f"\t{v}Values := make([]int, {size})",
                    f"\tfor i := range {v}Values {{", f"\t\t{v}Values[i] = nextInt()", "\t}",
                    f"\t{v} := buildList({v}Values)"]
        elif f.kind == "lists":
            out += [f"\t{v} := make([]*ListNode, {size})",
                    f"\tfor i := range {v} {{",
                    "\t\tvalues := make([]int, nextInt())",
                    "\t\tfor j := range values {",
                    "\t\t\tvalues[j] = nextInt()",
                    "\t\t}",
                    f"\t\t{v}[i] = buildList(values)",
                    "\t}"]
    out.append(f"\tresult := solve({', '.join(camel(f.name) for f in ps)})")
    out += {
        "int": ["\tfmt.Fprintln(out, result)"],
        "long": ["\tfmt.Fprintln(out, result)"],
        "bool": ["\tfmt.Fprintln(out, result)"],
        "str": ["\tfmt.Fprintln(out, result)"],
        "int[]": ["\tfmt.Fprintln(out, join(result))"],
        "int[][]": ["\tfmt.Fprintln(out, len(result))", "\tfor _, row := range result {",
                    "\t\tfmt.Fprintln(out, join(row))", "\t}"],
        "list": ["\tvalues := []int{}", "\tfor node := result; node != nil; node = node.Next {",
                 "\t\tvalues = append(values, node.Val)", "\t}", "\tfmt.Fprintln(out, len(values))",
                 "\tfmt.Fprintln(out, join(values))"],
    }[returns]
    out += ["}", ""]
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------------------- Rust

def render_rust(fields: list[Field], returns: str) -> str:
    rtype_of = {"int": "i32", "str": "String", "ints": "Vec<i32>", "strs": "Vec<String>", "matrix": "Vec<Vec<i32>>",
                "tree": "Option<Box<TreeNode>>", "list": "Option<Box<ListNode>>",
                "lists": "Vec<Option<Box<ListNode>>>"}
    rtype = {"int": "i32", "long": "i64", "bool": "bool", "str": "String", "int[]": "Vec<i32>",
             "int[][]": "Vec<Vec<i32>>", "list": "Option<Box<ListNode>>"}[returns]
    default = {"int": "0", "long": "0", "bool": "false", "str": "String::new()", "int[]": "Vec::new()",
               "int[][]": "Vec::new()", "list": "None"}[returns]
    out = []
    if needs_tree(fields):
        out.append("use std::collections::VecDeque;")
    out += ["use std::io::{self, Read};", ""]
    if needs_list(fields, returns):
        out += [
            "#[derive(Debug, Clone, PartialEq, Eq)]",
            "pub struct ListNode {",
            "    pub val: i32,",
            "    pub next: Option<Box<ListNode>>,",
            "}",
            "",
            "fn build_list(values: &[i32]) -> Option<Box<ListNode>> {",
            "    let mut head = None;",
            "    for &val in values.iter().rev() {",
            "        head = Some(Box::new(ListNode { val, next: head }));",
            "    }",
            "    head",
            "}",
            "",
        ]
    if needs_tree(fields):
        out += [
            "#[derive(Debug, Clone, PartialEq, Eq)]",
            "pub struct TreeNode {",
            "    pub val: i32,",
            "    pub left: Option<Box<TreeNode>>,",
            "    pub right: Option<Box<TreeNode>>,",
            "}",
            "",
            "/// Builds a tree from level-order tokens, where \"null\" marks a missing child.",
            "fn build_tree(tokens: &[String]) -> Option<Box<TreeNode>> {",
            "    let n = tokens.len();",
            "    if n == 0 || tokens[0] == \"null\" {",
            "        return None;",
            "    }",
            "    // First work out which token is the left and right child of which, then build the boxes bottom-up.",
            "    let mut left = vec![None; n];",
            "    let mut right = vec![None; n];",
            "    let mut queue = VecDeque::from(vec![0usize]);",
            "    let mut i = 1;",
            "    while let Some(parent) = queue.pop_front() {",
            "        if i >= n {",
            "            break;",
            "        }",
            "        if tokens[i] != \"null\" {",
            "            left[parent] = Some(i);",
            "            queue.push_back(i);",
            "        }",
            "        i += 1;",
            "        if i < n && tokens[i] != \"null\" {",
            "            right[parent] = Some(i);",
            "            queue.push_back(i);",
            "        }",
            "        i += 1;",
            "    }",
            "    let mut nodes: Vec<Option<Box<TreeNode>>> = vec![None; n];",
            "    for idx in (0..n).rev() {",
            "        if tokens[idx] == \"null\" {",
            "            continue;",
            "        }",
            "        let val = tokens[idx].parse().expect(\"tree value\");",
            "        let l = left[idx].and_then(|c| nodes[c].take());",
            "        let r = right[idx].and_then(|c| nodes[c].take());",
            "        nodes[idx] = Some(Box::new(TreeNode { val, left: l, right: r }));",
            "    }",
            "    nodes[0].take()",
            "}",
            "",
        ]
    ps = params(fields)
    args = ", ".join(f"{f.name}: {rtype_of[f.kind]}" for f in ps)
    out += [
        "#[allow(unused_variables)]",
        f"fn solve({args}) -> {rtype} {{",
        "    // TODO: implement your solution here",
        f"    {default}",
        "}",
        "",
    ]
    if returns in ("int[]", "int[][]", "list"):
        out += [
            "fn join(values: &[i32]) -> String {",
            "    values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(\" \")",
            "}",
            "",
        ]
    out += [
        "fn main() {",
        "    let mut input = String::new();",
        "    io::stdin().read_to_string(&mut input).expect(\"failed to read stdin\");",
        "    let mut tokens = input.split_whitespace();",
        "    let mut next = || tokens.next().expect(\"unexpected end of input\");",
    ]
    for f in fields:
        v = f.name
        if f.kind == "int":
            if unused_count(f):
                out.append(f"    next(); // {v}: not needed to read the rest")
            elif f.used_as_size:
                out.append(f"    let {v}: usize = next().parse().expect(\"{v}\");")
            else:
                out.append(f"    let {v}: i32 = next().parse().expect(\"{v}\");")
        elif f.kind == "str":
            out.append(f"    let {v} = next().to_string();")
        elif f.kind == "ints":
            out.append(f"    let {v}: Vec<i32> = (0..{f.size}).map(|_| next().parse().expect(\"{v}\")).collect();")
        elif f.kind == "strs":
            out.append(f"    let {v}: Vec<String> = (0..{f.size}).map(|_| next().to_string()).collect();")
        elif f.kind == "matrix":
            out += [f"    let mut {v}: Vec<Vec<i32>> = Vec::with_capacity({f.size});",
                    f"    for _ in 0..{f.size} {{",
                    f"        {v}.push((0..{f.cols}).map(|_| next().parse().expect(\"{v}\")).collect());",
                    "    }"]
        elif f.kind == "tree":
            out += [f"    let {v}_tokens: Vec<String> = (0..{f.size}).map(|_| next().to_string()).collect();",
                    f"    let {v} = build_tree(&{v}_tokens);"]
        elif f.kind == "list":
            out += [f"    let {v}_values: Vec<i32> = (0..{f.size}).map(|_| next().parse().expect(\"{v}\")).collect();",
                    f"    let {v} = build_list(&{v}_values);"]
        elif f.kind == "lists":
            out += [f"    let mut {v} = Vec::with_capacity({f.size});",
                    f"    for _ in 0..{f.size} {{",
                    "        let length: usize = next().parse().expect(\"list length\");",
                    "        let values: Vec<i32> = (0..length).map(|_| next().parse().expect(\"value\")).collect();",
                    f"        {v}.push(build_list(&values));",
                    "    }"]
    out.append(f"    let result = solve({', '.join(f.name for f in ps)});")
    out += {
        "int": ["    println!(\"{}\", result);"],
        "long": ["    println!(\"{}\", result);"],
        "bool": ["    println!(\"{}\", result);"],
        "str": ["    println!(\"{}\", result);"],
        "int[]": ["    println!(\"{}\", join(&result));"],
        "int[][]": ["    let mut output = format!(\"{}\\n\", result.len());",
                    "    for row in &result {",
                    "        output.push_str(&join(row));",
                    "        output.push('\\n');",
                    "    }",
                    "    print!(\"{}\", output);"],
        "list": ["    let mut values = Vec::new();",
                 "    let mut node = &result;",
                 "    while let Some(current) = node {",
                 "        values.push(current.val);",
                 "        node = &current.next;",
                 "    }",
                 "    println!(\"{}\", values.len());",
                 "    println!(\"{}\", join(&values));"],
    }[returns]
    out += ["}", ""]
    return "\n".join(out)


RENDERERS: dict[str, Callable[[list[Field], str], str]] = {
    "python": render_python,
    "javascript": lambda f, r: render_js(f, r, ts=False),
    "typescript": lambda f, r: render_js(f, r, ts=True),
    "java": render_java,
    "cpp": render_cpp,
    "c": render_c,
    "go": render_go,
    "rust": render_rust,
}


def render(signature: str, returns: str) -> dict[str, str]:
    if returns not in RETURN_TYPES:
        raise ValueError(f"unknown return type {returns}")
    fields = parse_signature(signature)
    if returns != "str?":
        return {lang: RENDERERS[lang](fields, returns) for lang in LANGUAGES}
    out = {}
    for lang in LANGUAGES:
        code = RENDERERS[lang](fields, "str")
        old, new = DASH_FOR_EMPTY[lang]
        if code.count(old) != 1:
            raise ValueError(f"{lang}: cannot find the line that prints the result")
        out[lang] = code.replace(old, new)
    return out
