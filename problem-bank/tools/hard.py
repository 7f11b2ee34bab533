"""Hard problems."""
from __future__ import annotations

import random
from collections import Counter, deque
from functools import lru_cache
from itertools import permutations, product
from typing import Optional

from bank import (TREE_FORMAT, Example, Problem, Test, arr, chain_tree, line, parse_tree, random_tree,
                  serialize_tree, tree_input)


def ints(text: str) -> list[int]:
    return list(map(int, text.split()))


# -------------------------------------------------------------------------------------------------- trapping-rain-water

def trap_brute(text: str) -> str:
    t = ints(text)
    h = t[1:1 + t[0]]
    return str(sum(max(0, min(max(h[:i + 1]), max(h[i:])) - h[i]) for i in range(len(h))))


def trap_tests(rng: random.Random) -> list[Test]:
    return [
        Test("1\n5\n", "a single bar holds nothing", expect="0"),
        Test("3\n5 0 5\n", "one pit between equal walls", hidden=False, expect="5"),
        Test("5\n5 4 3 2 1\n", "falling bars hold nothing", expect="0"),
        Test("3\n100000 0 100000\n", "the tallest walls", expect="100000"),
        Test("7\n0 2 0 4 0 2 0\n", "water does not spill over the edges", expect="4"),
        Test(arr(rng.randint(0, 20) for _ in range(60)), "sixty random bars"),
        Test(arr(rng.randint(0, 100000) for _ in range(2500)), "2500 random bars"),
        Test(arr([100000] + [0] * 9000 + [100000]), "a basin nine thousand bars wide", expect="900000000"),
        Test(arr(list(range(1000)) + list(range(999, -1, -1))), "a pyramid holds nothing", expect="0"),
    ]


TRAPPING_RAIN_WATER = Problem(
    slug="trapping-rain-water",
    title="Trapping Rain Water",
    difficulty="hard",
    tags=["arrays", "two-pointers", "stack"],
    signature="n:#int height:int[n]",
    returns="long",
    description="""
A row of `n` bars of width 1 stands on flat ground; bar `i` has height `height[i]`. After heavy rain, water collects
in the dips between bars. How many units of water are trapped?

Above bar `i` the water level is the smaller of the tallest bar to its left (including itself) and the tallest bar to
its right (including itself). Prefix and suffix maxima give a linear solution; two pointers moving inwards from both
ends do it with constant extra memory.

The answer can exceed the range of a 32-bit integer.

### Input format
- Line 1: `n`, the number of bars.
- Line 2: `n` space-separated integers, the heights.

### Output format
Print the total amount of trapped water.
""",
    constraints="""
- `1 <= n <= 2·10^4`
- `0 <= height[i] <= 10^5`
""",
    examples=[
        Example("12\n0 1 0 2 1 0 1 3 2 1 2 1\n", "6"),
        Example("6\n4 2 0 3 2 5\n", "9", "Above the four inner bars the water is 2, 4, 1 and 2 units deep."),
    ],
    tests=trap_tests,
    brute=trap_brute,
    brute_max_chars=3_000,
)


# ------------------------------------------------------------------------------------------------ sliding-window-maximum

def window_brute(text: str) -> str:
    t = ints(text)
    n = t[0]
    nums, k = t[1:1 + n], t[1 + n]
    return line(max(nums[i:i + k]) for i in range(n - k + 1))


def window_tests(rng: random.Random) -> list[Test]:
    big = [rng.randint(-10000, 10000) for _ in range(3000)]
    return [
        Test("1\n-5\n1\n", "a single element", expect="-5"),
        Test("5\n1 2 3 4 5\n1\n", "windows of size one copy the array", hidden=False, expect="1 2 3 4 5"),
        Test("5\n9 7 5 3 1\n5\n", "one window covering everything", expect="9"),
        Test("6\n4 4 4 4 4 4\n2\n", "all equal", expect="4 4 4 4 4"),
        Test("5\n5 4 3 2 1\n2\n", "the maximum leaves the window every step", expect="5 4 3 2"),
        Test(arr(rng.randint(-20, 20) for _ in range(40)) + "7\n", "small random array"),
        Test(arr(big) + "50\n", "3000 values, window of 50"),
        Test(arr(big) + "1000\n", "3000 values, window of 1000"),
        Test(arr(range(2500, 0, -1)) + "300\n", "long falling run"),
    ]


