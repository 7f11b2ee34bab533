import heapq
import sys

data = list(map(int, sys.stdin.read().split()))
n = data[0]
meetings = sorted((data[1 + 2 * i], data[2 + 2 * i]) for i in range(n))
ends: list[int] = []  # end times of the rooms in use
for start, end in meetings:
    if ends and ends[0] <= start:
        heapq.heapreplace(ends, end)  # the earliest ending room is free again
    else:
        heapq.heappush(ends, end)
print(len(ends))
