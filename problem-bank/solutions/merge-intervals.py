import sys

data = list(map(int, sys.stdin.read().split()))
n = data[0]
intervals = sorted((data[1 + 2 * i], data[2 + 2 * i]) for i in range(n))
merged: list[list[int]] = []
for start, end in intervals:
    if merged and start <= merged[-1][1]:
        merged[-1][1] = max(merged[-1][1], end)
    else:
        merged.append([start, end])
print("\n".join([str(len(merged))] + [f"{a} {b}" for a, b in merged]))
