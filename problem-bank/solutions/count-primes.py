import sys

n = int(sys.stdin.read().split()[0])
if n < 3:
    print(0)
else:
    is_prime = bytearray([1]) * n
    is_prime[0] = is_prime[1] = 0
    p = 2
    while p * p < n:
        if is_prime[p]:
            is_prime[p * p::p] = bytes(len(range(p * p, n, p)))
        p += 1
    print(sum(is_prime))
