"""The host physical memory map of a review, as one self-contained SVG element.

Host memory spans 0x0..0x1_0000_0000 and more, with 4 KiB device pages next to
a GiB of RAM: no linear scale shows both. So every block (review_memory.Block)
is drawn as its own band, addresses increasing downwards, its height growing
with log2 of its size, and address ranges that hold nothing of interest are
drawn as a break with the size of the gap written beside it. Every band is
labelled with its start address, what it is and its size; the legend gives the
colours. Only SVG 1.1 elements and presentation attributes: no script, no CSS
file, no font download.
"""

import math
from html import escape

import review_format as fmt
from review_memory import FIRMWARE, FREE, HV_DEVICE, HYPERVISOR, PARTITION_RAM, PASSTHROUGH

# Partition colours, in partition order (then again); chosen to stay apart from
# each other and from the hypervisor's slate and the firmware's brown.
PARTITION_COLOURS = ("#1565c0", "#e65100", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457",
                     "#827717", "#4e342e")
OWNER_COLOURS = {"hypervisor": "#37474f", "firmware": "#8d6e63", "none": "#b0bec5"}
_KIND_FILL = {FREE: "#eceff1", FIRMWARE: "#8d6e63", HYPERVISOR: "#37474f", HV_DEVICE: "#78909c"}

WIDTH = 1120
_ADDR_RIGHT = 150        # address labels end here
_BAR_X = 162
_BAR_W = 250
_LABEL_X = _BAR_X + _BAR_W + 14
_TOP = 16
_GAP_H = 30
_MIN_H = 22
_MAX_H = 130
_CHAR_W = 6.6            # average width of a 12 px sans-serif character, for the legend


def owner_colour(owner):
    """The colour of an owner key ("hypervisor", "firmware", "none", "p0", "p1", ...)."""
    if owner.startswith("p") and owner[1:].isdigit():
        return PARTITION_COLOURS[int(owner[1:]) % len(PARTITION_COLOURS)]
    return OWNER_COLOURS.get(owner, "#b0bec5")


def render_memory_svg(review):
    """The <svg> element (a string) for review.memory."""
    blocks = review.memory
    legend, legend_h = _legend(review)
    body, height = [], _TOP + legend_h + 24
    body.append(_text(_ADDR_RIGHT, height - 8, "host address", anchor="end", weight="bold"))
    body.append(_text(_LABEL_X, height - 8, "owner and use (band height grows with log2 of the "
                                            "size: not to scale)", weight="bold"))
    previous = None
    for block in blocks:
        if previous is not None and block.base != previous.end:
            body += _address(previous.end, height)
            body += _gap(height, block.base - previous.end)
            height += _GAP_H
        band = _band_height(block.size)
        body += _block(block, height, band)
        body += _address(block.base, height)
        height += band
        previous = block
    if previous is not None:
        body += _address(previous.end, height)
    height += 16
    title = f"Host physical memory of scenario {review.scenario} ({review.platform})"
    return "\n".join(
        [f'<svg xmlns="http://www.w3.org/2000/svg" class="memory-map" width="{WIDTH}" '
         f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
         f'aria-labelledby="memory-map-title" font-family="sans-serif" font-size="12">',
         f'<title id="memory-map-title">{escape(title)}</title>',
         _patterns(review)] + legend + body + ["</svg>"]) + "\n"


def _band_height(size):
    return int(min(_MAX_H, _MIN_H + 5 * max(0.0, math.log2(max(size, 1)) - 12)))


def _fill(block):
    if block.kind == PARTITION_RAM:
        return owner_colour(block.owner)
    if block.kind == PASSTHROUGH:
        return f"url(#hatch-{block.owner})"
    return _KIND_FILL.get(block.kind, "#cfd8dc")


