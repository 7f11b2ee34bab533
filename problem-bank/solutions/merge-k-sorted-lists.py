import heapq
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


def merge(lists: list[Optional[ListNode]]) -> Optional[ListNode]:
    heap = [(node.val, i, node) for i, node in enumerate(lists) if node is not None]
    heapq.heapify(heap)
    dummy = ListNode()
    tail = dummy
    while heap:
        _, i, node = heapq.heappop(heap)
        tail.next = node
        tail = node
        if node.next is not None:
            heapq.heappush(heap, (node.next.val, i, node.next))
    return dummy.next


data = list(map(int, sys.stdin.read().split()))
k = data[0]
pos = 1
lists = []
for _ in range(k):
    size = data[pos]
    lists.append(build(data[pos + 1:pos + 1 + size]))
    pos += 1 + size
out = []
node = merge(lists)
while node is not None:
    out.append(node.val)
    node = node.next
print(len(out))
print(" ".join(map(str, out)))
