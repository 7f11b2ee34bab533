import sys
from collections import deque

data = list(map(int, sys.stdin.read().split()))
n = data[0]
nums, k = data[1:1 + n], data[1 + n]
window: deque[int] = deque()  # indices, values strictly decreasing from front to back
out = []
for i, v in enumerate(nums):
    if window and window[0] <= i - k:
        window.popleft()
    while window and nums[window[-1]] <= v:
        window.pop()
    window.append(i)
    if i >= k - 1:
        out.append(nums[window[0]])
print(" ".join(map(str, out)))
