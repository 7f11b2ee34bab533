"""Medium problems."""
from __future__ import annotations

import random
from collections import Counter
from itertools import combinations, combinations_with_replacement

from bank import (TREE_FORMAT, Example, Problem, Test, arr, chain_tree, complete_tree, grid_rows, line, matrix,
                  parse_tree, random_tree, serialize_tree, tree_input)


def ints(text: str) -> list[int]:
    return list(map(int, text.split()))


# ------------------------------------------------------------------------ longest-substring-without-repeating-characters

PRINTABLE = "".join(chr(c) for c in range(33, 127))


def longest_brute(text: str) -> str:
    s = text.split()[0]
    best = 0
    for i in range(len(s)):
        for j in range(i + 1, len(s) + 1):
            if len(set(s[i:j])) == j - i:
                best = max(best, j - i)
    return str(best)


def longest_tests(rng: random.Random) -> list[Test]:
    shuffled = list(PRINTABLE)
    rng.shuffle(shuffled)
    return [
        Test("z\n", "a single character", expect="1"),
        Test("abba\n", "the window must not jump backwards", hidden=False, expect="2"),
        Test("dvdf\n", "a repeat in the middle", expect="3"),
        Test("".join(shuffled) + "\n", "all 94 printable characters once", expect="94"),
        Test("".join(rng.choice("abcdefgh") for _ in range(60)) + "\n", "short string over a small alphabet"),
        Test("".join(rng.choice(PRINTABLE) for _ in range(15000)) + "\n", "long string of printable characters"),
        Test("ab" * 7000 + "\n", "two characters alternating", expect="2"),
        Test("".join(shuffled[:40]) * 3 + "x" + "\n", "the same block repeated"),
    ]


LONGEST_SUBSTRING = Problem(
    slug="longest-substring-without-repeating-characters",
    title="Longest Substring Without Repeating Characters",
    difficulty="medium",
    tags=["strings", "sliding-window", "hash-map"],
    signature="s:str",
    returns="int",
    description="""
Given a string `s`, find the length of the longest *contiguous* piece of it in which no character occurs twice.

Checking every substring is far too slow for long inputs. Keep a window `[left, right]` with no repeats, extend it to
the right one character at a time, and when the new character already occurs inside the window, move `left` just past
its previous occurrence.

### Input format
One line containing `s`.

### Output format
Print the length of the longest substring of `s` without repeated characters.
""",
    constraints="""
- `1 <= s.length <= 1.5·10^4`
- `s` consists of printable ASCII characters other than the space (codes 33 to 126).
""",
    examples=[
        Example("abcabcbb\n", "3", "`abc` is the longest run without a repeat."),
        Example("bbbbb\n", "1"),
        Example("pwwkew\n", "3", "`wke` works; `pwke` is not contiguous, so it does not count."),
    ],
    tests=longest_tests,
    brute=longest_brute,
    brute_max_chars=200,
)


# ------------------------------------------------------------------------------------------------------------ three-sum

def three_sum_brute(text: str) -> str:
    t = ints(text)
    nums = t[1:1 + t[0]]
    found = sorted({tuple(sorted(c)) for c in combinations(nums, 3) if sum(c) == 0})
    return "\n".join([str(len(found))] + [line(c) for c in found])


def three_sum_tests(rng: random.Random) -> list[Test]:
    return [
        Test("3\n1 2 -2\n", "three values that do not sum to zero", expect="0"),
        Test("5\n0 0 0 0 0\n", "many zeros give one triplet", expect="1\n0 0 0"),
        Test("6\n-2 0 1 1 2 2\n", "duplicates must not repeat a triplet", hidden=False, expect="2\n-2 0 2\n-2 1 1"),
        Test("4\n-100000 50000 50000 1\n", "extreme values", expect="1\n-100000 50000 50000"),
        Test(arr(rng.randint(-10, 10) for _ in range(25)), "small random array with many repeats"),
        Test(arr(rng.randint(-1000, 1000) for _ in range(150)), "150 random values"),
        Test(arr([rng.randint(1, 100000) for _ in range(1470)] + [rng.randint(-100000, -1) for _ in range(30)]),
             "fifteen hundred values, only thirty of them negative"),
        Test(arr(rng.randint(1, 100) for _ in range(1000)), "only positive values", expect="0"),
    ]


THREE_SUM = Problem(
    slug="three-sum",
    title="Three Sum",
    difficulty="medium",
    tags=["arrays", "two-pointers", "sorting"],
    signature="n:#int nums:int[n]",
    returns="int[][]",
    description="""
Find every *distinct* triple of values `a ≤ b ≤ c` such that `a + b + c = 0`, where `a`, `b` and `c` are taken from
three different positions of the array `nums`. Two triples are the same when they consist of the same three values,
so each set of values is reported only once.

Sort the array first. For each choice of the smallest value, the other two can be found with two pointers that walk
towards each other, skipping over equal neighbours to avoid duplicates.

### Input format
- Line 1: `n`, the length of the array.
- Line 2: `n` space-separated integers.

### Output format
First print `k`, the number of distinct triples. Then print the `k` triples, one per line, each as `a b c` in
non-decreasing order. List the triples in lexicographic order (compare `a` first, then `b`, then `c`).
""",
    constraints="""
- `3 <= n <= 1500`
- `-10^5 <= nums[i] <= 10^5`
""",
    examples=[
        Example("6\n-1 0 1 2 -1 -4\n", "2\n-1 -1 2\n-1 0 1",
                "`-1 + -1 + 2 = 0` and `-1 + 0 + 1 = 0`; the second `-1` does not create a new triple."),
        Example("3\n0 1 1\n", "0", "No triple sums to zero."),
        Example("3\n0 0 0\n", "1\n0 0 0"),
    ],
    tests=three_sum_tests,
    brute=three_sum_brute,
    brute_max_chars=150,
)


# ------------------------------------------------------------------------------------------------ top-k-frequent-elements

def top_k_brute(text: str) -> str:
    t = ints(text)
    n = t[0]
    nums, k = t[1:1 + n], t[1 + n]
    distinct = sorted(set(nums), key=lambda v: (-nums.count(v), v))
    return line(distinct[:k])


