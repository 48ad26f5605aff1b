"""Facts about the platform taken from its host DT: RAM, reserved memory, harts, devices."""

from dataclasses import dataclass, field

import device_bindings
import devicenodes
import interrupts
import isa
import props
import ranges
from dtsource import load_dts

HYPERVISOR_COMPATIBLE = "tessera,hypervisor"
MAX_HARTS = 1024  # hart ids 0..1023: kHartCount = highest id + 1 sizes per-hart tables


@dataclass(frozen=True)
class Span:
    base: int
    size: int
    node: str


@dataclass(frozen=True)
class Console:
    kind: str        # cfg::ConsoleKind enumerator
    base: int
    reg_shift: int
    clock_hz: int
    node: str
    irq: int = 0     # its receive interrupt on the host PLIC; 0: none (input is polled)


@dataclass(frozen=True)
class Poweroff:
    kind: str        # cfg::PoweroffKind enumerator
    base: int
    node: str = None


@dataclass(frozen=True)
class Plic:
    base: int
    size: int
    sources: int     # riscv,ndev: the highest valid source id
    node: str


@dataclass
class Host:
    name: str
    source: object                                  # DtSource
    ram: list = field(default_factory=list)         # Span
    reserved: list = field(default_factory=list)    # Span, hypervisor included
    hypervisor: Span = None
    harts: dict = field(default_factory=dict)       # hart id -> cpu node path
    timebase: int = None
    console: Console = None
    poweroff: Poweroff = Poweroff("None", 0)
    plic: Plic = None                               # None: the platform has no PLIC
    sstc_harts: dict = field(default_factory=dict)  # hart id -> its riscv,isa lists sstc
    devices: list = field(default_factory=list)     # Span of each device's reg, disabled too

    @property
    def hart_count(self):
        return max(self.harts) + 1 if self.harts else 0

    @property
    def sstc(self):
        """Every hart has Sstc."""
        return bool(self.harts) and all(self.sstc_harts.get(hart) for hart in self.harts)

    def phandles(self):
        return interrupts.phandles(self.source.root)

    def ram_spans(self):
        return ranges.merge((span.base, span.size) for span in self.ram)

    def is_console(self, node):
        """Host `node` is the console (/chosen stdout-path)."""
        return self.console is not None and node.path == self.console.node

    def owned_by_hypervisor(self, node, console_owner=False):
        """Why host `node` is the hypervisor's (a phrase), or None when a guest may have it.

        console_owner: the guest asking is the scenario's tessera,console-owner, which may
        have the console.
        """
        if self.is_console(node) and not console_owner:
            return "the hypervisor console"
        if node.path == self.poweroff.node:
            return "the power-off device"
        binding = device_bindings.binding_of(node)
        if binding is not None and binding.hypervisor_owned:
            return f"the host's {binding.description} (bindings/{binding.file})"
        return None


def read_host(name, path, diags):
    """The Host facts of platform `name`, or None when host.dts does not compile."""
    source = load_dts(path, diags)
    if source is None:
        return None
    host = Host(name, source)
    reader = _Reader(source, diags)
    host.ram = reader.memory()
    host.reserved = reader.reserved()
    host.hypervisor = reader.hypervisor(host.reserved, host.ram_spans())
    host.harts = reader.harts()
    host.timebase = reader.timebase()
    host.console = reader.console()
    host.poweroff = reader.poweroff()
    host.sstc_harts = reader.sstc(host.harts)
    host.plic = reader.plic()
    host.devices = reader.devices()
    return host


