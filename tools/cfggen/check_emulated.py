"""CFG-DEV-005, CFG-EMU-001..004: the devices a guest DT describes are passed through or emulated.

Emulated devices (no tessera,passthrough) are recognised by compatible: a
virtual PLIC and 16550 UARTs. Their register windows stay unmapped in stage 2,
so every guest access traps to the hypervisor.
"""

from dataclasses import dataclass, field

import interrupts
import props
import ranges
from check_memory import GUEST_PHYS_LIMIT
from model import NS16550, PLIC, Emulated

MAX_GUEST_SOURCES = 127      # the runtime's kMaxVirtualSources = 128: ids 1..127
MAX_UARTS = 2                # the runtime's kMaxVirtualUarts (core/partition/partition.hpp)
PLIC_CONTEXT_BASE = 0x200000  # QEMU virt / SiFive layout: context c at 0x200000 + 0x1000 * c
PLIC_CONTEXT_STRIDE = 0x1000
UART_WINDOW = ranges.PAGE
UART_COMPATIBLES = ("ns16550a", "ns16550")


@dataclass(frozen=True)
class GuestPlic:
    node: str
    sources: int = None       # riscv,ndev; None when invalid (already reported)


@dataclass
class Emulation:
    """What check_emulated found in one guest."""
    devices: list = field(default_factory=list)  # Emulated, sorted by gpa
    plic: GuestPlic = None


def check_emulated(guests, mmio_per_guest, diags):
    """Per guest, its Emulation."""
    return [_Checker(guest, mmio, diags).run() for guest, mmio in zip(guests, mmio_per_guest)]


def device_nodes(root):
    """Guest nodes that are memory-mapped devices: they have a reg in an address space
    (parent #size-cells != 0), and are not cpus, memory, reserved memory or /chosen, not
    disabled (status other than "okay"), and not inside a passthrough device. Passthrough
    nodes themselves are included."""
    def visit(node):
        if node.parent is not None:
            if node.path in ("/cpus", "/reserved-memory", "/chosen", "/aliases"):
                return
            if not interrupts.is_enabled(node) or props.is_device_type(node, "memory"):
                return
            if "reg" in node.props and _in_address_space(node):
                yield node
            if "tessera,passthrough" in node.props:
                return
        for child in node.children:
            yield from visit(child)
    return list(visit(root))


def _in_address_space(node):
    try:
        return props.size_cells(node.parent) != 0
    except props.PropError:
        return True  # reported when its reg is decoded


