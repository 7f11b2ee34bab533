import sys
from functools import reduce
from operator import xor

data = list(map(int, sys.stdin.read().split()))
print(reduce(xor, data[1:1 + data[0]], 0))
