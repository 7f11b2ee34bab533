import sys

n = int(sys.stdin.read().split()[0])
full = (1 << n) - 1


def place(cols: int, diag: int, anti: int) -> int:
    """Counts completions, given the columns and diagonals attacked in the next row (as bit masks)."""
    if cols == full:
        return 1
    count = 0
    free = full & ~(cols | diag | anti)
    while free:
        bit = free & -free
        free ^= bit
        count += place(cols | bit, ((diag | bit) << 1) & full, (anti | bit) >> 1)
    return count


print(place(0, 0, 0))
