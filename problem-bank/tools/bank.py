"""Shared pieces for the problem specs: the spec types and helpers that format stdin."""
from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Optional


@dataclass
class Example:
    input: str
    output: str  # written by hand; the build checks the reference solution agrees
    explanation: Optional[str] = None


@dataclass
class Test:
    input: str
    description: str
    hidden: bool = True
    expect: Optional[str] = None  # optional hand-computed answer, checked against the reference solution


@dataclass
class Problem:
    slug: str
    title: str
    difficulty: str
    tags: list[str]
    signature: str
    returns: str
    description: str
    constraints: str
    examples: list[Example]
    tests: Callable[[random.Random], list[Test]]
    # Optional independent slow solution (takes the stdin text, returns the expected stdout) used to cross-check the
    # reference solution on every test whose input is small enough. It may return None to skip an input.
    brute: Optional[Callable[[str], Optional[str]]] = None
    brute_max_chars: int = 400
    company: Optional[str] = None
    time_limit: int = 2000
    memory_limit: int = 256
    extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------------ input formatting

def line(values) -> str:
    return " ".join(str(v) for v in values)


def arr(values) -> str:
    """`n` on one line, then the values on the next."""
    values = list(values)
    return f"{len(values)}\n{line(values)}\n"


def grid_rows(rows: list[str]) -> str:
    return f"{len(rows)} {len(rows[0]) if rows else 0}\n" + "".join(r + "\n" for r in rows)


def matrix(rows: list[list[int]]) -> str:
    return f"{len(rows)} {len(rows[0]) if rows else 0}\n" + "".join(line(r) + "\n" for r in rows)


def tokens_of(text: str) -> list[str]:
    return text.split()


# ---------------------------------------------------------------------------------------------------------- trees

class Node:
    __slots__ = ("val", "left", "right")

    def __init__(self, val: int) -> None:
        self.val = val
        self.left: Optional[Node] = None
        self.right: Optional[Node] = None


def serialize_tree(root: Optional[Node]) -> list[str]:
    """Level-order tokens with "null" for missing children and trailing nulls dropped."""
    if root is None:
        return []
    out: list[str] = []
    queue: deque[Optional[Node]] = deque([root])
    while queue:
        node = queue.popleft()
        if node is None:
            out.append("null")
            continue
        out.append(str(node.val))
        queue.append(node.left)
        queue.append(node.right)
    while out and out[-1] == "null":
        out.pop()
    return out


def parse_tree(tokens: list[str]) -> Optional[Node]:
    if not tokens or tokens[0] == "null":
        return None
    root = Node(int(tokens[0]))
    queue = deque([root])
    i = 1
    while queue and i < len(tokens):
        node = queue.popleft()
        if tokens[i] != "null":
            node.left = Node(int(tokens[i]))
            queue.append(node.left)
        i += 1
        if i < len(tokens) and tokens[i] != "null":
            node.right = Node(int(tokens[i]))
            queue.append(node.right)
        i += 1
    return root


def tree_input(tokens: list[str]) -> str:
    return f"{len(tokens)}\n{line(tokens)}\n"


def random_tree(rng: random.Random, size: int, values: Callable[[], int]) -> Optional[Node]:
    """A random binary tree of `size` nodes: each new node hangs off a random free child slot."""
    if size == 0:
        return None
    root = Node(values())
    slots: list[tuple[Node, str]] = [(root, "left"), (root, "right")]
    for _ in range(size - 1):
        i = rng.randrange(len(slots))
        parent, side = slots[i]
        slots[i] = slots[-1]
        slots.pop()
        child = Node(values())
        setattr(parent, side, child)
        slots += [(child, "left"), (child, "right")]
    return root


def chain_tree(vals: list[int], side: str = "left") -> Optional[Node]:
    """A degenerate tree where every node has a single child on the given side."""
    root: Optional[Node] = None
    for v in reversed(vals):
        n = Node(v)
        setattr(n, side, root)
        root = n
    return root


def complete_tree(vals: list[int]) -> list[str]:
    return [str(v) for v in vals]


TREE_FORMAT = """\
Trees are given in level order: the values are listed level by level, left to right, and `null` stands for a missing
child. Children of a missing node are not listed, and trailing `null`s are left out. For example `1 null 2 3`
is the tree whose root `1` has no left child, a right child `2`, and `2` has a left child `3`."""