class _Checker:
    def __init__(self, guest, mmio, diags):
        self.guest = guest
        self.source = guest.source
        self.mmio = mmio
        self.diags = diags
        self.phandles = interrupts.phandles(guest.source.root)
        self.result = Emulation()

    def error(self, rule_id, node, message, prop=None):
        self.diags.report(rule_id, self.source, node.path, message, prop)

    def run(self):
        plics, uarts = [], []
        for node in device_nodes(self.source.root):
            if "tessera,passthrough" in node.props:
                continue
            names = props.compatible(node)
            if interrupts.is_plic(node):
                plics.append(node)
            elif any(name in names for name in UART_COMPATIBLES):
                uarts.append(node)
            else:
                what = f"compatible {', '.join(names)}" if names else "no compatible"
                self.error("CFG-DEV-005", node,
                           f"device ({what}) is neither passed through (tessera,passthrough) "
                           f"nor emulated (PLIC, 16550 UART)")
        for extra in plics[1:]:
            self.error("CFG-EMU-002", extra, f"a second PLIC: the guest already has "
                                             f"{plics[0].path}", "compatible")
        for extra in uarts[MAX_UARTS:]:
            self.error("CFG-EMU-002", extra, f"a UART beyond the {MAX_UARTS} a partition can "
                                             f"have emulated ({uarts[0].path}, ...)")
        if plics:
            self._plic(plics[0])
        for node in uarts[:MAX_UARTS]:
            self._uart(node)
        self.result.devices.sort(key=lambda device: device.gpa)
        self._check_windows()
        return self.result

    def _value(self, decode, node, name):
        try:
            return decode(node, name)
        except props.PropError as error:
            self.diags.report("CFG-DT-002", self.source, error.node.path, error.message,
                              error.prop)
            return None

    def _one_reg(self, node, rule_id):
        reg = self._value(props.reg, node, "reg")
        if reg is None:
            return None
        if len(reg) != 1:
            self.error(rule_id, node, f"reg has {len(reg)} ranges; an emulated device has one",
                       "reg")
            return None
        gpa, size = reg[0]
        if not ranges.is_aligned(gpa, ranges.PAGE) or size == 0:
            self.error(rule_id, node, f"reg {ranges.hex_range(gpa, size)} must start 4 KiB "
                                      f"aligned and not be empty", "reg")
            return None
        return gpa, size

    def _plic(self, node):
        errors = len(self.diags)

        def error(message, prop=None):
            self.error("CFG-EMU-001", node, message, prop)

        if "interrupt-controller" not in node.props:
            error("an emulated PLIC needs the interrupt-controller property")
        cells = self._value(props.u32, node, "#interrupt-cells")
        if "#interrupt-cells" not in node.props:
            error("an emulated PLIC needs #interrupt-cells = <1>")
        elif cells is not None and cells != 1:
            error(f"#interrupt-cells = <{cells}>; the PLIC's is <1>", "#interrupt-cells")
        sources = self._value(props.u32, node, "riscv,ndev")
        if sources is None:
            if "riscv,ndev" not in node.props:
                error(f"an emulated PLIC needs riscv,ndev = <1..{MAX_GUEST_SOURCES}>")
        elif not 1 <= sources <= MAX_GUEST_SOURCES:
            error(f"riscv,ndev = <{sources}> is outside 1..{MAX_GUEST_SOURCES} (the runtime "
                  f"emulates at most {MAX_GUEST_SOURCES} sources)", "riscv,ndev")
            sources = None
        cpus = self._cpus_in_order()
        reg = self._one_reg(node, "CFG-EMU-001")
        if reg is not None:
            gpa, size = reg
            contexts = 2 * len(cpus) if cpus is not None else 2 * len(self.guest.cpus)
            needed = PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * contexts
            if not ranges.is_aligned(size, ranges.PAGE):
                error(f"reg size {size:#x} is not a multiple of 0x1000", "reg")
            elif size < needed:
                error(f"reg size {size:#x} is too small: {contexts} context(s) need "
                      f"{needed:#x} bytes", "reg")
        if cpus is not None:
            try:
                problems = interrupts.plic_context_errors(node, cpus, self.phandles)
            except props.PropError as bad:
                self.diags.report("CFG-DT-002", self.source, bad.node.path, bad.message,
                                  bad.prop)
                problems = []
            for problem in problems:
                error(problem, "interrupts-extended")
        valid = len(self.diags) == errors
        self.result.plic = GuestPlic(node.path, sources if valid else None)
        if valid:
            self.result.devices.append(Emulated(PLIC, reg[0], reg[1], node.path,
                                                sources=sources))

    def _cpus_in_order(self):
        """The guest's cpu nodes by virtual hart id, None when the ids are broken
        (CFG-HART-004 says so)."""
        by_vhart = {cpu.vhart: cpu for cpu in self.guest.cpus}
        if None in by_vhart or sorted(by_vhart) != list(range(len(self.guest.cpus))):
            return None
        return [self.source.find(by_vhart[vhart].node) for vhart in range(len(by_vhart))]

    def _uart(self, node):
        errors = len(self.diags)

        def error(message, prop=None):
            self.error("CFG-EMU-003", node, message, prop)

        reg = self._one_reg(node, "CFG-EMU-003")
        if reg is not None and reg[1] > UART_WINDOW:
            error(f"reg size {reg[1]:#x} is larger than the emulated window {UART_WINDOW:#x}",
                  "reg")
        shift = self._value(props.u32, node, "reg-shift")
        if shift:
            error(f"reg-shift = <{shift}>: the emulated UART has byte-spaced registers "
                  f"(reg-shift 0)", "reg-shift")
        width = self._value(props.u32, node, "reg-io-width")
        if width not in (None, 1):
            error(f"reg-io-width = <{width}>: the emulated UART has byte-wide registers "
                  f"(reg-io-width 1)", "reg-io-width")
        irq = self._uart_irq(node)
        if len(self.diags) == errors:
            note = f"size {reg[1]:#x} rounded up to {UART_WINDOW:#x}" if reg[1] < UART_WINDOW \
                else ""
            self.result.devices.append(Emulated(NS16550, reg[0], UART_WINDOW, node.path,
                                                irq=irq, note=note))

    def _uart_irq(self, node):
        prop = interrupts.source_prop(node)
        try:
            found = interrupts.specifiers(node, self.phandles)
        except props.PropError as bad:
            self.diags.report("CFG-DT-002", self.source, bad.node.path, bad.message, bad.prop)
            return 0
        if not found:
            return 0
        if len(found) != 1:
            self.error("CFG-EMU-003", node, f"{prop} lists {len(found)} interrupts; the "
                                            f"emulated UART raises one", prop)
            return 0
        controller, cells = found[0]
        plic = self.result.plic
        if plic is None:
            self.error("CFG-IRQ-001", node, f"{prop} goes to {controller.path}, but the guest "
                                            f"has no emulated PLIC", prop)
            return 0
        if controller.path != plic.node:
            self.error("CFG-IRQ-001", node, f"{prop} goes to {controller.path}, not to the "
                                            f"guest's PLIC {plic.node}", prop)
            return 0
        if len(cells) != 1:
            return 0  # the PLIC's #interrupt-cells is wrong: CFG-EMU-001
        if cells[0] == 0:
            self.error("CFG-IRQ-004", node, "guest interrupt 0 means no interrupt on a PLIC; "
                                            "sources start at 1", prop)
        return cells[0]

    def _check_windows(self):
        devices = self.result.devices
        placed = [(region.gpa, region.size, region.label) for region in self.guest.ram]
        placed += [(region.gpa, region.size, f"passthrough {region.label}")
                   for region in self.mmio]
        for index, device in enumerate(devices):
            node = self.source.find(device.node)
            window = ranges.hex_range(device.gpa, device.size)
            if device.gpa + device.size > GUEST_PHYS_LIMIT:
                self.error("CFG-MEM-006", node, f"emulated window {window} ends above the "
                                                f"Sv39x4 limit {GUEST_PHYS_LIMIT:#x}", "reg")
            others = placed + [(other.gpa, other.size, f"emulated {other.node}")
                               for other in devices[:index]]
            for base, size, label in others:
                if ranges.overlaps(base, size, device.gpa, device.size):
                    self.error("CFG-EMU-004", node, f"emulated window {window} overlaps "
                                                    f"{label} {ranges.hex_range(base, size)}",
                               "reg")
