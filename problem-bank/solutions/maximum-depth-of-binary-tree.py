import sys

# Walk the level-order tokens level by level without building node objects: each real node in a level owns the next
# two tokens (its children), in order.
tokens = sys.stdin.read().split()
n = int(tokens[0])
values = tokens[1:1 + n]
depth = 0
level = 1 if values and values[0] != "null" else 0
pos = 1
while level:
    depth += 1
    children = values[pos:pos + 2 * level]
    pos += 2 * level
    level = sum(1 for c in children if c != "null")
print(depth)
