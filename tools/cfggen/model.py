"""The validated configuration that the emitters turn into files."""

from dataclasses import dataclass, field

RAM = "Ram"
MMIO = "Mmio"


@dataclass(frozen=True)
class Region:
    """One stage-2 window (cfg::MemRegion) and the guest node it came from."""
    gpa: int
    hpa: int
    size: int
    kind: str                 # RAM or MMIO (cfg::MemKind enumerator)
    node: str                 # guest node path
    reg_index: int = 0
    hpa_prop: str = "reg"     # property that chose the host address
    host_node: str = None     # MMIO: the host device node
    note: str = ""            # e.g. "size 0x100 rounded up to 0x1000"
    window: int = None        # RAM from tessera,host-ranges: index of its window

    @property
    def part(self):
        """Which part of the node this is ("" for the whole of a one-range node)."""
        if self.window is not None:
            return f"host-ranges[{self.window}]"
        return f"reg[{self.reg_index}]" if self.reg_index else ""

    @property
    def gpa_prop(self):
        """The property that gave the guest address and size."""
        return "tessera,host-ranges" if self.window is not None else "reg"

    @property
    def label(self):
        return f"{self.node} {self.part}" if self.part else self.node

    @property
    def identity(self):
        return self.gpa == self.hpa


PLIC = "Plic"
NS16550 = "Ns16550"


@dataclass(frozen=True)
class Emulated:
    """A device the hypervisor emulates (cfg::EmulatedDevice): its window stays unmapped."""
    kind: str                 # PLIC or NS16550 (cfg::EmulatedKind enumerator)
    gpa: int
    size: int                 # the trapping window, whole 4 KiB pages
    node: str                 # guest node path
    irq: int = 0              # NS16550: its source on the guest's PLIC, 0 = none
    sources: int = 0          # PLIC: riscv,ndev
    note: str = ""


@dataclass(frozen=True)
class IrqRoute:
    """A passthrough interrupt (cfg::IrqRoute)."""
    host_irq: int
    guest_irq: int
    node: str                 # guest node path
    host_node: str


@dataclass(frozen=True)
class Chunk:
    """Bytes copied into guest RAM at boot (cfg::LoadChunk)."""
    blob: str                 # "p0_load0", "p0_dtb": symbol and file name stem
    data: bytes
    gpa: int
    mem_size: int
    label: str                # "hello.elf segment 0", "guest DTB"

    @property
    def symbol(self):
        return f"tessera_blob_{self.blob}"

    @property
    def file_name(self):
        if self.blob.endswith("_dtb"):
            return f"{self.blob[:-len('_dtb')]}.dtb"
        return f"{self.blob}.bin"


@dataclass
class Partition:
    index: int
    name: str
    source: object                                   # guest DtSource
    harts: list = field(default_factory=list)        # index = vhart, value = physical hart
    regions: list = field(default_factory=list)      # Region, sorted by gpa
    chunks: list = field(default_factory=list)       # Chunk, image chunks then the DTB
    passthrough: list = field(default_factory=list)  # (guest node, host node)
    image: object = None                             # image.Image
    entry: int = 0
    dtb_gpa: int = 0
    stage2_pages: int = 0
    emulated: list = field(default_factory=list)     # Emulated, sorted by gpa
    irqs: list = field(default_factory=list)         # IrqRoute, sorted by host_irq
    sstc: bool = False                               # the guest's cpus have Sstc
    fault_policy: str = "stop"                       # "stop" or "restart"
    watchdog_ms: int = 0                             # 0: no watchdog
    findings: list = field(default_factory=list)     # Diagnostic of WARNING rules

    @property
    def vmid(self):
        return self.index + 1

    @property
    def dtb(self):
        return self.chunks[-1]


@dataclass
class Configuration:
    scenario: object          # scenario.Scenario
    host: object              # hostdt.Host
    partitions: list
    inputs: list              # absolute paths of every file read
    console_owner: int = None  # index of the partition that owns the console UART, or None

    @property
    def console_owner_partition(self):
        """The Partition given the console UART (tessera,console-owner), or None: the
        hypervisor keeps it and multiplexes every partition's output."""
        return None if self.console_owner is None else self.partitions[self.console_owner]
