"""CFG-CPU-001..003: the guest's cpus agree on Sstc, the host backs it, the timebase matches."""


def check_cpus(guests, host, diags):
    """Per guest, whether its cpus have Sstc (False when they disagree)."""
    return [_check_guest(guest, host, diags) for guest in guests]


def _check_guest(guest, host, diags):
    cpus = sorted(guest.cpus, key=lambda cpu: (cpu.vhart is None, cpu.vhart or 0))
    if host is not None and host.timebase:
        for cpu in cpus:
            _check_timebase(guest, cpu, host, diags)
    known = [cpu for cpu in cpus if cpu.sstc is not None]
    with_sstc = [cpu for cpu in known if cpu.sstc]
    if not with_sstc:
        return False
    if len(with_sstc) != len(known):
        first = with_sstc[0].node
        for cpu in known:
            if not cpu.sstc:
                diags.report("CFG-CPU-001", guest.source, cpu.node,
                             f"riscv,isa does not list sstc, but {first}'s does", "riscv,isa")
        return False
    if host is not None:
        for cpu in with_sstc:
            if cpu.phart in host.harts and not host.sstc_harts.get(cpu.phart):
                diags.report("CFG-CPU-002", guest.source, cpu.node,
                             f"the guest has Sstc, but physical hart {cpu.phart} of {host.name} "
                             f"does not ({host.harts[cpu.phart]})", "riscv,isa")
    return True


def _check_timebase(guest, cpu, host, diags):
    if cpu.timebase is None:
        if "timebase-frequency" not in guest.source.find(cpu.timebase_node).props:
            diags.report("CFG-CPU-003", guest.source, cpu.timebase_node,
                         f"no timebase-frequency for {cpu.node}; the host's is "
                         f"{host.timebase}")
        return
    if cpu.timebase != host.timebase:
        diags.report("CFG-CPU-003", guest.source, cpu.timebase_node,
                     f"timebase-frequency {cpu.timebase} differs from the host's "
                     f"{host.timebase}", "timebase-frequency")
