"""CFG-HART-001..006: every guest cpu (at most 8) maps to its own existing physical hart,
and the guest's /cpus describes exactly those cpus."""

from collections import Counter

import interrupts
import props

MAX_VHARTS = 8  # the runtime's irq::kMaxVirtualHarts (core/irq/virtual_plic.hpp)


def check_harts(guests, host, diags):
    """Per guest, the physical harts indexed by virtual hart id (None if invalid)."""
    owners = {}  # physical hart -> (guest, cpu node)
    result = []
    for guest in guests:
        _check_cpu_nodes(guest, diags)
        _check_physical(guest, host, owners, diags)
        result.append(_hart_table(guest, diags))
    return result


def _check_cpu_nodes(guest, diags):
    """CFG-HART-006: every node of /cpus that the guest may count as a cpu is one of its harts."""
    parent = guest.source.find("/cpus")
    harts = len(guest.cpus)
    for node in parent.children if parent is not None else []:
        is_cpu = props.is_device_type(node, "cpu")
        if not is_cpu and (node.name == "cpu" or node.name.startswith("cpu@")):
            diags.report("CFG-HART-006", guest.source, node.path,
                         f'{node.name} has no device_type = "cpu": the partition has no hart '
                         f"for it ({harts} hart(s) from the cpu nodes that have one)")
        elif is_cpu and not interrupts.is_enabled(node):
            diags.report("CFG-HART-006", guest.source, node.path,
                         f"the cpu is disabled, but it still takes a physical hart: the guest "
                         f"sees fewer cpus than the partition's {harts} hart(s)", "status")


def _check_physical(guest, host, owners, diags):
    for cpu in guest.cpus:
        if cpu.phart is None:
            if "tessera,hart" not in guest.source.find(cpu.node).props:
                diags.report("CFG-HART-001", guest.source, cpu.node,
                             "cpu has no tessera,hart = <physical hart id>")
            continue
        if host is not None and cpu.phart not in host.harts:
            known = ", ".join(str(hart) for hart in sorted(host.harts)) or "none"
            diags.report("CFG-HART-002", guest.source, cpu.node,
                         f"physical hart {cpu.phart} does not exist on platform {host.name} "
                         f"(harts: {known})", "tessera,hart")
            continue
        owner = owners.get(cpu.phart)
        if owner is not None:
            other_guest, other_node = owner
            whose = ("this partition" if other_guest is guest
                     else f'partition "{other_guest.name}"')
            diags.report("CFG-HART-003", guest.source, cpu.node,
                         f"physical hart {cpu.phart} is already used by {other_node} of {whose}",
                         "tessera,hart")
            continue
        owners[cpu.phart] = (guest, cpu.node)


def _hart_table(guest, diags):
    if not guest.cpus:
        node = "/cpus" if guest.source.find("/cpus") is not None else "/"
        diags.report("CFG-HART-005", guest.source, node,
                     'the guest has no cpu node (device_type = "cpu" under /cpus)')
        return None
    count = len(guest.cpus)
    if count > MAX_VHARTS:
        diags.report("CFG-HART-005", guest.source, guest.cpus[MAX_VHARTS].node,
                     f"the guest has {count} cpus; a partition has at most {MAX_VHARTS}")
        return None
    if any(cpu.vhart is None for cpu in guest.cpus):
        return None  # already reported (missing or malformed reg)
    uses = Counter(cpu.vhart for cpu in guest.cpus)
    first_with = {}
    valid = True
    for cpu in guest.cpus:
        if uses[cpu.vhart] > 1 and cpu.vhart in first_with:
            diags.report("CFG-HART-004", guest.source, cpu.node,
                         f"virtual hart id {cpu.vhart} is also used by {first_with[cpu.vhart]}",
                         "reg")
            valid = False
        elif cpu.vhart >= count:
            diags.report("CFG-HART-004", guest.source, cpu.node,
                         f"virtual hart id {cpu.vhart} is out of range: {count} cpu(s) "
                         f"need ids 0..{count - 1}", "reg")
            valid = False
        first_with.setdefault(cpu.vhart, cpu.node)
    if not valid or any(cpu.phart is None for cpu in guest.cpus):
        return None
    return [cpu.phart for cpu in sorted(guest.cpus, key=lambda cpu: cpu.vhart)]
