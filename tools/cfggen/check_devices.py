"""CFG-DEV-001..004, 006, 007: passthrough devices exist, match the host, are not the
hypervisor's, expose no other device, and have one owner.

The console UART is the hypervisor's but for the partition the scenario names in
tessera,console-owner, which may pass it through like any other device.
"""

import props
import ranges
from model import MMIO, Region


def check_devices(guests, host, diags, console_owner=None):
    """Per guest, the MMIO regions of its passthrough devices.

    console_owner: the partition name of the scenario's tessera,console-owner, or None.
    """
    owners = {}  # host node path -> (guest, guest node)
    result = []
    for guest in guests:
        regions = []
        for request in guest.passthrough if host is not None else []:
            regions += _device_regions(guest, request, host, owners, diags, console_owner)
        result.append(regions)
    return result


def _device_regions(guest, request, host, owners, diags, console_owner):
    def error(rule_id, message, prop="reg"):
        diags.report(rule_id, guest.source, request.node, message, prop)

    host_node = host.source.find(request.host_path)
    if host_node is None:
        error("CFG-DEV-001", f"the host DT of {host.name} has no node {request.host_path}",
              "tessera,passthrough")
        return []
    reason = host.owned_by_hypervisor(host_node, console_owner=guest.name == console_owner)
    if reason is not None:
        error("CFG-DEV-006", f"host {host_node.path} is {reason}: "
                             f"{_why_not_yours(host, host_node, console_owner)}",
              "tessera,passthrough")
        return []
    owner = owners.get(host_node.path)
    if owner is not None:
        other_guest, other_node = owner
        whose = "this partition" if other_guest is guest else f'partition "{other_guest.name}"'
        error("CFG-DEV-003", f"host device {host_node.path} is already passed to "
                             f"{other_node} of {whose}", "tessera,passthrough")
        return []
    owners[host_node.path] = (guest, request.node)
    try:
        host_reg = props.reg(host_node) or []
    except props.PropError as bad:
        diags.report_prop_error(host.source, bad)
        return []
    if len(host_reg) != len(request.reg):
        error("CFG-DEV-002", f"reg has {len(request.reg)} range(s), host node "
                             f"{request.host_path} has {len(host_reg)}")
        return []
    regions = []
    for index, ((gpa, size), (hpa, host_size)) in enumerate(zip(request.reg, host_reg)):
        region = _region(request.node, host_node.path, index, (gpa, size), (hpa, host_size),
                         host, error)
        if region is not None:
            regions.append(region)
    return regions


def _why_not_yours(host, host_node, console_owner):
    if not host.is_console(host_node):
        return "the hypervisor owns it for every partition"
    if console_owner is None:
        return ("the hypervisor owns it and multiplexes it for every partition (the scenario "
                "has no tessera,console-owner)")
    return f'the scenario gives it to partition "{console_owner}" (tessera,console-owner)'


def _region(node, host_path, index, guest_range, host_range, host, error):
    (gpa, size), (hpa, host_size) = guest_range, host_range
    which = f"reg[{index}]"
    if size != host_size:
        error("CFG-DEV-002", f"{which} size {size:#x} differs from the host's {host_size:#x}")
        return None
    if size == 0:
        error("CFG-DEV-002", f"{which} has size 0")
        return None
    if not (ranges.is_aligned(gpa, ranges.PAGE) and ranges.is_aligned(hpa, ranges.PAGE)):
        error("CFG-DEV-002", f"{which} guest address {gpa:#x} and host address {hpa:#x} "
                             f"must both be 4 KiB aligned")
        return None
    mapped = ranges.round_up(size, ranges.PAGE)
    if any(ranges.overlaps(base, span_size, hpa, mapped)
           for base, span_size in host.ram_spans()):
        error("CFG-DEV-004", f"{which} host range {ranges.hex_range(hpa, mapped)} is host RAM")
        return None
    for device in host.devices:
        if _related(device.node, host_path):
            continue
        if ranges.overlaps(device.base, device.size, hpa, mapped):
            error("CFG-DEV-007", f"{which} maps host {ranges.hex_range(hpa, mapped)} (whole "
                                 f"4 KiB pages), which also holds host device {device.node} "
                                 f"{ranges.hex_range(device.base, device.size)}")
            return None
    note = f"size {size:#x} rounded up to {mapped:#x}" if mapped != size else ""
    return Region(gpa, hpa, mapped, MMIO, node, index, "reg", host_node=host_path, note=note)


def _related(path, other):
    """`path` is `other`, or one is below the other: the same device."""
    return path == other or path.startswith(other.rstrip("/") + "/") or \
        other.startswith(path.rstrip("/") + "/")
