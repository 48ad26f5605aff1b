"""CFG-DEV-005, CFG-EMU-001..004: the devices a guest DT describes are passed through or emulated.

Emulated devices (no tessera,passthrough) are recognised by their binding
(bindings/*.yaml with an `emulated` kind, whose required properties they must
have): a virtual PLIC and 16550 UARTs. Their register windows stay unmapped in
stage 2, so every guest access traps to the hypervisor.
"""

from dataclasses import dataclass, field

import device_bindings
import devicenodes
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


def emulated_compatibles():
    """The compatible strings of every device the hypervisor can emulate (from the bindings)."""
    return device_bindings.compatibles(lambda binding: binding.emulated is not None)


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
    """Guest device nodes: passthrough nodes included, their children not."""
    return devicenodes.device_nodes(root, lambda node: "tessera,passthrough" not in node.props)


class _Checker:
    def __init__(self, guest, mmio, diags):
        self.guest = guest
        self.source = guest.source
        self.mmio = mmio
        self.diags = diags
        self.phandles = interrupts.phandles(guest.source.root)
        self.result = Emulation()
        self.failures = 0  # errors this checker found (the report may repeat an earlier one)

    def error(self, rule_id, node, message, prop=None):
        self.failures += 1
        self.diags.report(rule_id, self.source, node.path, message, prop)

    def run(self):
        plics, uarts = [], []
        for node in device_nodes(self.source.root):
            if "tessera,passthrough" in node.props:
                continue
            binding = device_bindings.binding_of(node)
            emulation = binding.emulated if binding is not None else None
            if emulation is None:
                names = props.compatible(node)
                what = f"compatible {', '.join(names)}" if names else "no compatible"
                self.error("CFG-DEV-005", node,
                           f"device ({what}) is neither passed through (tessera,passthrough) "
                           f"nor emulated ({', '.join(emulated_compatibles())})")
            elif emulation.kind == PLIC:
                plics.append((node, binding))
            else:
                uarts.append((node, binding))
        for extra, _ in plics[1:]:
            self.error("CFG-EMU-002", extra, f"a second PLIC: the guest already has "
                                             f"{plics[0][0].path}", "compatible")
        for extra, _ in uarts[MAX_UARTS:]:
            self.error("CFG-EMU-002", extra, f"a UART beyond the {MAX_UARTS} a partition can "
                                             f"have emulated ({uarts[0][0].path}, ...)")
        if plics:
            self._plic(*plics[0])
        for node, binding in uarts[:MAX_UARTS]:
            self._uart(node, binding)
        self.result.devices.sort(key=lambda device: device.gpa)
        self._check_windows()
        return self.result

    def _value(self, decode, node, name):
        try:
            return decode(node, name)
        except props.PropError as error:
            self.failures += 1
            self.diags.report_prop_error(self.source, error)
            return None

    def _required(self, node, binding, rule_id):
        """Report the properties the binding requires that `node` lacks; True if none."""
        missing = device_bindings.missing_props(node, binding.emulated.required)
        for name in missing:
            self.error(rule_id, node, f"an emulated {binding.description} needs {name} "
                                      f"(bindings/{binding.file})")
        return not missing

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

    def _plic(self, node, binding):
        errors = self.failures

        def error(message, prop=None):
            self.error("CFG-EMU-001", node, message, prop)

        self._required(node, binding, "CFG-EMU-001")
        cells = self._value(props.u32, node, "#interrupt-cells")
        if cells not in (None, 1):
            error(f"#interrupt-cells = <{cells}>; the PLIC's is <1>", "#interrupt-cells")
        sources = self._value(props.u32, node, "riscv,ndev")
        if sources is not None and not 1 <= sources <= MAX_GUEST_SOURCES:
            error(f"riscv,ndev = <{sources}> is outside 1..{MAX_GUEST_SOURCES} (the runtime "
                  f"emulates at most {MAX_GUEST_SOURCES} sources)", "riscv,ndev")
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
        if cpus is not None and "interrupts-extended" in node.props:
            try:
                problems = interrupts.plic_context_errors(node, cpus, self.phandles)
            except props.PropError as bad:
                self.failures += 1
                self.diags.report_prop_error(self.source, bad)
                problems = []
            for problem in problems:
                error(problem, "interrupts-extended")
        valid = self.failures == errors and reg is not None
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

    def _uart(self, node, binding):
        errors = self.failures

        def error(message, prop=None):
            self.error("CFG-EMU-003", node, message, prop)

        self._required(node, binding, "CFG-EMU-003")
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
        if self.failures == errors and reg is not None:
            note = f"size {reg[1]:#x} rounded up to {UART_WINDOW:#x}" if reg[1] < UART_WINDOW \
                else ""
            self.result.devices.append(Emulated(NS16550, reg[0], UART_WINDOW, node.path,
                                                irq=irq, note=note))

    def _uart_irq(self, node):
        prop = interrupts.source_prop(node)
        try:
            found = interrupts.specifiers(node, self.phandles)
        except props.PropError as bad:
            self.failures += 1
            self.diags.report_prop_error(self.source, bad)
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
