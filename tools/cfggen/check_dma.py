"""CFG-DMA-001 (a finding, not an error): DMA-capable passthrough devices and RAM that is
not identity-mapped. Whether a device is DMA-capable is its binding's dma-capable flag
(bindings/*.yaml), looked up by the host node's compatible, else the guest node's.

Device DMA does not go through stage 2: a device given a guest-physical buffer
address reads and writes that address in host memory. Where a partition's RAM
is relocated (guest-physical != host-physical), its DMA lands in memory the
partition does not own; and without an IOMMU nothing stops a device from
reaching any host memory at all.
"""

import device_bindings
import props
import ranges
from model import RAM


def check_dma(partition, host, diags):
    """The partition's CFG-DMA-001 findings (also recorded as warnings in `diags`)."""
    relocated = [region for region in partition.regions
                 if region.kind == RAM and not region.identity]
    if not relocated:
        return []
    where = ", ".join(f"{ranges.hex_range(region.gpa, region.size)} (at host "
                      f"{region.hpa:#x})" for region in relocated)
    findings = []
    for guest_node, host_node in partition.passthrough:
        capable = _dma_compatible(host.source.find(host_node)) or \
            _dma_compatible(partition.source.find(guest_node))
        if capable is None:
            continue
        findings.append(diags.warn(
            "CFG-DMA-001", partition.source, guest_node,
            f"DMA-capable device ({capable}) in a partition whose RAM is not all "
            f"identity-mapped: guest RAM {where}. Device DMA bypasses stage-2 translation, so "
            f"buffers there are accessed at host address = guest address, in memory this "
            f"partition does not own; without an IOMMU a DMA-capable device can reach all "
            f"host memory", "tessera,passthrough"))
    return findings


def _dma_compatible(node):
    """The compatible string by which `node`'s binding says it is DMA-capable, or None."""
    binding = device_bindings.binding_of(node) if node is not None else None
    if binding is None or not binding.dma_capable:
        return None
    return next(name for name in props.compatible(node) if name in binding.compatible)