def _block(block, y, band):
    kind_class = {PARTITION_RAM: "ram", PASSTHROUGH: "mmio"}.get(block.kind, block.kind)
    tooltip = f"{fmt.span(block.base, block.size)} {fmt.size(block.size)}: {block.label}"
    if block.detail:
        tooltip += f" ({block.detail})"
    out = [f'<rect class="block {kind_class}" data-owner="{escape(block.owner)}" '
           f'data-base="{block.base:#x}" data-size="{block.size:#x}" x="{_BAR_X}" y="{y}" '
           f'width="{_BAR_W}" height="{band}" fill="{_fill(block)}" stroke="#263238" '
           f'stroke-width="1"><title>{escape(tooltip)}</title></rect>']
    dark = block.kind in (PARTITION_RAM, FIRMWARE, HYPERVISOR, HV_DEVICE)
    if block.kind != PASSTHROUGH:
        out.append(_text(_BAR_X + _BAR_W / 2, y + band / 2 + 4, fmt.size(block.size),
                         anchor="middle", fill="#ffffff" if dark else "#37474f"))
    colour = owner_colour(block.owner) if block.owner.startswith("p") else "#263238"
    label = f'<tspan font-weight="bold" fill="{colour}">{escape(block.label)}</tspan>'
    detail = f'<tspan fill="#455a64">{escape(_detail(block))}</tspan>' if block.detail else ""
    if band >= 36 and detail:
        out.append(f'<text x="{_LABEL_X}" y="{y + band / 2 - 3:g}">{label}</text>')
        out.append(f'<text x="{_LABEL_X}" y="{y + band / 2 + 12:g}">{detail}</text>')
    else:
        gap = '<tspan dx="8"> </tspan>' if detail else ""
        out.append(f'<text x="{_LABEL_X}" y="{y + band / 2 + 4:g}">{label}{gap}{detail}</text>')
    return out


def _detail(block):
    text = f"{fmt.size(block.size)}; {block.detail}" if block.kind == PASSTHROUGH else block.detail
    return text if len(text) <= 80 else text[:77] + "..."


def _address(value, y):
    return [f'<line x1="{_ADDR_RIGHT + 2}" y1="{y}" x2="{_BAR_X}" y2="{y}" stroke="#90a4ae"/>',
            _text(_ADDR_RIGHT - 2, y + 4, fmt.addr(value), anchor="end", family="monospace")]


def _gap(y, size):
    middle = y + _GAP_H / 2
    points = []
    steps = 10
    for step in range(steps + 1):
        x = _BAR_X + _BAR_W * step / steps
        points.append(f"{x:.1f},{middle + (-4 if step % 2 else 4)}")
    zigzag = " ".join(points)
    return [f'<rect class="gap" x="{_BAR_X}" y="{y + 3}" width="{_BAR_W}" height="{_GAP_H - 6}" '
            f'fill="#ffffff" stroke="#b0bec5" stroke-dasharray="4 3"/>',
            f'<polyline points="{zigzag}" fill="none" stroke="#90a4ae"/>',
            _text(_LABEL_X, middle + 4, f"gap of {fmt.approx_size(size)}: no RAM, reserved "
                                        f"memory or owned device (axis broken)", fill="#78909c",
                  style="italic")]


def _patterns(review):
    out = ["<defs>"]
    for owner in (partition.key for partition in review.partitions):
        colour = owner_colour(owner)
        out.append(f'<pattern id="hatch-{owner}" patternUnits="userSpaceOnUse" width="8" '
                   f'height="8" patternTransform="rotate(45)">'
                   f'<rect width="8" height="8" fill="#ffffff"/>'
                   f'<rect width="4" height="8" fill="{colour}"/></pattern>')
    out.append("</defs>")
    return "\n".join(out)


def _legend(review):
    items = [("Firmware (reserved)", _KIND_FILL[FIRMWARE]),
             ("Hypervisor region", _KIND_FILL[HYPERVISOR]),
             ("Hypervisor device", _KIND_FILL[HV_DEVICE]),
             ("Free host RAM", _KIND_FILL[FREE])]
    present = {block.kind for block in review.memory}
    items = [item for item, kind in zip(items, (FIRMWARE, HYPERVISOR, HV_DEVICE, FREE))
             if kind in present]
    for partition in review.partitions:
        items.append((f"{partition.key} {partition.name} RAM", owner_colour(partition.key)))
        if any(b.owner == partition.key and b.kind == PASSTHROUGH for b in review.memory):
            items.append((f"{partition.key} {partition.name} passthrough MMIO",
                          f"url(#hatch-{partition.key})"))
    out, x, y = [], 10, _TOP
    for label, fill in items:
        width = 14 + 6 + len(label) * _CHAR_W + 18
        if x + width > WIDTH - 10:
            x, y = 10, y + 20
        out.append(f'<rect class="swatch" x="{x}" y="{y}" width="14" height="14" fill="{fill}" '
                   f'stroke="#263238"/>')
        out.append(_text(x + 20, y + 11, label))
        x += width
    return out, y + 20 - _TOP


def _text(x, y, text, anchor="start", weight=None, fill="#263238", family=None, style=None):
    attributes = [f'x="{x:g}"', f'y="{y:g}"', f'fill="{fill}"']
    if anchor != "start":
        attributes.append(f'text-anchor="{anchor}"')
    if weight:
        attributes.append(f'font-weight="{weight}"')
    if family:
        attributes.append(f'font-family="{family}"')
    if style:
        attributes.append(f'font-style="{style}"')
    return f'<text {" ".join(attributes)}>{escape(text)}</text>'
