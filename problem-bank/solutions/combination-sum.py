import sys

data = list(map(int, sys.stdin.read().split()))
n = data[0]
candidates, target = sorted(data[1:1 + n]), data[1 + n]
found: list[list[int]] = []
chosen: list[int] = []


def backtrack(start: int, remaining: int) -> None:
    if remaining == 0:
        found.append(chosen[:])
        return
    for i in range(start, len(candidates)):
        c = candidates[i]
        if c > remaining:
            break
        chosen.append(c)
        backtrack(i, remaining - c)
        chosen.pop()


backtrack(0, target)
# Depth-first order over sorted candidates already yields the combinations in lexicographic order.
print("\n".join([str(len(found))] + [" ".join(map(str, combo)) for combo in found]))
