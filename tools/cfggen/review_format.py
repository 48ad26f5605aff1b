"""How the review writes addresses, ranges and sizes (the same in Markdown, HTML and SVG)."""


def addr(value):
    """0x8000_0000: hex with a separator every 4 digits, easier to compare by eye."""
    digits = f"{value:x}"
    groups = []
    while digits:
        groups.insert(0, digits[-4:])
        digits = digits[:-4]
    return "0x" + "_".join(groups or ["0"])


def span(base, size):
    """[0x8000_0000, 0x8400_0000): half-open, as everywhere in Tessera."""
    return f"[{addr(base)}, {addr(base + size)})"


_UNITS = (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10))


def size(value):
    """64 MiB when exact, else 80496 bytes (78.6 KiB): never rounded without the exact value."""
    for unit, scale in _UNITS:
        if value >= scale and value % scale == 0:
            return f"{value // scale} {unit}"
    for unit, scale in _UNITS:
        if value >= scale:
            return f"{value} bytes ({value / scale:.1f} {unit})"
    return f"{value} bytes"


def approx_size(value):
    """About 191 MiB: for gaps, where the exact value does not matter."""
    for unit, scale in _UNITS:
        if value >= scale:
            amount = value / scale
            if amount == int(amount):
                return f"{int(amount)} {unit}"
            return f"about {amount:.0f} {unit}" if amount >= 10 else f"about {amount:.1f} {unit}"
    return f"{value} bytes"


def yes_no(value):
    return "yes" if value else "no"