SLIDING_WINDOW_MAXIMUM = Problem(
    slug="sliding-window-maximum",
    title="Sliding Window Maximum",
    difficulty="hard",
    tags=["sliding-window", "queue", "heap", "arrays"],
    signature="n:#int nums:int[n] k:int",
    returns="int[]",
    description="""
A window of width `k` slides over the array `nums` from the far left to the far right, one position at a time, so it
takes `n - k + 1` positions. Report the largest value inside the window at every position.

Recomputing each maximum costs `O(n·k)`. A double-ended queue of indices whose values are decreasing from front to
back gives `O(n)`: drop indices that have left the window from the front, and before adding a new index drop every
smaller value from the back. A max-heap with lazy deletion is an `O(n log n)` alternative.

### Input format
- Line 1: `n`, the length of the array.
- Line 2: `n` space-separated integers.
- Line 3: the window width `k`.

### Output format
Print the `n - k + 1` window maxima on one line, separated by spaces.
""",
    constraints="""
- `1 <= k <= n <= 10^5`
- `-10^4 <= nums[i] <= 10^4`
""",
    examples=[
        Example("8\n1 3 -1 -3 5 3 6 7\n3\n", "3 3 5 5 6 7",
                "The windows are `[1 3 -1]`, `[3 -1 -3]`, `[-1 -3 5]`, `[-3 5 3]`, `[5 3 6]` and `[3 6 7]`."),
        Example("1\n1\n1\n", "1"),
    ],
    tests=window_tests,
    brute=window_brute,
    brute_max_chars=20_000,
)


# ------------------------------------------------------------------------------------------------- merge-k-sorted-lists

def k_lists(lists: list[list[int]]) -> str:
    return f"{len(lists)}\n" + "".join(line([len(v)] + sorted(v)) + "\n" for v in lists)


def merge_k_brute(text: str) -> str:
    t = ints(text)
    k = t[0]
    pos = 1
    values: list[int] = []
    for _ in range(k):
        size = t[pos]
        values += t[pos + 1:pos + 1 + size]
        pos += 1 + size
    return f"{len(values)}\n" + line(sorted(values))


def merge_k_tests(rng: random.Random) -> list[Test]:
    def rand(size: int) -> list[int]:
        return [rng.randint(-10000, 10000) for _ in range(size)]

    return [
        Test("1\n0\n", "one empty list", expect="0"),
        Test("3\n0\n0\n0\n", "several empty lists", hidden=False, expect="0"),
        Test("2\n3 1 1 1\n2 1 1\n", "equal values everywhere", expect="5\n1 1 1 1 1"),
        Test("3\n2 -5 10\n0\n1 -7\n", "an empty list among others", expect="3\n-7 -5 10"),
        Test(k_lists([rand(rng.randint(0, 6)) for _ in range(5)]), "five short random lists"),
        Test(k_lists([rand(200) for _ in range(10)]), "ten lists of two hundred"),
        Test(k_lists([rand(3) for _ in range(600)]), "six hundred lists of three"),
        Test(k_lists([rand(2500)]), "one long list"),
    ]


MERGE_K_SORTED_LISTS = Problem(
    slug="merge-k-sorted-lists",
    title="Merge K Sorted Lists",
    difficulty="hard",
    tags=["linked-list", "heap"],
    signature="k:#int lists:lists[k]",
    returns="list",
    description="""
You are given `k` singly linked lists, each sorted in non-decreasing order. Merge all of them into one sorted linked
list and return its head.

Merging the lists one after another costs `O(k·N)` for `N` nodes in total. Keep the current head of every list in a
min-heap instead and repeatedly move the smallest one to the output (`O(N log k)`), or merge the lists in pairs, like
merge sort does.

### Input format
- Line 1: `k`, the number of lists.
- The next `k` lines: one list each, written as its length `len` followed by its `len` values in order (a line with
  just `0` is an empty list).

### Output format
- Line 1: the number of nodes in the merged list.
- Line 2: their values from head to tail, separated by spaces (an empty line for an empty list).

The starter code already prints the list you return in this format.
""",
    constraints="""
- `0 <= k <= 10^4`
- `0 <= len`, with at most `10^4` values in all lists together
- `-10^4 <= value <= 10^4`
- Each list is sorted in non-decreasing order.
""",
    examples=[
        Example("3\n3 1 4 5\n3 1 3 4\n2 2 6\n", "8\n1 1 2 3 4 4 5 6"),
        Example("0\n", "0", "There are no lists, so the result is empty."),
        Example("2\n0\n1 -1\n", "1\n-1"),
    ],
    tests=merge_k_tests,
    brute=merge_k_brute,
    brute_max_chars=20_000,
)


