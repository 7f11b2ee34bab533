import sys
from typing import Optional


class ListNode:
    def __init__(self, val: int, next: "Optional[ListNode]" = None) -> None:
        self.val = val
        self.next = next


def reverse(head: Optional[ListNode]) -> Optional[ListNode]:
    prev = None
    while head is not None:
        head.next, prev, head = prev, head, head.next
    return prev


def main() -> None:
    data = sys.stdin.read().split()
    n = int(data[0])
    head = None
    for value in reversed(data[1:1 + n]):
        head = ListNode(int(value), head)
    out = []
    node = reverse(head)
    while node is not None:
        out.append(node.val)
        node = node.next
    print(len(out))
    print(" ".join(map(str, out)))


main()
