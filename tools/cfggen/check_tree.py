"""CFG-DT-004..006: a device tree is consistent with itself.

Every node is looked at, whether cfggen otherwise reads it or not (disabled
nodes included): the guest's OS reads them all.
  - reg is whole (address, size) groups of the parent's #address-cells +
    #size-cells cells; ranges is whole (child address, parent address, size)
    groups (CFG-DT-004);
  - interrupt-parent names an interrupt controller, interrupts-extended
    phandles resolve, and every interrupt specifier has its controller's
    #interrupt-cells (CFG-DT-005);
  - a non-empty ranges maps every child address to the same parent address
    (CFG-DT-006): cfggen takes each reg as a physical address, it does not
    translate through buses.
"""

import interrupts
import props

IDENTITY_RANGES_RULE = "CFG-DT-006"
DEFAULT_ADDRESS_CELLS = 2
DEFAULT_SIZE_CELLS = 1


def check_tree(source, diags):
    by_phandle = interrupts.phandles(source.root)
    for node in source.root.walk():
        for check in (_check_reg, _check_ranges, _check_interrupts):
            try:
                check(node, by_phandle)
            except props.PropError as error:
                diags.report_prop_error(source, error)


def _check_reg(node, _):
    parent = node.parent
    if parent is not None and "reg" in node.props:
        values = props.cells(node, "reg")
        stride = _address_cells(parent) + _size_cells(parent)
        props.check_stride(node, "reg", values, stride,
                           f"{parent.path}'s #address-cells + #size-cells")


def _check_ranges(node, _):
    parent = node.parent
    if parent is None or not node.props.get("ranges"):  # an empty ranges is the identity
        return
    values = props.cells(node, "ranges")
    child, parent_cells, size = _address_cells(node), _address_cells(parent), _size_cells(node)
    stride = child + parent_cells + size
    props.check_stride(node, "ranges", values, stride,
                       "#address-cells + the parent's #address-cells + #size-cells")
    for index in range(0, len(values), stride):
        child_address = props.join_cells(values[index:index + child])
        parent_address = props.join_cells(values[index + child:index + child + parent_cells])
        if child_address != parent_address:
            raise props.PropError(
                node, "ranges", f"ranges maps child address {child_address:#x} to "
                                f"{parent_address:#x}; cfggen needs identity ranges (children's "
                                f"reg are physical addresses)", IDENTITY_RANGES_RULE)


def _check_interrupts(node, by_phandle):
    if any(name in node.props for name in
           ("interrupts", "interrupts-extended", "interrupt-parent")):
        interrupts.check_references(node, by_phandle)


def _address_cells(node):
    value = props.u32(node, "#address-cells")
    return DEFAULT_ADDRESS_CELLS if value is None else value


def _size_cells(node):
    value = props.u32(node, "#size-cells")
    return DEFAULT_SIZE_CELLS if value is None else value
