"""stage2.pages_needed(): must equal mm::pages_needed() in core/mm/stage2.hpp."""

import pytest

from stage2 import GIGA, MEGA, PAGE, leaf_size, pages_needed

MiB = 1 << 20


def naive_pages(regions):
    """The count as the spec words it: one 4 KiB leaf at a time, distinct tables."""
    level1, level0 = set(), set()
    for gpa, hpa, size in regions:
        offset = 0
        while offset < size:
            leaf = leaf_size(gpa + offset, hpa + offset, size - offset)
            if leaf <= MEGA:
                level1.add((gpa + offset) >> 30)
            if leaf == PAGE:
                level0.add((gpa + offset) >> 21)
            offset += leaf
    pages = 4 + len(level1) + len(level0)
    return (pages + 3) // 4 * 4


@pytest.mark.parametrize("regions, expected", [
    ([(0x80000000, 0x88000000, 64 * MiB)], 8),            # 2 MiB leaves: 4 + 1 -> 8
    ([(0x80000000, 0x88000000, PAGE)], 8),                # 4 + 1 + 1 -> 8
    ([(0x40000000, 0x80000000, GIGA)], 4),                # one 1 GiB leaf: root only
    ([(0x80000000, 0x88001000, 4 * MiB)], 8),             # hpa not 2 MiB aligned: 4 + 1 + 2
    ([(0x80000000, 0x88000000, 2 * MiB + PAGE)], 8),      # 2 MiB + one 4 KiB page: 4 + 1 + 1
    ([(0x10000000, 0x10000000, PAGE), (0x80000000, 0x88000000, 64 * MiB)], 8),  # 4 + 2 + 1
    ([(0x0, 0x0, PAGE), (GIGA, GIGA, PAGE), (2 * GIGA, 2 * GIGA, PAGE)], 12),   # 4 + 3 + 3
    ([(0x80000000 + 511 * PAGE, 0x88000000 + 511 * PAGE, 2 * PAGE)], 8),        # 4 + 1 + 2
])
def test_known_counts(regions, expected):
    assert pages_needed(regions) == expected
    assert naive_pages(regions) == expected


def test_result_is_a_multiple_of_four():
    regions = [(slot * GIGA, slot * GIGA, PAGE) for slot in range(3)]
    assert pages_needed(regions) % 4 == 0


def test_region_order_does_not_matter():
    regions = [(0x80000000, 0x88000000, 64 * MiB), (0x10000000, 0x10000000, PAGE)]
    assert pages_needed(regions) == pages_needed(list(reversed(regions)))


def test_accepts_objects_with_gpa_hpa_size():
    class Region:
        gpa, hpa, size = 0x80000000, 0x88000000, PAGE
    assert pages_needed([Region()]) == 8


def test_fast_path_matches_the_naive_walk():
    cases = [
        [(0x80000000, 0x88003000, 5 * MiB + 3 * PAGE)],
        [(0x7FE00000, 0x87E00000, GIGA + 4 * MiB)],
        [(0x3FFFF000, 0x3FFFF000, 3 * MiB)],
        [(0x0, 0x1000, GIGA), (GIGA + 0x200000, 0x200000, 6 * MiB + PAGE)],
        [(0x80000000, 0x80000000, 3 * GIGA + 0x5000)],
    ]
    for regions in cases:
        assert pages_needed(regions) == naive_pages(regions), regions
