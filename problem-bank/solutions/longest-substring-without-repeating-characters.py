import sys

s = sys.stdin.read().split()[0]
last_seen: dict[str, int] = {}
left = 0
best = 0
for right, c in enumerate(s):
    if last_seen.get(c, -1) >= left:
        left = last_seen[c] + 1
    last_seen[c] = right
    best = max(best, right - left + 1)
print(best)
