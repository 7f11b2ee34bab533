import sys
from collections import defaultdict, deque

data = sys.stdin.read().split()
begin, end, n = data[0], data[1], int(data[2])
words = set(data[3:3 + n])
if end not in words:
    print(0)
    sys.exit(0)
words.add(begin)
buckets: dict[str, list[str]] = defaultdict(list)  # "h*t" -> ["hot", "hit", ...]
for w in words:
    for i in range(len(w)):
        buckets[w[:i] + "*" + w[i + 1:]].append(w)
dist = {begin: 1}
queue = deque([begin])
answer = 0
while queue:
    w = queue.popleft()
    if w == end:
        answer = dist[w]
        break
    for i in range(len(w)):
        pattern = w[:i] + "*" + w[i + 1:]
        for v in buckets.pop(pattern, []):  # each bucket only needs expanding once
            if v not in dist:
                dist[v] = dist[w] + 1
                queue.append(v)
print(answer)
