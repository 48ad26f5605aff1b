"""The content of the Markdown and HTML reviews, as plain data: what to say, not how.

build_review() gathers, from a validated Configuration, everything a reviewer
signs off: the configuration hash the hypervisor prints at boot, each
partition's resources, who owns every host resource, the host memory map, the
interrupt routes, the verdict of every rule in rules.RULES (read when the
review is made, so a new rule shows up by itself) and the SHA-256 of every file
in and out. The emitters (emit_review_md, emit_review_html, review_svg) only
lay it out.
"""

import os
from dataclasses import dataclass, field

import interrupts
import props
import review_format as fmt
import rules
from check_emulated import device_nodes
from model import MMIO, NS16550, PLIC, RAM
from repo import source_label
from review_memory import RAM_KINDS, host_memory_blocks, hypervisor_devices

PASS = "PASS"
FINDING = "FINDING"

HART, RAM_ROW, DEVICE, INTERRUPT = "hart", "RAM", "device", "interrupt"
NOBODY = "none"
_EMULATED_NAMES = {PLIC: "virtual PLIC", NS16550: "virtual 16550 UART"}


@dataclass(frozen=True)
class Table:
    columns: tuple
    rows: tuple          # tuples of strings, one per column
    empty: str = "none"  # what to say instead of an empty table


@dataclass(frozen=True)
class Owner:
    key: str             # "firmware", "hypervisor", "p0", ..., "none"
    label: str


@dataclass(frozen=True)
class MatrixRow:
    kind: str            # HART, RAM_ROW, DEVICE or INTERRUPT
    resource: str
    owner: str           # an Owner key
    detail: str


@dataclass(frozen=True)
class Finding:
    rule_id: str
    partition: str       # "p0 uboot", or "" when the finding is not in a guest's files
    where: str           # file:line
    node: str
    message: str


@dataclass(frozen=True)
class RuleResult:
    id: str
    title: str
    severity: str
    verdict: str         # PASS or FINDING
    findings: tuple


@dataclass
class PartitionReview:
    key: str                                     # "p0"
    name: str
    facts: list = field(default_factory=list)    # (label, value)
    tables: list = field(default_factory=list)   # (title, Table)


@dataclass
class Review:
    scenario: str
    platform: str
    digest: str
    header: list           # (label, value): what is reviewed
    host: list             # (label, value)
    partitions: list       # PartitionReview
    owners: list           # Owner: the allocation matrix's columns
    matrix: list           # MatrixRow
    memory: list           # review_memory.Block, sorted by address
    interrupts: Table
    rules: list            # RuleResult, in rules.RULES order
    inputs: list           # review_files.FileEntry
    outputs: list          # review_files.FileEntry

    @property
    def boot_hash(self):
        """What the hypervisor prints at boot: `config <first 16 hex digits>`."""
        return self.digest[:16]

    def owner_label(self, key):
        return next((owner.label for owner in self.owners if owner.key == key), key)

    @property
    def findings(self):
        return [finding for rule in self.rules for finding in rule.findings]


def build_review(config, digest, warnings, inputs, outputs, generated_dir=None):
    """The Review of `config`; `warnings` are the Diagnostics of WARNING rules."""
    return Review(
        scenario=config.scenario.name, platform=config.scenario.platform, digest=digest,
        header=_header(config, digest, generated_dir), host=_host(config),
        partitions=[_partition(partition) for partition in config.partitions],
        owners=_owners(config), matrix=_matrix(config),
        memory=host_memory_blocks(config), interrupts=_interrupt_table(config),
        rules=_rules(_findings(config, warnings)), inputs=list(inputs), outputs=list(outputs))


# --- header and host --------------------------------------------------------

