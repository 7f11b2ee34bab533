import sys

data = list(map(int, sys.stdin.read().split()))
m, n = data[0], data[1]
grid = [data[2 + r * n:2 + (r + 1) * n] for r in range(m)]
top, bottom, left, right = 0, m - 1, 0, n - 1
out: list[int] = []
while top <= bottom and left <= right:
    out += grid[top][left:right + 1]
    out += [grid[r][right] for r in range(top + 1, bottom + 1)]
    if top < bottom and left < right:
        out += grid[bottom][left:right][::-1]
        out += [grid[r][left] for r in range(bottom - 1, top, -1)]
    top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
print(" ".join(map(str, out)))