def top_k_case(rng: random.Random, n: int, lo: int, hi: int, k: int | None = None) -> str:
    nums = [rng.randint(lo, hi) for _ in range(n)]
    distinct = len(set(nums))
    return arr(nums) + f"{k if k is not None else rng.randint(1, distinct)}\n"


def top_k_tests(rng: random.Random) -> list[Test]:
    return [
        Test("1\n-3\n1\n", "a single element", expect="-3"),
        Test("4\n5 6 7 8\n2\n", "all counts tie, so the smallest values win", hidden=False, expect="5 6"),
        Test("7\n9 9 9 -2 -2 3 3\n3\n", "k equals the number of distinct values", expect="9 -2 3"),
        Test(top_k_case(rng, 30, -5, 5), "small array with heavy repetition"),
        Test(top_k_case(rng, 2000, -50, 50, 10), "two thousand values, top ten"),
        Test(top_k_case(rng, 2500, -10000, 10000, 5), "mostly distinct values"),
        Test(arr([4] * 500 + [-4] * 499 + list(range(100))) + "2\n", "two dominant values", expect="4 -4"),
    ]


TOP_K_FREQUENT = Problem(
    slug="top-k-frequent-elements",
    title="Top K Frequent Elements",
    difficulty="medium",
    tags=["hash-map", "heap", "sorting"],
    signature="n:#int nums:int[n] k:int",
    returns="int[]",
    description="""
Return the `k` values that occur most often in `nums`.

Order the answer by how often each value occurs, most frequent first. When two values occur equally often, the smaller
value comes first. (That order also decides which values make the cut when several are tied at the boundary.)

Count the occurrences with a hash map, then pick the best `k` with a heap of size `k` or by sorting the distinct
values.

### Input format
- Line 1: `n`, the length of the array.
- Line 2: `n` space-separated integers.
- Line 3: the integer `k`.

### Output format
Print the `k` chosen values on one line, separated by spaces, in the order described above.
""",
    constraints="""
- `1 <= n <= 10^5`
- `-10^4 <= nums[i] <= 10^4`
- `1 <= k <=` the number of distinct values in `nums`
""",
    examples=[
        Example("6\n1 1 1 2 2 3\n2\n", "1 2", "`1` occurs three times and `2` twice."),
        Example("5\n4 4 -1 -1 7\n2\n", "-1 4", "`4` and `-1` both occur twice; the smaller one is listed first."),
    ],
    tests=top_k_tests,
    brute=top_k_brute,
    brute_max_chars=20_000,
)


# --------------------------------------------------------------------------------------------------- number-of-islands

