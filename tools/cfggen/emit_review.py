"""review.txt: what the configuration does, in words, and the rules it passed."""

from ranges import hex_range
from repo import source_label
from review_model import console_owner_text
from rules import ERROR, RULES


def render_review(config, digest):
    scenario, host = config.scenario, config.host
    out = [f"Tessera configuration review: {scenario.name}",
           "",
           f"scenario    {source_label(scenario.path)}",
           f"platform    {scenario.platform} ({source_label(host.source.path)})",
           f"config      {digest}",
           f"hypervisor  {hex_range(host.hypervisor.base, host.hypervisor.size)} "
           f"({host.hypervisor.node})",
           f"harts       {host.hart_count}, timebase {host.timebase} Hz",
           f"console     {host.console.kind} at {host.console.base:#x} ({host.console.node}), "
           f"owner {console_owner_text(config)}",
           f"poweroff    {host.poweroff.kind}" +
           (f" at {host.poweroff.base:#x} ({host.poweroff.node})" if host.poweroff.node else ""),
           "plic        " + (f"{host.plic.base:#x}, {host.plic.sources} sources "
                             f"({host.plic.node})" if host.plic else "none"),
           f"sstc        {'every hart' if host.sstc else 'not on every hart'}",
           ""]
    for partition in config.partitions:
        out += _partition(partition)
    found = {finding.rule_id for partition in config.partitions
             for finding in partition.findings}
    out += ["rules"]
    out += [f"  {_verdict(rule, found)}  {rule.id:<13} {rule.title}" for rule in RULES.values()]
    return "\n".join(out) + "\n"


def _verdict(rule, found):
    if rule.severity == ERROR or rule.id not in found:
        return "PASS"
    return "WARN"


def _partition(partition):
    image = partition.image
    out = [f"partition p{partition.index}: {partition.name} (vmid {partition.vmid}, "
           f"{source_label(partition.source.path)})",
           "  harts"]
    out += [f"    vhart {vhart} -> hart {hart}" for vhart, hart in enumerate(partition.harts)]
    out += [f"    sstc {'yes: the guest programs vstimecmp' if partition.sstc else 'no'}"]
    out += ["  memory"]
    for region in partition.regions:
        note = f"; {region.note}" if region.note else ""
        out.append(f"    gpa {region.gpa:#x} -> hpa {region.hpa:#x}, size {region.size:#x} "
                   f"({_size(region.size)}), {region.kind}, {region.label}{note}")
    out += ["  passthrough"]
    out += [f"    {guest} <- host {host}" for guest, host in partition.passthrough] or \
           ["    none"]
    out += ["  emulated (unmapped, every access traps)"]
    out += [f"    {hex_range(device.gpa, device.size)} {device.kind} {device.node}"
            + (f", {device.sources} sources" if device.sources else "")
            + (f", interrupt {device.irq}" if device.irq else "")
            + (f"; {device.note}" if device.note else "")
            for device in partition.emulated] or ["    none"]
    out += ["  interrupts (host -> guest)"]
    out += [f"    {route.host_irq} -> {route.guest_irq}: {route.node} <- host "
            f"{route.host_node}" for route in partition.irqs] or ["    none"]
    out += [f"  image {source_label(image.path)}",
            f"    sha256 {image.sha256}, {image.format}, entry {partition.entry:#x}"]
    out += [f"    load {hex_range(chunk.gpa, chunk.mem_size)} file {len(chunk.data):#x} "
            f"mem {chunk.mem_size:#x}: {chunk.label}" for chunk in partition.chunks[:-1]]
    out += [f"  dtb {partition.dtb_gpa:#x}, size {len(partition.dtb.data):#x}",
            f"  stage-2 {partition.stage2_pages} pages",
            "  findings"]
    out += [f"    WARN [{finding.rule_id}] {finding.node}: {finding.message}"
            for finding in partition.findings] or ["    none"]
    out += [""]
    return out


def _size(size):
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} B"