class _Reader:
    """Reads one kind of fact at a time, reporting what is missing or malformed."""

    def __init__(self, source, diags):
        self.source = source
        self.diags = diags

    def _bad(self, error):
        self.diags.report_prop_error(self.source, error)

    def _reg(self, node):
        try:
            return props.reg(node) or []
        except props.PropError as error:
            self._bad(error)
            return []

    def memory(self):
        return [Span(base, size, node.path)
                for node in self.source.root.walk() if props.is_device_type(node, "memory")
                for base, size in self._reg(node)]

    def devices(self):
        return [Span(base, size, node.path)
                for node in devicenodes.device_nodes(self.source.root, enabled_only=False)
                for base, size in self._reg(node)]

    def reserved(self):
        parent = self.source.find("/reserved-memory")
        if parent is None:
            return []
        return [Span(base, size, child.path)
                for child in parent.children for base, size in self._reg(child)]

    def hypervisor(self, reserved, ram_spans):
        parent = self.source.find("/reserved-memory")
        candidates = [] if parent is None else [
            child for child in parent.children
            if HYPERVISOR_COMPATIBLE in props.compatible(child)]
        if len(candidates) != 1:
            where = parent.path if parent is not None else "/"
            self._hv_error(where, f'{len(candidates)} /reserved-memory children are '
                                  f'compatible with "{HYPERVISOR_COMPATIBLE}"; need exactly one')
            return None
        node = candidates[0]
        spans = [span for span in reserved if span.node == node.path]
        if len(spans) != 1:
            self._hv_error(node.path, "the hypervisor region needs exactly one reg range", "reg")
            return None
        span = spans[0]
        if not ranges.inside_any(ram_spans, span.base, span.size):
            self._hv_error(node.path, f"hypervisor region {ranges.hex_range(span.base, span.size)}"
                                      f" is not inside host RAM", "reg")
            return None
        if not (span.size and ranges.is_aligned(span.base, ranges.PAGE)
                and ranges.is_aligned(span.size, ranges.PAGE)):
            self._hv_error(node.path, "hypervisor region base and size must be non-zero "
                                      "multiples of 0x1000", "reg")
            return None
        return span

    def _hv_error(self, node, message, prop=None):
        self.diags.report("CFG-HV-001", self.source, node, message, prop)

    def harts(self):
        cpus = self.source.find("/cpus")
        found = {}
        for node in cpus.children if cpus is not None else []:
            if not props.is_device_type(node, "cpu"):
                continue
            if node.props.get("status", b"okay\0") not in (b"okay\0", b"ok\0"):
                continue
            reg = self._reg(node)
            if len(reg) != 1 or reg[0][0] > 0xFFFFFFFF:
                self.diags.report("CFG-DT-002", self.source, node.path,
                                  "a cpu's reg must be one 32-bit hart id", "reg")
                continue
            if reg[0][0] >= MAX_HARTS:
                self._plat_error(node.path, f"hart id {reg[0][0]} is too large: the runtime's "
                                            f"per-hart tables (stacks, vCPUs) are indexed by "
                                            f"hart id, 0..{MAX_HARTS - 1}", "reg")
                continue
            found[reg[0][0]] = node.path
        if not found:
            self._plat_error("/cpus" if cpus is not None else "/", "no usable cpu in the host DT")
        return found

    def timebase(self):
        cpus = self.source.find("/cpus")
        if cpus is None:
            self._plat_error("/", "the host DT has no /cpus node")
            return None
        try:
            value = props.u32(cpus, "timebase-frequency")
        except props.PropError as error:
            self._bad(error)
            return None
        if not value:
            self._plat_error(cpus.path, "/cpus needs a non-zero timebase-frequency")
        return value

    def console(self):
        chosen = self.source.find("/chosen")
        try:
            stdout = props.string(chosen, "stdout-path") if chosen is not None else None
        except props.PropError as error:
            self._bad(error)
            return None
        if not stdout:
            self._plat_error("/chosen" if chosen is not None else "/", "/chosen has no stdout-path")
            return None
        node = self._resolve(stdout.split(":", 1)[0])
        if node is None:
            self._plat_error("/chosen", f'stdout-path "{stdout}" names no node', "stdout-path")
            return None
        driver = _driver(node, "console")
        if driver is None:
            names = props.compatible(node)
            supported = ", ".join(device_bindings.compatibles(
                lambda binding: _uses(binding, "console")))
            self._plat_error(node.path, f"console {names or 'without compatible'} is not "
                                        f"supported ({supported})", "compatible")
            return None
        if not self._has_required(node, driver, "the console"):
            return None
        reg = self._reg(node)
        try:
            reg_shift = props.u32(node, "reg-shift") or 0
            clock_hz = props.u32(node, "clock-frequency") or 0
            irq = (props.u32(node, "interrupts") or 0) if "interrupts" in node.props else 0
        except props.PropError as error:
            self._bad(error)
            return None
        if not reg:
            self._plat_error(node.path, "the console node has no reg")
            return None
        return Console(driver.kind, reg[0][0], reg_shift, clock_hz, node.path, irq)

    def _resolve(self, path_or_alias):
        if path_or_alias.startswith("/"):
            return self.source.find(path_or_alias)
        aliases = self.source.find("/aliases")
        try:
            target = props.string(aliases, path_or_alias) if aliases is not None else None
        except props.PropError:
            return None
        return self.source.find(target) if target and target.startswith("/") else None

    def _plat_error(self, node, message, prop=None):
        self.diags.report("CFG-PLAT-001", self.source, node, message, prop)

    def poweroff(self):
        for node in self.source.root.walk():
            driver = _driver(node, "poweroff")
            if driver is not None and interrupts.is_enabled(node):
                reg = self._reg(node)
                if reg and self._has_required(node, driver, "the power-off device"):
                    return Poweroff(driver.kind, reg[0][0], node.path)
        return Poweroff("None", 0)

    def _has_required(self, node, driver, what):
        """CFG-PLAT-001 for each property the driver's binding requires that `node` lacks."""
        missing = device_bindings.missing_props(node, driver.required)
        for name in missing:
            self._plat_error(node.path, f"{what} needs {name}")
        return not missing

    def sstc(self, harts):
        found = {}
        for hart, path in harts.items():
            try:
                found[hart] = isa.has_sstc(self.source.find(path))
            except props.PropError as error:
                self._bad(error)
                found[hart] = False
        return found

    def plic(self):
        """The host PLIC, None when there is none (or after reporting why it is unusable)."""
        nodes = [node for node in self.source.root.walk()
                 if _driver(node, "interrupt-controller") is not None
                 and interrupts.is_enabled(node)]
        if not nodes:
            return None
        if len(nodes) > 1:
            self._plat_error(nodes[1].path, f"a second PLIC (besides {nodes[0].path}) is not "
                                            f"supported", "compatible")
            return None
        node = nodes[0]
        if not self._has_required(node, _driver(node, "interrupt-controller"), "the PLIC"):
            return None
        reg = self._reg(node)
        try:
            sources = props.u32(node, "riscv,ndev")
            cells = props.u32(node, "#interrupt-cells")
        except props.PropError as error:
            self._bad(error)
            return None
        if len(reg) != 1 or not ranges.is_aligned(reg[0][0], ranges.PAGE):
            self._plat_error(node.path, "the PLIC needs one 4 KiB aligned reg range", "reg")
            return None
        if not sources or sources > 1023:
            self._plat_error(node.path, "the PLIC needs riscv,ndev = <1..1023>", "riscv,ndev")
            return None
        if cells != 1:
            self._plat_error(node.path, "the PLIC needs #interrupt-cells = <1>",
                             "#interrupt-cells")
            return None
        by_hart = {}
        cpus = self.source.find("/cpus")
        for cpu in cpus.children if cpus is not None else []:
            if props.is_device_type(cpu, "cpu"):
                try:
                    reg_cpu = props.reg(cpu) or []
                except props.PropError:
                    continue  # reported by harts()
                if len(reg_cpu) == 1 and reg_cpu[0][0] < MAX_HARTS:
                    by_hart.setdefault(reg_cpu[0][0], cpu)
        count = max(by_hart) + 1 if by_hart else 0  # disabled cpus have contexts too
        missing = [hart for hart in range(count) if hart not in by_hart]
        if missing:
            self._plat_error(node.path, f"hart {missing[0]} has no cpu node: the PLIC context "
                                        f"layout needs harts 0..{count - 1}", "interrupts-extended")
            return None
        try:
            problems = interrupts.plic_context_errors(
                node, [by_hart[hart] for hart in range(count)],
                interrupts.phandles(self.source.root))
        except props.PropError as error:
            self._bad(error)
            return None
        if problems:
            self._plat_error(node.path, f"{problems[0]}; the runtime needs context 2h = hart h "
                                        f"M-mode, 2h+1 = hart h S-mode", "interrupts-extended")
            return None
        return Plic(reg[0][0], reg[0][1], sources, node.path)


def _uses(binding, use):
    return binding.host_driver is not None and binding.host_driver.use == use


def _driver(node, use):
    """The runtime's driver for `node` as a `use` device (its binding says), or None."""
    binding = device_bindings.binding_of(node)
    return binding.host_driver if binding is not None and _uses(binding, use) else None
