"""Which nodes of a device tree are memory-mapped devices."""

import interrupts
import props

NOT_DEVICES = ("/cpus", "/reserved-memory", "/chosen", "/aliases")


def device_nodes(root, descend=lambda node: True, enabled_only=True):
    """Nodes that are memory-mapped devices, in DT order.

    A device node has a reg in an address space (its parent's #size-cells is
    not 0) and is enabled (status absent or "okay"). Not devices: the root,
    memory nodes, and /cpus, /reserved-memory, /chosen, /aliases with everything
    below them. Disabled nodes are skipped with their subtrees (unless
    enabled_only is False), and so are the children of a node for which
    descend(node) is False.
    """
    def visit(node):
        if node.parent is not None:
            if node.path in NOT_DEVICES:
                return
            if enabled_only and not interrupts.is_enabled(node):
                return
            if props.is_device_type(node, "memory"):
                return
            if "reg" in node.props and _in_address_space(node):
                yield node
            if not descend(node):
                return
        for child in node.children:
            yield from visit(child)
    return list(visit(root))


def _in_address_space(node):
    try:
        return props.size_cells(node.parent) != 0
    except props.PropError:
        return True  # reported when its reg is decoded
