import sys
from collections import deque
from typing import Optional


class TreeNode:
    def __init__(self, val: int) -> None:
        self.val = val
        self.left: Optional[TreeNode] = None
        self.right: Optional[TreeNode] = None


def build_tree(tokens: list[str]) -> Optional[TreeNode]:
    if not tokens or tokens[0] == "null":
        return None
    root = TreeNode(int(tokens[0]))
    queue = deque([root])
    i = 1
    while queue and i < len(tokens):
        node = queue.popleft()
        if tokens[i] != "null":
            node.left = TreeNode(int(tokens[i]))
            queue.append(node.left)
        i += 1
        if i < len(tokens) and tokens[i] != "null":
            node.right = TreeNode(int(tokens[i]))
            queue.append(node.right)
        i += 1
    return root


def max_path_sum(root: TreeNode) -> int:
    # Iterative post-order: children are handled before their parent.
    order = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        for child in (node.left, node.right):
            if child is not None:
                stack.append(child)
    down: dict[int, int] = {}  # best downward path sum starting at a node
    best = root.val
    for node in reversed(order):
        left = max(0, down[id(node.left)]) if node.left else 0
        right = max(0, down[id(node.right)]) if node.right else 0
        best = max(best, node.val + left + right)
        down[id(node)] = node.val + max(left, right)
    return best


tokens = sys.stdin.read().split()
root = build_tree(tokens[1:1 + int(tokens[0])])
assert root is not None
print(max_path_sum(root))
