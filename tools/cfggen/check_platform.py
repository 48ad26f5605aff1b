"""CFG-PLAT-002: the host DT describes only devices cfggen has a binding for and the
runtime supports.

The bindings (bindings/*.yaml) say whether a device is the hypervisor's or may
go to a guest, and whether it does DMA; a host device without one could not be
classified. A binding with host-supported: false is a device the runtime has
no driver for (an AIA interrupt controller): a platform with it enabled would
not work.
"""

import device_bindings
import devicenodes
import props


def check_platform(host, diags):
    for node in devicenodes.device_nodes(host.source.root):
        names = props.compatible(node)
        binding = device_bindings.binding_of(node)
        if binding is None:
            what = f"compatible {', '.join(names)}" if names else "no compatible"
            diags.report("CFG-PLAT-002", host.source, node.path,
                         f"device ({what}) has no binding in tools/cfggen/bindings: cfggen "
                         f"cannot tell whether it is the hypervisor's or a guest's, or "
                         f"whether it does DMA", "compatible" if names else None)
        elif not binding.host_supported:
            diags.report("CFG-PLAT-002", host.source, node.path,
                         f"{binding.description} ({', '.join(names)}) is not supported: the "
                         f"runtime has no driver for it (bindings/{binding.file})", "compatible")