# ----------------------------------------------------------------------------------------------- minimum-window-substring

def window_sub_brute(text: str) -> str:
    s, t = text.split()
    need = Counter(t)
    best: Optional[tuple[int, int]] = None
    for i in range(len(s)):
        have: Counter[str] = Counter()
        for j in range(i, len(s)):
            have[s[j]] += 1
            if all(have[c] >= k for c, k in need.items()):
                if best is None or j - i < best[1] - best[0]:
                    best = (i, j)
                break
    return "-" if best is None else s[best[0]:best[1] + 1]


def window_sub_tests(rng: random.Random) -> list[Test]:
    letters = "abcdefghij"
    s_big = "".join(rng.choice(letters) for _ in range(15000))
    t_big = "".join(rng.choice(letters) for _ in range(10))
    return [
        Test("a\nb\n", "no common letter", expect="-"),
        Test("ab\nb\n", "the window is the last letter", hidden=False, expect="b"),
        Test("xaybxa\nab\n", "two windows of equal length: the leftmost wins", expect="ayb"),
        Test("Aa\na\n", "upper and lower case are different letters", expect="a"),
        Test("aaflslflsldkalskaaa\naaa\n", "repeated letters in t", expect="aaa"),
        Test("".join(rng.choice("abc") for _ in range(40)) + "\ncab\n", "short random string"),
        Test(s_big + "\n" + t_big + "\n", "long random string, ten letters to cover"),
        Test("".join(rng.choice("abcdefghijklmnopqrstuvwxy") for _ in range(12000)) + "\nz\n",
             "long string without the needed letter", expect="-"),
        Test("a" * 5000 + "b" + "a" * 5000 + "\n" + "b" + "a" * 4000 + "\n", "t is thousands of letters long"),
    ]


MINIMUM_WINDOW_SUBSTRING = Problem(
    slug="minimum-window-substring",
    title="Minimum Window Substring",
    difficulty="hard",
    tags=["strings", "sliding-window", "hash-map"],
    signature="s:str t:str",
    returns="str?",
    description="""
Find the shortest contiguous piece of `s` that contains every character of `t`, counting repeats: if `t` has two
`a`s, the piece needs at least two `a`s. Letters are case-sensitive. If several pieces have the minimum length, return
the one that starts furthest to the left. If no piece of `s` qualifies, return the empty string.

Slide a window over `s`: extend the right end until the window covers `t`, then shrink the left end as long as it
still covers `t`, remembering the best window seen. A counter of how many characters are still missing makes each
step `O(1)`.

### Input format
- Line 1: the string `s`.
- Line 2: the string `t`.

### Output format
Print the window. If there is none, print a single `-` (the starter code does this when `solve` returns an empty
string).
""",
    constraints="""
- `1 <= s.length, t.length <= 10^5`
- `s` and `t` consist of English letters (upper and lower case).
""",
    examples=[
        Example("ADOBECODEBANC\nABC\n", "BANC", "`BANC` contains A, B and C and no shorter piece of `s` does."),
        Example("a\na\n", "a"),
        Example("a\naa\n", "-", "`t` needs two `a`s but `s` has only one, so there is no window."),
    ],
    tests=window_sub_tests,
    brute=window_sub_brute,
    brute_max_chars=200,
)


# -------------------------------------------------------------------------------------------------------- edit-distance

def edit_brute(text: str) -> str:
    """Top-down recursion over suffixes (the reference solution fills a table bottom-up over prefixes)."""
    a, b = text.split()

    @lru_cache(maxsize=None)
    def go(i: int, j: int) -> int:
        if i == len(a):
            return len(b) - j
        if j == len(b):
            return len(a) - i
        if a[i] == b[j]:
            return go(i + 1, j + 1)
        return 1 + min(go(i + 1, j), go(i, j + 1), go(i + 1, j + 1))

    return str(go(0, 0))


