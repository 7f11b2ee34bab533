import sys
from collections import deque

data = list(map(int, sys.stdin.read().split()))
n, m = data[0], data[1]
after: list[list[int]] = [[] for _ in range(n)]
waiting = [0] * n  # number of unfinished prerequisites of each course
for i in range(m):
    course, prereq = data[2 + 2 * i], data[3 + 2 * i]
    after[prereq].append(course)
    waiting[course] += 1
queue = deque(c for c in range(n) if waiting[c] == 0)
done = 0
while queue:
    c = queue.popleft()
    done += 1
    for nxt in after[c]:
        waiting[nxt] -= 1
        if waiting[nxt] == 0:
            queue.append(nxt)
print("true" if done == n else "false")
