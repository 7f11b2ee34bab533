"""Easy problems."""
from __future__ import annotations

import random
from collections import Counter
from math import comb

from bank import (TREE_FORMAT, Example, Problem, Test, arr, chain_tree, complete_tree, random_tree, serialize_tree,
                  tree_input)


# ------------------------------------------------------------------------------------------------------------ two-sum

def pair_count(nums: list[int], target: int) -> int:
    cnt = Counter(nums)
    total = 0
    for v, c in cnt.items():
        w = target - v
        if w == v:
            total += c * (c - 1)
        else:
            total += c * cnt.get(w, 0)
    return total // 2


def two_sum_case(rng: random.Random, n: int, lo: int, hi: int) -> str:
    while True:
        nums = [rng.randint(lo, hi) for _ in range(n)]
        i, j = sorted(rng.sample(range(n), 2))
        target = nums[i] + nums[j]
        if pair_count(nums, target) == 1:
            return arr(nums) + f"{target}\n"


def two_sum_brute(text: str) -> str:
    t = list(map(int, text.split()))
    n, nums, target = t[0], t[1:1 + t[0]], t[1 + t[0]]
    for i in range(n):
        for j in range(i + 1, n):
            if nums[i] + nums[j] == target:
                return f"{i} {j}"
    return "none"


def two_sum_tests(rng: random.Random) -> list[Test]:
    return [
        Test("2\n-3 -7\n-10\n", "two negative numbers", expect="0 1"),
        Test("4\n0 4 3 0\n0\n", "the pair is two zeros", expect="0 3"),
        Test("5\n1000000000 -1000000000 3 5 1\n0\n", "extreme values cancel out", expect="0 1"),
        Test(two_sum_case(rng, 8, -20, 20), "small random array", hidden=False),
        Test(two_sum_case(rng, 300, -1000, 1000), "medium random array"),
        Test(two_sum_case(rng, 2000, -100000, 100000), "large random array"),
        Test(arr(list(range(1, 1501)) ) + "2999\n", "only the two largest values work", expect="1498 1499"),
    ]


TWO_SUM = Problem(
    slug="two-sum",
    title="Two Sum",
    difficulty="easy",
    tags=["arrays", "hash-map"],
    signature="n:#int nums:int[n] target:int",
    returns="int[]",
    description="""
You are given a list of integers `nums` and a number `target`. Exactly one pair of positions `i < j` has
`nums[i] + nums[j] == target`. Find that pair.

A position may not be paired with itself, but two different positions may hold the same value.

A nested loop over all pairs works but takes quadratic time; aim for a single pass over the array.

### Input format
- Line 1: `n`, the number of elements.
- Line 2: `n` space-separated integers, the array `nums`.
- Line 3: the integer `target`.

### Output format
Print the two 0-based indices `i` and `j` of the pair, smaller index first, separated by a single space.
""",
    constraints="""
- `2 <= n <= 10^4`
- `-10^9 <= nums[i] <= 10^9`
- `-2·10^9 <= target <= 2·10^9`
- Exactly one pair of positions adds up to `target`.
""",
    examples=[
        Example("4\n4 11 -2 9\n7\n", "2 3", "`nums[2] + nums[3] = -2 + 9 = 7`, and no other pair reaches 7."),
        Example("2\n5 5\n10\n", "0 1", "Equal values at different positions form a valid pair."),
        Example("3\n-1 -4 6\n5\n", "0 2"),
    ],
    tests=two_sum_tests,
    brute=two_sum_brute,
    brute_max_chars=20_000,
)


# -------------------------------------------------------------------------------------------------- valid-parentheses

def random_balanced(rng: random.Random, pairs: int) -> str:
    out: list[str] = []
    stack: list[str] = []
    opened = 0
    match = {"(": ")", "[": "]", "{": "}"}
    while opened < pairs or stack:
        if opened < pairs and (not stack or rng.random() < 0.55):
            c = rng.choice("([{")
            out.append(c)
            stack.append(match[c])
            opened += 1
        else:
            out.append(stack.pop())
    return "".join(out)


def parens_brute(text: str) -> str:
    s = text.split()[0]
    prev = None
    while prev != s:
        prev = s
        s = s.replace("()", "").replace("[]", "").replace("{}", "")
    return "true" if s == "" else "false"


