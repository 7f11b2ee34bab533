import sys

s, t = sys.stdin.read().split()[:2]
counts = [0] * 26
for c in s:
    counts[ord(c) - 97] += 1
for c in t:
    counts[ord(c) - 97] -= 1
print("true" if len(s) == len(t) and not any(counts) else "false")