def edit_tests(rng: random.Random) -> list[Test]:
    def word(size: int, letters: str) -> str:
        return "".join(rng.choice(letters) for _ in range(size))

    return [
        Test("a\na\n", "identical single letters", expect="0"),
        Test("a\nb\n", "one replacement", hidden=False, expect="1"),
        Test("abc\nabcdef\n", "append three letters", expect="3"),
        Test("kitten\nsitting\n", "two replacements and an insertion", expect="3"),
        Test("abcdef\nazced\n", "mixed operations", expect="3"),
        Test(word(12, "ab") + "\n" + word(9, "ab") + "\n", "short words over two letters"),
        Test(word(500, "abc") + "\n" + word(500, "abc") + "\n", "two long words over three letters"),
        Test(word(400, "abcdefghijklmnopqrstuvwxyz") + "\n" + word(300, "abcdefghijklmnopqrstuvwxyz") + "\n",
             "long words over the whole alphabet"),
        Test("a" * 500 + "\n" + "b" * 500 + "\n", "no letter in common", expect="500"),
    ]


EDIT_DISTANCE = Problem(
    slug="edit-distance",
    title="Edit Distance",
    difficulty="hard",
    tags=["dynamic-programming", "strings"],
    signature="word1:str word2:str",
    returns="int",
    description="""
You may change a word with three operations, each costing one step:

- insert a letter anywhere,
- delete a letter,
- replace a letter with another letter.

Return the fewest steps needed to turn `word1` into `word2`.

Let `d[i][j]` be the answer for the first `i` letters of `word1` and the first `j` letters of `word2`. When those last
letters are equal, `d[i][j] = d[i-1][j-1]`; otherwise it is one more than the smallest of `d[i-1][j]` (delete),
`d[i][j-1]` (insert) and `d[i-1][j-1]` (replace).

### Input format
- Line 1: `word1`.
- Line 2: `word2`.

### Output format
Print the minimum number of operations.
""",
    constraints="""
- `1 <= word1.length, word2.length <= 500`
- Both words consist of lowercase English letters.
""",
    examples=[
        Example("horse\nros\n", "3", "Replace `h` with `r` (rorse), delete `r` (rose), delete `e` (ros)."),
        Example("intention\nexecution\n", "5"),
    ],
    tests=edit_tests,
    brute=edit_brute,
    brute_max_chars=20_000,
)


# ---------------------------------------------------------------------------------------------------------- n-queens-ii

def queens_brute(text: str) -> Optional[str]:
    """Tries every permutation of columns; only quick enough for n <= 8."""
    n = int(text.split()[0])
    if n > 8:
        return None
    count = 0
    for cols in permutations(range(n)):
        if len({r + c for r, c in enumerate(cols)}) == n and len({r - c for r, c in enumerate(cols)}) == n:
            count += 1
    return str(count)


def queens_tests(_rng: random.Random) -> list[Test]:
    return [
        Test("2\n", "two queens always attack each other", expect="0"),
        Test("3\n", "three by three has no solution", hidden=False, expect="0"),
        Test("5\n", "five by five", expect="10"),
        Test("6\n", "six by six", expect="4"),
        Test("8\n", "the classic chessboard", expect="92"),
        Test("9\n", "nine by nine", expect="352"),
        Test("10\n", "the largest board", expect="724"),
    ]


N_QUEENS_II = Problem(
    slug="n-queens-ii",
    title="N-Queens: Count the Placements",
    difficulty="hard",
    tags=["backtracking", "bit-manipulation"],
    signature="n:int",
    returns="int",
    description="""
Place `n` queens on an `n × n` chessboard so that no two of them attack each other: no two queens share a row, a
column or a diagonal. In how many different ways can this be done? Placements that are rotations or reflections of
each other count as different.

Place one queen per row, from top to bottom, and backtrack as soon as a row has no safe square. Keeping the attacked
columns and diagonals in sets, or in the bits of three integers, makes the safety check `O(1)`.

### Input format
One line with the integer `n`.

### Output format
Print the number of valid placements.
""",
    constraints="""
- `1 <= n <= 10`
""",
    examples=[
        Example("4\n", "2", "The two placements put the queens in columns `1 3 0 2` and `2 0 3 1`, row by row."),
        Example("1\n", "1"),
    ],
    tests=queens_tests,
    brute=queens_brute,
)