def parens_tests(rng: random.Random) -> list[Test]:
    long_valid = random_balanced(rng, 4000)
    broken = list(random_balanced(rng, 3000))
    k = rng.randrange(len(broken))
    broken[k] = {"(": "[", "[": "{", "{": "(", ")": "]", "]": "}", "}": ")"}[broken[k]]
    return [
        Test("]\n", "a lone closing bracket", expect="false"),
        Test("(\n", "a lone opening bracket", expect="false"),
        Test("{}\n", "one matching pair", hidden=False, expect="true"),
        Test("([{}])[]{()}\n", "nested and sequential groups", expect="true"),
        Test("())(\n", "right count, wrong order", expect="false"),
        Test("(" * 5000 + ")" * 5000 + "\n", "very deep nesting", expect="true"),
        Test(long_valid + "\n", "long random balanced string", expect="true"),
        Test("".join(broken) + "\n", "long string with one bracket swapped for another kind", expect="false"),
        Test(random_balanced(rng, 10) + "}\n", "balanced prefix followed by an extra closer", expect="false"),
    ]


VALID_PARENTHESES = Problem(
    slug="valid-parentheses",
    title="Valid Parentheses",
    difficulty="easy",
    tags=["strings", "stack"],
    signature="s:str",
    returns="bool",
    description="""
A string `s` is made only of the bracket characters `(`, `)`, `[`, `]`, `{` and `}`. Decide whether it is
*balanced*:

- every opening bracket is closed by a bracket of the same kind,
- brackets close in the reverse order in which they were opened, and
- every closing bracket has an opening bracket before it.

### Input format
One line containing the string `s`.

### Output format
Print `true` if `s` is balanced and `false` otherwise.
""",
    constraints="""
- `1 <= s.length <= 10^4`
- `s` consists only of the characters `()[]{}`.
""",
    examples=[
        Example("([]{})\n", "true", "Each bracket is closed by its partner in the right order."),
        Example("([)]\n", "false", "The `[` is still open when `)` arrives."),
        Example("((\n", "false", "Two brackets are never closed."),
    ],
    tests=parens_tests,
    brute=parens_brute,
    brute_max_chars=20_000,
)


# ------------------------------------------------------------------------------------------------ reverse-linked-list

def reverse_list_tests(rng: random.Random) -> list[Test]:
    return [
        Test("2\n1 2\n", "two nodes", hidden=False, expect="2\n2 1"),
        Test("4\n3 3 -1 3\n", "duplicates and a negative value", expect="4\n3 -1 3 3"),
        Test("1\n-5000\n", "single negative node", expect="1\n-5000"),
        Test(arr(rng.randint(-5000, 5000) for _ in range(50)), "fifty random values"),
        Test(arr(rng.randint(-5000, 5000) for _ in range(3000)), "three thousand random values"),
        Test(arr(range(1, 2001)), "long increasing list"),
    ]


def reverse_list_brute(text: str) -> str:
    t = text.split()
    return t[0] + "\n" + " ".join(reversed(t[1:1 + int(t[0])]))


REVERSE_LINKED_LIST = Problem(
    slug="reverse-linked-list",
    title="Reverse a Linked List",
    difficulty="easy",
    tags=["linked-list"],
    signature="n:#int head:list[n]",
    returns="list",
    description="""
You receive the head of a singly linked list. Reverse the direction of every link so that the last node becomes the
new head, and return that head.

Try to do it in place by re-pointing the `next` references rather than allocating new nodes. Both an iterative and a
recursive approach work.

The starter code builds the list from the input for you and prints the list you return.

### Input format
- Line 1: `n`, the number of nodes (may be 0).
- Line 2: `n` space-separated integers, the node values from head to tail (the line is empty when `n = 0`).

### Output format
- Line 1: the number of nodes in the returned list.
- Line 2: their values from head to tail, separated by single spaces (an empty line for an empty list).

The starter code already prints the list you return in this format.
""",
    constraints="""
- `0 <= n <= 5000`
- `-5000 <= value <= 5000`
""",
    examples=[
        Example("5\n1 2 3 4 5\n", "5\n5 4 3 2 1"),
        Example("1\n7\n", "1\n7", "A single node is its own reverse."),
        Example("0\n\n", "0", "The empty list stays empty: the count is 0 and the line of values is empty."),
    ],
    tests=reverse_list_tests,
    brute=reverse_list_brute,
    brute_max_chars=20_000,
)


