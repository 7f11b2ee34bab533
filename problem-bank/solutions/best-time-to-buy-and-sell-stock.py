import sys

data = list(map(int, sys.stdin.read().split()))
prices = data[1:1 + data[0]]
cheapest = prices[0]
best = 0
for price in prices:
    cheapest = min(cheapest, price)
    best = max(best, price - cheapest)
print(best)
