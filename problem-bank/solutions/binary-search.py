import sys


def search(nums: list[int], target: int) -> int:
    lo, hi = 0, len(nums) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if nums[mid] == target:
            return mid
        if nums[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


data = list(map(int, sys.stdin.read().split()))
n = data[0]
print(search(data[1:1 + n], data[1 + n]))
