"""Stage-2 (Sv39x4) table pages a partition needs: mirrors mm::pages_needed() in C++."""

PAGE = 1 << 12
MEGA = 1 << 21
GIGA = 1 << 30
ROOT_PAGES = 4          # the 16 KiB Sv39x4 root


def leaf_size(gpa, hpa, remaining):
    """The largest leaf usable at (gpa, hpa) with `remaining` bytes left to map."""
    for size in (GIGA, MEGA):
        if gpa % size == 0 and hpa % size == 0 and remaining >= size:
            return size
    return PAGE


def pages_needed(regions):
    """4 KiB pages for root + level-1 + level-0 tables, rounded up to a multiple of 4.

    `regions` are (gpa, hpa, size) triples (or objects with those attributes),
    page aligned and disjoint; they are mapped in gpa order like the builder does.
    """
    pages = ROOT_PAGES
    last_l1 = last_l0 = None
    for gpa, hpa, size in sorted(_triples(regions)):
        offset = 0
        while offset < size:
            leaf = leaf_size(gpa + offset, hpa + offset, size - offset)
            at = gpa + offset
            if leaf <= MEGA and at // GIGA != last_l1:
                last_l1 = at // GIGA
                pages += 1
            if leaf == PAGE:
                if at // MEGA != last_l0:
                    last_l0 = at // MEGA
                    pages += 1
                # Every 4 KiB leaf up to the next 2 MiB boundary shares this table.
                leaf = min(size - offset, MEGA - at % MEGA)
            offset += leaf
    return (pages + 3) // 4 * 4


def _triples(regions):
    for region in regions:
        if isinstance(region, tuple):
            yield region
        else:
            yield region.gpa, region.hpa, region.size