def _header(config, digest, generated_dir):
    scenario, host = config.scenario, config.host
    guests = ", ".join(f"p{p.index} {p.name} ({source_label(p.source.path)})"
                       for p in config.partitions)
    images = ", ".join(f"p{p.index} {source_label(p.image.path)}" for p in config.partitions)
    rows = [("Scenario", f"{scenario.name} ({source_label(scenario.path)})"),
            ("Platform", f"{scenario.platform} ({source_label(host.source.path)})"),
            ("Partitions", guests),
            ("Images", images),
            ("Configuration hash", digest),
            ("Printed at boot", f"config {digest[:16]}")]
    if generated_dir:
        rows.append(("Generated tables", source_label(os.path.abspath(generated_dir))))
    return rows


def console_owner_text(config):
    """Who drives the console UART at run time, in words (the reviews and review.txt)."""
    owner = config.console_owner_partition
    if owner is None:
        return "hypervisor (multiplexed, prefixes): every partition's lines, prefixed with its name"
    return (f"partition {owner.name} (passthrough): the hypervisor and the other partitions "
            f"are silent after boot")


def _host(config):
    host = config.host
    plic = (f"{fmt.span(host.plic.base, host.plic.size)}, sources 1..{host.plic.sources} "
            f"({host.plic.node})" if host.plic else "none")
    poweroff = (f"{host.poweroff.kind} at {fmt.addr(host.poweroff.base)} ({host.poweroff.node})"
                if host.poweroff.node else "none (harts are halted instead)")
    return [("Hypervisor region", f"{fmt.span(host.hypervisor.base, host.hypervisor.size)}, "
                                  f"{fmt.size(host.hypervisor.size)} ({host.hypervisor.node})"),
            ("Harts", ", ".join(str(hart) for hart in sorted(host.harts))),
            ("Timebase", f"{host.timebase} Hz"),
            ("Console", f"{host.console.kind} at {fmt.addr(host.console.base)} "
                        f"({host.console.node})"),
            ("Console owner", console_owner_text(config)),
            ("Power-off", poweroff),
            ("Interrupt controller", plic),
            ("Sstc on every hart", fmt.yes_no(host.sstc))]


# --- partitions -------------------------------------------------------------

def _partition(partition):
    image, dtb = partition.image, partition.dtb
    facts = [("Name", partition.name),
             ("VMID", str(partition.vmid)),
             ("Guest device tree", source_label(partition.source.path)),
             ("Virtual harts", str(len(partition.harts))),
             ("Image", source_label(image.path)),
             ("Image format and size", f"{image.format}, "
                                       f"{fmt.size(os.path.getsize(image.path))}"),
             ("Image SHA-256", image.sha256),
             ("Entry", fmt.addr(partition.entry)),
             ("DTB", f"at {fmt.addr(partition.dtb_gpa)}, {len(dtb.data)} bytes"),
             ("Sstc", "yes: the guest programs vstimecmp itself" if partition.sstc
              else "no: the hypervisor's timer stands in for stimecmp"),
             ("Stage-2 page tables", f"{partition.stage2_pages} pages of 4 KiB")]
    policy = getattr(partition, "fault_policy", None)
    if policy is not None:
        facts.append(("Fault policy", str(policy)))
    return PartitionReview(f"p{partition.index}", partition.name, facts, [
        ("Harts", _harts_table(partition)),
        ("RAM (guest-physical to host-physical)", _ram_table(partition)),
        ("Passthrough MMIO", _mmio_table(partition)),
        ("Emulated devices (unmapped: every access traps to the hypervisor)",
         _emulated_table(partition)),
        ("Passthrough interrupts (host to guest)", _irq_table(partition)),
        ("Loaded into RAM at boot", _loads_table(partition))])


def _harts_table(partition):
    return Table(("Virtual hart", "Physical hart"),
                 tuple((str(vhart), str(hart)) for vhart, hart in enumerate(partition.harts)))


def _ram_table(partition):
    return Table(("Guest-physical", "Host-physical", "Size", "Mapping", "From"), tuple(
        (fmt.span(r.gpa, r.size), fmt.span(r.hpa, r.size), fmt.size(r.size),
         "identity" if r.identity else "relocated", f"{r.label} ({r.gpa_prop})")
        for r in partition.regions if r.kind == RAM))


