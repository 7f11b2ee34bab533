import sys

data = list(map(int, sys.stdin.read().split()))
height = data[1:1 + data[0]]
left, right = 0, len(height) - 1
left_max = right_max = 0
water = 0
# The lower side decides the water level: move it inwards.
while left < right:
    if height[left] <= height[right]:
        left_max = max(left_max, height[left])
        water += left_max - height[left]
        left += 1
    else:
        right_max = max(right_max, height[right])
        water += right_max - height[right]
        right -= 1
print(water)
