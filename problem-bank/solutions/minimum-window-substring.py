import sys
from collections import Counter

s, t = sys.stdin.read().split()[:2]
need = Counter(t)
missing = len(t)  # characters of t not yet covered by the window
best_start, best_len = 0, len(s) + 1
left = 0
for right, c in enumerate(s):
    if need[c] > 0:
        missing -= 1
    need[c] -= 1
    if missing == 0:
        # Shrink from the left while the window still covers t.
        while need[s[left]] < 0:
            need[s[left]] += 1
            left += 1
        if right - left + 1 < best_len:  # strict: keeps the leftmost of equally short windows
            best_start, best_len = left, right - left + 1
        need[s[left]] += 1
        missing += 1
        left += 1
print(s[best_start:best_start + best_len] if best_len <= len(s) else "-")