# --------------------------------------------------------------------------------------------- merge-two-sorted-lists

def two_lists(a: list[int], b: list[int]) -> str:
    return arr(sorted(a)) + arr(sorted(b))


def merge_two_brute(text: str) -> str:
    t = list(map(int, text.split()))
    n = t[0]
    a = t[1:1 + n]
    m = t[1 + n]
    b = t[2 + n:2 + n + m]
    return f"{n + m}\n" + " ".join(map(str, sorted(a + b)))


def merge_two_tests(rng: random.Random) -> list[Test]:
    return [
        Test("0\n\n0\n\n", "both lists empty", expect="0"),
        Test("3\n1 2 3\n0\n\n", "second list empty", hidden=False, expect="3\n1 2 3"),
        Test("3\n4 5 6\n3\n1 2 3\n", "every value of the second list comes first", expect="6\n1 2 3 4 5 6"),
        Test("3\n-2 -2 0\n4\n-2 0 0 9\n", "equal values in both lists", expect="7\n-2 -2 -2 0 0 0 9"),
        Test(two_lists([rng.randint(-100, 100) for _ in range(40)], [rng.randint(-100, 100) for _ in range(25)]),
             "small random lists"),
        Test(two_lists([rng.randint(-100, 100) for _ in range(1500)], [rng.randint(-100, 100) for _ in range(1500)]),
             "two long lists with many duplicates"),
        Test(two_lists([rng.randint(-100, 100) for _ in range(1)], [rng.randint(-100, 100) for _ in range(2000)]),
             "one node against a long list"),
    ]


MERGE_TWO_SORTED_LISTS = Problem(
    slug="merge-two-sorted-lists",
    title="Merge Two Sorted Lists",
    difficulty="easy",
    tags=["linked-list", "two-pointers"],
    signature="n:#int list1:list[n] m:#int list2:list[m]",
    returns="list",
    description="""
Two singly linked lists, `list1` and `list2`, are each sorted in non-decreasing order. Combine them into one sorted
list by relinking their nodes and return the head of the result.

Walk both lists at once and always take the smaller front node; a dummy head node keeps the code short.

### Input format
- Line 1: `n`, the length of `list1`.
- Line 2: the `n` values of `list1` in order (empty when `n = 0`).
- Line 3: `m`, the length of `list2`.
- Line 4: the `m` values of `list2` in order (empty when `m = 0`).

### Output format
- Line 1: the number of nodes in the merged list.
- Line 2: their values in order, separated by single spaces (an empty line for an empty list).

The starter code already prints the list you return in this format.
""",
    constraints="""
- `0 <= n, m <= 2000`
- `-100 <= value <= 100`
- Both lists are sorted in non-decreasing order.
""",
    examples=[
        Example("3\n1 2 4\n3\n1 3 4\n", "6\n1 1 2 3 4 4"),
        Example("0\n\n2\n0 5\n", "2\n0 5", "Merging with an empty list gives the other list unchanged."),
    ],
    tests=merge_two_tests,
    brute=merge_two_brute,
    brute_max_chars=20_000,
)


# ------------------------------------------------------------------------------------------------------ binary-search

def bs_brute(text: str) -> str:
    t = list(map(int, text.split()))
    nums, target = t[1:1 + t[0]], t[1 + t[0]]
    return str(nums.index(target)) if target in nums else "-1"


def bs_tests(rng: random.Random) -> list[Test]:
    big = sorted(rng.sample(range(-10000, 10001), 3000))
    absent = next(v for v in range(-10000, 10001) if v not in set(big) and v > big[0])
    return [
        Test("1\n5\n5\n", "single element that matches", expect="0"),
        Test("1\n5\n-5\n", "single element that does not match", hidden=False, expect="-1"),
        Test("5\n-9 -4 0 3 8\n-10\n", "target below every element", expect="-1"),
        Test("5\n-9 -4 0 3 8\n9\n", "target above every element", expect="-1"),
        Test("5\n-9 -4 0 3 8\n-9\n", "target is the first element", expect="0"),
        Test("6\n-9 -4 0 3 8 11\n11\n", "target is the last element", expect="5"),
        Test(arr(big) + f"{big[1234]}\n", "large array, target present", expect="1234"),
        Test(arr(big) + f"{absent}\n", "large array, target falls between two elements", expect="-1"),
    ]


