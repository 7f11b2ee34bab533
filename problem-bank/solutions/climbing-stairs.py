import sys

n = int(sys.stdin.read().split()[0])
# ways(i) = ways(i - 1) + ways(i - 2): the last move is either a single or a double step.
prev, cur = 1, 1  # ways(0), ways(1)
for _ in range(n - 1):
    prev, cur = cur, prev + cur
print(cur)
