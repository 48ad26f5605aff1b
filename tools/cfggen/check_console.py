"""CFG-CON-001: the scenario's tessera,console-owner names a partition that passes the
console UART through.

Without tessera,console-owner the hypervisor keeps the console (the host DT's
/chosen stdout-path) and multiplexes it; with it, the named partition drives the
UART itself from boot on and the hypervisor stays silent.
"""

from diagnostics import display_path

PROP = "tessera,console-owner"


def check_console(scenario, guests, host, diags):
    """The index of the console owner among `guests`, or None (the hypervisor keeps it)."""
    owner = scenario.console_owner
    if owner is None or host is None or host.console is None:
        return None  # no owner; or the host's console is unusable (CFG-PLAT-001)
    index = next((index for index, guest in enumerate(guests) if guest.name == owner), None)
    if index is None:
        names = ", ".join(f'"{guest.name}"' for guest in guests) or "none"
        _error(diags, scenario, f'tessera,console-owner names "{owner}", which is not a '
                                f"partition of this scenario (partitions: {names})")
        return None
    guest = guests[index]
    if not any(request.host_path == host.console.node for request in guest.passthrough):
        _error(diags, scenario, f'partition "{owner}" does not pass the console '
                                f"{host.console.node} through ({display_path(guest.path)} has "
                                f"no node with tessera,passthrough for it)")
        return None
    return index


def _error(diags, scenario, message):
    diags.report("CFG-CON-001", scenario.source, "/", message, PROP)
