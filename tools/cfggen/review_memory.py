"""Host physical memory as the review shows it: who owns each piece of RAM and device space.

The pieces come from layers, later ones on top: host RAM (free unless something
below claims it), reserved firmware memory, the hypervisor region, the
hypervisor's own devices, then every partition's RAM and passthrough windows.
Overlaps cannot survive validation, but the layering makes the map total anyway.
"""

from dataclasses import dataclass

import props
import review_format as fmt
from model import RAM

FREE = "free"              # host RAM nobody owns
FIRMWARE = "firmware"      # /reserved-memory other than the hypervisor (OpenSBI)
HYPERVISOR = "hypervisor"  # the tessera,hypervisor region, and the devices it drives
PARTITION_RAM = "ram"
PASSTHROUGH = "mmio"
HV_DEVICE = "hv-device"

RAM_KINDS = (FREE, FIRMWARE, HYPERVISOR, PARTITION_RAM)


@dataclass(frozen=True)
class Block:
    base: int
    size: int
    kind: str          # one of the constants above
    owner: str         # "firmware", "hypervisor", "p0", ... or "none"
    label: str         # short: "hello RAM", "free host RAM"
    detail: str = ""   # where it comes from: nodes, guest address
    key: tuple = ()    # blocks with different keys are never merged

    @property
    def end(self):
        return self.base + self.size


def host_memory_blocks(config):
    """Blocks sorted by base, contiguous where the memory is, merged where nothing changes."""
    layers = _layers(config)
    points = sorted({point for block in layers for point in (block.base, block.end)})
    pieces = []
    for start, stop in zip(points, points[1:]):
        top = next((block for block in reversed(layers)
                    if block.base <= start and stop <= block.end), None)
        if top is None:
            continue
        if pieces and pieces[-1].end == start and _same(pieces[-1], top):
            last = pieces.pop()
            pieces.append(Block(last.base, stop - last.base, last.kind, last.owner, last.label,
                                last.detail, last.key))
        else:
            pieces.append(Block(start, stop - start, top.kind, top.owner, top.label, top.detail,
                                top.key))
    return pieces


def _same(a, b):
    return (a.kind, a.owner, a.label, a.detail, a.key) == (b.kind, b.owner, b.label, b.detail,
                                                           b.key)


def hypervisor_devices(config):
    """(role, node path) of the host devices the hypervisor itself drives: the console
    too, unless a partition owns it (tessera,console-owner)."""
    host = config.host
    found = [] if config.console_owner is not None else [("console", host.console.node)]
    if host.plic:
        found.append(("interrupt controller (PLIC)", host.plic.node))
    if host.poweroff.node:
        found.append(("power-off device", host.poweroff.node))
    return found


def _layers(config):
    host = config.host
    layers = [Block(span.base, span.size, FREE, "none", "free host RAM", span.node, ("free",))
              for span in host.ram]
    layers += [Block(span.base, span.size, FIRMWARE, "firmware", "reserved: firmware",
                     span.node, ("firmware", span.node))
               for span in host.reserved if span.node != host.hypervisor.node]
    layers.append(Block(host.hypervisor.base, host.hypervisor.size, HYPERVISOR, "hypervisor",
                        "hypervisor image, stacks, stage-2 tables", host.hypervisor.node,
                        ("hypervisor",)))
    for role, path in hypervisor_devices(config):
        node = host.source.find(path)
        for base, size in _reg(node):
            layers.append(Block(base, size, HV_DEVICE, "hypervisor", f"hypervisor {role}", path,
                                ("hv-device", path)))
    for partition in config.partitions:
        owner = f"p{partition.index}"
        for index, region in enumerate(partition.regions):
            if region.kind == RAM:
                label = f"{owner} {partition.name}: RAM"
                mapping = " (identity)" if region.identity else ""
                detail = f"guest {fmt.addr(region.gpa)}{mapping}, {region.label}"
                kind = PARTITION_RAM
            else:
                label = f"{owner} {partition.name}: passthrough"
                detail = f"{region.host_node} at guest {fmt.addr(region.gpa)}"
                if region.node != region.host_node or region.part:
                    detail += f" ({region.label})"
                kind = PASSTHROUGH
            layers.append(Block(region.hpa, region.size, kind, owner, label, detail,
                                (owner, index)))
    return layers


def _reg(node):
    if node is None:
        return []
    try:
        return props.reg(node) or []
    except props.PropError:
        return []