BINARY_SEARCH = Problem(
    slug="binary-search",
    title="Binary Search",
    difficulty="easy",
    tags=["arrays", "binary-search"],
    signature="n:#int nums:int[n] target:int",
    returns="int",
    description="""
`nums` is a strictly increasing array of integers. Return the index at which `target` appears, or `-1` if it does not
appear at all.

Your solution should run in `O(log n)` time: repeatedly compare `target` with the middle of the range that can still
contain it and discard the half that cannot.

### Input format
- Line 1: `n`, the length of the array.
- Line 2: `n` space-separated integers in strictly increasing order.
- Line 3: the integer `target`.

### Output format
Print the 0-based index of `target`, or `-1` if it is not in the array.
""",
    constraints="""
- `1 <= n <= 10^4`
- `-10^4 <= nums[i], target <= 10^4`
- All values in `nums` are distinct and sorted in increasing order.
""",
    examples=[
        Example("6\n-1 0 3 5 9 12\n9\n", "4", "`9` sits at index 4."),
        Example("6\n-1 0 3 5 9 12\n2\n", "-1", "`2` would fit between `0` and `3`, but it is not present."),
    ],
    tests=bs_tests,
    brute=bs_brute,
    brute_max_chars=20_000,
)


# ----------------------------------------------------------------------------------- best-time-to-buy-and-sell-stock

def stock_brute(text: str) -> str:
    t = list(map(int, text.split()))
    p = t[1:1 + t[0]]
    best = 0
    for i in range(len(p)):
        for j in range(i + 1, len(p)):
            best = max(best, p[j] - p[i])
    return str(best)


def stock_tests(rng: random.Random) -> list[Test]:
    return [
        Test("1\n5\n", "a single day allows no trade", expect="0"),
        Test("2\n1 10000\n", "buy on day one, sell on day two", expect="9999"),
        Test("4\n3 3 3 3\n", "flat prices", hidden=False, expect="0"),
        Test("6\n9 2 8 1 3 4\n", "the lowest price comes too late to beat an earlier trade", expect="6"),
        Test(arr(rng.randint(0, 10000) for _ in range(200)), "two hundred random prices"),
        Test(arr(rng.randint(0, 10000) for _ in range(3000)), "three thousand random prices"),
        Test(arr(range(3000, 0, -1)), "strictly falling prices", expect="0"),
    ]


BEST_TIME_TO_BUY_AND_SELL_STOCK = Problem(
    slug="best-time-to-buy-and-sell-stock",
    title="Best Time to Buy and Sell Stock",
    difficulty="easy",
    tags=["arrays", "greedy"],
    signature="n:#int prices:int[n]",
    returns="int",
    description="""
`prices[i]` is the price of a share on day `i`. You may buy one share on some day and sell it on a **later** day.
Return the largest profit such a single trade can make. If every possible trade loses money, don't trade and return
`0`.

One pass is enough: remember the cheapest price seen so far and compare each day's price against it.

### Input format
- Line 1: `n`, the number of days.
- Line 2: `n` space-separated integers, the prices.

### Output format
Print the maximum profit as an integer.
""",
    constraints="""
- `1 <= n <= 10^5`
- `0 <= prices[i] <= 10^4`
""",
    examples=[
        Example("6\n7 1 5 3 6 4\n", "5", "Buy at 1 on day 1 and sell at 6 on day 4."),
        Example("5\n7 6 4 3 1\n", "0", "Prices only fall, so the best choice is not to trade."),
    ],
    tests=stock_tests,
    brute=stock_brute,
    brute_max_chars=3_000,
)


# ------------------------------------------------------------------------------------------------------ valid-anagram

def anagram_brute(text: str) -> str:
    s, t = text.split()
    return "true" if sorted(s) == sorted(t) else "false"