# ---------------------------------------------------------------------------------------- binary-tree-maximum-path-sum

def path_sum_brute(text: str) -> str:
    """Tries every pair of end points (the reference solution makes one post-order pass)."""
    t = text.split()
    root = parse_tree(t[1:1 + int(t[0])])
    nodes = []
    parent = {}
    depth = {}
    stack = [(root, None, 0)]
    while stack:
        node, par, d = stack.pop()
        if node is None:
            continue
        nodes.append(node)
        parent[id(node)] = par
        depth[id(node)] = d
        stack.append((node.left, node, d + 1))
        stack.append((node.right, node, d + 1))
    best = None
    for u in nodes:
        for v in nodes:
            a, b, total = u, v, 0
            while depth[id(a)] > depth[id(b)]:
                total += a.val
                a = parent[id(a)]
            while depth[id(b)] > depth[id(a)]:
                total += b.val
                b = parent[id(b)]
            while a is not b:
                total += a.val + b.val
                a, b = parent[id(a)], parent[id(b)]
            total += a.val
            best = total if best is None else max(best, total)
    return str(best)


def path_sum_tests(rng: random.Random) -> list[Test]:
    val = lambda: rng.randint(-1000, 1000)  # noqa: E731
    return [
        Test("1\n-3\n", "a single negative node", expect="-3"),
        Test("3\n-2 -1 -3\n", "all negative: the best path is one node", hidden=False, expect="-1"),
        Test("5\n2 -1 -2 null 3\n", "the path passes through a negative node", expect="4"),
        Test("7\n5 4 8 11 null 13 4\n", "the best path runs from leaf to leaf through the root", expect="41"),
        Test(tree_input(serialize_tree(random_tree(rng, 25, val))), "small random tree"),
        Test(tree_input(serialize_tree(random_tree(rng, 40, lambda: rng.randint(-1000, 300)))),
             "small tree with mostly negative values"),
        Test(tree_input(serialize_tree(random_tree(rng, 1800, val))), "large random tree"),
        Test(tree_input(serialize_tree(chain_tree([1000] * 1500, "left"))), "a long path of maximal values",
             expect="1500000"),
        Test(tree_input(serialize_tree(random_tree(rng, 1500, lambda: -1000))), "every value is -1000",
             expect="-1000"),
    ]


BINARY_TREE_MAXIMUM_PATH_SUM = Problem(
    slug="binary-tree-maximum-path-sum",
    title="Binary Tree Maximum Path Sum",
    difficulty="hard",
    tags=["trees", "dfs", "dynamic-programming"],
    signature="n:#int root:tree[n]",
    returns="int",
    description=f"""
A *path* in a binary tree is a sequence of nodes where each consecutive pair is joined by an edge, and no node appears
twice. A path has at least one node and does not need to pass through the root. Its *sum* is the sum of its node
values. Return the largest sum of any path in the tree.

Compute, for every node, the best sum of a downward path that starts at it (it may stop at the node itself). The best
path that turns at a node combines the node's value with the positive parts of its two children's downward sums.

{TREE_FORMAT}

### Input format
- Line 1: `n`, the number of level-order tokens.
- Line 2: `n` space-separated tokens, each an integer or `null`.

### Output format
Print the maximum path sum.
""",
    constraints="""
- The tree has between `1` and `10^4` nodes.
- `-1000 <= node value <= 1000`
""",
    examples=[
        Example("3\n1 2 3\n", "6", "The path `2 → 1 → 3` sums to 6."),
        Example("7\n-10 9 20 null null 15 7\n", "42", "The path `15 → 20 → 7` sums to 42."),
    ],
    tests=path_sum_tests,
    brute=path_sum_brute,
    brute_max_chars=400,
)


# ---------------------------------------------------------------------------------------------------------- word-ladder

def ladder_input(begin: str, end: str, words: list[str]) -> str:
    return f"{begin}\n{end}\n{len(words)}\n{line(words)}\n"


