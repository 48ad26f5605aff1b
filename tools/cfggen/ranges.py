"""Address arithmetic on half-open [base, base + size) ranges."""

PAGE = 0x1000


def end(base, size):
    return base + size


def overlaps(base_a, size_a, base_b, size_b):
    return base_a < base_b + size_b and base_b < base_a + size_a


def contains(outer_base, outer_size, base, size):
    return outer_base <= base and base + size <= outer_base + outer_size


def inside_any(spans, base, size):
    """True when [base, base + size) lies inside one of `spans` ((base, size) pairs)."""
    return any(contains(outer_base, outer_size, base, size) for outer_base, outer_size in spans)


def merge(spans):
    """(base, size) pairs with touching or overlapping ones merged, sorted."""
    merged = []
    for base, size in sorted(spans):
        if merged and base <= merged[-1][0] + merged[-1][1]:
            last_base, last_size = merged[-1]
            merged[-1] = (last_base, max(last_base + last_size, base + size) - last_base)
        else:
            merged.append((base, size))
    return merged


def round_up(value, alignment):
    return (value + alignment - 1) // alignment * alignment


def is_aligned(value, alignment):
    return value % alignment == 0


def hex_range(base, size):
    return f"[{base:#x}, {base + size:#x})"