def anagram_tests(rng: random.Random) -> list[Test]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    s = "".join(rng.choice(letters) for _ in range(5000))
    shuffled = list(s)
    rng.shuffle(shuffled)
    changed = shuffled[:]
    k = rng.randrange(len(changed))
    changed[k] = "a" if changed[k] != "a" else "b"
    return [
        Test("a\na\n", "single equal letters", expect="true"),
        Test("a\nb\n", "single different letters", expect="false"),
        Test("ab\nabc\n", "different lengths", hidden=False, expect="false"),
        Test("aab\nabb\n", "same letters, different counts", expect="false"),
        Test(s + "\n" + "".join(shuffled) + "\n", "long shuffled copy", expect="true"),
        Test(s + "\n" + "".join(changed) + "\n", "long copy with one letter changed", expect="false"),
        Test("zzzzzzzzzz\nzzzzzzzzzz\n", "one repeated letter"),
    ]


VALID_ANAGRAM = Problem(
    slug="valid-anagram",
    title="Valid Anagram",
    difficulty="easy",
    tags=["strings", "hash-map", "sorting"],
    signature="s:str t:str",
    returns="bool",
    description="""
Two words are anagrams of each other when one can be turned into the other by rearranging its letters, using every
letter exactly as many times as it occurs. Given words `s` and `t`, decide whether they are anagrams.

Sorting both words works in `O(n log n)`; counting the letters gets it down to linear time.

### Input format
- Line 1: the word `s`.
- Line 2: the word `t`.

### Output format
Print `true` if `t` is an anagram of `s`, otherwise `false`.
""",
    constraints="""
- `1 <= s.length, t.length <= 5·10^3`
- Both words consist of lowercase English letters.
""",
    examples=[
        Example("listen\nsilent\n", "true", "Both words use the letters e, i, l, n, s, t once each."),
        Example("rat\ncar\n", "false", "`rat` has a `t` where `car` has a `c`."),
    ],
    tests=anagram_tests,
    brute=anagram_brute,
    brute_max_chars=20_000,
)


# ----------------------------------------------------------------------------------------------------- climbing-stairs

