"""CFG-IRQ-001..004: passthrough interrupts, host PLIC to guest PLIC, one owner each.

A passthrough node's interrupts (through its interrupt parent, which must be
the guest's emulated PLIC) map entry by entry onto its host node's interrupts
(whose parent must be the host PLIC).
"""

import interrupts
import props
from model import NS16550, IrqRoute


def check_irqs(guests, host, emulations, diags, console_owner=None):
    """Per guest, its passthrough IrqRoutes sorted by host interrupt.

    console_owner: the partition name of the scenario's tessera,console-owner (its
    passthrough console UART's interrupt is routed like any other), or None.
    """
    owners = {}        # host irq -> (guest, guest node)
    host_nodes = set()  # host devices whose interrupts are already routed
    host_phandles = host.phandles() if host is not None else {}
    result = []
    for guest, emulation in zip(guests, emulations):
        checker = _Checker(guest, emulation, host, host_phandles, owners, host_nodes, diags,
                           guest.name == console_owner)
        result.append(sorted(checker.run(), key=lambda route: route.host_irq))
    return result


class _Checker:
    def __init__(self, guest, emulation, host, host_phandles, owners, host_nodes, diags,
                 console_owner):
        self.guest = guest
        self.console_owner = console_owner  # this guest may have the host console
        self.plic = emulation.plic
        self.emulated = emulation.devices
        self.host = host
        self.host_phandles = host_phandles
        self.owners = owners
        self.host_nodes = host_nodes
        self.diags = diags
        self.used = {}  # guest irq -> guest node

    def error(self, rule_id, node, message, prop):
        self.diags.report(rule_id, self.guest.source, node, message, prop)

    def run(self):
        for device in self.emulated:
            if device.kind == NS16550 and device.irq:
                prop = interrupts.source_prop(self.guest.source.find(device.node))
                self._guest_irq(device.node, device.irq, prop)
        routes = []
        phandles = interrupts.phandles(self.guest.source.root)
        for request in self.guest.passthrough if self.host is not None else []:
            routes += self._passthrough(request, phandles)
        return routes

    def _guest_irq(self, node, irq, prop):
        """Range and uniqueness of a guest interrupt number; False if it is unusable."""
        sources = self.plic.sources if self.plic is not None else None
        if irq == 0:
            self.error("CFG-IRQ-004", node, "guest interrupt 0 means no interrupt on a PLIC; "
                                            "sources start at 1", prop)
            return False
        if sources is not None and irq > sources:
            self.error("CFG-IRQ-004", node, f"guest interrupt {irq} is outside 1..{sources} "
                                            f"(riscv,ndev of {self.plic.node})", prop)
            return False
        other = self.used.get(irq)
        if other is not None:
            self.error("CFG-IRQ-003", node, f"guest interrupt {irq} is already used by "
                                            f"{other}", prop)
            return False
        self.used[irq] = node
        return True

    def _passthrough(self, request, phandles):
        node = self.guest.source.find(request.node)
        prop = interrupts.source_prop(node)
        try:
            wanted = interrupts.specifiers(node, phandles)
        except props.PropError as bad:
            self.diags.report_prop_error(self.guest.source, bad)
            return []
        host_node = self.host.source.find(request.host_path)
        if (not wanted or host_node is None or host_node.path in self.host_nodes
                or self.host.owned_by_hypervisor(host_node, self.console_owner) is not None):
            return []  # no interrupts; or CFG-DEV-001/003/006 already reported the host node
        self.host_nodes.add(host_node.path)
        if self.plic is None:
            self.error("CFG-IRQ-001", request.node, f"{prop} needs an emulated PLIC in the "
                                                    f"guest to route the device's interrupts to",
                       prop)
            return []
        strays = [controller.path for controller, _ in wanted if controller.path != self.plic.node]
        if strays:
            self.error("CFG-IRQ-001", request.node, f"{prop} goes to {strays[0]}, not to the "
                                                    f"guest's PLIC {self.plic.node}", prop)
            return []
        if any(len(cells) != 1 for _, cells in wanted):
            return []  # the PLIC's #interrupt-cells is wrong: CFG-EMU-001
        host_irqs = self._host_irqs(request, host_node, prop)
        if host_irqs is None:
            return []
        if len(host_irqs) != len(wanted):
            self.error("CFG-IRQ-001", request.node,
                       f"{prop} lists {len(wanted)} interrupt(s), host node {host_node.path} "
                       f"has {len(host_irqs)}", prop)
            return []
        routes = []
        for (_, (guest_irq,)), host_irq in zip(wanted, host_irqs):
            usable = self._guest_irq(request.node, guest_irq, prop)
            if not 1 <= host_irq <= self.host.plic.sources:
                self.error("CFG-IRQ-004", request.node,
                           f"host interrupt {host_irq} of {host_node.path} is outside "
                           f"1..{self.host.plic.sources} (riscv,ndev of {self.host.plic.node})",
                           prop)
                continue
            owner = self.owners.get(host_irq)
            if owner is not None:
                other_guest, other_node = owner
                whose = ("this partition" if other_guest is self.guest
                         else f'partition "{other_guest.name}"')
                self.error("CFG-IRQ-002", request.node,
                           f"host interrupt {host_irq} of {host_node.path} is already routed "
                           f"to {other_node} of {whose}", prop)
                continue
            self.owners[host_irq] = (self.guest, request.node)
            if usable:
                routes.append(IrqRoute(host_irq, guest_irq, request.node, host_node.path))
        return routes

    def _host_irqs(self, request, host_node, prop):
        """The host node's PLIC interrupt numbers, None after reporting why there are none."""
        plic = self.host.plic
        if plic is None:
            self.error("CFG-IRQ-001", request.node,
                       f"{prop} needs a PLIC on {self.host.name}, whose host DT has none "
                       f"(or an unusable one)", prop)
            return None
        try:
            found = interrupts.specifiers(host_node, self.host_phandles)
        except props.PropError as bad:
            self.diags.report_prop_error(self.host.source, bad)
            return None
        strays = [controller.path for controller, _ in found if controller.path != plic.node]
        if strays:
            self.error("CFG-IRQ-001", request.node,
                       f"host node {host_node.path} raises its interrupts on {strays[0]}, not "
                       f"on the host PLIC {plic.node}", prop)
            return None
        return [cells[0] for _, cells in found]
