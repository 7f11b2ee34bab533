import sys
from typing import Optional


class ListNode:
    def __init__(self, val: int = 0, next: "Optional[ListNode]" = None) -> None:
        self.val = val
        self.next = next


def build(values: list[int]) -> Optional[ListNode]:
    head = None
    for v in reversed(values):
        head = ListNode(v, head)
    return head


def merge(a: Optional[ListNode], b: Optional[ListNode]) -> Optional[ListNode]:
    dummy = ListNode()
    tail = dummy
    while a is not None and b is not None:
        if b.val < a.val:
            tail.next, b = b, b.next
        else:
            tail.next, a = a, a.next
        tail = tail.next
    tail.next = a if a is not None else b
    return dummy.next


def main() -> None:
    data = list(map(int, sys.stdin.read().split()))
    n = data[0]
    first = data[1:1 + n]
    m = data[1 + n]
    second = data[2 + n:2 + n + m]
    node = merge(build(first), build(second))
    out = []
    while node is not None:
        out.append(node.val)
        node = node.next
    print(len(out))
    print(" ".join(map(str, out)))


main()
