import sys

data = list(map(int, sys.stdin.read().split()))
n = data[0]
greed = sorted(data[1:1 + n])
m = data[1 + n]
sizes = sorted(data[2 + n:2 + n + m])
child = 0
for size in sizes:  # smallest cookies first; each goes to the least greedy child it satisfies
    if child < n and size >= greed[child]:
        child += 1
print(child)
