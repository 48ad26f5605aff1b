"""CFG-MEM-001..006: guest RAM is aligned, inside free host RAM, and nothing overlaps."""

import ranges
from model import MMIO, RAM

GUEST_PHYS_LIMIT = 1 << 41  # Sv39x4


def check_memory(guests, mmio_per_guest, host, diags):
    for guest, mmio in zip(guests, mmio_per_guest):
        if guest.memory_nodes == 0:
            diags.report("CFG-MEM-005", guest.source, "/",
                         'the guest has no memory node (device_type = "memory")')
        for region in guest.ram:
            _check_ram(guest, region, host, diags)
        _check_guest_physical(guest, guest.ram + mmio, diags)
    _check_host_physical(guests, mmio_per_guest, diags)


def _check_ram(guest, region, host, diags):
    def error(rule_id, message, prop):
        diags.report(rule_id, guest.source, region.node, message, prop)

    where = f"{region.part} " if region.part else ""
    if region.size == 0 or not ranges.is_aligned(region.size, ranges.PAGE):
        error("CFG-MEM-004", f"{where}size {region.size:#x} is not a non-zero multiple of "
                             f"0x1000", region.gpa_prop)
    if not ranges.is_aligned(region.gpa, ranges.PAGE):
        error("CFG-MEM-004", f"{where}guest address {region.gpa:#x} is not 4 KiB aligned",
              region.gpa_prop)
    if not ranges.is_aligned(region.hpa, ranges.PAGE):
        error("CFG-MEM-004", f"{where}host address {region.hpa:#x} is not 4 KiB aligned",
              region.hpa_prop)
    if host is None:
        return
    host_range = ranges.hex_range(region.hpa, region.size)
    if not ranges.inside_any(host.ram_spans(), region.hpa, region.size):
        error("CFG-MEM-001", f"{where}host range {host_range} is not inside the RAM of "
                             f"{host.name} ({_spans(host.ram_spans())})", region.hpa_prop)
    for reserved in host.reserved:
        if ranges.overlaps(reserved.base, reserved.size, region.hpa, region.size):
            reserved_range = ranges.hex_range(reserved.base, reserved.size)
            error("CFG-MEM-002", f"{where}host range {host_range} overlaps reserved "
                                 f"{reserved.node} {reserved_range}", region.hpa_prop)


def _check_guest_physical(guest, regions, diags):
    for index, region in enumerate(regions):
        if region.gpa + region.size > GUEST_PHYS_LIMIT:
            diags.report("CFG-MEM-006", guest.source, region.node,
                         f"guest range {ranges.hex_range(region.gpa, region.size)} ends above "
                         f"the Sv39x4 limit {GUEST_PHYS_LIMIT:#x}", region.gpa_prop)
        for earlier in regions[:index]:
            if ranges.overlaps(earlier.gpa, earlier.size, region.gpa, region.size):
                diags.report("CFG-MEM-003", guest.source, region.node,
                             f"guest range {ranges.hex_range(region.gpa, region.size)} overlaps "
                             f"{earlier.label} {ranges.hex_range(earlier.gpa, earlier.size)}",
                             region.gpa_prop)


def _check_host_physical(guests, mmio_per_guest, diags):
    placed = []  # (guest, region) seen so far
    for guest, mmio in zip(guests, mmio_per_guest):
        for region in guest.ram + mmio:
            for other_guest, other in placed:
                if not ranges.overlaps(other.hpa, other.size, region.hpa, region.size):
                    continue
                if region.kind == MMIO and region.host_node == other.host_node:
                    continue  # the same device twice: CFG-DEV-003 already said so
                rule_id = "CFG-MEM-003" if RAM == region.kind == other.kind else "CFG-DEV-003"
                whose = ("this partition" if other_guest is guest
                         else f'partition "{other_guest.name}"')
                diags.report(rule_id, guest.source, region.node,
                             f"host range {ranges.hex_range(region.hpa, region.size)} overlaps "
                             f"{other.label} of {whose} {ranges.hex_range(other.hpa, other.size)}",
                             region.hpa_prop)
            placed.append((guest, region))


def _spans(spans):
    return ", ".join(ranges.hex_range(base, size) for base, size in spans) or "none"
