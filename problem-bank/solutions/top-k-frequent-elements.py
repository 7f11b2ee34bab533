import heapq
import sys
from collections import Counter

data = list(map(int, sys.stdin.read().split()))
n = data[0]
nums, k = data[1:1 + n], data[1 + n]
counts = Counter(nums)
# Most frequent first, smaller value first among equals.
best = heapq.nsmallest(k, counts, key=lambda v: (-counts[v], v))
print(" ".join(map(str, best)))
