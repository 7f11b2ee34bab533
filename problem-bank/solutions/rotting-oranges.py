import sys

data = list(map(int, sys.stdin.read().split()))
m, n = data[0], data[1]
grid = [data[2 + r * n:2 + (r + 1) * n] for r in range(m)]
frontier = [(r, c) for r in range(m) for c in range(n) if grid[r][c] == 2]
fresh = sum(row.count(1) for row in grid)
minutes = 0
while frontier and fresh:
    nxt = []
    for r, c in frontier:
        for y, x in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if 0 <= y < m and 0 <= x < n and grid[y][x] == 1:
                grid[y][x] = 2
                fresh -= 1
                nxt.append((y, x))
    frontier = nxt
    minutes += 1
print(minutes if fresh == 0 else -1)
