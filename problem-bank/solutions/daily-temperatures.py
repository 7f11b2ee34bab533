import sys

data = list(map(int, sys.stdin.read().split()))
temps = data[1:1 + data[0]]
wait = [0] * len(temps)
stack: list[int] = []  # days still waiting, temperatures non-increasing from bottom to top
for day, t in enumerate(temps):
    while stack and temps[stack[-1]] < t:
        earlier = stack.pop()
        wait[earlier] = day - earlier
    stack.append(day)
print(" ".join(map(str, wait)))
