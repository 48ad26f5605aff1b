"""Interrupt wiring of a device tree: phandles, interrupt parents, interrupt specifiers.

Malformed values raise props.PropError for CFG-DT-002; references that do not
resolve (dangling phandles, no interrupt parent, a specifier that does not fit
its controller's #interrupt-cells) raise it for CFG-DT-005.
"""

import props

PHANDLE_PROPS = ("phandle", "linux,phandle")
REFERENCES_RULE = "CFG-DT-005"


def _unresolved(node, prop, message):
    return props.PropError(node, prop, message, REFERENCES_RULE)


def phandles(root):
    """{phandle value: Node} of the tree below `root`."""
    found = {}
    for node in root.walk():
        for name in PHANDLE_PROPS:
            raw = node.props.get(name)
            if raw is not None and len(raw) == 4:
                found.setdefault(int.from_bytes(raw, "big"), node)
    return found


def interrupt_cells(controller, user, prop):
    """#interrupt-cells of `controller`; `user`.`prop` is what needs it (for the error)."""
    value = props.u32(controller, "#interrupt-cells")
    if value is None:
        raise _unresolved(user, prop,
                          f"{prop} names {controller.path}, which has no #interrupt-cells")
    return value


def interrupt_parent(node, by_phandle):
    """The interrupt controller `node`'s `interrupts` go to, or None.

    An own or inherited interrupt-parent, else the closest ancestor that is an
    interrupt controller (has #interrupt-cells), as the DT specification says.
    """
    current, seen = node, set()
    while current is not None and current.path not in seen:
        seen.add(current.path)
        target = own_interrupt_parent(current, by_phandle)
        if target is None:
            target = current.parent
        if target is None or "#interrupt-cells" in target.props:
            return target
        current = target
    return None


def own_interrupt_parent(node, by_phandle):
    """The node `node`'s own interrupt-parent property names, None when it has none."""
    raw = node.props.get("interrupt-parent")
    if raw is None:
        return None
    if len(raw) != 4:
        raise props.PropError(node, "interrupt-parent", "interrupt-parent must be one phandle")
    target = by_phandle.get(int.from_bytes(raw, "big"))
    if target is None:
        raise _unresolved(node, "interrupt-parent",
                          f"interrupt-parent <{int.from_bytes(raw, 'big'):#x}> names no node")
    if "#interrupt-cells" not in target.props:
        raise _unresolved(node, "interrupt-parent",
                          f"interrupt-parent names {target.path}, which is not an interrupt "
                          f"controller (no #interrupt-cells)")
    return target


def check_references(node, by_phandle):
    """Raise PropError if `node`'s interrupt-parent or interrupt specifiers do not resolve."""
    own_interrupt_parent(node, by_phandle)
    specifiers(node, by_phandle)


def specifiers(node, by_phandle):
    """[(controller Node, cells tuple)] from `interrupts-extended` or `interrupts`.

    [] when the node has neither; the prop name used is in `source_prop(node)`.
    """
    if "interrupts-extended" in node.props:
        values = props.cells(node, "interrupts-extended")
        found, index = [], 0
        while index < len(values):
            controller = by_phandle.get(values[index])
            if controller is None:
                raise _unresolved(node, "interrupts-extended",
                                  f"interrupts-extended: phandle <{values[index]:#x}> "
                                  f"names no node")
            count = interrupt_cells(controller, node, "interrupts-extended")
            if index + 1 + count > len(values):
                raise _unresolved(node, "interrupts-extended",
                                  "interrupts-extended ends in the middle of a specifier")
            found.append((controller, tuple(values[index + 1:index + 1 + count])))
            index += 1 + count
        return found
    values = props.cells(node, "interrupts")
    if values is None:
        return []
    parent = interrupt_parent(node, by_phandle)
    if parent is None:
        raise _unresolved(node, "interrupts",
                          "interrupts has no interrupt parent (set interrupt-parent)")
    count = interrupt_cells(parent, node, "interrupts")
    if count == 0 or len(values) % count:
        raise _unresolved(node, "interrupts",
                          f"interrupts has {len(values)} cells, not a multiple of "
                          f"{parent.path}'s #interrupt-cells = <{count}>")
    return [(parent, tuple(values[i:i + count])) for i in range(0, len(values), count)]


def source_prop(node):
    """The property that holds `node`'s interrupts (for locating errors)."""
    return "interrupts-extended" if "interrupts-extended" in node.props else "interrupts"


def is_enabled(node):
    """status absent, "okay" or "ok"."""
    return node.props.get("status", b"okay\0") in (b"okay\0", b"ok\0")


CPU_INTC_COMPATIBLE = "riscv,cpu-intc"
IRQ_M_EXT = 11   # mcause interrupt number of machine external interrupts
IRQ_S_EXT = 9    # ... of supervisor external interrupts


def cpu_intc(cpu):
    """The riscv,cpu-intc interrupt-controller child of a cpu node, or None."""
    return next((child for child in cpu.children
                 if "interrupt-controller" in child.props
                 and CPU_INTC_COMPATIBLE in props.compatible(child)), None)


def plic_context_errors(plic, cpus_in_order, by_phandle):
    """What is wrong with `plic`'s interrupts-extended, as messages ([] when right).

    The QEMU virt layout: for the i-th cpu of `cpus_in_order`, context 2i is its
    M-mode external interrupt <&intc 11> and context 2i+1 its S-mode one <&intc 9>.
    """
    if "interrupts-extended" not in plic.props:
        return ["has no interrupts-extended naming each cpu's M- and S-mode contexts"]
    expected = []
    for cpu in cpus_in_order:
        intc = cpu_intc(cpu)
        if intc is None:
            return [f"{cpu.path} has no interrupt-controller child "
                    f'(compatible "{CPU_INTC_COMPATIBLE}") for the PLIC to name']
        expected += [(intc.path, (IRQ_M_EXT,)), (intc.path, (IRQ_S_EXT,))]
    actual = [(controller.path, cells) for controller, cells in specifiers(plic, by_phandle)]
    if len(actual) != len(expected):
        return [f"interrupts-extended has {len(actual)} context(s); {len(cpus_in_order)} "
                f"cpu(s) need {len(expected)} (<&cpuN_intc 11 &cpuN_intc 9> per cpu, in "
                f"hart order)"]
    for context, (got, want) in enumerate(zip(actual, expected)):
        if got != want:
            cells = " ".join(str(cell) for cell in got[1])
            mode = "M" if context % 2 == 0 else "S"
            return [f"interrupts-extended context {context} is <&{got[0]} {cells}>, expected "
                    f"<&{want[0]} {want[1][0]}> ({mode}-mode of hart {context // 2})"]
    return []
