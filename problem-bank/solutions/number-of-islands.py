import sys
from collections import deque

data = sys.stdin.read().split()
m, n = int(data[0]), int(data[1])
grid = [list(row) for row in data[2:2 + m]]
islands = 0
for r in range(m):
    for c in range(n):
        if grid[r][c] != "1":
            continue
        islands += 1
        grid[r][c] = "0"
        queue = deque([(r, c)])
        while queue:
            y, x = queue.popleft()
            for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                if 0 <= ny < m and 0 <= nx < n and grid[ny][nx] == "1":
                    grid[ny][nx] = "0"
                    queue.append((ny, nx))
print(islands)