def ladder_brute(text: str) -> str:
    """Breadth-first search that compares every pair of words letter by letter."""
    t = text.split()
    begin, end, n = t[0], t[1], int(t[2])
    words = list(dict.fromkeys(t[3:3 + n]))
    if end not in words:
        return "0"

    def adjacent(a: str, b: str) -> bool:
        return sum(x != y for x, y in zip(a, b)) == 1

    dist = {begin: 1}
    queue = deque([begin])
    while queue:
        w = queue.popleft()
        for v in words:
            if v not in dist and adjacent(w, v):
                dist[v] = dist[w] + 1
                if v == end:
                    return str(dist[v])
                queue.append(v)
    return "0"


def gray_words(bits: int, count: int) -> list[str]:
    return [format(i ^ (i >> 1), f"0{bits}b").replace("0", "a").replace("1", "b") for i in range(count)]


def ladder_tests(rng: random.Random) -> list[Test]:
    pool = ["".join(letters) for letters in product("abcde", repeat=5)]
    chosen = rng.sample(pool, 2000)
    gray = gray_words(11, 1400)
    return [
        Test("abc\nabd\n1\nabd\n", "one step", expect="2"),
        Test("hot\ndog\n2\nhot dog\n", "the two words differ in two letters", hidden=False, expect="0"),
        Test("a\nc\n3\na b c\n", "single-letter words", expect="2"),
        Test(ladder_input("red", "tax", "ted tex red tax tad den rex pee".split()), "two equally short ladders",
             expect="4"),
        Test(ladder_input("lead", "gold", "load goad gold lend".split()), "the end word must be reached", expect="4"),
        Test(ladder_input("cold", "warm", "cord card ward wore core worm word".split()), "the end word is missing",
             expect="0"),
        Test(ladder_input(chosen[0], chosen[-1], chosen), "two thousand random five-letter words"),
        Test(ladder_input(gray[0], gray[-1], gray[1:]), "words along a Gray-code path"),
        Test(ladder_input("aaaaa", "eeeee", ["aaaae", "aaaee", "aaeee", "aeeee", "eeeee", "eaaaa", "eeaaa"]),
             "a single narrow path", expect="6"),
    ]


WORD_LADDER = Problem(
    slug="word-ladder",
    title="Word Ladder",
    difficulty="hard",
    tags=["graphs", "bfs", "strings", "hash-map"],
    signature="begin_word:str end_word:str n:#int word_list:str[n]",
    returns="int",
    description="""
A *ladder* from `beginWord` to `endWord` is a sequence of words in which each word differs from the previous one in
exactly one letter position. Every word after `beginWord` must come from the dictionary `wordList`; `beginWord` itself
need not be in it. Return the number of words in the shortest ladder (counting both `beginWord` and `endWord`), or
`0` if no ladder exists.

Treat the words as nodes of a graph with an edge between words that differ in one position, and run a breadth-first
search from `beginWord`. To find neighbours fast, group the words by patterns such as `h*t`, where one position is
replaced by a wildcard.

### Input format
- Line 1: `beginWord`.
- Line 2: `endWord`.
- Line 3: `n`, the number of words in the dictionary.
- Line 4: the `n` dictionary words, separated by spaces.

### Output format
Print the number of words in the shortest ladder, or `0`.
""",
    constraints="""
- `1 <= beginWord.length <= 11`; all words have the same length as `beginWord`
- `1 <= n <= 5000`
- All words consist of lowercase English letters; `beginWord != endWord`.
- The dictionary may contain `beginWord` and may contain duplicates.
""",
    examples=[
        Example("hit\ncog\n6\nhot dot dog lot log cog\n", "5", "`hit → hot → dot → dog → cog`."),
        Example("hit\ncog\n5\nhot dot dog lot log\n", "0", "`cog` is not in the dictionary."),
    ],
    tests=ladder_tests,
    brute=ladder_brute,
    brute_max_chars=20_000,
)


PROBLEMS = [
    TRAPPING_RAIN_WATER,
    SLIDING_WINDOW_MAXIMUM,
    MERGE_K_SORTED_LISTS,
    MINIMUM_WINDOW_SUBSTRING,
    EDIT_DISTANCE,
    N_QUEENS_II,
    BINARY_TREE_MAXIMUM_PATH_SUM,
    WORD_LADDER,
]