def _mmio_table(partition):
    return Table(("Guest-physical", "Host-physical", "Size", "Guest node", "Host node", "Note"),
                 tuple((fmt.span(r.gpa, r.size), fmt.span(r.hpa, r.size), fmt.size(r.size),
                        r.label, r.host_node, r.note or "")
                       for r in partition.regions if r.kind == MMIO))


def _emulated_table(partition):
    rows = []
    for device in partition.emulated:
        details = []
        if device.sources:
            details.append(f"sources 1..{device.sources}")
        if device.irq:
            details.append(f"interrupt {device.irq} on the virtual PLIC")
        if device.note:
            details.append(device.note)
        rows.append((_EMULATED_NAMES.get(device.kind, device.kind),
                     fmt.span(device.gpa, device.size), device.node, "; ".join(details)))
    return Table(("Device", "Guest-physical window", "Guest node", "Details"), tuple(rows))


def _irq_table(partition):
    return Table(("Host source", "Guest source", "Guest node", "Host node"),
                 tuple((str(r.host_irq), str(r.guest_irq), r.node, r.host_node)
                       for r in partition.irqs))


def _loads_table(partition):
    return Table(("What", "Guest-physical", "From the file", "In memory"), tuple(
        (chunk.label, fmt.span(chunk.gpa, chunk.mem_size), f"{len(chunk.data)} bytes",
         f"{chunk.mem_size} bytes" + (", the rest zero-filled"
                                      if chunk.mem_size > len(chunk.data) else ""))
        for chunk in partition.chunks))


# --- who owns what ----------------------------------------------------------

def _owners(config):
    owners = []
    if any(span.node != config.host.hypervisor.node for span in config.host.reserved):
        owners.append(Owner("firmware", "Firmware"))
    owners.append(Owner("hypervisor", "Hypervisor"))
    owners += [Owner(f"p{p.index}", f"p{p.index} {p.name}") for p in config.partitions]
    owners.append(Owner(NOBODY, "Unassigned"))
    return owners


def _matrix(config):
    return (_hart_rows(config) + _ram_rows(config) + _device_rows(config)
            + _interrupt_rows(config))


def _hart_rows(config):
    owners = {hart: (partition, vhart) for partition in config.partitions
              for vhart, hart in enumerate(partition.harts)}
    rows = []
    for hart in sorted(config.host.harts):
        node = config.host.harts[hart]
        if hart in owners:
            partition, vhart = owners[hart]
            rows.append(MatrixRow(HART, f"hart {hart}", f"p{partition.index}",
                                  f"virtual hart {vhart} of {partition.name} ({node})"))
        else:
            rows.append(MatrixRow(HART, f"hart {hart}", NOBODY,
                                  f"no partition: left stopped, or halted if the "
                                  f"hypervisor booted on it ({node})"))
    return rows


def _ram_rows(config):
    return [MatrixRow(RAM_ROW, f"{fmt.span(block.base, block.size)} {fmt.size(block.size)}",
                      block.owner, f"{block.label}: {block.detail}")
            for block in host_memory_blocks(config) if block.kind in RAM_KINDS]


def _device_rows(config):
    host = config.host
    passed = {host_node: (partition, guest_node) for partition in config.partitions
              for guest_node, host_node in partition.passthrough}
    own = dict((path, role) for role, path in hypervisor_devices(config))
    rows = []
    for node in device_nodes(host.source.root):
        where = ", ".join(fmt.span(base, size) for base, size in _reg(node))
        if node.path in passed:
            partition, guest_node = passed[node.path]
            rows.append(MatrixRow(DEVICE, node.path, f"p{partition.index}",
                                  f"{where}: passed through as {guest_node} of {partition.name}"))
        elif node.path in own:
            rows.append(MatrixRow(DEVICE, node.path, "hypervisor",
                                  f"{where}: the hypervisor's {own[node.path]}"))
        else:
            rows.append(MatrixRow(DEVICE, node.path, NOBODY,
                                  f"{where}: mapped into no partition"))
    for partition in config.partitions:
        for device in partition.emulated:
            rows.append(MatrixRow(
                DEVICE, f"{_EMULATED_NAMES.get(device.kind, device.kind)} of {partition.name}",
                f"p{partition.index}", f"guest {fmt.span(device.gpa, device.size)} "
                                       f"({device.node}): emulated by the hypervisor"))
    return rows