def stairs_brute(text: str) -> str:
    # Independent check: a climb with k two-steps has n - k moves, and the two-steps can be any k of them.
    n = int(text.split()[0])
    return str(sum(comb(n - k, k) for k in range(n // 2 + 1)))


def stairs_tests(_rng: random.Random) -> list[Test]:
    return [
        Test("1\n", "one step", expect="1"),
        Test("4\n", "four steps", hidden=False, expect="5"),
        Test("5\n", "five steps", expect="8"),
        Test("10\n", "ten steps", expect="89"),
        Test("30\n", "thirty steps", expect="1346269"),
        Test("44\n", "forty-four steps", expect="1134903170"),
        Test("45\n", "the largest staircase", expect="1836311903"),
    ]


CLIMBING_STAIRS = Problem(
    slug="climbing-stairs",
    title="Climbing Stairs",
    difficulty="easy",
    tags=["dynamic-programming", "math"],
    signature="n:int",
    returns="int",
    description="""
A staircase has `n` steps. Each move takes you up either one step or two steps. In how many different sequences of
moves can you get from the bottom to the top?

Two sequences are different if they differ in at least one move, so `1 + 2` and `2 + 1` count separately.

Think about the last move: it starts either one or two steps below the top.

### Input format
One line with the integer `n`.

### Output format
Print the number of distinct ways to reach the top.
""",
    constraints="""
- `1 <= n <= 45` (the answer fits in a signed 32-bit integer)
""",
    examples=[
        Example("2\n", "2", "Either two single steps, or one double step."),
        Example("3\n", "3", "`1+1+1`, `1+2` and `2+1`."),
    ],
    tests=stairs_tests,
    brute=stairs_brute,
)


# ------------------------------------------------------------------------------------------------------ single-number

def single_case(rng: random.Random, pairs: int, lo: int, hi: int) -> str:
    values = rng.sample(range(lo, hi + 1), pairs + 1)
    nums = values[:-1] * 2 + [values[-1]]
    rng.shuffle(nums)
    return arr(nums)


def single_brute(text: str) -> str:
    t = list(map(int, text.split()))
    cnt = Counter(t[1:1 + t[0]])
    return str(next(v for v, c in cnt.items() if c == 1))


def single_tests(rng: random.Random) -> list[Test]:
    return [
        Test("1\n-30000\n", "one element, most negative value", expect="-30000"),
        Test("3\n0 7 7\n", "zero is the single value", hidden=False, expect="0"),
        Test("5\n-1 -2 -2 -1 -3\n", "all negative", expect="-3"),
        Test(single_case(rng, 50, -30000, 30000), "fifty pairs"),
        Test(single_case(rng, 1500, -30000, 30000), "fifteen hundred pairs"),
        Test(arr([30000] + list(range(1, 1000)) + list(range(999, 0, -1))), "single value first, pairs mirrored",
             expect="30000"),
    ]


SINGLE_NUMBER = Problem(
    slug="single-number",
    title="Single Number",
    difficulty="easy",
    tags=["arrays", "bit-manipulation"],
    signature="n:#int nums:int[n]",
    returns="int",
    description="""
In the array `nums` every value occurs exactly twice, except for one value that occurs only once. Find that value.

Use linear time and only constant extra memory. Hint: a number XOR-ed with itself is zero, and XOR does not care
about order.

### Input format
- Line 1: `n`, the length of the array (always odd).
- Line 2: `n` space-separated integers.

### Output format
Print the value that appears only once.
""",
    constraints="""
- `1 <= n <= 3·10^4`, `n` is odd
- `-3·10^4 <= nums[i] <= 3·10^4`
- Every value appears exactly twice except one, which appears once.
""",
    examples=[
        Example("3\n2 2 1\n", "1"),
        Example("5\n4 1 2 1 2\n", "4", "`1` and `2` come in pairs; `4` is alone."),
        Example("1\n1\n", "1"),
    ],
    tests=single_tests,
    brute=single_brute,
    brute_max_chars=20_000,
)


# ------------------------------------------------------------------------------------------ maximum-depth-of-binary-tree

def depth_of(tokens: list[str]) -> int:
    from bank import parse_tree

    def rec(node) -> int:
        return 0 if node is None else 1 + max(rec(node.left), rec(node.right))

    return rec(parse_tree(tokens))


def depth_brute(text: str) -> str:
    t = text.split()
    return str(depth_of(t[1:1 + int(t[0])]))


def depth_tests(rng: random.Random) -> list[Test]:
    val = lambda: rng.randint(-100, 100)  # noqa: E731
    return [
        Test("1\n0\n", "a single node", expect="1"),
        Test("3\n1 2 3\n", "root with two leaves", hidden=False, expect="2"),
        Test(tree_input(serialize_tree(chain_tree([val() for _ in range(1000)], "left"))),
             "a path of 1000 nodes going left", expect="1000"),
        Test(tree_input(serialize_tree(chain_tree([val() for _ in range(700)], "right"))),
             "a path of 700 nodes going right", expect="700"),
        Test(tree_input(complete_tree([val() for _ in range(1023)])), "a perfect tree of 1023 nodes", expect="10"),
        Test(tree_input(serialize_tree(random_tree(rng, 12, val))), "small random tree"),
        Test(tree_input(serialize_tree(random_tree(rng, 1500, val))), "large random tree"),
    ]


MAXIMUM_DEPTH_OF_BINARY_TREE = Problem(
    slug="maximum-depth-of-binary-tree",
    title="Maximum Depth of a Binary Tree",
    difficulty="easy",
    tags=["trees", "dfs", "bfs"],
    signature="n:#int root:tree[n]",
    returns="int",
    description=f"""
The depth of a binary tree is the number of nodes on the longest path from the root down to a leaf. Given the root of
a binary tree, return its depth. An empty tree has depth `0`.

Either recurse (the depth of a node is one more than the deeper of its two subtrees) or count the levels of a
breadth-first traversal.

{TREE_FORMAT}

### Input format
- Line 1: `n`, the number of level-order tokens (0 for an empty tree).
- Line 2: `n` space-separated tokens, each an integer or `null`.

### Output format
Print the depth of the tree.
""",
    constraints="""
- The tree has between `0` and `10^4` nodes.
- `-100 <= node value <= 100`
""",
    examples=[
        Example("7\n3 9 20 null null 15 7\n", "3", "The longest paths are `3 → 20 → 15` and `3 → 20 → 7`."),
        Example("3\n1 null 2\n", "2"),
        Example("0\n\n", "0", "The tree is empty."),
    ],
    tests=depth_tests,
    brute=depth_brute,
    brute_max_chars=20_000,
)


# ------------------------------------------------------------------------------------------------------ assign-cookies

def cookies_brute(text: str) -> str:
    """Maximum bipartite matching between children and cookies (the reference solution is greedy)."""
    t = ints_of(text)
    n = t[0]
    greed = t[1:1 + n]
    m = t[1 + n]
    sizes = t[2 + n:2 + n + m]
    owner = [-1] * m

    def assign(child: int, seen: set[int]) -> bool:
        for c in range(m):
            if sizes[c] >= greed[child] and c not in seen:
                seen.add(c)
                if owner[c] == -1 or assign(owner[c], seen):
                    owner[c] = child
                    return True
        return False

    return str(sum(assign(child, set()) for child in range(n)))


def ints_of(text: str) -> list[int]:
    return list(map(int, text.split()))


def cookies_tests(rng: random.Random) -> list[Test]:
    return [
        Test("2\n1 2\n0\n\n", "no cookies at all", expect="0"),
        Test("3\n5 6 7\n2\n1 4\n", "every cookie is too small", hidden=False, expect="0"),
        Test("3\n2 2 2\n4\n2 2 1 3\n", "equal greed, more cookies than children", expect="3"),
        Test("4\n10 1 7 3\n3\n8 2 9\n", "a large cookie should not be wasted on a small appetite", expect="3"),
        Test(arr(rng.randint(1, 10) for _ in range(12)) + arr(rng.randint(1, 10) for _ in range(9)),
             "small random case"),
        Test(arr(rng.randint(1, 100000) for _ in range(1200)) + arr(rng.randint(1, 100000) for _ in range(1200)),
             "1200 children and 1200 cookies"),
        Test(arr([100000] * 1000) + arr(range(99001, 100001)), "only one cookie is big enough", expect="1"),
    ]


ASSIGN_COOKIES = Problem(
    slug="assign-cookies",
    title="Assign Cookies",
    difficulty="easy",
    tags=["greedy", "sorting", "two-pointers"],
    signature="n:#int greed:int[n] m:#int sizes:int[m]",
    returns="int",
    description="""
You are handing out cookies to children. Child `i` is happy only with a cookie of size at least `greed[i]`, and cookie
`j` has size `sizes[j]`. Every child gets at most one cookie and every cookie goes to at most one child. What is the
largest number of children you can make happy?

Sort both lists. The least greedy child should get the smallest cookie that satisfies them, because a bigger cookie
might be needed by a greedier child later.

### Input format
- Line 1: `n`, the number of children.
- Line 2: `n` space-separated integers, the greed values.
- Line 3: `m`, the number of cookies (may be 0).
- Line 4: `m` space-separated integers, the cookie sizes (empty when `m = 0`).

### Output format
Print the maximum number of happy children.
""",
    constraints="""
- `1 <= n <= 3·10^4`
- `0 <= m <= 3·10^4`
- `1 <= greed[i], sizes[j] <= 2^31 - 1`
""",
    examples=[
        Example("3\n1 2 3\n2\n1 1\n", "1", "Both cookies have size 1, which only satisfies the first child."),
        Example("2\n1 2\n3\n1 2 3\n", "2"),
    ],
    tests=cookies_tests,
    brute=cookies_brute,
    brute_max_chars=400,
)


PROBLEMS = [
    TWO_SUM,
    VALID_PARENTHESES,
    REVERSE_LINKED_LIST,
    MERGE_TWO_SORTED_LISTS,
    BINARY_SEARCH,
    BEST_TIME_TO_BUY_AND_SELL_STOCK,
    VALID_ANAGRAM,
    CLIMBING_STAIRS,
    SINGLE_NUMBER,
    MAXIMUM_DEPTH_OF_BINARY_TREE,
    ASSIGN_COOKIES,
]
