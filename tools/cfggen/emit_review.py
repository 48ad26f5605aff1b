"""review.txt: what the configuration does, in words, and the rules it passed."""

from ranges import hex_range
from repo import source_label
from rules import RULES


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
           f"console     {host.console.kind} at {host.console.base:#x} ({host.console.node})",
           f"poweroff    {host.poweroff.kind}" +
           (f" at {host.poweroff.base:#x} ({host.poweroff.node})" if host.poweroff.node else ""),
           ""]
    for partition in config.partitions:
        out += _partition(partition)
    out += ["rules"]
    out += [f"  PASS  {rule.id:<13} {rule.title}" for rule in RULES.values()]
    return "\n".join(out) + "\n"


def _partition(partition):
    image = partition.image
    out = [f"partition p{partition.index}: {partition.name} (vmid {partition.vmid}, "
           f"{source_label(partition.source.path)})",
           "  harts"]
    out += [f"    vhart {vhart} -> hart {hart}" for vhart, hart in enumerate(partition.harts)]
    out += ["  memory"]
    for region in partition.regions:
        note = f"; {region.note}" if region.note else ""
        out.append(f"    gpa {region.gpa:#x} -> hpa {region.hpa:#x}, size {region.size:#x} "
                   f"({_size(region.size)}), {region.kind}, {region.label}{note}")
    out += ["  passthrough"]
    out += [f"    {guest} <- host {host}" for guest, host in partition.passthrough] or \
           ["    none"]
    out += [f"  image {source_label(image.path)}",
            f"    sha256 {image.sha256}, {image.format}, entry {partition.entry:#x}"]
    out += [f"    load {hex_range(chunk.gpa, chunk.mem_size)} file {len(chunk.data):#x} "
            f"mem {chunk.mem_size:#x}: {chunk.label}" for chunk in partition.chunks[:-1]]
    out += [f"  dtb {partition.dtb_gpa:#x}, size {len(partition.dtb.data):#x}",
            f"  stage-2 {partition.stage2_pages} pages",
            ""]
    return out


def _size(size):
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} B"