def islands_brute(text: str) -> str:
    """Union-find over land cells (the reference solution floods with a BFS)."""
    t = text.split()
    m, n = int(t[0]), int(t[1])
    rows = t[2:2 + m]
    parent = list(range(m * n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in range(m):
        for c in range(n):
            if rows[r][c] != "1":
                continue
            if r + 1 < m and rows[r + 1][c] == "1":
                parent[find(r * n + c)] = find((r + 1) * n + c)
            if c + 1 < n and rows[r][c + 1] == "1":
                parent[find(r * n + c)] = find(r * n + c + 1)
    return str(len({find(r * n + c) for r in range(m) for c in range(n) if rows[r][c] == "1"}))


def random_grid(rng: random.Random, m: int, n: int, land: float) -> list[str]:
    return ["".join("1" if rng.random() < land else "0" for _ in range(n)) for _ in range(m)]


def spiral_land(m: int, n: int) -> list[str]:
    """A single island shaped like a winding corridor, to defeat naive recursion depth limits."""
    g = [["0"] * n for _ in range(m)]
    for r in range(0, m, 2):
        for c in range(n):
            g[r][c] = "1"
        if r + 1 < m:
            g[r + 1][n - 1 if (r // 2) % 2 == 0 else 0] = "1"
    return ["".join(row) for row in g]


def islands_tests(rng: random.Random) -> list[Test]:
    return [
        Test("1 1\n0\n", "one water cell", expect="0"),
        Test("1 1\n1\n", "one land cell", hidden=False, expect="1"),
        Test(grid_rows(["10101", "01010", "10101"]), "diagonal neighbours do not connect", expect="8"),
        Test(grid_rows(["1" * 60] * 40), "all land", expect="1"),
        Test(grid_rows(random_grid(rng, 8, 12, 0.5)), "small random map"),
        Test(grid_rows(random_grid(rng, 100, 100, 0.45)), "100 by 100 random map"),
        Test(grid_rows(spiral_land(99, 100)), "one long winding island", expect="1"),
        Test(grid_rows(["0" * 100] * 100), "all water", expect="0"),
    ]


NUMBER_OF_ISLANDS = Problem(
    slug="number-of-islands",
    title="Number of Islands",
    difficulty="medium",
    tags=["graphs", "bfs", "dfs", "matrix"],
    signature="m:#int n:#int grid:str[m]",
    returns="int",
    description="""
A map is an `m × n` grid where `1` marks land and `0` marks water. Land cells that touch horizontally or vertically
belong to the same island; diagonal contact does not count. Everything outside the grid is water. Count the islands.

Scan the grid; every time you meet land you have not visited yet, you have found a new island, so flood it with a BFS
or DFS and mark all its cells as visited. (On large maps a recursive flood fill can run out of stack; an explicit
queue or stack avoids that.)

### Input format
- Line 1: `m` and `n`, the number of rows and columns.
- The next `m` lines: one row each, written as a string of `n` characters, each `0` or `1`.

### Output format
Print the number of islands.
""",
    constraints="""
- `1 <= m, n <= 100`
- Every row consists of exactly `n` characters, each `0` or `1`.
""",
    examples=[
        Example("4 5\n11110\n11010\n11000\n00000\n", "1", "All the land is connected."),
        Example("4 5\n11000\n11000\n00100\n00011\n", "3"),
    ],
    tests=islands_tests,
    brute=islands_brute,
    brute_max_chars=20_000,
)


# ------------------------------------------------------------------------------------------------------ course-schedule

def course_brute(text: str) -> str:
    """Depth-first search for a cycle (the reference solution uses Kahn's algorithm)."""
    t = ints(text)
    n, m = t[0], t[1]
    adj: list[list[int]] = [[] for _ in range(n)]
    for i in range(m):
        a, b = t[2 + 2 * i], t[3 + 2 * i]
        adj[b].append(a)
    state = [0] * n  # 0 new, 1 on the current path, 2 done
    for start in range(n):
        if state[start]:
            continue
        stack = [(start, 0)]
        state[start] = 1
        while stack:
            node, idx = stack[-1]
            if idx < len(adj[node]):
                stack[-1] = (node, idx + 1)
                nxt = adj[node][idx]
                if state[nxt] == 1:
                    return "false"
                if state[nxt] == 0:
                    state[nxt] = 1
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                stack.pop()
    return "true"


def course_input(n: int, edges: list[tuple[int, int]]) -> str:
    return f"{n} {len(edges)}\n" + "".join(f"{a} {b}\n" for a, b in edges)


def dag_edges(rng: random.Random, n: int, m: int) -> list[tuple[int, int]]:
    order = list(range(n))
    rng.shuffle(order)
    edges = set()
    while len(edges) < m:
        i, j = sorted(rng.sample(range(n), 2))
        edges.add((order[j], order[i]))  # order[i] must come before order[j]
    out = list(edges)
    rng.shuffle(out)
    return out


def course_tests(rng: random.Random) -> list[Test]:
    chain = [(i + 1, i) for i in range(1499)]
    cyc = dag_edges(rng, 500, 1200)
    # Close a long cycle: follow a path in a chain and point its start back at its end.
    loop = [(i + 1, i) for i in range(299)] + [(0, 299)]
    rng.shuffle(loop)
    return [
        Test("1 0\n", "a single course without prerequisites", expect="true"),
        Test("3 1\n2 2\n", "a course that requires itself", hidden=False, expect="false"),
        Test("4 3\n1 0\n2 1\n3 2\n", "a simple chain", expect="true"),
        Test("5 4\n1 0\n2 1\n3 2\n1 3\n", "a cycle that does not include course 0", expect="false"),
        Test(course_input(1500, chain), "a chain of fifteen hundred courses", expect="true"),
        Test(course_input(500, cyc), "a large random acyclic plan", expect="true"),
        Test(course_input(500, cyc + [(cyc[0][1], cyc[0][0])]), "the same plan with one edge reversed back",
             expect="false"),
        Test(course_input(300, loop), "a single cycle through three hundred courses", expect="false"),
        Test(course_input(50, dag_edges(rng, 50, 120)), "a medium random acyclic plan"),
    ]


COURSE_SCHEDULE = Problem(
    slug="course-schedule",
    title="Course Schedule",
    difficulty="medium",
    tags=["graphs", "bfs", "dfs"],
    signature="num_courses:int m:#int prerequisites:int[m][2]",
    returns="bool",
    description="""
There are `numCourses` courses, numbered `0` to `numCourses - 1`. Each prerequisite is a pair `a b`, meaning course
`b` has to be completed before course `a` can be taken. Decide whether it is possible to complete every course.

Think of the courses as a directed graph with an edge `b → a` per pair. All courses can be finished exactly when the
graph has no cycle. Kahn's algorithm (repeatedly take a course with no unfinished prerequisites, using a queue) or a
depth-first search that looks for a back edge both work.

### Input format
- Line 1: `numCourses` and `m`, the number of prerequisite pairs.
- The next `m` lines: two integers `a b` each, meaning `b` must come before `a`.

### Output format
Print `true` if all courses can be completed and `false` otherwise.
""",
    constraints="""
- `1 <= numCourses <= 2000`
- `0 <= m <= 5000`
- `0 <= a, b < numCourses`
- A pair may have `a = b`, and the same pair may be listed more than once.
""",
    examples=[
        Example("2 1\n1 0\n", "true", "Take course 0, then course 1."),
        Example("2 2\n1 0\n0 1\n", "false", "Each course waits for the other."),
    ],
    tests=course_tests,
    brute=course_brute,
    brute_max_chars=20_000,
)


# ------------------------------------------------------------------------------------------------------ merge-intervals

def intervals_input(pairs: list[tuple[int, int]]) -> str:
    return f"{len(pairs)}\n" + "".join(f"{a} {b}\n" for a, b in pairs)


def merge_brute(text: str) -> str:
    """Paints covered points on a doubled axis, then reads the painted runs back."""
    t = ints(text)
    n = t[0]
    pairs = [(t[1 + 2 * i], t[2 + 2 * i]) for i in range(n)]
    hi = max(b for _, b in pairs)
    painted = [False] * (2 * hi + 2)
    for a, b in pairs:
        for x in range(2 * a, 2 * b + 1):
            painted[x] = True
    runs = []
    x = 0
    while x < len(painted):
        if painted[x]:
            y = x
            while y + 1 < len(painted) and painted[y + 1]:
                y += 1
            runs.append((x // 2, y // 2))
            x = y + 1
        else:
            x += 1
    return "\n".join([str(len(runs))] + [f"{a} {b}" for a, b in runs])


def random_intervals(rng: random.Random, n: int, hi: int, max_len: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(n):
        a = rng.randint(0, hi)
        out.append((a, min(hi, a + rng.randint(0, max_len))))
    return out


def merge_tests(rng: random.Random) -> list[Test]:
    return [
        Test("1\n5 5\n", "a single point interval", expect="1\n5 5"),
        Test("3\n1 2\n3 4\n5 6\n", "nothing overlaps or touches", hidden=False, expect="3\n1 2\n3 4\n5 6"),
        Test("4\n8 9\n1 10\n2 3\n4 4\n", "one interval swallows the rest, given out of order", expect="1\n1 10"),
        Test("3\n0 0\n0 0\n0 0\n", "identical intervals", expect="1\n0 0"),
        Test(intervals_input(random_intervals(rng, 15, 60, 6)), "small random intervals"),
        Test(intervals_input(random_intervals(rng, 1500, 100000, 40)), "many short intervals over a wide range"),
        Test(intervals_input(random_intervals(rng, 1500, 3000, 10)), "many intervals over a narrow range"),
    ]


MERGE_INTERVALS = Problem(
    slug="merge-intervals",
    title="Merge Intervals",
    difficulty="medium",
    tags=["intervals", "sorting", "arrays"],
    signature="n:#int intervals:int[n][2]",
    returns="int[][]",
    description="""
You are given a collection of closed intervals `[start, end]`. Merge every group of intervals that overlap into a
single interval and return the result. Intervals that only touch, such as `[1, 4]` and `[4, 5]`, also overlap
(they share the point 4).

After sorting the intervals by their start, a single pass suffices: either the next interval begins inside the current
merged interval and extends it, or it begins a new one.

### Input format
- Line 1: `n`, the number of intervals.
- The next `n` lines: two integers `start end` each.

### Output format
First print the number of merged intervals. Then print each merged interval as `start end` on its own line, in
increasing order of `start`.
""",
    constraints="""
- `1 <= n <= 10^4`
- `0 <= start <= end <= 10^5`
""",
    examples=[
        Example("4\n1 3\n2 6\n8 10\n15 18\n", "3\n1 6\n8 10\n15 18", "`[1, 3]` and `[2, 6]` overlap."),
        Example("2\n1 4\n4 5\n", "1\n1 5", "The two intervals share the point 4."),
    ],
    tests=merge_tests,
    brute=merge_brute,
    brute_max_chars=20_000,
)


# ---------------------------------------------------------------------------------------------------------- coin-change

def coin_brute(text: str) -> str:
    """Breadth-first search over the amounts reachable with 1, 2, 3, ... coins."""
    t = ints(text)
    n = t[0]
    coins, amount = t[1:1 + n], t[1 + n]
    if amount == 0:
        return "0"
    seen = {0}
    frontier = [0]
    steps = 0
    while frontier:
        steps += 1
        nxt = []
        for v in frontier:
            for c in coins:
                w = v + c
                if w == amount:
                    return str(steps)
                if w < amount and w not in seen:
                    seen.add(w)
                    nxt.append(w)
        frontier = nxt
    return "-1"


def coin_tests(rng: random.Random) -> list[Test]:
    return [
        Test("1\n7\n0\n", "amount zero needs no coins", expect="0"),
        Test("2\n5 10\n3\n", "every coin is too large", hidden=False, expect="-1"),
        Test("3\n1 3 4\n6\n", "greedy would pick 4+1+1, the best is 3+3", expect="2"),
        Test("2\n186 419\n3955\n", "two large coins: ten of one and five of the other", expect="15"),
        Test("3\n2 4 6\n9999\n", "even coins cannot make an odd amount", expect="-1"),
        Test(arr(rng.sample(range(1, 60), 6)) + f"{rng.randint(100, 500)}\n", "six random coins"),
        Test(arr(rng.sample(range(50, 1000), 12)) + "10000\n", "twelve random coins, largest amount"),
        Test("1\n1\n10000\n", "only the unit coin", expect="10000"),
    ]


COIN_CHANGE = Problem(
    slug="coin-change",
    title="Coin Change",
    difficulty="medium",
    tags=["dynamic-programming"],
    signature="n:#int coins:int[n] amount:int",
    returns="int",
    description="""
You have an unlimited supply of coins of each of the given denominations. What is the smallest number of coins whose
values add up to exactly `amount`? If no combination of coins makes that amount, the answer is `-1`.

Always taking the largest coin that fits does not work in general. Instead, let `best[x]` be the fewest coins that
make `x`; then `best[x] = 1 + min(best[x - c])` over all coins `c ≤ x`.

### Input format
- Line 1: `n`, the number of denominations.
- Line 2: `n` distinct positive integers, the coin values.
- Line 3: the target `amount`.

### Output format
Print the minimum number of coins, or `-1` if the amount cannot be made.
""",
    constraints="""
- `1 <= n <= 12`
- `1 <= coins[i] <= 2^31 - 1`, all distinct
- `0 <= amount <= 10^4`
""",
    examples=[
        Example("3\n1 2 5\n11\n", "3", "`11 = 5 + 5 + 1`."),
        Example("1\n2\n3\n", "-1", "Only even amounts can be made from coins of value 2."),
        Example("1\n1\n0\n", "0"),
    ],
    tests=coin_tests,
    brute=coin_brute,
    brute_max_chars=20_000,
)


# --------------------------------------------------------------------------------------------- search-in-rotated-sorted-array

def rotated_input(values: list[int], shift: int, target: int) -> str:
    rot = values[shift:] + values[:shift]
    return arr(rot) + f"{target}\n"


def rotated_brute(text: str) -> str:
    t = ints(text)
    nums, target = t[1:1 + t[0]], t[1 + t[0]]
    return str(nums.index(target)) if target in nums else "-1"


def rotated_tests(rng: random.Random) -> list[Test]:
    big = sorted(rng.sample(range(-10000, 10001), 3000))
    missing = next(v for v in range(big[0], big[-1]) if v not in set(big))
    return [
        Test("1\n3\n3\n", "one element, found", expect="0"),
        Test("2\n3 1\n1\n", "two elements, rotated by one", hidden=False, expect="1"),
        Test("5\n1 2 3 4 5\n4\n", "not rotated at all", expect="3"),
        Test("6\n6 7 1 2 4 5\n6\n", "target is the first element", expect="0"),
        Test("6\n6 7 1 2 4 5\n3\n", "target missing between two values", expect="-1"),
        Test(rotated_input(big, 1777, big[5]), "large array, target in the right part"),
        Test(rotated_input(big, 1777, big[2500]), "large array, target in the left part"),
        Test(rotated_input(big, 2999, missing), "large array, target absent", expect="-1"),
    ]


SEARCH_ROTATED = Problem(
    slug="search-in-rotated-sorted-array",
    title="Search in a Rotated Sorted Array",
    difficulty="medium",
    tags=["arrays", "binary-search"],
    signature="n:#int nums:int[n] target:int",
    returns="int",
    description="""
An array of distinct integers was sorted in increasing order and then rotated: some prefix was cut off and moved to
the end, so `[1, 2, 4, 5, 6, 7]` might have become `[5, 6, 7, 1, 2, 4]`. The rotation may also be empty.

Return the index of `target` in the rotated array, or `-1` if it is absent. Your algorithm should take `O(log n)` time.

Whichever way you split the array in the middle, at least one of the two halves is sorted, and comparing `target` with
the ends of that half tells you which half to keep.

### Input format
- Line 1: `n`, the length of the array.
- Line 2: the `n` values of the rotated array.
- Line 3: the integer `target`.

### Output format
Print the 0-based index of `target`, or `-1`.
""",
    constraints="""
- `1 <= n <= 5000`
- `-10^4 <= nums[i], target <= 10^4`
- All values are distinct, and `nums` is an increasing array rotated by some amount.
""",
    examples=[
        Example("7\n4 5 6 7 0 1 2\n0\n", "4"),
        Example("7\n4 5 6 7 0 1 2\n3\n", "-1"),
        Example("1\n1\n0\n", "-1"),
    ],
    tests=rotated_tests,
    brute=rotated_brute,
    brute_max_chars=20_000,
)


# ------------------------------------------------------------------------------------------ binary-tree-level-order-traversal

def levels_brute(text: str) -> str:
    """Groups nodes by depth with a recursive walk (the reference solution uses a queue)."""
    t = text.split()
    root = parse_tree(t[1:1 + int(t[0])])
    levels: list[list[int]] = []

    def walk(node, depth: int) -> None:
        if node is None:
            return
        if depth == len(levels):
            levels.append([])
        levels[depth].append(node.val)
        walk(node.left, depth + 1)
        walk(node.right, depth + 1)

    walk(root, 0)
    return "\n".join([str(len(levels))] + [line(lv) for lv in levels])


def levels_tests(rng: random.Random) -> list[Test]:
    val = lambda: rng.randint(-1000, 1000)  # noqa: E731
    return [
        Test("1\n42\n", "a single node", expect="1\n42"),
        Test("5\n1 2 null 3 null\n", "a left-leaning path", hidden=False, expect="3\n1\n2\n3"),
        Test("7\n-1 -2 -3 -4 -5 -6 -7\n", "a perfect tree with negative values", expect="3\n-1\n-2 -3\n-4 -5 -6 -7"),
        Test(tree_input(serialize_tree(random_tree(rng, 15, val))), "small random tree"),
        Test(tree_input(serialize_tree(random_tree(rng, 1200, val))), "large random tree"),
        Test(tree_input(serialize_tree(chain_tree([val() for _ in range(800)], "right"))), "a deep right path"),
        Test(tree_input(complete_tree([val() for _ in range(1500)])), "a complete tree with a partial last level"),
    ]


LEVEL_ORDER = Problem(
    slug="binary-tree-level-order-traversal",
    title="Binary Tree Level Order Traversal",
    difficulty="medium",
    tags=["trees", "bfs", "queue"],
    signature="n:#int root:tree[n]",
    returns="int[][]",
    description=f"""
Return the values of a binary tree level by level: first the root, then all nodes one edge below it, and so on. Within
a level, list the values from left to right.

A queue does the work: process one level at a time by remembering how many nodes the queue holds when the level
starts.

{TREE_FORMAT}

### Input format
- Line 1: `n`, the number of level-order tokens (0 for an empty tree).
- Line 2: `n` space-separated tokens, each an integer or `null`.

### Output format
First print the number of levels. Then print one line per level, top to bottom, with that level's values from left
to right separated by spaces. An empty tree has 0 levels, so just `0` is printed.
""",
    constraints="""
- The tree has between `0` and `2000` nodes.
- `-1000 <= node value <= 1000`
""",
    examples=[
        Example("7\n3 9 20 null null 15 7\n", "3\n3\n9 20\n15 7"),
        Example("0\n\n", "0", "An empty tree has no levels."),
    ],
    tests=levels_tests,
    brute=levels_brute,
    brute_max_chars=20_000,
)


# ------------------------------------------------------------------------------------------- validate-binary-search-tree

def bst_from_sorted(vals: list[int]) -> list[str]:
    """Level-order tokens of a balanced BST holding the sorted values."""
    from bank import Node

    def build(lo: int, hi: int):
        if lo > hi:
            return None
        mid = (lo + hi) // 2
        node = Node(vals[mid])
        node.left = build(lo, mid - 1)
        node.right = build(mid + 1, hi)
        return node

    return serialize_tree(build(0, len(vals) - 1))


def bst_brute(text: str) -> str:
    """In-order traversal must be strictly increasing (the reference solution passes bounds down the tree)."""
    t = text.split()
    root = parse_tree(t[1:1 + int(t[0])])
    out: list[int] = []

    def walk(node) -> None:
        if node is None:
            return
        walk(node.left)
        out.append(node.val)
        walk(node.right)

    walk(root)
    return "true" if all(a < b for a, b in zip(out, out[1:])) else "false"


def bst_tests(rng: random.Random) -> list[Test]:
    vals = sorted(rng.sample(range(-2**31, 2**31), 1500))
    good = bst_from_sorted(vals)
    # Swap two values that sit far apart in the tree: every local parent/child check may still pass.
    deep_bad = bst_from_sorted(vals[:700] + [vals[701], vals[700]] + vals[702:])
    return [
        Test("1\n0\n", "a single node", expect="true"),
        Test("2\n1 1\n", "equal values are not allowed", hidden=False, expect="false"),
        Test("7\n10 5 15 null null 6 20\n", "a right-subtree value smaller than the root", expect="false"),
        Test("3\n-2147483648 null 2147483647\n", "the extreme 32-bit values", expect="true"),
        Test("3\n2147483647 2147483647 null\n", "a duplicate at the top of the range", expect="false"),
        Test(tree_input(good), "a balanced tree of 1500 nodes", expect="true"),
        Test(tree_input(deep_bad), "two neighbouring values swapped deep inside", expect="false"),
        Test(tree_input(serialize_tree(chain_tree(list(range(600, 0, -1)), "left"))), "a descending left path",
             expect="true"),
    ]


VALIDATE_BST = Problem(
    slug="validate-binary-search-tree",
    title="Validate a Binary Search Tree",
    difficulty="medium",
    tags=["trees", "dfs"],
    signature="n:#int root:tree[n]",
    returns="bool",
    description=f"""
Decide whether a binary tree is a valid binary search tree. In a valid one, for every node:

- all values in its left subtree are **strictly smaller** than the node's value,
- all values in its right subtree are **strictly greater**, and
- both subtrees are valid binary search trees themselves.

Comparing each node with its two children is not enough; the constraint applies to whole subtrees. Either pass an
allowed `(low, high)` range down the tree, or check that an in-order traversal is strictly increasing.

{TREE_FORMAT}

### Input format
- Line 1: `n`, the number of level-order tokens.
- Line 2: `n` space-separated tokens, each an integer or `null`.

### Output format
Print `true` if the tree is a valid binary search tree, otherwise `false`.
""",
    constraints="""
- The tree has between `1` and `10^4` nodes.
- `-2^31 <= node value <= 2^31 - 1`
""",
    examples=[
        Example("3\n2 1 3\n", "true"),
        Example("7\n5 1 4 null null 3 6\n", "false", "`4` is in the right subtree of `5` but is smaller than 5."),
    ],
    tests=bst_tests,
    brute=bst_brute,
    brute_max_chars=20_000,
)


# ------------------------------------------------------------------------------------------------------ combination-sum

def combo_brute(text: str) -> str:
    t = ints(text)
    n = t[0]
    cands, target = sorted(t[1:1 + n]), t[1 + n]
    found = []
    for size in range(1, target // min(cands) + 1):
        for c in combinations_with_replacement(cands, size):
            if sum(c) == target:
                found.append(c)
    found.sort()
    return "\n".join([str(len(found))] + [line(c) for c in found])


def combo_tests(rng: random.Random) -> list[Test]:
    return [
        Test("1\n3\n2\n", "target below the only candidate", expect="0"),
        Test("1\n1\n1\n", "one candidate equal to the target", hidden=False, expect="1\n1"),
        Test("3\n7 3 2\n7\n", "candidates given out of order", expect="2\n2 2 3\n7"),
        Test("2\n1 2\n5\n", "two small candidates", expect="3\n1 1 1 1 1\n1 1 1 2\n1 2 2"),
        Test(arr(rng.sample(range(2, 15), 5)) + "20\n", "five random candidates"),
        Test(arr(rng.sample(range(5, 41), 8)) + "40\n", "larger candidates, largest target"),
        Test("5\n2 3 5 7 11\n30\n", "many combinations of small primes"),
        Test("3\n12 18 30\n40\n", "no combination reaches the target", expect="0"),
    ]


COMBINATION_SUM = Problem(
    slug="combination-sum",
    title="Combination Sum",
    difficulty="medium",
    tags=["backtracking", "arrays"],
    signature="n:#int candidates:int[n] target:int",
    returns="int[][]",
    description="""
Given a set of distinct positive integers `candidates` and a positive `target`, list every combination of candidates
that adds up to `target`. A candidate may be used any number of times. Two combinations are the same if they use each
candidate the same number of times, so order inside a combination does not matter.

Backtrack over the candidates in increasing order: at each step either use the current candidate once more or move on
to the next one, and stop a branch as soon as the running sum exceeds the target.

### Input format
- Line 1: `n`, the number of candidates.
- Line 2: the `n` distinct candidates.
- Line 3: the integer `target`.

### Output format
First print the number of combinations. Then print each combination on its own line with its values in
non-decreasing order, separated by spaces. List the combinations in lexicographic order (compare the first values,
then the second, and so on; a combination that is a prefix of another comes first).
""",
    constraints="""
- `1 <= n <= 30`
- `1 <= candidates[i] <= 40`, all distinct
- `1 <= target <= 40`
- There are at most 1000 combinations.
""",
    examples=[
        Example("4\n2 3 6 7\n7\n", "2\n2 2 3\n7", "`2 + 2 + 3 = 7` and `7 = 7`."),
        Example("3\n2 3 5\n8\n", "3\n2 2 2 2\n2 3 3\n3 5"),
        Example("1\n2\n1\n", "0", "Nothing can reach 1."),
    ],
    tests=combo_tests,
    brute=combo_brute,
    brute_max_chars=20_000,
)


# --------------------------------------------------------------------------------------------------- daily-temperatures

def temps_brute(text: str) -> str:
    t = ints(text)
    temps = t[1:1 + t[0]]
    out = []
    for i, v in enumerate(temps):
        out.append(next((j - i for j in range(i + 1, len(temps)) if temps[j] > v), 0))
    return line(out)


def temps_tests(rng: random.Random) -> list[Test]:
    return [
        Test("1\n50\n", "a single day", expect="0"),
        Test("5\n40 40 40 40 40\n", "equal temperatures are not warmer", hidden=False, expect="0 0 0 0 0"),
        Test("5\n80 60 50 40 90\n", "one warm day ends a long wait", expect="4 3 2 1 0"),
        Test(arr(rng.randint(30, 100) for _ in range(40)), "forty random days"),
        Test(arr(rng.randint(30, 100) for _ in range(5000)), "five thousand random days"),
        Test(arr(list(range(100, 30, -1)) * 40), "falling saw-tooth"),
        Test(arr(range(30, 101)), "strictly rising", expect=line([1] * 70 + [0])),
    ]


DAILY_TEMPERATURES = Problem(
    slug="daily-temperatures",
    title="Daily Temperatures",
    difficulty="medium",
    tags=["stack", "arrays"],
    signature="n:#int temperatures:int[n]",
    returns="int[]",
    description="""
`temperatures[i]` is the temperature on day `i`. For every day, work out how many days you have to wait until a
**strictly warmer** day. If no warmer day follows, the answer for that day is `0`.

Keep a stack of days that are still waiting for a warmer day; their temperatures are non-increasing from bottom to
top. Each new day resolves the waiting days that are colder than it.

### Input format
- Line 1: `n`, the number of days.
- Line 2: `n` space-separated integers, the temperatures.

### Output format
Print `n` integers on one line separated by spaces: the waiting time for each day in order.
""",
    constraints="""
- `1 <= n <= 10^5`
- `30 <= temperatures[i] <= 100`
""",
    examples=[
        Example("8\n73 74 75 71 69 72 76 73\n", "1 1 4 2 1 1 0 0",
                "Day 2 (75) waits until day 6 (76), four days later."),
        Example("4\n30 40 50 60\n", "1 1 1 0"),
        Example("3\n30 60 90\n", "1 1 0"),
    ],
    tests=temps_tests,
    brute=temps_brute,
    brute_max_chars=2_000,
)


# ------------------------------------------------------------------------------------------------------- spiral-matrix

def spiral_brute(text: str) -> str:
    """Takes the top row, then rotates what is left a quarter turn counter-clockwise, until nothing is left."""
    t = ints(text)
    m, n = t[0], t[1]
    rows = [t[2 + r * n:2 + (r + 1) * n] for r in range(m)]
    out: list[int] = []
    while rows:
        out += rows[0]
        rest = rows[1:]
        rows = [list(col) for col in zip(*rest)][::-1] if rest else []
    return line(out)


def spiral_tests(rng: random.Random) -> list[Test]:
    def rand(m: int, n: int) -> list[list[int]]:
        return [[rng.randint(-100, 100) for _ in range(n)] for _ in range(m)]

    return [
        Test("1 1\n7\n", "a single cell", expect="7"),
        Test("1 4\n1 2 3 4\n", "a single row", hidden=False, expect="1 2 3 4"),
        Test("4 1\n1\n2\n3\n4\n", "a single column", expect="1 2 3 4"),
        Test("2 2\n1 2\n3 4\n", "two by two", expect="1 2 4 3"),
        Test(matrix(rand(5, 7)), "five by seven"),
        Test(matrix(rand(7, 2)), "tall and narrow"),
        Test(matrix(rand(40, 40)), "forty by forty"),
        Test(matrix(rand(13, 70)), "wide matrix with an odd number of rows"),
    ]


SPIRAL_MATRIX = Problem(
    slug="spiral-matrix",
    title="Spiral Matrix",
    difficulty="medium",
    tags=["matrix", "arrays"],
    signature="m:#int n:#int matrix:int[m][n]",
    returns="int[]",
    description="""
Read the elements of an `m × n` matrix in clockwise spiral order: along the top row from left to right, down the
right column, back along the bottom row from right to left, up the left column, and then continue the same way with
the smaller matrix that is left inside.

Track four boundaries (top, bottom, left, right) and move each one inwards once its row or column has been read.
Watch out for a single remaining row or column so that it is not read twice.

### Input format
- Line 1: `m` and `n`, the number of rows and columns.
- The next `m` lines: `n` space-separated integers each.

### Output format
Print all `m · n` elements on one line in spiral order, separated by spaces.
""",
    constraints="""
- `1 <= m, n <= 70`
- `-100 <= matrix[i][j] <= 100`
""",
    examples=[
        Example("3 3\n1 2 3\n4 5 6\n7 8 9\n", "1 2 3 6 9 8 7 4 5"),
        Example("3 4\n1 2 3 4\n5 6 7 8\n9 10 11 12\n", "1 2 3 4 8 12 11 10 9 5 6 7"),
    ],
    tests=spiral_tests,
    brute=spiral_brute,
    brute_max_chars=20_000,
)


# ------------------------------------------------------------------------------------------------------ rotting-oranges

def oranges_brute(text: str) -> str:
    """Simulates minute by minute on a copy of the grid."""
    t = ints(text)
    m, n = t[0], t[1]
    g = [t[2 + r * n:2 + (r + 1) * n] for r in range(m)]
    minutes = 0
    while True:
        newly = [(r, c) for r in range(m) for c in range(n) if g[r][c] == 1 and any(
            0 <= r + dr < m and 0 <= c + dc < n and g[r + dr][c + dc] == 2
            for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)))]
        if not newly:
            break
        for r, c in newly:
            g[r][c] = 2
        minutes += 1
    if any(1 in row for row in g):
        return "-1"
    return str(minutes)


def oranges_grid(rng: random.Random, m: int, n: int, weights: tuple[float, float, float]) -> list[list[int]]:
    return [[rng.choices((0, 1, 2), weights)[0] for _ in range(n)] for _ in range(m)]


def snake_oranges(m: int, n: int) -> list[list[int]]:
    """Fresh oranges along a winding path with a single rotten one at its start."""
    g = [[0] * n for _ in range(m)]
    for r in range(0, m, 2):
        for c in range(n):
            g[r][c] = 1
        if r + 1 < m:
            g[r + 1][n - 1 if (r // 2) % 2 == 0 else 0] = 1
    g[0][0] = 2
    return g


def oranges_tests(rng: random.Random) -> list[Test]:
    return [
        Test("1 1\n0\n", "an empty box", expect="0"),
        Test("1 1\n1\n", "a fresh orange with nothing to rot it", hidden=False, expect="-1"),
        Test("2 3\n2 2 2\n2 0 2\n", "everything is already rotten", expect="0"),
        Test("1 5\n2 1 1 1 2\n", "rot spreading from both ends", expect="2"),
        Test(matrix(oranges_grid(rng, 6, 6, (0.2, 0.7, 0.1))), "small random box"),
        Test(matrix(oranges_grid(rng, 60, 60, (0.1, 0.88, 0.02))), "large box, few rotten oranges"),
        Test(matrix(snake_oranges(59, 60)), "a long winding line of fresh oranges"),
        Test(matrix([[1] * 30 for _ in range(30)]), "all fresh, nothing rotten", expect="-1"),
    ]


ROTTING_ORANGES = Problem(
    slug="rotting-oranges",
    title="Rotting Oranges",
    difficulty="medium",
    tags=["matrix", "bfs", "queue", "graphs"],
    signature="m:#int n:#int grid:int[m][n]",
    returns="int",
    description="""
A box is an `m × n` grid. Each cell is `0` (empty), `1` (a fresh orange) or `2` (a rotten orange). Every minute, each
fresh orange that is horizontally or vertically next to a rotten orange becomes rotten.

How many minutes pass until no fresh orange is left? If some fresh orange can never rot, the answer is `-1`. If there
are no fresh oranges to begin with, the answer is `0`.

Run one breadth-first search that starts from **all** rotten oranges at once; the number of BFS rounds is the number
of minutes.

### Input format
- Line 1: `m` and `n`.
- The next `m` lines: `n` space-separated values each, every one `0`, `1` or `2`.

### Output format
Print the number of minutes, or `-1`.
""",
    constraints="""
- `1 <= m, n <= 60`
- `grid[i][j]` is `0`, `1` or `2`.
""",
    examples=[
        Example("3 3\n2 1 1\n1 1 0\n0 1 1\n", "4"),
        Example("3 3\n2 1 1\n0 1 1\n1 0 1\n", "-1", "The orange in the bottom-left corner has no neighbours."),
        Example("1 2\n0 2\n", "0", "There is no fresh orange."),
    ],
    tests=oranges_tests,
    brute=oranges_brute,
    brute_max_chars=20_000,
)


# --------------------------------------------------------------------------------------------------------- count-primes

def primes_brute(text: str) -> str:
    n = int(text.split()[0])
    return str(sum(1 for k in range(2, n) if all(k % d for d in range(2, int(k ** 0.5) + 1))))


def primes_tests(_rng: random.Random) -> list[Test]:
    return [
        Test("2\n", "2 itself is not below 2", expect="0"),
        Test("3\n", "only 2 is below 3", hidden=False, expect="1"),
        Test("100\n", "below one hundred", expect="25"),
        Test("7919\n", "n is itself prime and is not counted", expect="999"),
        Test("1000000\n", "below one million", expect="78498"),
        Test("5000000\n", "the largest n", expect="348513"),
        Test("4\n", "small even n", expect="2"),
    ]


COUNT_PRIMES = Problem(
    slug="count-primes",
    title="Count Primes",
    difficulty="medium",
    tags=["math", "arrays"],
    signature="n:int",
    returns="int",
    description="""
Count the prime numbers that are **strictly less** than `n`. A prime is an integer greater than 1 whose only positive
divisors are 1 and itself.

Testing every number separately is too slow for the largest inputs. The sieve of Eratosthenes marks the multiples of
each prime, starting at its square, and whatever stays unmarked is prime.

### Input format
One line with the integer `n`.

### Output format
Print the number of primes less than `n`.
""",
    constraints="""
- `0 <= n <= 5·10^6`
""",
    examples=[
        Example("10\n", "4", "The primes below 10 are 2, 3, 5 and 7."),
        Example("0\n", "0"),
        Example("1\n", "0"),
    ],
    tests=primes_tests,
    brute=primes_brute,
    brute_max_chars=5,  # trial division is only quick enough for the small inputs
)


# ------------------------------------------------------------------------------------------------------ meeting-rooms-ii

def rooms_brute(text: str) -> str:
    """The largest number of meetings in progress at any start time."""
    t = ints(text)
    n = t[0]
    meetings = [(t[1 + 2 * i], t[2 + 2 * i]) for i in range(n)]
    return str(max(sum(1 for s, e in meetings if s <= at < e) for at, _ in meetings))


def rooms_tests(rng: random.Random) -> list[Test]:
    def rand(n: int, hi: int, longest: int) -> list[tuple[int, int]]:
        out = []
        for _ in range(n):
            start = rng.randint(0, hi - 1)
            out.append((start, min(hi, start + rng.randint(1, longest))))
        return out

    return [
        Test("1\n0 1\n", "a single meeting", expect="1"),
        Test("3\n1 2\n2 3\n3 4\n", "back-to-back meetings share one room", hidden=False, expect="1"),
        Test("4\n5 9\n5 9\n5 9\n5 9\n", "identical meetings", expect="4"),
        Test("4\n1 10\n2 3\n4 5\n6 7\n", "one long meeting around short ones", expect="2"),
        Test(intervals_input(rand(12, 30, 8)), "small random schedule"),
        Test(intervals_input(rand(1200, 1000000, 5000)), "1200 meetings over a long day"),
        Test(intervals_input(rand(1500, 2000, 300)), "1500 meetings crowded into a short day"),
    ]


MEETING_ROOMS_II = Problem(
    slug="meeting-rooms-ii",
    title="Meeting Rooms II",
    difficulty="medium",
    tags=["intervals", "heap", "greedy", "sorting"],
    signature="n:#int meetings:int[n][2]",
    returns="int",
    description="""
Each meeting occupies a room from its `start` time up to, but not including, its `end` time. A meeting that ends at
time `t` and one that starts at time `t` can therefore use the same room. What is the smallest number of rooms that
lets every meeting take place?

Handle the meetings in order of start time and keep a min-heap of the end times of the rooms in use: if the earliest
ending room is free by the time the next meeting starts, reuse it; otherwise open a new room. Equivalently, sort all
start and end times and sweep over them.

### Input format
- Line 1: `n`, the number of meetings.
- The next `n` lines: two integers `start end` each.

### Output format
Print the minimum number of rooms.
""",
    constraints="""
- `1 <= n <= 10^4`
- `0 <= start < end <= 10^6`
""",
    examples=[
        Example("3\n0 30\n5 10\n15 20\n", "2", "The meeting `[0, 30)` overlaps both others, which do not overlap."),
        Example("2\n7 10\n2 4\n", "1"),
    ],
    tests=rooms_tests,
    brute=rooms_brute,
    brute_max_chars=20_000,
)


PROBLEMS = [
    LONGEST_SUBSTRING,
    THREE_SUM,
    TOP_K_FREQUENT,
    NUMBER_OF_ISLANDS,
    COURSE_SCHEDULE,
    MERGE_INTERVALS,
    COIN_CHANGE,
    SEARCH_ROTATED,
    LEVEL_ORDER,
    VALIDATE_BST,
    COMBINATION_SUM,
    DAILY_TEMPERATURES,
    SPIRAL_MATRIX,
    ROTTING_ORANGES,
    COUNT_PRIMES,
    MEETING_ROOMS_II,
]
