import sys

PARTNER = {")": "(", "]": "[", "}": "{"}


def balanced(s: str) -> bool:
    stack: list[str] = []
    for c in s:
        if c in PARTNER:
            if not stack or stack.pop() != PARTNER[c]:
                return False
        else:
            stack.append(c)
    return not stack


print("true" if balanced(sys.stdin.read().split()[0]) else "false")
