import sys


def three_sum(nums: list[int]) -> list[tuple[int, int, int]]:
    nums = sorted(nums)
    n = len(nums)
    found = []
    for i in range(n - 2):
        if nums[i] > 0:
            break
        if i > 0 and nums[i] == nums[i - 1]:
            continue
        lo, hi = i + 1, n - 1
        while lo < hi:
            total = nums[i] + nums[lo] + nums[hi]
            if total < 0:
                lo += 1
            elif total > 0:
                hi -= 1
            else:
                found.append((nums[i], nums[lo], nums[hi]))
                lo += 1
                while lo < hi and nums[lo] == nums[lo - 1]:
                    lo += 1
                hi -= 1
    return found  # already in lexicographic order: i, then lo, increase


data = list(map(int, sys.stdin.read().split()))
triples = three_sum(data[1:1 + data[0]])
print("\n".join([str(len(triples))] + [" ".join(map(str, t)) for t in triples]))