def _interrupt_rows(config):
    host = config.host
    routes = {route.host_irq: (partition, route) for partition in config.partitions
              for route in partition.irqs}
    raised_by = _host_sources(host)
    own = {path for _, path in hypervisor_devices(config)}
    rows = []
    for source in sorted(set(raised_by) | set(routes)):
        devices = ", ".join(raised_by.get(source, [])) or "no host device"
        if source in routes:
            partition, route = routes[source]
            rows.append(MatrixRow(INTERRUPT, f"host source {source}", f"p{partition.index}",
                                  f"{devices}: guest source {route.guest_irq} of "
                                  f"{partition.name} ({route.node})"))
        elif any(path in own for path in raised_by.get(source, [])):
            rows.append(MatrixRow(INTERRUPT, f"host source {source}", "hypervisor",
                                  f"{devices}: a hypervisor device; not routed, "
                                  f"left disabled"))
        else:
            rows.append(MatrixRow(INTERRUPT, f"host source {source}", NOBODY,
                                  f"{devices}: routed to no partition, left disabled"))
    return rows


def _host_sources(host):
    """{host PLIC source: [host device paths raising it]}."""
    if host.plic is None:
        return {}
    by_phandle = host.phandles()
    found = {}
    for node in device_nodes(host.source.root):
        try:
            specifiers = interrupts.specifiers(node, by_phandle)
        except props.PropError:
            continue
        for controller, cells in specifiers:
            if controller.path == host.plic.node and cells:
                found.setdefault(cells[0], []).append(node.path)
    return found


def _reg(node):
    try:
        return props.reg(node) or []
    except props.PropError:
        return []


# --- interrupt routing ------------------------------------------------------

def _interrupt_table(config):
    rows = []
    for partition in config.partitions:
        who = f"p{partition.index} {partition.name}"
        contexts = ", ".join(f"{2 * vhart + 1} (virtual hart {vhart})"
                             for vhart in range(len(partition.harts)))
        serving = partition.harts[0]
        for route in partition.irqs:
            rows.append((str(route.host_irq), route.host_node,
                         f"context {2 * serving + 1} (hart {serving} S-mode)", who,
                         str(route.guest_irq), route.node, contexts))
        for device in partition.emulated:
            if device.irq:
                rows.append(("virtual", f"{_EMULATED_NAMES.get(device.kind, device.kind)} "
                                        f"(emulated)", "none", who, str(device.irq),
                             device.node, contexts))
    return Table(("Host source", "Host device", "Host PLIC context", "Partition",
                  "Guest source", "Guest device", "Guest PLIC S-mode contexts (that enable it)"),
                 tuple(rows), empty="no interrupt reaches a partition")


# --- rules ------------------------------------------------------------------

def _findings(config, warnings):
    diagnostics = list(warnings)
    for partition in config.partitions:
        diagnostics += [finding for finding in partition.findings if finding not in diagnostics]
    found = []
    for diagnostic in dict.fromkeys(diagnostics):
        owner = next((p for p in config.partitions
                      if diagnostic.pos.file in (p.source.path, *p.source.includes)), None)
        found.append(Finding(diagnostic.rule_id,
                             f"p{owner.index} {owner.name}" if owner else "",
                             f"{source_label(diagnostic.pos.file)}:{diagnostic.pos.line}",
                             diagnostic.node, diagnostic.message))
    return found


def _rules(findings):
    results = []
    for rule in rules.RULES.values():
        own = tuple(finding for finding in findings if finding.rule_id == rule.id)
        results.append(RuleResult(rule.id, rule.title, rule.severity,
                                  FINDING if own else PASS, own))
    return results
